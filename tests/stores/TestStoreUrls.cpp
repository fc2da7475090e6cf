// Store URLs, TLS to PostgreSQL, Redis database selection.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/crypto/Random.h"
#include "stores/StoreFactory.h"
#include "stores/StoreUrl.h"
#include "stores/redis/RedisConnection.h"
#include "tests/support/TestSupport.h"

#include <QtTest>

using namespace si;
using namespace si::stores;
using namespace si::test;

namespace {

std::shared_ptr<const SessionCodec> codec()
{
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://idp.test/");
    return std::make_shared<SessionCodec>(secretList({"url-secret"}), options);
}

StateData state()
{
    StateData s;
    json::Object claims;
    claims.append("sub", "u");
    s.user = UserClaims::fromIdTokenClaims(claims);
    s.internal.createdAt = systemClock();
    return s;
}

} // namespace

class TestStoreUrls : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parse_data();
    void parse();
    void rejects_data();
    void rejects();
    void redactionNeverShowsPasswords();
    void savedFormRoundTripsWithoutThePassword();
    void postgresVerifiesTheServerCertificate();
    void redisSelectsTheDatabase();
};

void TestStoreUrls::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("hosts");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("user");
    QTest::newRow("memory") << "memory:"
                            << "memory"
                            << ""
                            << ""
                            << "";
    QTest::newRow("sqlite") << "sqlite:/var/lib/app/sessions.db"
                            << "sqlite"
                            << ""
                            << ""
                            << "";
    QTest::newRow("redis") << "redis://127.0.0.1:6380/3"
                           << "redis"
                           << "127.0.0.1:6380"
                           << "3"
                           << "";
    QTest::newRow("redis default port") << "redis://cache"
                                        << "redis"
                                        << "cache:6379"
                                        << ""
                                        << "";
    QTest::newRow("rediss with user") << "rediss://app:p%40ss@cache:6380/0?cacert=/ca.pem"
                                      << "redis-tls"
                                      << "cache:6380"
                                      << "0"
                                      << "app";
    QTest::newRow("cluster") << "redis+cluster://a:7000,b:7001,[::1]:7002"
                             << "redis-cluster"
                             << "a:7000,b:7001,::1:7002"
                             << ""
                             << "";
    QTest::newRow("postgres") << "postgresql://si@db:5433/sessions?sslmode=verify-full"
                              << "postgresql"
                              << "db:5433"
                              << "sessions"
                              << "si";
    QTest::newRow("sentinel") << "redis+sentinel://app:pw@s1:26380,s2/mymaster/2?failover_timeout_ms=9000"
                              << "redis-sentinel"
                              << "s1:26380,s2:26379"
                              << "2"
                              << "app";
    QTest::newRow("sentinel tls") << "rediss+sentinel://s1/mymaster?cacert=/ca.pem&sentinel_auth=1"
                                  << "redis-sentinel-tls"
                                  << "s1:26379"
                                  << ""
                                  << "";
    QTest::newRow("postgres with timeouts") << "postgres://db/x?timeout_ms=1500&connect_timeout=3"
                                            << "postgresql"
                                            << "db:5432"
                                            << "x"
                                            << "";
    QTest::newRow("postgres alias") << "postgres://db/x"
                                    << "postgresql"
                                    << "db:5432"
                                    << "x"
                                    << "";
}

void TestStoreUrls::parse()
{
    QFETCH(QString, text);
    QFETCH(QString, kind);
    QFETCH(QString, hosts);
    QFETCH(QString, database);
    QFETCH(QString, user);
    auto url = StoreUrl::parse(text);
    QVERIFY2(url.ok(), url.ok() ? "" : qPrintable(url.error().toString()));
    QCOMPARE(url->kindName(), kind);
    QStringList list;
    for (const auto &h : url->hosts)
        list << h.name + QLatin1Char(':') + QString::number(h.port);
    QCOMPARE(list.join(QLatin1Char(',')), hosts);
    QCOMPARE(url->database, database);
    QCOMPARE(url->user, user);
    if (text.contains(QLatin1String("p%40ss")))
        QCOMPARE(url->password, QStringLiteral("p@ss"));
}

