#pragma once

#include <QByteArray>
#include <QString>

namespace si::stores {

// The attributes our Set-Cookie headers carry. Defaults are auth0-fastapi's:
// HttpOnly; Path=/; SameSite=Lax; Secure.
struct CookieAttributes {
    QString path = QStringLiteral("/");
    QString domain; // host-only when empty
    bool secure = true;
    bool httpOnly = true;
    QString sameSite = QStringLiteral("Lax");

    // "name=value; Max-Age=N; Path=/; …". maxAge 0 deletes the cookie.
    QByteArray setCookie(const QByteArray &name, const QByteArray &value, qint64 maxAge) const;
    // Length of everything but the value, for fitting values into the 4096-byte budget.
    qsizetype overhead(const QByteArray &name, qint64 maxAge) const;
    // RFC 6265 cookie-name (token) characters only.
    static bool isValidName(QByteArrayView name);
};

} // namespace si::stores
