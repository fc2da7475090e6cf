#pragma once

#include <QString>

#include <optional>
#include <string_view>

namespace si::jose {

// JWE content encryption algorithms (RFC 7518 §5.1).
enum class ContentEncryption { A128CBC_HS256, A192CBC_HS384, A256CBC_HS512, A128GCM, A192GCM, A256GCM };

std::optional<ContentEncryption> contentEncryptionFromName(std::string_view name);
const char *contentEncryptionName(ContentEncryption enc);
// Length of the content encryption key in bytes (MAC key + AES key for the CBC-HMAC family).
int contentKeyLength(ContentEncryption enc);
bool isGcm(ContentEncryption enc);

// JWS algorithms we verify (RFC 7518 §3, RFC 8037). "none" is not representable on purpose.
enum class SignatureAlgorithm {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    EdDSA
};

std::optional<SignatureAlgorithm> signatureAlgorithmFromName(std::string_view name);
const char *signatureAlgorithmName(SignatureAlgorithm alg);

// A set of accepted signature algorithms. Verification refuses any algorithm not in it.
class AlgorithmSet {
public:
    AlgorithmSet() = default;
    AlgorithmSet(std::initializer_list<SignatureAlgorithm> algorithms);
    static AlgorithmSet asymmetric(); // every RS/PS/ES/EdDSA algorithm, no HMAC
    static AlgorithmSet all();

    bool contains(SignatureAlgorithm alg) const { return m_bits & bit(alg); }
    void insert(SignatureAlgorithm alg) { m_bits |= bit(alg); }
    bool isEmpty() const { return m_bits == 0; }
    QString toString() const;

private:
    static unsigned bit(SignatureAlgorithm alg) { return 1u << static_cast<unsigned>(alg); }
    unsigned m_bits = 0;
};

} // namespace si::jose
