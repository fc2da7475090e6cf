// The inspector on data written by other applications' session libraries, in a real Redis:
// express-session + connect-redis (the real npm packages, tests/peers/connect_redis_peer.mjs),
// starsessions' JSON / Fernet / AES-GCM values and auth0-fastapi's stateful JSON (written with
// python3-cryptography, tests/peers/layout_peer.py), and auth0's stateless cookie (jwcrypto).
// Each layout gets its own Redis database, so layout detection sees only its own keys.

#include "core/async/Worker.h"
#include "core/crypto/Random.h"
#include "stores/inspect/Inspection.h"
#include "tests/support/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace si;
using namespace si::inspector;

namespace {

struct PeerSession {
    QString id;
    QString sub;
    QString email;
    QString sid;
};

QSet<QString> idsOf(const QList<SessionRow> &rows)
{
    QSet<QString> out;
    for (const SessionRow &r : rows)
        out.insert(r.id);
    return out;
}

SecretList secretOf(const QByteArray &text)
{
    return SecretList({crypto::SecureBytes(QByteArrayView(text))});
}

} // namespace

class TestPeerLayouts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void connectRedisWrittenByExpressSession();
    void starsessions_data();
    void starsessions();
    void starsessionsWrittenByUsOpensInPython();
    void auth0FastapiStatefulJson();
    void auth0CookieHeader();
    void detectionSaysWhenItCannotTell();

private:
    stores::StoreUrl urlForDatabase(int db) const;
    QString redisUrlText(int db) const;
    QByteArray runNode(const QStringList &args, int db);
    QJsonObject askPython(const QJsonObject &request);
    Result<stores::OpenedInspector> open(int db, std::optional<SessionLayout::Kind> layout, const SecretList &secrets,
                                         bool readOnly = false);
    QList<QJsonObject> pythonSessions(int n) const;
    void clearDatabase(int db, SessionLayout::Kind layout, const SecretList &secrets = {});

    stores::StoreUrl m_base;
    QProcess m_python;
    test::ScratchDir m_dir;
    std::shared_ptr<AuditLog> m_audit;
};

void TestPeerLayouts::initTestCase()
{
    const QString text = qEnvironmentVariable("SI_TEST_REDIS_URL");
    if (text.isEmpty()) {
        if (test::servicesRequired())
            QFAIL("SI_TEST_REDIS_URL is not set");
        QSKIP("no Redis (run under scripts/with-services.sh)");
    }
    auto url = stores::StoreUrl::parse(text);
    QVERIFY_OK(url);
    m_base = *url;
    m_audit = std::make_shared<AuditLog>(m_dir.filePath(QStringLiteral("audit.jsonl")));
    QVERIFY2(QFile::exists(test::sourcePath(QStringLiteral("tests/peers/node_modules/connect-redis/package.json"))),
             "tests/peers/node_modules is missing: run scripts/install-deps.sh");
    m_python.start(QStringLiteral("/usr/bin/python3"),
                   {test::sourcePath(QStringLiteral("tests/peers/layout_peer.py"))});
    QVERIFY2(m_python.waitForStarted(10000), "cannot start /usr/bin/python3");
}

void TestPeerLayouts::cleanupTestCase()
{
    m_python.closeWriteChannel();
    m_python.waitForFinished(5000);
}

stores::StoreUrl TestPeerLayouts::urlForDatabase(int db) const
{
    stores::StoreUrl url = m_base;
    url.database = QString::number(db);
    return url;
}

QString TestPeerLayouts::redisUrlText(int db) const
{
    QString text = qEnvironmentVariable("SI_TEST_REDIS_URL");
    text.truncate(text.lastIndexOf(QLatin1Char('/')) + 1);
    return text + QString::number(db);
}

QByteArray TestPeerLayouts::runNode(const QStringList &args, int db)
{
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDIS_URL"), redisUrlText(db)); // the password stays off the command line
    node.setProcessEnvironment(env);
    node.setWorkingDirectory(test::sourcePath(QStringLiteral("tests/peers")));
    node.start(QStringLiteral("node"),
               QStringList{test::sourcePath(QStringLiteral("tests/peers/connect_redis_peer.mjs"))} + args);
    if (!node.waitForFinished(60000) || node.exitCode() != 0) {
        qWarning("connect-redis peer failed: %s", node.readAllStandardError().constData());
        return {};
    }
    return node.readAllStandardOutput().trimmed();
}

