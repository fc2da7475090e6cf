#pragma once

#include "../Result.h"
#include "../json/Json.h"
#include "SecretList.h"

#include <QByteArray>

#include <memory>

namespace si {

// The encrypted envelope of auth0-server-python (INTEROP.md §1): compact JWE, "dir" +
// A256CBC-HS512, key = HKDF-SHA256(secret, salt = store identifier, info = "Auth0 Generated
// Encryption", 64 bytes). Byte-compatible in both directions.
//
// Keys derived per (secret, identifier) are cached (bounded), so HKDF does not run per call.
// With `Options::withKeyId`, envelopes carry the secret's keyId() as "kid" so that readers skip
// trial decryption after a rotation; auth0 readers ignore unknown header members, and envelopes
// without "kid" still decrypt by trying each secret in order.
// Thread-safe: one instance may be used from many threads at once.
class EnvelopeCipher {
public:
    struct Options {
        bool cacheKeys = true;
        qsizetype maxCachedIdentifiers = 4096;
        bool withKeyId = false;
    };

    struct Decrypted {
        QByteArray plaintext;
        qsizetype secretIndex = 0; // which secret opened it (0 = current)
        json::Object header;       // the protected header (empty for auth0's fixed header)
    };

    explicit EnvelopeCipher(SecretList secrets);
    EnvelopeCipher(SecretList secrets, Options options);
    ~EnvelopeCipher();
    EnvelopeCipher(const EnvelopeCipher &) = delete;
    EnvelopeCipher &operator=(const EnvelopeCipher &) = delete;

    // The protected header auth0-server-python writes, base64url: {"alg":"dir","enc":"A256CBC-HS512"}.
    static QByteArrayView auth0HeaderB64();
    // Salts used by auth0-server-python.
    static QString sessionIdentifier() { return QStringLiteral("_a0_session"); }
    static QString transactionIdentifier(QStringView state) { return QStringLiteral("_a0_tx:") + state.toString(); }

    // `binding`, when given, is written into the protected header ("si_id") and so authenticated:
    // decrypt() with the same binding refuses an envelope that was written for another record
    // (someone copying one user's value under another session id in the store).
    Result<QByteArray> encrypt(QStringView identifier, QByteArrayView plaintext, QStringView binding = {}) const;
    // With additional protected (authenticated) header members, e.g. timestamps of stateless
    // sessions. Members named alg, enc, kid or si_id are ignored.
    Result<QByteArray> encrypt(QStringView identifier, QByteArrayView plaintext, QStringView binding,
                               const json::Object &extraHeader) const;
    // Serializes like Python's json.dumps (", " / ": ", ASCII with \u escapes) and encrypts.
    Result<QByteArray> encryptJson(QStringView identifier, const json::Value &value, QStringView binding = {}) const;

    Result<Decrypted> decrypt(QStringView identifier, QByteArrayView token, QStringView binding = {}) const;
    Result<json::Value> decryptJson(QStringView identifier, QByteArrayView token, QStringView binding = {}) const;

    const SecretList &secrets() const;

    // The derived 64-byte key for (secret `index`, identifier); exposed for tests and benchmarks.
    Result<crypto::SecureBytes> deriveKey(qsizetype index, QStringView identifier) const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace si
