#include "Algorithms.h"

#include <QStringList>

#include <array>
#include <utility>

namespace si::jose {

namespace {

constexpr std::array<std::pair<ContentEncryption, const char *>, 6> kEncNames{{
    {ContentEncryption::A128CBC_HS256, "A128CBC-HS256"},
    {ContentEncryption::A192CBC_HS384, "A192CBC-HS384"},
    {ContentEncryption::A256CBC_HS512, "A256CBC-HS512"},
    {ContentEncryption::A128GCM, "A128GCM"},
    {ContentEncryption::A192GCM, "A192GCM"},
    {ContentEncryption::A256GCM, "A256GCM"},
}};

constexpr std::array<std::pair<SignatureAlgorithm, const char *>, 13> kSigNames{{
    {SignatureAlgorithm::HS256, "HS256"},
    {SignatureAlgorithm::HS384, "HS384"},
    {SignatureAlgorithm::HS512, "HS512"},
    {SignatureAlgorithm::RS256, "RS256"},
    {SignatureAlgorithm::RS384, "RS384"},
    {SignatureAlgorithm::RS512, "RS512"},
    {SignatureAlgorithm::PS256, "PS256"},
    {SignatureAlgorithm::PS384, "PS384"},
    {SignatureAlgorithm::PS512, "PS512"},
    {SignatureAlgorithm::ES256, "ES256"},
    {SignatureAlgorithm::ES384, "ES384"},
    {SignatureAlgorithm::ES512, "ES512"},
    {SignatureAlgorithm::EdDSA, "EdDSA"},
}};

} // namespace

std::optional<ContentEncryption> contentEncryptionFromName(std::string_view name)
{
    for (const auto &[enc, n] : kEncNames) {
        if (name == n)
            return enc;
    }
    return std::nullopt;
}

const char *contentEncryptionName(ContentEncryption enc)
{
    for (const auto &[e, n] : kEncNames) {
        if (e == enc)
            return n;
    }
    return "?";
}

int contentKeyLength(ContentEncryption enc)
{
    switch (enc) {
    case ContentEncryption::A128CBC_HS256:
        return 32;
    case ContentEncryption::A192CBC_HS384:
        return 48;
    case ContentEncryption::A256CBC_HS512:
        return 64;
    case ContentEncryption::A128GCM:
        return 16;
    case ContentEncryption::A192GCM:
        return 24;
    case ContentEncryption::A256GCM:
        return 32;
    }
    return 0;
}

bool isGcm(ContentEncryption enc)
{
    return enc == ContentEncryption::A128GCM || enc == ContentEncryption::A192GCM || enc == ContentEncryption::A256GCM;
}

std::optional<SignatureAlgorithm> signatureAlgorithmFromName(std::string_view name)
{
    for (const auto &[alg, n] : kSigNames) {
        if (name == n)
            return alg;
    }
    return std::nullopt;
}

const char *signatureAlgorithmName(SignatureAlgorithm alg)
{
    for (const auto &[a, n] : kSigNames) {
        if (a == alg)
            return n;
    }
    return "?";
}

AlgorithmSet::AlgorithmSet(std::initializer_list<SignatureAlgorithm> algorithms)
{
    for (auto alg : algorithms)
        insert(alg);
}

AlgorithmSet AlgorithmSet::asymmetric()
{
    AlgorithmSet set;
    for (const auto &[alg, n] : kSigNames) {
        if (alg != SignatureAlgorithm::HS256 && alg != SignatureAlgorithm::HS384 && alg != SignatureAlgorithm::HS512)
            set.insert(alg);
    }
    return set;
}

AlgorithmSet AlgorithmSet::all()
{
    AlgorithmSet set;
    for (const auto &[alg, n] : kSigNames)
        set.insert(alg);
    return set;
}

QString AlgorithmSet::toString() const
{
    QStringList names;
    for (const auto &[alg, n] : kSigNames) {
        if (contains(alg))
            names << QLatin1String(n);
    }
    return names.join(QLatin1Char(','));
}

} // namespace si::jose
