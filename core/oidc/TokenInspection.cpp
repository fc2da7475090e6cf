#include "TokenInspection.h"

#include "../crypto/Base64Url.h"

#include <QCoreApplication>

namespace si::oidc {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("si::oidc::TokenInspection", text);
}

// Whether `segment` (base64url) decodes to a JSON object text with an "alg" member: cheap enough
// to run on every string of a session, strict enough that opaque tokens are not taken for JWTs.
bool isJoseHeader(QStringView segment)
{
    if (segment.size() < 8 || !segment.startsWith(u"ey"))
        return false;
    auto decoded = crypto::base64UrlDecode(segment.toLatin1());
    if (!decoded)
        return false;
    return decoded->startsWith('{') && decoded->contains("\"alg\"");
}

QString labelFor(const QString &key, const jose::Jwt &jwt)
{
    if (key == QLatin1String("id_token"))
        return tr("ID token");
    if (key == QLatin1String("access_token")) {
        const QStringList audiences = jwt.audiences();
        return audiences.isEmpty() ? tr("Access token") : tr("Access token for %1").arg(audiences.join(u", "));
    }
    if (key == QLatin1String("logout_token"))
        return tr("Logout token");
    return key;
}

void inspect(const QString &path, const QString &key, const QString &text, qint64 now, QList<TokenInspection> &out)
{
    const qsizetype dots = text.count(u'.');
    if (dots != 2 && dots != 4)
        return;
    if (!isJoseHeader(QStringView(text).left(text.indexOf(u'.'))))
        return;
    TokenInspection token;
    token.path = path;
    token.label = key;
    if (dots == 4) {
        token.problem = tr("an encrypted token (JWE): its claims can only be read with the recipient's key");
        out.append(std::move(token));
        return;
    }
    auto jwt = jose::parseJwt(text.toLatin1());
    if (!jwt) {
        token.problem = jwt.error().message;
        out.append(std::move(token));
        return;
    }
    token.label = labelFor(key, *jwt);
    token.expiresAt = jwt->numericDate("exp").value_or(0);
    token.notBefore = jwt->numericDate("nbf").value_or(0);
    if (token.notBefore > now)
        token.expiry = TokenInspection::Expiry::NotYetValid;
    else if (token.expiresAt == 0)
        token.expiry = TokenInspection::Expiry::NoExpiry;
    else
        token.expiry = token.expiresAt > now ? TokenInspection::Expiry::Valid : TokenInspection::Expiry::Expired;
    token.jwt = std::move(*jwt);
    out.append(std::move(token));
}

void walk(const json::Value &value, const QString &path, const QString &key, qint64 now, QList<TokenInspection> &out)
{
    if (value.isString()) {
        inspect(path, key, value.toQString(), now, out);
    } else if (value.isObject()) {
        for (const json::Member &m : value.object()) {
            const QString name = QString::fromStdString(m.key);
            walk(m.value, path.isEmpty() ? name : path + u'.' + name, name, now, out);
        }
    } else if (value.isArray()) {
        int i = 0;
        for (const json::Value &item : value.array())
            walk(item, path + QStringLiteral("[%1]").arg(i++), key, now, out);
    }
}

} // namespace

QList<TokenInspection> inspectTokens(const json::Value &document, qint64 now)
{
    QList<TokenInspection> out;
    walk(document, QString(), QString(), now, out);
    return out;
}

jose::AlgorithmSet inspectableAlgorithms()
{
    return jose::AlgorithmSet::asymmetric();
}

QString describeSpan(qint64 seconds)
{
    seconds = qAbs(seconds);
    const qint64 days = seconds / 86400;
    const qint64 hours = seconds % 86400 / 3600;
    const qint64 minutes = seconds % 3600 / 60;
    if (days > 0)
        return hours > 0 ? tr("%1 d %2 h").arg(days).arg(hours) : tr("%1 d").arg(days);
    if (hours > 0)
        return minutes > 0 ? tr("%1 h %2 min").arg(hours).arg(minutes) : tr("%1 h").arg(hours);
    if (minutes > 0)
        return tr("%1 min").arg(minutes);
    return tr("%1 s").arg(seconds);
}

QString TokenInspection::expiryText(qint64 now) const
{
    switch (expiry) {
    case Expiry::NoExpiry:
        return tr("no expiry (the token has no exp)");
    case Expiry::NotYetValid:
        return tr("not valid yet (nbf is in %1)").arg(describeSpan(notBefore - now));
    case Expiry::Valid:
        return tr("valid, expires in %1").arg(describeSpan(expiresAt - now));
    case Expiry::Expired:
        return tr("expired %1 ago").arg(describeSpan(now - expiresAt));
    }
    return {};
}

} // namespace si::oidc