QJsonObject TestPeerLayouts::askPython(const QJsonObject &request)
{
    m_python.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    m_python.waitForBytesWritten(5000);
    while (!m_python.canReadLine()) {
        if (!m_python.waitForReadyRead(20000)) {
            qWarning("layout peer: %s", m_python.readAllStandardError().constData());
            return {};
        }
    }
    return QJsonDocument::fromJson(m_python.readLine()).object();
}

Result<stores::OpenedInspector> TestPeerLayouts::open(int db, std::optional<SessionLayout::Kind> layout,
                                                      const SecretList &secrets, bool readOnly)
{
    stores::InspectOptions options;
    options.layout = layout;
    options.secrets = secrets;
    options.issuer = QStringLiteral("https://login.example.com/");
    options.audit = m_audit;
    options.readOnly = readOnly;
    return stores::openInspector(urlForDatabase(db), options);
}

void TestPeerLayouts::clearDatabase(int db, SessionLayout::Kind layout, const SecretList &secrets)
{
    // A rerun on the same server starts from nothing (CI's servers are fresh anyway).
    auto opened = open(db, layout, secrets);
    QVERIFY_OK(opened);
    QStringList ids;
    QVERIFY_OK(await(opened->backend->source().scan(
        [&](QList<RawSession> &&batch) {
            for (const RawSession &s : batch)
                ids << s.id;
            return true;
        },
        500)));
    QVERIFY_OK(await(opened->backend->source().remove(ids)));
}

QList<QJsonObject> TestPeerLayouts::pythonSessions(int n) const
{
    QList<QJsonObject> out;
    const double now = double(QDateTime::currentSecsSinceEpoch());
    for (int i = 0; i < n; ++i) {
        const int user = i % 4;
        out.append(QJsonObject{{QStringLiteral("sub"), QStringLiteral("auth0|py%1").arg(user)},
                               {QStringLiteral("email"), QStringLiteral("py%1@example.net").arg(user)},
                               {QStringLiteral("sid"), QStringLiteral("sid-%1").arg(i)},
                               {QStringLiteral("created"), now - 3600 - i * 60 + 0.25},
                               {QStringLiteral("last_access"), now - 60 - i + 0.5},
                               {QStringLiteral("lifetime"), 1209600}});
    }
    return out;
}

