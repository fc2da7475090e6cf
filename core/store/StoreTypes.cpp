#include "StoreTypes.h"

#include <QDateTime>

namespace si {

qint64 systemClock()
{
    return QDateTime::currentSecsSinceEpoch();
}

void StoreContext::applySetCookies()
{
    for (const QByteArray &header : std::as_const(setCookieHeaders)) {
        const qsizetype eq = header.indexOf('=');
        if (eq <= 0)
            continue;
        const QByteArray name = header.left(eq).trimmed();
        const qsizetype semi = header.indexOf(';', eq);
        const QByteArray value = header.mid(eq + 1, semi < 0 ? -1 : semi - eq - 1);
        const bool expired = header.contains("Max-Age=0") || header.contains("max-age=0");
        requestCookies.removeIf([&](const Cookie &c) { return c.name == name; });
        if (!expired)
            requestCookies.append(Cookie{name, value});
    }
    setCookieHeaders.clear();
}

} // namespace si
