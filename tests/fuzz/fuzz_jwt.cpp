// Compact JWS/JWT from an untrusted source, verified against keys of every type we accept, and its
// claims put through the ID token and back-channel logout token rules.
#include "core/jose/Jws.h"
#include "core/jose/Jwt.h"
#include "core/oidc/TokenValidator.h"

#include <cstddef>
#include <cstdint>

namespace {

const si::jose::Jwks &keys()
{
    static const si::jose::Jwks jwks = [] {
        si::json::Array list;
        using KT = si::jose::Jwk::KeyType;
        const struct {
            KT type;
            int size;
            const char *curve;
            const char *kid;
        } specs[] = {{KT::Rsa, 2048, "", "rsa"},
                     {KT::Ec, 0, "P-256", "ec256"},
                     {KT::Ec, 0, "P-521", "ec521"},
                     {KT::Okp, 0, "Ed25519", "ed"},
                     {KT::Oct, 256, "", "hmac"}};
        for (const auto &s : specs) {
            auto key =
                si::jose::Jwk::generate(s.type, s.size, QString::fromLatin1(s.curve), QString::fromLatin1(s.kid));
            list.push_back(s.type == KT::Oct ? key->json() : key->publicJson());
        }
        si::json::Object doc;
        doc.append("keys", std::move(list));
        return si::jose::Jwks::fromJson(si::json::Value(std::move(doc))).value();
    }();
    return jwks;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView token(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    auto jwt = si::jose::parseJwt(token);
    if (jwt) {
        (void)jwt->audiences();
        (void)jwt->numericDate("exp");
        si::oidc::ValidationReport report;
        si::oidc::IdTokenExpectations id;
        id.issuer = QStringLiteral("https://idp.test/");
        id.clientId = QStringLiteral("client");
        id.nonce = QStringLiteral("n-0S6_WzA2Mj");
        id.accessToken = QStringLiteral("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y");
        id.now = 1700000000;
        si::oidc::checkIdTokenClaims(*jwt, id, report);
        si::oidc::LogoutTokenExpectations logout;
        logout.issuer = id.issuer;
        logout.clientId = id.clientId;
        logout.now = id.now;
        si::oidc::ValidationReport logoutReport;
        auto valid = si::oidc::checkLogoutTokenClaims(*jwt, logout, logoutReport);
        // An accepted logout token names whom to log out and can be remembered against replay.
        if (valid && (!valid->target.isValid() || valid->jti.isEmpty()))
            __builtin_trap();
    }
    auto jws = si::jose::Jws::parse(token);
    if (jws) {
        (void)si::jose::Jws::verify(*jws, keys(), si::jose::AlgorithmSet::all());
        for (const auto &key : keys().keys())
            (void)si::jose::Jws::verify(*jws, key, si::jose::AlgorithmSet::all());
    }
    return 0;
}
