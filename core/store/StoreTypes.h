#pragma once

#include "../cookie/CookieHeader.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace si {

// The claims of a back-channel logout token that select sessions (OIDC Back-Channel Logout §2.4):
// `sub` alone logs the user out everywhere, `sid` alone ends that IdP session, both end that
// session of that user. Always scoped by the issuer.
struct LogoutTarget {
    QString issuer;
    std::optional<QString> sub;
    std::optional<QString> sid;

    bool isValid() const { return !issuer.isEmpty() && (sub.has_value() || sid.has_value()); }
};

// When a session stops being valid. `absoluteSeconds` counts from creation (auth0's
// state_absolute_duration, 3 days by default); `inactivitySeconds` (0 = off) counts from the last
// read or write, and every get() moves it forward (rolling expiry). The earlier deadline wins.
struct ExpiryPolicy {
    qint64 absoluteSeconds = 259200;
    qint64 inactivitySeconds = 0;

    qint64 absoluteDeadline(qint64 createdAt) const { return createdAt + absoluteSeconds; }
    qint64 deadline(qint64 createdAt, qint64 lastActivity) const
    {
        const qint64 absolute = absoluteDeadline(createdAt);
        if (inactivitySeconds <= 0)
            return absolute;
        return qMin(absolute, lastActivity + inactivitySeconds);
    }
};

// Per-request state for stores that keep data in the browser (cookie stores): the cookies the
// request brought and the Set-Cookie headers the response must send. Server-side stores ignore
// it. Not thread-safe: one context belongs to one request.
struct StoreContext {
    QList<Cookie> requestCookies;
    QList<QByteArray> setCookieHeaders;

    // Applies this response's Set-Cookie headers to `requestCookies`, as a browser would before
    // its next request (used by tests and the demo web app's own client).
    void applySetCookies();
};

// The unix time source (seconds); stores take one so tests can move time forward.
using Clock = std::function<qint64()>;
qint64 systemClock();

} // namespace si
