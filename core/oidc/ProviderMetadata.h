#pragma once

#include "../Result.h"
#include "../json/Json.h"

#include <QStringList>
#include <QUrl>

namespace si::oidc {

// An OpenID Provider's discovery document (OpenID Connect Discovery 1.0 §3), validated: the
// issuer must equal the one it was fetched for (§4.3), and the endpoints the relying party needs
// must be absolute http(s) URLs.
struct ProviderMetadata {
    QString issuer;
    QUrl authorizationEndpoint;
    QUrl tokenEndpoint;
    QUrl userinfoEndpoint;
    QUrl jwksUri;
    QUrl endSessionEndpoint;          // empty when RP-initiated logout is not offered
    QUrl pushedAuthorizationEndpoint; // PAR (RFC 9126); empty when absent
    QUrl registrationEndpoint;
    QUrl revocationEndpoint;
    QStringList idTokenSigningAlgs;
    QStringList tokenEndpointAuthMethods;
    QStringList codeChallengeMethods;
    bool backchannelLogoutSupported = false;
    bool backchannelLogoutSessionSupported = false;
    bool authorizationResponseIssParameterSupported = false;
    json::Object raw;

    static Result<ProviderMetadata> fromJson(const json::Value &document, const QString &expectedIssuer);
};

} // namespace si::oidc
