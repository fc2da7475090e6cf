#include "SeedGenerator.h"

#include "../crypto/Base64Url.h"
#include "../jose/Jws.h"

#include <QDateTime>

#include <array>
#include <cstring>

namespace si::inspector {

namespace {

const char *const kFirstNames[] = {"Zoë",   "Ann",     "Bruno", "Chidi", "Dana",  "Émile", "Farah",  "Gustav",
                                   "Hana",  "Ivan",    "Jun",   "Kemal", "Lena",  "Mateo", "Nia",    "Oskar",
                                   "Priya", "Quentin", "Rosa",  "Sven",  "Tariq", "Uma",   "Viktor", "Wen"};
const char *const kLastNames[] = {"Kowalski", "Okafor", "Lindqvist", "Martínez", "Nakamura", "Schäfer",
                                  "Haddad",   "Novak",  "O'Brien",   "Petrov",   "Rossi",    "Singh",
                                  "Tanaka",   "Weber",  "Yilmaz",    "Zhang"};
const char *const kDomains[] = {"example.com", "example.org", "corp.example", "mail.example.net"};
const char *const kApis[] = {"https://api.example.com/",     "https://billing.example.com/",
                             "https://reports.example.com/", "https://files.example.com/",
                             "https://admin.example.com/",   "https://search.example.com/"};

// SplitMix64 (Steele, Lea, Flood 2014), started at a mixed (session index, seed): synthetic data
// needs a fast, reproducible stream per session, not unpredictability. QRandomGenerator's
// Mersenne Twister spent more time seeding its 2.5 KB of state than the session took to draw
// (a third of generating a session).
class Rng {
public:
    Rng(quint32 seed, qint64 index)
        : m_state(mix(quint64(index) ^ (quint64(seed) << 40) ^ (quint64(seed) >> 24)))
    {}
    quint64 next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        return mix(m_state);
    }
    // Uniform enough in [0, n) for synthetic data (Lemire's multiply-shift, no rejection).
    quint32 bounded(quint32 n) { return quint32(((next() >> 32) * quint64(n)) >> 32); }

private:
    static quint64 mix(quint64 z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    quint64 m_state;
};

QByteArray bytes(Rng &rng, qsizetype n)
{
    QByteArray out(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; i += 8) {
        const quint64 word = rng.next();
        std::memcpy(out.data() + i, &word, size_t(qMin<qsizetype>(8, n - i)));
    }
    return out;
}

QString b64(Rng &rng, qsizetype n)
{
    return QString::fromLatin1(crypto::base64UrlEncode(bytes(rng, n)));
}

// header.payload.signature: signed with `key` when given (the demo store, whose public key the
// inspector checks signatures with), else RS256-shaped with a random 2048-bit-sized signature.
// The random bytes are drawn either way, so signing changes nothing else in the session.
QString jwt(Rng &rng, const json::Object &claims, const std::optional<jose::Jwk> &key)
{
    static const QByteArray header =
        crypto::base64UrlEncode(QByteArray(R"({"alg":"RS256","typ":"JWT","kid":"k-2026-03"})"));
    const std::string payload = json::serialize(json::Value(claims), json::Style::Compact);
    const QByteArray signature = bytes(rng, 256);
    if (key) {
        json::Object jwtHeader;
        jwtHeader.append("typ", "JWT");
        auto signed_ = jose::Jws::sign(SeedGenerator::signingAlgorithm(*key), std::move(jwtHeader),
                                       QByteArrayView(payload.data(), qsizetype(payload.size())), *key);
        if (signed_)
            return QString::fromLatin1(*signed_);
    }
    return QString::fromLatin1(header + '.' +
                               crypto::base64UrlEncode(QByteArrayView(payload.data(), qsizetype(payload.size()))) +
                               '.' + crypto::base64UrlEncode(signature));
}

QString isoUtc(qint64 t)
{
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

jose::SignatureAlgorithm SeedGenerator::signingAlgorithm(const jose::Jwk &key)
{
    switch (key.keyType()) {
    case jose::Jwk::KeyType::Rsa:
        return jose::SignatureAlgorithm::RS256;
    case jose::Jwk::KeyType::Okp:
        return jose::SignatureAlgorithm::EdDSA;
    case jose::Jwk::KeyType::Ec:
        return key.curve() == QLatin1String("P-521")   ? jose::SignatureAlgorithm::ES512
               : key.curve() == QLatin1String("P-384") ? jose::SignatureAlgorithm::ES384
                                                       : jose::SignatureAlgorithm::ES256;
    case jose::Jwk::KeyType::Oct:
        break;
    }
    return jose::SignatureAlgorithm::HS256;
}

SeedGenerator::SeedGenerator(Options options)
    : m_options(std::move(options))
{
    if (m_options.now == 0)
        m_options.now = QDateTime::currentSecsSinceEpoch();
    if (m_options.users < 1)
        m_options.users = 1;
}

QString SeedGenerator::subject(qint64 user) const
{
    // auth0 database users look like "auth0|" + 24 hex digits.
    const quint64 high = 0x6561c0ffee00ULL + quint64(user) / 4096;
    const quint64 low = ((quint64(user) + 1) * 0x9e3779b97f4a7c15ULL) >> 16;
    return QStringLiteral("auth0|%1%2")
        .arg(high, 12, 16, QLatin1Char('0'))
        .arg(low & 0xffffffffffffULL, 12, 16, QLatin1Char('0'));
}

QString SeedGenerator::email(qint64 user) const
{
    const char *first = kFirstNames[user % std::size(kFirstNames)];
    const char *last = kLastNames[(user / std::size(kFirstNames)) % std::size(kLastNames)];
    QString local = QString::fromUtf8(first).toLower() + QLatin1Char('.') + QString::fromUtf8(last).toLower();
    local.remove(QLatin1Char('\''));
    // Plain ASCII addresses: fold the accents the names carry.
    local = local.normalized(QString::NormalizationForm_D);
    local.removeIf([](QChar c) { return c.category() == QChar::Mark_NonSpacing; });
    return QStringLiteral("%1%2@%3").arg(local).arg(user).arg(QLatin1String(kDomains[user % std::size(kDomains)]));
}

SeedGenerator::Session SeedGenerator::session(qint64 index, SessionLayout::Kind layout) const
{
    Rng rng(m_options.seed, index);
    Session s;
    // Most users hold a few sessions; one in a hundred (shared test and kiosk accounts) holds ten
    // percent of all of them.
    const qint64 heavy = qMax<qint64>(1, m_options.users / 100);
    s.user = rng.bounded(10) == 0 ? qint64(rng.bounded(quint32(heavy))) : qint64(rng.bounded(quint32(m_options.users)));
    const qint64 now = m_options.now;
    // Created somewhere in the past lifetime, at least ten minutes before its end (so a large
    // seed is still alive when it is done), active since.
    s.createdAt = now - 600 - qint64(rng.bounded(quint32(qMax<qint64>(1, m_options.lifetime - 1200))));
    s.lastActivity = s.createdAt + qint64(rng.bounded(quint32(qMax<qint64>(1, now - s.createdAt))));
    s.expiresAt = s.createdAt + m_options.lifetime;
    switch (layout) {
    case SessionLayout::Kind::Starsessions:
        s.id = QString::fromLatin1(bytes(rng, 16).toHex());
        break;
    case SessionLayout::Kind::ConnectRedis:
        s.id = b64(rng, 24);
        break;
    default:
        s.id = b64(rng, 16); // 128 bits, as SessionCodec::newSessionId
        break;
    }

    const QString sub = subject(s.user);
    const QString sid = b64(rng, 12);
    const char *first = kFirstNames[s.user % std::size(kFirstNames)];
    const char *last = kLastNames[(s.user / std::size(kFirstNames)) % std::size(kLastNames)];
    json::Object claims;
    claims.append("given_name", QString::fromUtf8(first));
    claims.append("family_name", QString::fromUtf8(last));
    claims.append("nickname", QString::fromUtf8(first).toLower());
    claims.append("name", QStringLiteral("%1 %2").arg(QString::fromUtf8(first), QString::fromUtf8(last)));
    claims.append("picture", QStringLiteral("https://cdn.example.com/avatars/%1.png").arg(s.user));
    claims.append("updated_at", isoUtc(s.createdAt - 86400));
    claims.append("email", email(s.user));
    claims.append("email_verified", s.user % 7 != 0);
    claims.append("iss", m_options.issuer);
    claims.append("aud", "app-7Hq2");
    claims.append("iat", std::int64_t(s.createdAt));
    claims.append("exp", std::int64_t(s.createdAt + 36000));
    claims.append("sub", sub);
    claims.append("sid", sid);
    s.state.user = UserClaims::fromIdTokenClaims(claims);
    json::Object idClaims = claims;
    idClaims.append("nonce", b64(rng, 16));
    s.state.idToken = jwt(rng, idClaims, m_options.signingKey);
    s.state.refreshToken = QStringLiteral("v1.M") + b64(rng, 48);
    // Most users call one API; a few call many (their sessions outgrow one cookie).
    const int apis = rng.bounded(100) < 3 ? int(std::size(kApis)) : 1 + int(rng.bounded(100) < 20);
    for (int a = 0; a < apis; ++a) {
        json::Object at;
        at.append("iss", m_options.issuer);
        at.append("sub", sub);
        at.append("aud", kApis[a]);
        at.append("iat", std::int64_t(s.lastActivity));
        at.append("exp", std::int64_t(s.lastActivity + 86400));
        at.append("scope", "openid profile email offline_access read:orders");
        TokenSet set;
        set.audience = QString::fromLatin1(kApis[a]);
        set.accessToken = jwt(rng, at, m_options.signingKey);
        set.scope = QStringLiteral("openid profile email offline_access read:orders");
        set.expiresAt = s.lastActivity + 86400;
        s.state.tokenSets << set;
    }
    s.state.domain = m_options.issuer;
    s.state.internal.sid = sid;
    s.state.internal.createdAt = s.createdAt;
    return s;
}

json::Value SeedGenerator::document(const Session &s, SessionLayout::Kind layout) const
{
    switch (layout) {
    case SessionLayout::Kind::Native:
    case SessionLayout::Kind::Auth0Fastapi:
    case SessionLayout::Kind::Auth0Cookie:
        return s.state.toJson();
    case SessionLayout::Kind::Starsessions: {
        // What an Authlib + starsessions app keeps: the userinfo and the token response.
        json::Object doc;
        doc.append("user", s.state.user->claims);
        json::Object token;
        token.append("access_token", s.state.tokenSets.first().accessToken);
        token.append("token_type", "Bearer");
        token.append("id_token", s.state.idToken.value_or(QString()));
        token.append("refresh_token", s.state.refreshToken.value_or(QString()));
        token.append("expires_at", std::int64_t(s.state.tokenSets.first().expiresAt));
        doc.append("token", std::move(token));
        json::Object meta;
        meta.append("lifetime", std::int64_t(m_options.lifetime));
        meta.append("created", double(s.createdAt) + 0.25);
        meta.append("last_access", double(s.lastActivity) + 0.5);
        doc.append("__metadata__", std::move(meta));
        return json::Value(std::move(doc));
    }
    case SessionLayout::Kind::ConnectRedis: {
        // express-session with passport (openid-client strategy): claims and tokens under passport.user.
        json::Object cookie;
        cookie.append("originalMaxAge", std::int64_t(m_options.lifetime * 1000));
        cookie.append("expires", isoUtc(s.expiresAt));
        cookie.append("secure", true);
        cookie.append("httpOnly", true);
        cookie.append("path", "/");
        cookie.append("sameSite", "lax");
        json::Object user = s.state.user->claims;
        json::Object tokens;
        tokens.append("id_token", s.state.idToken.value_or(QString()));
        tokens.append("access_token", s.state.tokenSets.first().accessToken);
        tokens.append("refresh_token", s.state.refreshToken.value_or(QString()));
        tokens.append("expires_at", std::int64_t(s.state.tokenSets.first().expiresAt));
        user.append("tokenset", std::move(tokens));
        json::Object passport;
        passport.append("user", std::move(user));
        json::Object doc;
        doc.append("cookie", std::move(cookie));
        doc.append("passport", std::move(passport));
        return json::Value(std::move(doc));
    }
    }
    return {};
}

} // namespace si::inspector
