#include "ProviderMetadata.h"

namespace si::oidc {

namespace {

Error invalid(const QString &detail)
{
    return makeError(ErrorCode::MalformedInput, QStringLiteral("invalid OpenID Provider metadata"), detail);
}

} // namespace

Result<ProviderMetadata> ProviderMetadata::fromJson(const json::Value &document, const QString &expectedIssuer)
{
    if (!document.isObject())
        return invalid(QStringLiteral("the discovery document is not a JSON object"));
    const json::Object &o = document.object();
    ProviderMetadata m;
    m.raw = o;
    auto string = [&](std::string_view key) {
        const json::Value *v = o.find(key);
        return v && v->isString() ? v->toQString() : QString();
    };
    auto strings = [&](std::string_view key) {
        QStringList out;
        if (const json::Value *v = o.find(key)) {
            for (const json::Value &item : v->array()) {
                if (item.isString())
                    out << item.toQString();
            }
        }
        return out;
    };
    Error problem;
    bool failed = false;
    auto url = [&](std::string_view key, bool required) {
        const QString text = string(key);
        const QString name = QString::fromLatin1(key.data(), static_cast<qsizetype>(key.size()));
        if (text.isEmpty()) {
            if (required && !failed) {
                problem = invalid(QStringLiteral("%1 is missing").arg(name));
                failed = true;
            }
            return QUrl();
        }
        const QUrl u(text, QUrl::StrictMode);
        if (!u.isValid() || u.isRelative() ||
            (u.scheme() != QLatin1String("https") && u.scheme() != QLatin1String("http"))) {
            if (!failed) {
                problem = invalid(QStringLiteral("%1 is not an absolute http(s) URL").arg(name));
                failed = true;
            }
            return QUrl();
        }
        return u;
    };

    m.issuer = string("issuer");
    if (m.issuer.isEmpty())
        return invalid(QStringLiteral("issuer is missing"));
    if (m.issuer != expectedIssuer)
        return makeError(ErrorCode::VerificationFailed, QStringLiteral("the IdP's metadata names another issuer"),
                         QStringLiteral("expected \"%1\", got \"%2\"").arg(expectedIssuer, m.issuer.left(200)));
    m.authorizationEndpoint = url("authorization_endpoint", true);
    m.tokenEndpoint = url("token_endpoint", true);
    m.jwksUri = url("jwks_uri", true);
    m.userinfoEndpoint = url("userinfo_endpoint", false);
    m.endSessionEndpoint = url("end_session_endpoint", false);
    m.pushedAuthorizationEndpoint = url("pushed_authorization_request_endpoint", false);
    m.registrationEndpoint = url("registration_endpoint", false);
    m.revocationEndpoint = url("revocation_endpoint", false);
    if (failed)
        return problem;
    m.idTokenSigningAlgs = strings("id_token_signing_alg_values_supported");
    m.tokenEndpointAuthMethods = strings("token_endpoint_auth_methods_supported");
    m.codeChallengeMethods = strings("code_challenge_methods_supported");
    m.backchannelLogoutSupported =
        o.find("backchannel_logout_supported") && o.find("backchannel_logout_supported")->toBool();
    m.backchannelLogoutSessionSupported =
        o.find("backchannel_logout_session_supported") && o.find("backchannel_logout_session_supported")->toBool();
    m.authorizationResponseIssParameterSupported = o.find("authorization_response_iss_parameter_supported") &&
                                                   o.find("authorization_response_iss_parameter_supported")->toBool();
    return m;
}

} // namespace si::oidc
