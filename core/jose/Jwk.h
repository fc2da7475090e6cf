#pragma once

#include "../Result.h"
#include "../json/Json.h"

#include <QList>
#include <QString>

#include <memory>
#include <string_view>

namespace si::jose {

struct JwkData;

// One JSON Web Key (RFC 7517). RSA, EC and oct keys are imported through cjose; OKP keys
// (Ed25519/Ed448, RFC 8037), which cjose does not know, through OpenSSL. Immutable and cheap to
// copy (shared). Private parameters are accepted for signing in tests and demos.
class Jwk {
public:
    enum class KeyType { Oct, Rsa, Ec, Okp };

    static Result<Jwk> fromJson(const json::Object &object);
    static Result<Jwk> parse(std::string_view jsonText);
    static Result<Jwk> fromSymmetricKey(QByteArrayView key, const QString &kid = {});
    // A JWK in a JSON file (errors name the file, never its content).
    static Result<Jwk> fromFile(const QString &path);

    // A new private key: RSA of `size` bits, EC on `curve` ("P-256", "P-384", "P-521"), OKP
    // ("Ed25519", "Ed448") or oct of `size` bits. For test IdPs, demo data and tests.
    static Result<Jwk> generate(KeyType type, int size = 2048, const QString &curve = {}, const QString &kid = {});

    KeyType keyType() const;
    QString keyTypeName() const;
    QString kid() const;
    QString use() const;       // "sig", "enc" or empty
    QString algorithm() const; // the JWK's own "alg", empty when absent
    QString curve() const;     // EC / OKP "crv"
    int keyBits() const;       // RSA modulus bits, EC/OKP curve size, oct key bits
    bool hasPrivateKey() const;
    // The members as given (including private ones if the JWK had them).
    const json::Object &json() const;
    // Public members only, in the input order.
    json::Object publicJson() const;

    const JwkData &data() const { return *m_d; }

private:
    explicit Jwk(std::shared_ptr<const JwkData> d)
        : m_d(std::move(d))
    {}
    std::shared_ptr<const JwkData> m_d;
};

// A JWK Set (RFC 7517 §5). Keys that cannot be imported (unknown kty, bad parameters) are skipped
// and listed in skipped(), so that one odd key at an IdP does not break verification with the
// others. A document without a "keys" array is an error.
class Jwks {
public:
    struct SkippedKey {
        int index = 0;
        QString kid;
        QString reason;
    };

    static Result<Jwks> parse(std::string_view jsonText);
    static Result<Jwks> fromJson(const json::Value &document);
    // A JWKS file, or a file holding one JWK (whose public part becomes a set of one key).
    static Result<Jwks> fromFile(const QString &path);

    const QList<Jwk> &keys() const { return m_keys; }
    const QList<SkippedKey> &skipped() const { return m_skipped; }
    bool isEmpty() const { return m_keys.isEmpty(); }
    // Keys whose kid equals `kid` (several are legal, e.g. one per alg).
    QList<Jwk> findByKid(const QString &kid) const;

private:
    QList<Jwk> m_keys;
    QList<SkippedKey> m_skipped;
};

} // namespace si::jose
