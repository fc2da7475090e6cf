#include "CookieAttributes.h"

namespace si::stores {

QByteArray CookieAttributes::setCookie(const QByteArray &name, const QByteArray &value, qint64 maxAge) const
{
    QByteArray out = name + '=' + value + "; Max-Age=" + QByteArray::number(qMax<qint64>(0, maxAge));
    if (!path.isEmpty())
        out += "; Path=" + path.toLatin1();
    if (!domain.isEmpty())
        out += "; Domain=" + domain.toLatin1();
    if (httpOnly)
        out += "; HttpOnly";
    if (secure)
        out += "; Secure";
    if (!sameSite.isEmpty())
        out += "; SameSite=" + sameSite.toLatin1();
    return out;
}

qsizetype CookieAttributes::overhead(const QByteArray &name, qint64 maxAge) const
{
    return setCookie(name, QByteArray(), maxAge).size();
}

bool CookieAttributes::isValidName(QByteArrayView name)
{
    if (name.isEmpty() || name.size() > 128)
        return false;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f)
            return false;
        if (QByteArrayView("()<>@,;:\\\"/[]?={}").contains(c))
            return false;
    }
    return true;
}

} // namespace si::stores
