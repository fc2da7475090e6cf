#include "Auth0CookieChunks.h"

#include <QMap>
#include <QStringList>

namespace si::stores {

Result<QByteArray> Auth0CookieChunks::assemble(const QList<Cookie> &cookies, const QString &name)
{
    const QByteArray base = name.toUtf8();
    const QByteArray prefix = base + '_';
    QMap<qsizetype, QByteArray> chunks;
    for (const Cookie &cookie : cookies) {
        if (cookie.name == base)
            return makeError(ErrorCode::MalformedInput,
                             QStringLiteral("a cookie named exactly \"%1\" is not a session chunk").arg(name),
                             QStringLiteral("auth0-fastapi writes %1_0, %1_1, …; a bare %1 cookie comes from "
                                            "another program or an older version — remove it")
                                 .arg(name));
        if (!cookie.name.startsWith(prefix))
            continue;
        const QByteArrayView suffix = QByteArrayView(cookie.name).sliced(prefix.size());
        bool numeric = !suffix.isEmpty() && suffix.size() <= 6;
        for (char c : suffix)
            numeric = numeric && c >= '0' && c <= '9';
        if (!numeric)
            continue; // e.g. "_a0_session_meta": not ours
        if (suffix.size() > 1 && suffix.front() == '0')
            return makeError(ErrorCode::MalformedInput, QStringLiteral("malformed session chunk name"),
                             QString::fromUtf8(cookie.name));
        qsizetype index = 0;
        for (char c : suffix)
            index = index * 10 + (c - '0');
        if (chunks.contains(index))
            return makeError(ErrorCode::MalformedInput, QStringLiteral("duplicate session chunk"),
                             QStringLiteral("%1 is sent twice").arg(QString::fromUtf8(cookie.name)));
        chunks.insert(index, cookie.value);
    }
    if (chunks.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no session cookie in the header"),
                         QStringLiteral("looked for %1_0, %1_1, …").arg(name));
    QByteArray value;
    qsizetype expected = 0;
    for (auto it = chunks.cbegin(); it != chunks.cend(); ++it, ++expected) {
        if (it.key() != expected) {
            QStringList present;
            for (auto k = chunks.keyBegin(); k != chunks.keyEnd(); ++k)
                present << QString::number(*k);
            return makeError(ErrorCode::MalformedInput,
                             QStringLiteral("session chunk %1_%2 is missing").arg(name).arg(expected),
                             QStringLiteral("chunks present: %1").arg(present.join(QLatin1Char(','))));
        }
        value += it.value();
    }
    return value;
}

QList<Cookie> Auth0CookieChunks::split(QByteArrayView value, const QString &name, qsizetype chunkSize)
{
    QList<Cookie> out;
    const QByteArray base = name.toUtf8() + '_';
    for (qsizetype offset = 0, i = 0; offset < value.size(); offset += chunkSize, ++i)
        out.append(Cookie{base + QByteArray::number(i),
                          value.sliced(offset, qMin(chunkSize, value.size() - offset)).toByteArray()});
    return out;
}

} // namespace si::stores
