#pragma once

#include "../jose/Algorithms.h"
#include "../jose/Jwk.h"
#include "../model/StateData.h"
#include "SessionLayout.h"

#include <optional>

namespace si::inspector {

// Realistic synthetic login sessions for demos, tests and benchmarks: users with several
// sessions each, IdP session ids, RS256-shaped tokens (signatures are random bytes: they look
// real and verify against nothing, unless a signing key is given), creation times spread over the session lifetime. One
// session in five calls two or more APIs; those token sets push its cookie form past one 4 KB cookie. Deterministic:
// the same options give the same people, ids and times (token bytes included; ECDSA and RSA-PSS signatures excepted).
class SeedGenerator {
public:
    struct Options {
        qint64 count = 1000;
        qint64 users = 200;
        QString issuer = QStringLiteral("https://login.example.com/");
        qint64 now = 0;           // 0: the current time
        qint64 lifetime = 259200; // seconds a session lives (auth0's 3 days)
        quint32 seed = 1;
        // Signs the ID and access tokens with this private key (an asymmetric JWK) instead of
        // giving them random signatures: the demo store, whose tokens the inspector can verify.
        std::optional<jose::Jwk> signingKey;
    };

    struct Session {
        QString id; // in the layout's id format
        qint64 user = 0;
        StateData state; // auth0's model (native, auth0-fastapi, auth0 cookies)
        qint64 createdAt = 0;
        qint64 lastActivity = 0;
        qint64 expiresAt = 0;
    };

    explicit SeedGenerator(Options options);
    // The algorithm seeded tokens are signed with for `key` (ES256 for P-256, RS256 for RSA, …).
    static jose::SignatureAlgorithm signingAlgorithm(const jose::Jwk &key);
    const Options &options() const { return m_options; }

    // Session `index` (0 ≤ index < count) for `layout`'s id format.
    Session session(qint64 index, SessionLayout::Kind layout) const;
    // The session as `layout` stores it: StateData for the auth0 family, starsessions' session dict
    // with __metadata__, express-session's object with cookie and passport.user.
    json::Value document(const Session &session, SessionLayout::Kind layout) const;
    // The sub of user `user`.
    QString subject(qint64 user) const;
    QString email(qint64 user) const;

private:
    Options m_options;
};

} // namespace si::inspector
