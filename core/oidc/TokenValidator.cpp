#include "TokenValidator.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hash.h"

namespace si::oidc {

namespace {

const char kBackchannelEvent[] = "http://schemas.openid.net/event/backchannel-logout";

QString timestamp(qint64 t)
{
    return QString::number(t);
}

} // namespace

QString accessTokenHash(const QString &alg, const QString &accessToken)
{
    crypto::HashAlgorithm hash;
    if (alg.endsWith(QLatin1String("256")))
        hash = crypto::HashAlgorithm::Sha256;
    else if (alg.endsWith(QLatin1String("384")))
        hash = crypto::HashAlgorithm::Sha384;
    else if (alg.endsWith(QLatin1String("512")) || alg == QLatin1String("EdDSA"))
        hash = crypto::HashAlgorithm::Sha512; // Ed25519 (RFC 8037 §3 and OIDC errata)
    else
        return {};
    const QByteArray digest = crypto::hash(hash, accessToken.toUtf8());
    return QString::fromLatin1(crypto::base64UrlEncode(QByteArrayView(digest).first(digest.size() / 2)));
}

void checkIdTokenClaims(const jose::Jwt &token, const IdTokenExpectations &expected, ValidationReport &report)
{
    const auto iss = token.stringClaim("iss");
    if (iss && *iss == expected.issuer)
        report.pass(QStringLiteral("iss"), *iss);
    else
        report.fail(QStringLiteral("iss"), QStringLiteral("expected \"%1\", got \"%2\"")
                                               .arg(expected.issuer, iss.value_or(QStringLiteral("(none)")).left(200)));

    const QStringList audiences = token.audiences();
    if (audiences.contains(expected.clientId))
        report.pass(QStringLiteral("aud"), audiences.join(QLatin1Char(' ')));
    else
        report.fail(QStringLiteral("aud"), QStringLiteral("\"%1\" is not among [%2]")
                                               .arg(expected.clientId, audiences.join(QLatin1Char(' ')).left(200)));

    // azp: required when there are several audiences; must be us when present.
    const auto azp = token.stringClaim("azp");
    if (azp && *azp != expected.clientId)
        report.fail(QStringLiteral("azp"), QStringLiteral("authorized party is \"%1\"").arg(azp->left(200)));
    else if (!azp && audiences.size() > 1)
        report.fail(QStringLiteral("azp"), QStringLiteral("several audiences but no azp"));
    else
        report.pass(QStringLiteral("azp"), azp.value_or(QStringLiteral("not needed")));

    const auto exp = token.numericDate("exp");
    if (!exp)
        report.fail(QStringLiteral("exp"), QStringLiteral("missing"));
    else if (*exp + expected.leewaySeconds <= expected.now)
        report.fail(QStringLiteral("exp"), QStringLiteral("expired %1 s ago").arg(expected.now - *exp));
    else
        report.pass(QStringLiteral("exp"), QStringLiteral("valid for %1 s").arg(*exp - expected.now));

    const auto iat = token.numericDate("iat");
    if (!iat)
        report.fail(QStringLiteral("iat"), QStringLiteral("missing"));
    else if (*iat > expected.now + expected.leewaySeconds)
        report.fail(QStringLiteral("iat"), QStringLiteral("issued %1 s in the future").arg(*iat - expected.now));
    else
        report.pass(QStringLiteral("iat"), timestamp(*iat));

    const auto nonce = token.stringClaim("nonce");
    if (expected.nonce.isEmpty() && !nonce)
        report.pass(QStringLiteral("nonce"), QStringLiteral("none sent, none returned"));
    else if (nonce && *nonce == expected.nonce)
        report.pass(QStringLiteral("nonce"), QStringLiteral("matches the login's"));
    else
        report.fail(QStringLiteral("nonce"),
                    nonce ? QStringLiteral("does not match the login's") : QStringLiteral("missing (one was sent)"));

    const auto atHash = token.stringClaim("at_hash");
    if (!atHash)
        report.pass(QStringLiteral("at_hash"), QStringLiteral("not present"));
    else if (expected.accessToken.isEmpty())
        report.pass(QStringLiteral("at_hash"), QStringLiteral("no access token to compare"));
    else if (*atHash == accessTokenHash(token.jws.algorithmName, expected.accessToken))
        report.pass(QStringLiteral("at_hash"), QStringLiteral("matches the access token"));
    else
        report.fail(QStringLiteral("at_hash"), QStringLiteral("does not match the access token"));

    const auto sub = token.stringClaim("sub");
    if (sub && !sub->isEmpty())
        report.pass(QStringLiteral("sub"), *sub);
    else
        report.fail(QStringLiteral("sub"), QStringLiteral("missing"));
}

Result<ValidLogoutToken> checkLogoutTokenClaims(const jose::Jwt &token, const LogoutTokenExpectations &expected,
                                                ValidationReport &report)
{
    auto refuse = [&](const QString &rule, const QString &why) -> Error {
        report.fail(rule, why);
        return makeError(ErrorCode::InvalidToken, QStringLiteral("logout token refused: %1").arg(rule), why);
    };
    const QString typ = token.jws.type;
    if (!typ.isEmpty() && typ.compare(QLatin1String("logout+jwt"), Qt::CaseInsensitive) != 0 &&
        typ.compare(QLatin1String("application/logout+jwt"), Qt::CaseInsensitive) != 0)
        return refuse(QStringLiteral("typ"), QStringLiteral("\"%1\" is not logout+jwt").arg(typ.left(64)));
    report.pass(QStringLiteral("typ"), typ.isEmpty() ? QStringLiteral("absent") : typ);

    const auto iss = token.stringClaim("iss");
    if (!iss || *iss != expected.issuer)
        return refuse(QStringLiteral("iss"),
                      QStringLiteral("expected \"%1\", got \"%2\"")
                          .arg(expected.issuer, iss.value_or(QStringLiteral("(none)")).left(200)));
    report.pass(QStringLiteral("iss"), *iss);

    const QStringList audiences = token.audiences();
    if (!audiences.contains(expected.clientId))
        return refuse(QStringLiteral("aud"), QStringLiteral("\"%1\" is not among [%2]")
                                                 .arg(expected.clientId, audiences.join(QLatin1Char(' ')).left(200)));
    report.pass(QStringLiteral("aud"), audiences.join(QLatin1Char(' ')));

    const auto iat = token.numericDate("iat");
    if (!iat)
        return refuse(QStringLiteral("iat"), QStringLiteral("missing"));
    if (*iat > expected.now + expected.leewaySeconds)
        return refuse(QStringLiteral("iat"), QStringLiteral("issued %1 s in the future").arg(*iat - expected.now));
    if (*iat < expected.now - expected.maxAgeSeconds)
        return refuse(QStringLiteral("iat"), QStringLiteral("issued %1 s ago (at most %2 allowed)")
                                                 .arg(expected.now - *iat)
                                                 .arg(expected.maxAgeSeconds));
    report.pass(QStringLiteral("iat"), timestamp(*iat));

    std::optional<qint64> exp;
    if (token.claims.contains("exp")) {
        exp = token.numericDate("exp");
        if (!exp)
            return refuse(QStringLiteral("exp"), QStringLiteral("not a NumericDate"));
        if (*exp + expected.leewaySeconds <= expected.now)
            return refuse(QStringLiteral("exp"), QStringLiteral("expired %1 s ago").arg(expected.now - *exp));
    }
    report.pass(QStringLiteral("exp"), exp ? timestamp(*exp) : QStringLiteral("absent"));

    const auto jti = token.stringClaim("jti");
    if (!jti || jti->isEmpty())
        return refuse(QStringLiteral("jti"), QStringLiteral("missing"));
    report.pass(QStringLiteral("jti"), QStringLiteral("present"));

    const json::Value *events = token.claims.find("events");
    if (!events || !events->isObject())
        return refuse(QStringLiteral("events"), QStringLiteral("missing or not an object"));
    const json::Value *event = events->object().find(kBackchannelEvent);
    if (!event || !event->isObject())
        return refuse(QStringLiteral("events"), QStringLiteral("no %1 member").arg(QLatin1String(kBackchannelEvent)));
    report.pass(QStringLiteral("events"), QLatin1String(kBackchannelEvent));

    if (token.claims.contains("nonce"))
        return refuse(QStringLiteral("nonce"), QStringLiteral("logout tokens must not carry a nonce"));
    report.pass(QStringLiteral("nonce"), QStringLiteral("absent"));

    const auto sub = token.stringClaim("sub");
    const auto sid = token.stringClaim("sid");
    if ((!sub || sub->isEmpty()) && (!sid || sid->isEmpty()))
        return refuse(QStringLiteral("sub/sid"), QStringLiteral("neither sub nor sid"));
    report.pass(QStringLiteral("sub/sid"),
                QStringLiteral("%1%2%3").arg(sub ? QStringLiteral("sub") : QString(),
                                             sub && sid ? QStringLiteral(" and ") : QString(),
                                             sid ? QStringLiteral("sid") : QString()));

    ValidLogoutToken valid;
    valid.target.issuer = *iss;
    if (sub && !sub->isEmpty())
        valid.target.sub = *sub;
    if (sid && !sid->isEmpty())
        valid.target.sid = *sid;
    valid.jti = *jti;
    valid.expiresAt = exp.value_or(*iat + expected.maxAgeSeconds);
    return valid;
}

bool ReplayCache::remember(const QString &issuer, const QString &jti, qint64 expiresAt, qint64 now)
{
    const QString key = issuer + QLatin1Char('\n') + jti;
    QMutexLocker lock(&m_mutex);
    if (auto it = m_seen.constFind(key); it != m_seen.constEnd() && *it > now)
        return false;
    if (m_seen.size() >= m_capacity) {
        m_seen.removeIf([now](const auto &it) { return it.value() <= now; });
        while (m_seen.size() >= m_capacity)
            m_seen.erase(m_seen.begin()); // still full: drop arbitrary old entries
    }
    // Remember a little past the expiry so that clock skew does not reopen the window.
    m_seen.insert(key, expiresAt + 60);
    return true;
}

} // namespace si::oidc