void TestPeerLayouts::connectRedisWrittenByExpressSession()
{
    const int db = 3;
    clearDatabase(db, SessionLayout::Kind::ConnectRedis);
    const QJsonArray written =
        QJsonDocument::fromJson(runNode({QStringLiteral("write"), QStringLiteral("15")}, db)).array();
    QCOMPARE(written.size(), 15);
    QList<PeerSession> peers;
    for (const QJsonValue &v : written) {
        const QJsonObject o = v.toObject();
        peers.append({o[QStringLiteral("id")].toString(), o[QStringLiteral("sub")].toString(),
                      o[QStringLiteral("email")].toString(), o[QStringLiteral("sid")].toString()});
    }

    auto opened = open(db, std::nullopt, {}); // detect
    QVERIFY_OK(opened);
    QCOMPARE(opened->backend->layout().kind(), SessionLayout::Kind::ConnectRedis);
    QVERIFY2(opened->layoutNote.contains(QLatin1String("detected")), qPrintable(opened->layoutNote));
    SessionBackend &backend = *opened->backend;

    auto count = await(backend.count());
    QVERIFY_OK(count);
    QCOMPARE(count->value, 15);
    auto page = await(backend.fetchPage({}, 100));
    QVERIFY_OK(page);
    QCOMPARE(page->rows.size(), 15);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (const SessionRow &row : std::as_const(page->rows)) {
        QVERIFY2(row.decoded(), qPrintable(row.error));
        QVERIFY(row.summary.sub.startsWith(QLatin1String("auth0|peer")));
        QVERIFY2(qAbs(row.expiresAt - (now + 86400)) < 30, qPrintable(QString::number(row.expiresAt - now)));
    }

    // Search by sub and by email: no index in this layout, so a scan that decodes every value.
    const PeerSession &probe = peers.at(1);
    QSet<QString> expected;
    for (const PeerSession &p : std::as_const(peers)) {
        if (p.sub == probe.sub)
            expected.insert(p.id);
    }
    auto bySub = await(backend.find({SearchQuery::Field::Subject, probe.sub, {}}));
    QVERIFY_OK(bySub);
    QVERIFY(!bySub->usedIndex);
    QCOMPARE(bySub->scanned, 15);
    QCOMPARE(idsOf(bySub->rows), expected);
    auto byEmail = await(backend.find({SearchQuery::Field::Email, probe.email.toUpper(), {}}));
    QVERIFY_OK(byEmail);
    QCOMPARE(idsOf(byEmail->rows), expected);
    auto bySid = await(backend.find({SearchQuery::Field::Session, probe.sid, {}}));
    QVERIFY_OK(bySid);
    QCOMPARE(idsOf(bySid->rows), QSet<QString>{probe.id});

    // Expire: the TTL moves, the value is untouched (the application still reads it).
    const QString expiring = peers.at(0).id;
    QVERIFY_OK(await(backend.expire(expiring, now + 300)));
    const int ttl = runNode({QStringLiteral("ttl"), expiring}, db).toInt();
    QVERIFY2(ttl > 280 && ttl <= 300, qPrintable(QString::number(ttl)));
    const QJsonObject stillThere = QJsonDocument::fromJson(runNode({QStringLiteral("get"), expiring}, db)).object();
    QCOMPARE(stillThere[QStringLiteral("passport")][QStringLiteral("user")][QStringLiteral("sub")].toString(),
             peers.at(0).sub);

    // Revoke by sub (scan) and bulk delete by email domain: the application sees them gone.
    LogoutTarget target;
    target.issuer = QStringLiteral("https://login.example.com/");
    target.sub = probe.sub;
    auto revoked = await(backend.revoke(target));
    QVERIFY_OK(revoked);
    QCOMPARE(*revoked, expected.size());
    for (const QString &id : std::as_const(expected))
        QCOMPARE(runNode({QStringLiteral("get"), id}, db), QByteArray("null"));

    SessionFilter org;
    org.emailDomain = QStringLiteral("EXAMPLE.ORG");
    auto preview = await(backend.bulkDelete(org, true));
    QVERIFY_OK(preview);
    QSet<QString> orgIds;
    for (const PeerSession &p : std::as_const(peers)) {
        if (p.email.endsWith(QLatin1String("@example.org")) && !expected.contains(p.id))
            orgIds.insert(p.id);
    }
    QCOMPARE(idsOf(preview->matched), orgIds);
    auto done = await(backend.bulkDelete(org, false));
    QVERIFY_OK(done);
    QCOMPARE(done->removed, orgIds.size());
    for (const QString &id : std::as_const(orgIds))
        QCOMPARE(runNode({QStringLiteral("get"), id}, db), QByteArray("null"));

    // A value the application cannot have written: shown as undecodable, not fatal.
    RawSession garbage;
    garbage.id = QStringLiteral("corrupt-one");
    garbage.value = QByteArray("{\"cookie\": {\"expires\": \x01\xff");
    garbage.expiresAt = now + 600;
    QVERIFY_OK(await(backend.source().write({garbage})));
    auto detail = await(backend.load(garbage.id));
    QVERIFY_OK(detail);
    QVERIFY(!detail->row.decoded());
    QVERIFY(!detail->row.error.isEmpty());
    auto stats = await(backend.stats());
    QVERIFY_OK(stats);
    QCOMPARE(stats->undecodable, 1);

    // What the inspector writes (seeding) is what express-session reads.
    auto value = backend.layout().encode(
        QStringLiteral("ours"),
        json::parse(R"({"cookie":{"originalMaxAge":60000,"expires":")" +
                    QDateTime::fromSecsSinceEpoch(now + 60, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8() +
                    R"(","httpOnly":true,"path":"/"},"passport":{"user":{"sub":"auth0|ours"}}})")
            .value());
    QVERIFY_OK(value);
    RawSession ours;
    ours.id = QStringLiteral("ours");
    ours.value = *value;
    ours.expiresAt = now + 60;
    QVERIFY_OK(await(backend.source().write({ours})));
    const QJsonObject read =
        QJsonDocument::fromJson(runNode({QStringLiteral("get"), QStringLiteral("ours")}, db)).object();
    QCOMPARE(read[QStringLiteral("passport")][QStringLiteral("user")][QStringLiteral("sub")].toString(),
             QStringLiteral("auth0|ours"));
}