void TestStoreUrls::rejects_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("detail");
    QTest::newRow("no scheme") << "localhost:6379"
                               << "expected memory:";
    QTest::newRow("unknown scheme") << "mongodb://x"
                                    << "unknown scheme";
    QTest::newRow("bad port") << "redis://h:70000"
                              << "invalid port";
    QTest::newRow("no host") << "redis://:6379"
                             << "missing host";
    QTest::newRow("redis db text") << "redis://h/abc"
                                   << "must be a number";
    QTest::newRow("two hosts without cluster") << "redis://a:1,b:2"
                                               << "only allowed for redis+cluster";
    QTest::newRow("postgres without database") << "postgresql://h"
                                               << "needs a database";
    QTest::newRow("empty sqlite") << "sqlite:"
                                  << "needs a file path";
    // No option turns certificate verification off, and a misspelt option is not silently ignored.
    QTest::newRow("pg sslmode require") << "postgresql://h/db?sslmode=require"
                                        << "sslmode=require does not verify";
    QTest::newRow("pg sslmode prefer") << "postgresql://h/db?sslmode=prefer"
                                       << "use sslmode=verify-full";
    QTest::newRow("pg sslmode allow") << "postgresql://h/db?sslmode=allow"
                                      << "does not verify";
    QTest::newRow("pg sslmode verify-ca") << "postgresql://h/db?sslmode=verify-ca"
                                          << "host name";
    QTest::newRow("pg root CA without verification") << "postgresql://h/db?sslrootcert=/ca.pem"
                                                     << "sslrootcert needs sslmode=verify-full";
    QTest::newRow("rediss verify off") << "rediss://h:6380/0?verify=0"
                                       << "unknown option \"verify\" for redis-tls";
    QTest::newRow("rediss insecure") << "rediss://h:6380/0?insecure=1&cacert=/ca.pem"
                                     << "unknown option \"insecure\"";
    QTest::newRow("cluster tls yes") << "redis+cluster://a:1,b:2?tls=yes"
                                     << "tls must be 1 or 0";
    QTest::newRow("pg misspelt option") << "postgresql://h/db?ssl_mode=verify-full"
                                        << "unknown option \"ssl_mode\"";
    QTest::newRow("sentinel without master") << "redis+sentinel://s1:26379,s2:26379"
                                             << "needs the master's name";
    QTest::newRow("sentinel master with space") << "redis+sentinel://s1/my%20master"
                                                << "printable ASCII without spaces";
    QTest::newRow("sentinel auth yes") << "redis+sentinel://s1/m?sentinel_auth=yes"
                                       << "sentinel_auth must be 1 or 0";
    QTest::newRow("sentinel cluster option") << "redis+sentinel://s1/m?tls=1"
                                             << "unknown option \"tls\"";
    QTest::newRow("pg timeout zero") << "postgresql://h/db?timeout_ms=0"
                                     << "timeout_ms must be a whole number from 1 to 3600000";
    QTest::newRow("pg timeout text") << "postgresql://h/db?timeout_ms=soon"
                                     << "timeout_ms must be a whole number";
    QTest::newRow("pg connect timeout huge") << "postgresql://h/db?connect_timeout=99999"
                                             << "connect_timeout must be a whole number from 1 to 3600";
    QTest::newRow("redis timeout negative") << "redis://h/0?connect_timeout_ms=-5"
                                            << "connect_timeout_ms must be a whole number";
}

