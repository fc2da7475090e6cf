#pragma once

#include "../Result.h"

#include <QByteArray>

namespace si::crypto {

// Fernet tokens (github.com/fernet/spec), what Python's cryptography.fernet writes and
// starsessions' FernetEncryptor stores: base64url (padded) of 0x80 ‖ timestamp (64-bit big-endian
// seconds) ‖ IV (16) ‖ AES-128-CBC/PKCS#7 ciphertext ‖ HMAC-SHA256 of everything before it.
// The key is 32 bytes: the HMAC key, then the AES key. Qt, cjose and OpenSSL implement the
// primitives but not this token format, so it is assembled here from OpenSSL's AES and HMAC.
struct FernetToken {
    QByteArray plaintext;
    qint64 timestamp = 0; // when it was written (unix seconds)
};

// The MAC is checked (in constant time) before anything is decrypted. No TTL is applied: callers
// that want one compare `timestamp` themselves.
Result<FernetToken> fernetDecrypt(QByteArrayView key, QByteArrayView token);
// `iv` may be given for published test vectors; otherwise it is random.
Result<QByteArray> fernetEncrypt(QByteArrayView key, QByteArrayView plaintext, qint64 timestamp,
                                 QByteArrayView iv = {});
// A Fernet key as Python writes it (urlsafe base64 of 32 bytes, padded) to its 32 bytes.
Result<QByteArray> fernetKeyFromText(QByteArrayView text);

} // namespace si::crypto
