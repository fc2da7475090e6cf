#pragma once

#include <QString>

namespace si::oidc {

// PKCE (RFC 7636). Verifiers are 64 characters of [A-Za-z0-9] like auth0-server-python's
// (more than the 43 the RFC requires, within its unreserved alphabet).
QString newCodeVerifier();
// S256: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2).
QString codeChallenge(const QString &verifier);

} // namespace si::oidc