void TestStoreUrls::rejects()
{
    QFETCH(QString, text);
    QFETCH(QString, detail);
    auto url = StoreUrl::parse(text);
    QVERIFY(!url.ok());
    QCOMPARE(url.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(url.error().toString().contains(detail), qPrintable(url.error().toString()));
}

void TestStoreUrls::redactionNeverShowsPasswords()
{
    const auto url = StoreUrl::parse(QStringLiteral("redis+cluster://app:s3cr3t-pw@a:7000,b:7001?cacert=/x")).value();
    QCOMPARE(url.redacted(), QStringLiteral("redis+cluster://app:***@a:7000,b:7001"));
    const auto pg = StoreUrl::parse(QStringLiteral("postgresql://si:hunter2@db:5432/s")).value();
    QVERIFY(!pg.redacted().contains(QLatin1String("hunter2")));
}

void TestStoreUrls::savedFormRoundTripsWithoutThePassword()
{
    for (const char *text :
         {"redis://app:s%3Acret@127.0.0.1:6379/3",
          "rediss://us%40er:pw@localhost:6380/0?cacert=/tmp/ca%20dir/ca.pem&sni=cache",
          "redis+cluster://app:pw@a:7000,b:7001?tls=1&cacert=/etc/ca.pem",
          "rediss+sentinel://app:pw@s1:26379,s2:26380/m%2Fx/4?sentinel_auth=1&failover_timeout_ms=5000",
          "postgresql://si:hunter2@db.example:5432/sessions?sslmode=verify-full&sslrootcert=/etc/pg/ca.pem",
          "sqlite:/var/lib/app/sessions.db", "memory:"}) {
        auto url = StoreUrl::parse(QString::fromLatin1(text));
        QVERIFY_OK(url);
        const QString saved = url->withoutPassword();
        QVERIFY2(!saved.contains(QLatin1String("hunter2")) && !saved.contains(QLatin1String(":pw@")) &&
                     !saved.contains(QLatin1String("cret")),
                 qPrintable(saved));
        auto again = StoreUrl::parse(saved);
        QVERIFY2(again.ok(), qPrintable(saved));
        QCOMPARE(int(again->kind), int(url->kind));
        QCOMPARE(again->tls, url->tls);
        QCOMPARE(again->user, url->user);
        QVERIFY(again->password.isEmpty());
        QCOMPARE(again->database, url->database);
        QCOMPARE(again->masterName, url->masterName);
        QCOMPARE(again->path, url->path);
        QCOMPARE(again->options, url->options);
        QCOMPARE(again->hosts.size(), url->hosts.size());
        for (qsizetype i = 0; i < url->hosts.size(); ++i) {
            QCOMPARE(again->hosts[i].name, url->hosts[i].name);
            QCOMPARE(again->hosts[i].port, url->hosts[i].port);
        }
    }
}

void TestStoreUrls::postgresVerifiesTheServerCertificate()
{
    const QString text = qEnvironmentVariable("SI_TEST_PG_TLS_DSN");
    if (text.isEmpty()) {
        if (servicesRequired())
            QFAIL("SI_TEST_PG_TLS_DSN is not set but SI_REQUIRE_SERVICES=1");
        QSKIP("SI_TEST_PG_TLS_DSN not set (run under scripts/with-services.sh)");
    }
    const QString prefix =
        QStringLiteral("u") + crypto::randomString(8, u"abcdefghijklmnopqrstuvwxyz") + QLatin1Char('_');
    {
        StoreFactory factory(StoreOptions{prefix});
        auto store = factory.stateStore(StoreUrl::parse(text).value(), codec()).value();
        const QString id = SessionCodec::newSessionId();
        auto written = await(store->set(id, state()));
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().toString()));
        QVERIFY(await(store->get(id))->has_value());
    }
    // verify-full against the system CAs (which do not know the test CA) must fail, clearly.
    StoreUrl untrusted = StoreUrl::parse(text).value();
    untrusted.options.remove(QStringLiteral("sslrootcert"));
    untrusted.options.insert(QStringLiteral("sslrootcert"), QStringLiteral("system"));
    StoreFactory factory(StoreOptions{prefix});
    auto store = factory.stateStore(untrusted, codec()).value();
    auto refused = await(store->get(SessionCodec::newSessionId()));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, ErrorCode::StoreUnreachable);
    QVERIFY2(refused.error().detail.contains(QLatin1String("certificate"), Qt::CaseInsensitive),
             qPrintable(refused.error().toString()));
}

void TestStoreUrls::redisSelectsTheDatabase()
{
    const QString text = qEnvironmentVariable("SI_TEST_REDIS_URL");
    if (text.isEmpty()) {
        if (servicesRequired())
            QFAIL("SI_TEST_REDIS_URL is not set but SI_REQUIRE_SERVICES=1");
        QSKIP("SI_TEST_REDIS_URL not set (run under scripts/with-services.sh)");
    }
    StoreUrl url = StoreUrl::parse(text).value();
    url.database = QStringLiteral("7");
    const QString prefix =
        QStringLiteral("db") + crypto::randomString(8, u"abcdefghijklmnopqrstuvwxyz") + QLatin1Char(':');
    StoreFactory factory(StoreOptions{prefix});
    auto store = factory.stateStore(url, codec()).value();
    const QString id = SessionCodec::newSessionId();
    QVERIFY(await(store->set(id, state())).ok());
    RedisEndpoint e;
    e.host = url.hosts.first().name;
    e.port = url.hosts.first().port;
    e.user = url.user;
    e.password = url.password;
    RedisConnection db0(e);
    e.database = 7;
    RedisConnection db7(e);
    const QByteArray key = (prefix + QStringLiteral("s:") + id).toLatin1();
    QCOMPARE(db0.command({"EXISTS", key})->integer, 0);
    QCOMPARE(db7.command({"EXISTS", key})->integer, 1);
}

QTEST_GUILESS_MAIN(TestStoreUrls)
#include "TestStoreUrls.moc"