void TestPeerLayouts::starsessions_data()
{
    QTest::addColumn<QString>("cipher");
    QTest::addColumn<int>("db");
    QTest::newRow("json") << QStringLiteral("none") << 5;
    QTest::newRow("fernet") << QStringLiteral("fernet") << 6;
    QTest::newRow("aes-gcm") << QStringLiteral("aesgcm") << 7;
}

void TestPeerLayouts::starsessions()
{
    QFETCH(QString, cipher);
    QFETCH(int, db);
    const bool encrypted = cipher != QLatin1String("none");
    clearDatabase(db, SessionLayout::Kind::Starsessions);
    // Fernet keys are urlsafe base64; AES-GCM keys here are standard base64 of 32 bytes.
    const QByteArray rawKey = crypto::randomBytes(32);
    const QByteArray key =
        cipher == QLatin1String("fernet") ? rawKey.toBase64(QByteArray::Base64UrlEncoding) : rawKey.toBase64();
    QList<QJsonObject> sessions = pythonSessions(12);
    // A nonce whose first byte is '{': that AES-GCM value must not be taken for plain JSON.
    sessions[0].insert(QStringLiteral("nonce_hex"), QStringLiteral("7b2261223a31207d00000001"));
    QJsonArray list;
    for (const QJsonObject &s : sessions)
        list.append(s);
    const QJsonObject answer =
        askPython({{QStringLiteral("op"), QStringLiteral("starsessions")},
                   {QStringLiteral("cipher"), cipher},
                   {QStringLiteral("key"), encrypted ? QJsonValue(QString::fromLatin1(key)) : QJsonValue()},
                   {QStringLiteral("sessions"), list}});
    const QJsonArray values = answer[QStringLiteral("values")].toArray();
    QCOMPARE(values.size(), sessions.size());

    auto writer = open(db, SessionLayout::Kind::Starsessions, encrypted ? secretOf(key) : SecretList());
    QVERIFY_OK(writer);
    QList<RawSession> raws;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (int i = 0; i < values.size(); ++i) {
        RawSession raw;
        raw.id = QString::fromLatin1(crypto::randomBytes(16).toHex()); // starsessions: uuid4().hex
        raw.value = values.at(i).toString().toUtf8();
        if (cipher == QLatin1String("aesgcm")) // nonce ‖ ciphertext+tag, raw bytes (base64 only in transit)
            raw.value = QByteArray::fromBase64(raw.value);
        raw.expiresAt = now + 1209600;
        raws.append(raw);
    }
    QVERIFY_OK(await(writer->backend->source().write(raws)));

    // Detected from the key names; encrypted values need the key.
    auto opened = open(db, std::nullopt, encrypted ? secretOf(key) : SecretList());
    QVERIFY_OK(opened);
    QCOMPARE(opened->backend->layout().kind(), SessionLayout::Kind::Starsessions);
    SessionBackend &backend = *opened->backend;
    auto page = await(backend.fetchPage({}, 50));
    QVERIFY_OK(page);
    QCOMPARE(page->rows.size(), raws.size());
    for (const SessionRow &row : std::as_const(page->rows)) {
        QVERIFY2(row.decoded(), qPrintable(row.error));
        QVERIFY(row.summary.sub.startsWith(QLatin1String("auth0|py")));
        QVERIFY(row.createdAt > now - 3600 - 13 * 60 && row.createdAt < now);
        QVERIFY(row.lastActivity >= row.createdAt);
    }
    auto found = await(backend.find({SearchQuery::Field::Email, QStringLiteral("py2@example.net"), {}}));
    QVERIFY_OK(found);
    QCOMPARE(found->rows.size(), 3); // sessions 2, 6, 10
    for (const SessionRow &row : std::as_const(found->rows))
        QCOMPARE(row.summary.sub, QStringLiteral("auth0|py2"));

    if (encrypted) {
        // The wrong key: every row says why, nothing is decoded, nothing changes.
        const QByteArray otherKey = crypto::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding);
        auto wrong = open(db, SessionLayout::Kind::Starsessions, secretOf(otherKey));
        QVERIFY_OK(wrong);
        auto wrongPage = await(wrong->backend->fetchPage({}, 50));
        QVERIFY_OK(wrongPage);
        QCOMPARE(wrongPage->rows.size(), raws.size());
        for (const SessionRow &row : std::as_const(wrongPage->rows))
            QVERIFY(!row.decoded());
        // No key at all: a clear reason.
        auto keyless = open(db, SessionLayout::Kind::Starsessions, {});
        QVERIFY_OK(keyless);
        auto keylessPage = await(keyless->backend->fetchPage({}, 1));
        QVERIFY_OK(keylessPage);
        QVERIFY2(keylessPage->rows.first().error.contains(QLatin1String("encrypted")),
                 qPrintable(keylessPage->rows.first().error));

        // An altered value (one byte flipped in the middle) is rejected, not half-read.
        RawSession altered = raws.first();
        altered.id = QStringLiteral("altered");
        altered.value[altered.value.size() / 2] = altered.value[altered.value.size() / 2] ^ 0x01;
        QVERIFY_OK(await(backend.source().write({altered})));
        auto detail = await(backend.load(altered.id));
        QVERIFY_OK(detail);
        QVERIFY(!detail->row.decoded());
    }
    // Deleting goes through the store; count follows.
    QCOMPARE(await(backend.remove({raws.first().id})).value(), qsizetype(1));
    auto after = await(backend.load(raws.first().id));
    QCOMPARE(after.error().code, ErrorCode::NotFound);
}

