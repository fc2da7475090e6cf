#pragma once

#include "../Result.h"
#include "Algorithms.h"
#include "CompactJwe.h"

#include <QByteArray>

namespace si::jose {

struct SealedContent {
    QByteArray ciphertext;
    QByteArray tag;
};

// The JWE content encryption AEADs of RFC 7518 §5.2 (AES_CBC_HMAC_SHA2) and §5.3 (AES-GCM),
// directly on OpenSSL EVP. This is the hot path for session envelopes: cipher and MAC contexts
// are kept per thread and reused, so calls from several threads at once are safe and cheap.
// Cross-checked in tests against cjose (Jwe) and Python jwcrypto.
namespace ContentCipher {

int ivLength(ContentEncryption enc);
int tagLength(ContentEncryption enc);

// `iv` must have ivLength(enc) bytes and `key` contentKeyLength(enc) bytes.
Result<SealedContent> seal(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad,
                           QByteArrayView plaintext);
// Authenticates before decrypting; any mismatch is ErrorCode::DecryptFailed with no partial output.
Status open(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad, QByteArrayView ciphertext,
            QByteArrayView tag, QByteArray &plaintext);

} // namespace ContentCipher

// Compact JWE with "alg":"dir". `protectedHeaderB64` is the already-encoded header (it is the AAD).
// A random IV is drawn unless `iv` is given (tests with published vectors).
Result<QByteArray> encryptDirect(ContentEncryption enc, QByteArrayView key, QByteArrayView protectedHeaderB64,
                                 QByteArrayView plaintext, QByteArrayView iv = {});

// Decrypts a split compact JWE whose header was already validated as "dir" with `enc`.
// The encrypted-key part must be empty.
Status decryptDirect(const CompactJweParts &parts, ContentEncryption enc, QByteArrayView key, QByteArray &plaintext);

// Splits, validates the header and decrypts.
Result<QByteArray> decryptDirect(QByteArrayView token, QByteArrayView key);

} // namespace si::jose
