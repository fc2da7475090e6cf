#include "TestSupport.h"

#include "core/crypto/Base64Url.h"
#include "core/crypto/Random.h"
#include "core/jose/Jwk.h"
#include "core/jose/Jws.h"
#include "core/json/Json.h"

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
