#include "TestSupport.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Random.h"
#include "core/jose/Jwk.h"
#include "core/jose/Jws.h"
#include "core/json/Json.h"
#include "core/model/StateData.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QtGlobal>

namespace si::test {

namespace {

QString artifactsDir()
{
    return qEnvironmentVariable("SI_TEST_ARTIFACTS");
}

QString scratchTemplate()
{
    QString app = QCoreApplication::applicationName();
    if (app.isEmpty())
        app = QStringLiteral("test");
    const QString root = artifactsDir().isEmpty() ? QDir::tempPath() : artifactsDir();
    return root + QLatin1Char('/') + app + QStringLiteral("-XXXXXX");
}

} // namespace

void keepForSecretScan(const QString &what, const QByteArray &bytes)
{
    if (artifactsDir().isEmpty() || bytes.isEmpty())
        return;
    QFile file(artifactsDir() + QLatin1Char('/') + what + QStringLiteral(".log"));
    if (file.open(QIODevice::Append))
        file.write(bytes + '\n');
}

ScratchDir::ScratchDir()
    : m_dir(scratchTemplate())
{
    if (!artifactsDir().isEmpty())
        m_dir.setAutoRemove(false);
}

ProcessResult runSessionctl(const QStringList &args, const QHash<QString, QString> &env, const QByteArray &input,
                            int timeoutMs)
{
    QProcess p;
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.remove(QStringLiteral("SI_SECRET"));
    e.remove(QStringLiteral("SI_SECRET_FILE"));
    for (auto it = env.begin(); it != env.end(); ++it)
        e.insert(it.key(), it.value());
    p.setProcessEnvironment(e);
    p.start(binaryPath(QStringLiteral("bin/sessionctl")), args);
    if (!p.waitForStarted())
        qFatal("cannot start sessionctl");
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        const QByteArray err = p.readAllStandardError();
        keepForSecretScan(QStringLiteral("sessionctl-stderr"), err);
        return ProcessResult{-1, p.readAllStandardOutput(), err};
    }
    // Error output only: stdout may rightly hold what was asked for (show --reveal, decrypt).
    const QByteArray err = p.readAllStandardError();
    keepForSecretScan(QStringLiteral("sessionctl-stderr"), err);
    return ProcessResult{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(), err};
}

QByteArray fromHex(const char *hex)
{
    QByteArray compact;
    for (const char *p = hex; *p; ++p) {
        const char c = *p;
        if (c == ' ' || c == '\n' || c == '\t')
            continue;
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!ok)
            qFatal("fromHex: invalid character");
        compact.append(c);
    }
    if (compact.size() % 2)
        qFatal("fromHex: odd length");
    return QByteArray::fromHex(compact);
}

QString sourcePath(const QString &relative)
{
    return QStringLiteral(SI_SOURCE_DIR "/") + relative;
}

QString binaryPath(const QString &relative)
{
    return QStringLiteral(SI_BINARY_DIR "/") + relative;
}

bool servicesRequired()
{
    return qEnvironmentVariable("SI_REQUIRE_SERVICES") == QLatin1String("1");
}

} // namespace si::test

namespace si::test {

json::Object logoutTokenClaims(const QString &issuer, const QString &clientId, qint64 now)
{
    json::Object events;
    events.append("http://schemas.openid.net/event/backchannel-logout", json::Object());
    json::Object c;
    c.append("iss", issuer);
    c.append("aud", clientId);
    c.append("iat", std::int64_t(now));
    c.append("exp", std::int64_t(now + 120));
    c.append("jti", crypto::base64UrlEncode(crypto::randomBytes(12)).toStdString());
    c.append("sub", "alice");
    c.append("sid", "sid-a1");
    c.append("events", std::move(events));
    return c;
}

QByteArray signJwt(const json::Object &claims, const jose::Jwk &key, const char *typ)
{
    json::Object header;
    if (typ)
        header.append("typ", typ);
    const std::string payload = json::serialize(json::Value(claims), json::Style::Compact);
    return jose::Jws::sign(jose::SignatureAlgorithm::RS256, header,
                           QByteArrayView(payload.data(), qsizetype(payload.size())), key)
        .value();
}

QByteArray base64UrlJson(const json::Object &object)
{
    const std::string s = json::serialize(json::Value(object), json::Style::Compact);
    return crypto::base64UrlEncode(QByteArrayView(s.data(), qsizetype(s.size())));
}

} // namespace si::test

namespace si::test {

const QString kHostileName =
    QStringLiteral("<h1 style='font-size:40pt'>X</h1><a href='https://evil.example/'>click</a>");
const QString kHostileEmail = QStringLiteral("\x1b[2J\x1b]0;title\x07\u009b31m@example.test");
const QString kHostileSub = QStringLiteral("auth0|\u202e<b>gnp.exe</b>");
const QString kHostileSid = QStringLiteral("sid-\u009b2J\u2028next");

StateData hostileSession(const QString &issuer, qint64 now)
{
    json::Object claims;
    claims.append("sub", kHostileSub);
    claims.append("name", kHostileName);
    claims.append("email", kHostileEmail);
    claims.append("sid", kHostileSid);
    claims.append("iss", issuer);
    claims.append("aud", QStringLiteral("<i>client</i>"));
    claims.append("iat", std::int64_t(now));
    claims.append("exp", std::int64_t(now + 3600));
    json::Object header;
    header.append("alg", QStringLiteral("RS256"));
    header.append("kid", QStringLiteral("<b>kid</b>\x1b[5m"));
    header.append("typ", QStringLiteral("JWT"));
    const QByteArray signature = crypto::base64UrlEncode(crypto::randomBytes(256));
    const QString idToken = QString::fromLatin1(base64UrlJson(header) + '.' + base64UrlJson(claims) + '.' + signature);
    json::Object state;
    state.append("user", json::Value(claims));
    state.append("id_token", idToken);
    state.append("refresh_token", QStringLiteral("rt-\x1b]0;owned\x07"));
    json::Object tokenSet;
    tokenSet.append("audience", kHostileName);
    tokenSet.append("access_token", idToken);
    tokenSet.append("scope", QStringLiteral("openid \u202eprofile"));
    tokenSet.append("expires_at", std::int64_t(now + 3600));
    json::Array sets;
    sets.emplace_back(std::move(tokenSet));
    state.append("token_sets", std::move(sets));
    json::Object internal;
    internal.append("sid", kHostileSid);
    internal.append("created_at", std::int64_t(now));
    state.append("internal", std::move(internal));
    auto parsed = StateData::fromJson(json::Value(std::move(state)));
    if (!parsed)
        qFatal("hostileSession: %s", qPrintable(parsed.error().toString()));
    return std::move(parsed.value());
}

qsizetype firstTerminalControl(const QByteArray &utf8)
{
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if ((c < 0x20 && c != '\n') || c == 0x7F)
            return i;
        if (c == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(utf8[i + 1]) <= 0x9F)
            return i; // U+0080–U+009F
        if (c == 0xD8 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) == 0x9C)
            return i; // U+061C
        if (i + 2 < utf8.size()) {
            const auto b1 = static_cast<unsigned char>(utf8[i + 1]), b2 = static_cast<unsigned char>(utf8[i + 2]);
            const bool bidi = c == 0xE2 && ((b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (b2 >= 0xA8 && b2 <= 0xAE))) ||
                                            (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9));
            if (bidi)
                return i;
        }
    }
    return -1;
}

} // namespace si::test
