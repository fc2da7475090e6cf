// Checks that scripts/with-services.sh really started the servers the store suites rely on, with
// the properties they assume (TLS verification against the test CA, password auth on PostgreSQL).
// With SI_REQUIRE_SERVICES=1 (CI) a missing server fails; otherwise the case is skipped.

#include "tests/support/TestSupport.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUrl>
#include <QtTest>

namespace {

#define REQUIRE_ENV(var, name)                                                                                         \
    const QString var = qEnvironmentVariable(name);                                                                    \
    if (var.isEmpty()) {                                                                                               \
        if (si::test::servicesRequired())                                                                              \
            QFAIL(name " is not set but SI_REQUIRE_SERVICES=1: run under scripts/with-services.sh");                   \
        QSKIP(name " not set (run under scripts/with-services.sh)");                                                   \
    }

QByteArray roundTrip(QTcpSocket &socket, const QByteArray &request)
{
    socket.write(request);
    QByteArray reply;
    while (!reply.endsWith("\r\n") && socket.waitForReadyRead(5000))
        reply += socket.readAll();
    return reply;
}

QByteArray bulk(const QByteArray &s)
{
    return "$" + QByteArray::number(s.size()) + "\r\n" + s + "\r\n";
}

QByteArray auth(const QUrl &u)
{
    return "*3\r\n" + bulk("AUTH") + bulk(u.userName().toUtf8()) + bulk(u.password().toUtf8());
}

} // namespace

class TestServiceHarness : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redisPlain();
    void redisTlsVerifiesAgainstTestCa();
    void postgresWithPassword();
    void redisClusterHasThreePrimaries();
};

void TestServiceHarness::redisPlain()
{
    REQUIRE_ENV(url, "SI_TEST_REDIS_URL");
    const QUrl u(url);
    QCOMPARE(u.scheme(), QStringLiteral("redis"));
    QTcpSocket socket;
    socket.connectToHost(u.host(), quint16(u.port()));
    QVERIFY2(socket.waitForConnected(5000), qPrintable(socket.errorString()));
    // The password-less default user is off: commands need AUTH with the ACL user.
    QVERIFY(roundTrip(socket, "*1\r\n$4\r\nPING\r\n").startsWith("-NOAUTH"));
    QCOMPARE(roundTrip(socket, auth(u)), QByteArray("+OK\r\n"));
    QCOMPARE(roundTrip(socket, "*1\r\n$4\r\nPING\r\n"), QByteArray("+PONG\r\n"));
}

void TestServiceHarness::redisTlsVerifiesAgainstTestCa()
{
    REQUIRE_ENV(url, "SI_TEST_REDIS_TLS_URL");
    REQUIRE_ENV(caPath, "SI_TEST_REDIS_TLS_CA");
    const QUrl u(url);
    QCOMPARE(u.scheme(), QStringLiteral("rediss"));

    QSslSocket socket;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setCaCertificates(QSslCertificate::fromPath(caPath));
    QVERIFY(!config.caCertificates().isEmpty());
    config.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket.setSslConfiguration(config);
    socket.connectToHostEncrypted(u.host(), quint16(u.port()));
    QVERIFY2(socket.waitForEncrypted(5000), qPrintable(socket.errorString()));
    QCOMPARE(roundTrip(socket, auth(u)), QByteArray("+OK\r\n"));
    QCOMPARE(roundTrip(socket, "*1\r\n$4\r\nPING\r\n"), QByteArray("+PONG\r\n"));

    // Without the test CA the same server must be refused: verification is really on.
    QSslSocket untrusted;
    QSslConfiguration plain = QSslConfiguration::defaultConfiguration();
    plain.setPeerVerifyMode(QSslSocket::VerifyPeer);
    untrusted.setSslConfiguration(plain);
    untrusted.connectToHostEncrypted(u.host(), quint16(u.port()));
    QVERIFY(!untrusted.waitForEncrypted(5000));
}

void TestServiceHarness::postgresWithPassword()
{
    REQUIRE_ENV(dsn, "SI_TEST_PG_DSN");
    const QUrl u(dsn);
    QVERIFY(u.scheme() == QLatin1String("postgresql"));
    QVERIFY(QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("harness"));
        db.setHostName(u.host());
        db.setPort(u.port());
        db.setUserName(u.userName());
        db.setPassword(u.password());
        db.setDatabaseName(u.path().mid(1));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SHOW server_version_num")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toInt() >= 150000);

        // A wrong password is refused (the server does not trust loopback blindly).
        QSqlDatabase wrong = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("harness-wrong"));
        wrong.setHostName(u.host());
        wrong.setPort(u.port());
        wrong.setUserName(u.userName());
        wrong.setPassword(QStringLiteral("not-the-password"));
        wrong.setDatabaseName(u.path().mid(1));
        QVERIFY(!wrong.open());
    }
    QSqlDatabase::removeDatabase(QStringLiteral("harness"));
    QSqlDatabase::removeDatabase(QStringLiteral("harness-wrong"));
}

void TestServiceHarness::redisClusterHasThreePrimaries()
{
    REQUIRE_ENV(url, "SI_TEST_REDIS_CLUSTER_URL");
    const QString rest = url.mid(url.indexOf(QLatin1String("://")) + 3);
    const QString credentials = rest.left(rest.indexOf(QLatin1Char('@')));
    const QStringList hosts = rest.mid(rest.indexOf(QLatin1Char('@')) + 1).split(QLatin1Char(','));
    QCOMPARE(hosts.size(), 3);
    const QUrl first(QStringLiteral("redis://") + credentials + QLatin1Char('@') + hosts.first());
    QTcpSocket socket;
    socket.connectToHost(first.host(), quint16(first.port()));
    QVERIFY(socket.waitForConnected(5000));
    QCOMPARE(roundTrip(socket, auth(first)), QByteArray("+OK\r\n"));
    const QByteArray info = roundTrip(socket, "*2\r\n" + bulk("CLUSTER") + bulk("INFO"));
    QVERIFY2(info.contains("cluster_state:ok"), info.constData());
    QVERIFY2(info.contains("cluster_size:3"), info.constData());
}

QTEST_GUILESS_MAIN(TestServiceHarness)
#include "TestServiceHarness.moc"
