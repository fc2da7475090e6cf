#pragma once

#include "../jose/Jwt.h"

#include <QList>
#include <QString>

#include <optional>

namespace si::oidc {

// A JSON Web Token found in a session, decoded for the token inspector. Nothing here is
// verified: decoding only splits and reads the token; the signature is checked by the caller with
// the IdP's keys (ProviderCache::verify with inspectableAlgorithms()).
struct TokenInspection {
    enum class Expiry { NoExpiry, NotYetValid, Valid, Expired };

    QString path;  // where it was in the session: "id_token", "token_sets[0].access_token"
    QString label; // "ID token", "Access token for https://api.example.com/", "logout_token"
    std::optional<jose::Jwt> jwt;
    QString problem; // why it could not be decoded (then jwt is empty)
    Expiry expiry = Expiry::NoExpiry;
    qint64 expiresAt = 0; // exp, 0 when absent
    qint64 notBefore = 0; // nbf, 0 when absent

    // "expired 3 h 12 min ago", "expires in 42 min", "no expiry (exp missing)".
    QString expiryText(qint64 now) const;
};

// Every string in `document` that is shaped like a compact JWS or JWE (base64url segments whose
// first decodes to a JOSE header), in document order, with its expiry state at `now`. A JWE is
// listed with a problem (its claims are encrypted); opaque tokens (refresh tokens) are not listed.
QList<TokenInspection> inspectTokens(const json::Value &document, qint64 now);

// What the inspector accepts as a signature: the asymmetric algorithms. An HMAC-signed token
// could only be checked with the client secret, which the inspector does not hold.
jose::AlgorithmSet inspectableAlgorithms();

// "3 h 12 min", "42 s", "2 d 4 h": a span for people.
QString describeSpan(qint64 seconds);

} // namespace si::oidc
