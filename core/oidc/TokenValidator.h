#pragma once

#include "../Result.h"
#include "../jose/Jwt.h"
#include "../store/StoreTypes.h"
#include "ValidationReport.h"

#include <QHash>
#include <QMutex>

#include <optional>

namespace si::oidc {

// What an ID token must satisfy (OpenID Connect Core §3.1.3.7). The signature is checked
// separately (it needs the IdP's keys); these are the claim rules.
struct IdTokenExpectations {
    QString issuer;
    QString clientId;
    QString nonce;       // empty: no nonce was sent (then none may come back)
    QString accessToken; // for at_hash, when the token endpoint returned one
    qint64 leewaySeconds = 60;
    qint64 now = 0;
};

// Checks iss, aud, azp, exp, iat, nonce, at_hash and sub, appending one check each to `report`.
void checkIdTokenClaims(const jose::Jwt &token, const IdTokenExpectations &expected, ValidationReport &report);

// The expectations for a back-channel logout token (OIDC Back-Channel Logout 1.0 §2.6).
struct LogoutTokenExpectations {
    QString issuer;
    QString clientId;
    qint64 maxAgeSeconds = 300; // how old iat may be
    qint64 leewaySeconds = 60;  // clock skew allowed for iat in the future and exp in the past
    qint64 now = 0;
};

struct ValidLogoutToken {
    LogoutTarget target;
    QString jti;
    qint64 expiresAt = 0; // exp, or iat + maxAge: how long to remember the jti
};

// Every claim rule of INTEROP.md §3 except the signature, algorithm and replay (checked by the
// caller with the IdP's keys and a ReplayCache): typ, events, nonce, aud, iss, sub/sid, iat, exp,
// jti. Unknown claims are ignored.
Result<ValidLogoutToken> checkLogoutTokenClaims(const jose::Jwt &token, const LogoutTokenExpectations &expected,
                                                ValidationReport &report);

// Remembers the jti of accepted logout tokens until they expire, so a replayed token is refused.
// In-process and bounded (oldest dropped first beyond `capacity`). Thread-safe.
class ReplayCache {
public:
    explicit ReplayCache(qsizetype capacity = 100000)
        : m_capacity(capacity)
    {}
    // True when (issuer, jti) was not seen (and remembers it until `expiresAt`); false for a replay.
    bool remember(const QString &issuer, const QString &jti, qint64 expiresAt, qint64 now);

private:
    QMutex m_mutex;
    QHash<QString, qint64> m_seen;
    qsizetype m_capacity;
};

// base64url of the left half of the hash of `accessToken` with the hash that goes with `alg`
// (OIDC Core §3.1.3.6). Empty for an algorithm without a defined hash.
QString accessTokenHash(const QString &alg, const QString &accessToken);

} // namespace si::oidc