void TestPeerLayouts::starsessionsWrittenByUsOpensInPython()
{
    const QByteArray key = crypto::randomBytes(32).toBase64(QByteArray::Base64UrlEncoding);
    auto layout = makeLayout(SessionLayout::Kind::Starsessions, secretOf(key));
    QVERIFY_OK(layout);
    auto document = json::parse(
        R"({"user": {"sub": "auth0|w", "name": "Zo\u00eb"}, "__metadata__": {"lifetime": 60, "created": 1.5, "last_access": 2.5}})");
    QVERIFY_OK(document);
    auto value = (*layout)->encode(QStringLiteral("x"), *document);
    QVERIFY_OK(value);
    QVERIFY(value->startsWith("gAAAAA"));
    const QJsonObject answer = askPython({{QStringLiteral("op"), QStringLiteral("starsessions-open")},
                                          {QStringLiteral("cipher"), QStringLiteral("fernet")},
                                          {QStringLiteral("key"), QString::fromLatin1(key)},
                                          {QStringLiteral("value"), QString::fromLatin1(*value)}});
    const QJsonObject plain = QJsonDocument::fromJson(answer[QStringLiteral("plaintext")].toString().toUtf8()).object();
    QCOMPARE(plain[QStringLiteral("user")][QStringLiteral("name")].toString(), QString::fromUtf8("Zo\xc3\xab"));
    QCOMPARE(plain[QStringLiteral("__metadata__")][QStringLiteral("created")].toDouble(), 1.5);
}

void TestPeerLayouts::auth0FastapiStatefulJson()
{
    const int db = 8;
    clearDatabase(db, SessionLayout::Kind::Auth0Fastapi);
    const QList<QJsonObject> sessions = pythonSessions(8);
    QJsonArray list;
    for (const QJsonObject &s : sessions)
        list.append(s);
    const QJsonArray values = askPython({{QStringLiteral("op"), QStringLiteral("auth0-fastapi")},
                                         {QStringLiteral("sessions"), list}})[QStringLiteral("values")]
                                  .toArray();
    QCOMPARE(values.size(), 8);
    auto writer = open(db, SessionLayout::Kind::Auth0Fastapi, {});
    QVERIFY_OK(writer);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<RawSession> raws;
    for (int i = 0; i < values.size(); ++i) {
        RawSession raw;
        // auth0-fastapi keys sessions under names the application picks.
        raw.id = QStringLiteral("app_session:%1").arg(i);
        raw.value = values.at(i).toString().toUtf8();
        raw.expiresAt = now + 259200;
        raws.append(raw);
    }
    QVERIFY_OK(await(writer->backend->source().write(raws)));

    auto opened = open(db, std::nullopt, {});
    QVERIFY_OK(opened);
    QCOMPARE(opened->backend->layout().kind(), SessionLayout::Kind::Auth0Fastapi);
    SessionBackend &backend = *opened->backend;
    auto found = await(backend.find({SearchQuery::Field::Session, QStringLiteral("sid-5"), {}}));
    QVERIFY_OK(found);
    QCOMPARE(idsOf(found->rows), QSet<QString>{QStringLiteral("app_session:5")});
    const SessionRow &row = found->rows.first();
    QCOMPARE(row.summary.sub, QStringLiteral("auth0|py1"));
    QCOMPARE(row.createdAt, qint64(sessions.at(5)[QStringLiteral("created")].toDouble()));
    // Revoke by sid: exactly that login.
    LogoutTarget target;
    target.issuer = QStringLiteral("https://login.example.com/");
    target.sid = QStringLiteral("sid-5");
    QCOMPARE(await(backend.revoke(target)).value(), qsizetype(1));
    QCOMPARE(await(backend.count()).value().value, qint64(7));

    // Read-only: refused before anything reaches Redis.
    auto ro = open(db, SessionLayout::Kind::Auth0Fastapi, {}, true);
    QVERIFY_OK(ro);
    QCOMPARE(await(ro->backend->remove({QStringLiteral("app_session:1")})).error().code, ErrorCode::ReadOnly);
    QCOMPARE(await(backend.count()).value().value, qint64(7));
}

void TestPeerLayouts::auth0CookieHeader()
{
    const QList<QJsonObject> sessions = pythonSessions(1);
    const QJsonObject answer = askPython({{QStringLiteral("op"), QStringLiteral("auth0-cookie")},
                                          {QStringLiteral("secret"), QStringLiteral("cookie-app-secret")},
                                          {QStringLiteral("session"), sessions.first()}});
    const QByteArray header = answer[QStringLiteral("cookie_header")].toString().toUtf8();
    QVERIFY(header.contains("_a0_session_0="));

    stores::InspectOptions options;
    options.secrets = secretOf("cookie-app-secret");
    auto opened = stores::openCookieInspector(header, options);
    QVERIFY_OK(opened);
    QVERIFY(opened->backend->isReadOnly());
    auto page = await(opened->backend->fetchPage({}, 10));
    QVERIFY_OK(page);
    QCOMPARE(page->rows.size(), 1);
    QVERIFY2(page->rows.first().decoded(), qPrintable(page->rows.first().error));
    QCOMPARE(page->rows.first().summary.sub, QStringLiteral("auth0|py0"));
    QCOMPARE(page->rows.first().summary.sid, QStringLiteral("sid-0"));

    options.secrets = secretOf("another-secret");
    auto wrong = stores::openCookieInspector(header, options);
    QVERIFY_OK(wrong);
    auto wrongPage = await(wrong->backend->fetchPage({}, 10));
    QVERIFY_OK(wrongPage);
    QVERIFY(!wrongPage->rows.first().decoded());

    auto none = stores::openCookieInspector("theme=dark; _ga=1", options);
    QVERIFY(!none);
    QCOMPARE(none.error().code, ErrorCode::NotFound);
}

void TestPeerLayouts::detectionSaysWhenItCannotTell()
{
    const int db = 9;
    clearDatabase(db, SessionLayout::Kind::Auth0Fastapi); // no key prefix: every key
    auto writer = open(db, SessionLayout::Kind::Auth0Fastapi, {});
    QVERIFY_OK(writer);
    RawSession other;
    other.id = QStringLiteral("cache:page:/home");
    other.value = "<html>";
    other.expiresAt = QDateTime::currentSecsSinceEpoch() + 60;
    QVERIFY_OK(await(writer->backend->source().write({other})));
    auto opened = open(db, std::nullopt, {});
    QVERIFY(!opened);
    QVERIFY2(opened.error().toString().contains(QLatin1String("--layout")), qPrintable(opened.error().toString()));
}

QTEST_GUILESS_MAIN(TestPeerLayouts)
#include "TestPeerLayouts.moc"
