// The end-to-end story with real parts: the test IdP (oidc-provider), si-demo-webapp as a separate
// process on Redis and on PostgreSQL, and sessionctl. A login to the web application over HTTP
// creates a session that `sessionctl find --sub` finds; the IdP's back-channel logout removes it;
// a revoke from the inspector (its window, and sessionctl) makes the application's next request
// anonymous; logout ends the session; and what goes wrong (forged callback, wrong client secret,
// IdP down) says so.

#include "core/inspector/AuditLog.h"
#include "stores/inspect/Inspection.h"
#include "tests/oidc/IdpBrowser.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TestSupport.h"
#include "ui/MainWindow.h"
#include "ui/MessageBanner.h"
#include "ui/SessionTableModel.h"

#include <QAction>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTableView>
#include <QUrlQuery>
#include <QtTest>

using namespace si;

namespace {

QString randomTag()
{
    return QString::number(QRandomGenerator::global()->generate64(), 36);
}

// si-demo-webapp as its own process, killed when the test ends.
class WebApp {
public:
    struct Client {
        QString id;
        QString secret;
    };

    ~WebApp()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
        // Its log is what an operator would read: kept for the secret scan.
        test::keepForSecretScan(QStringLiteral("si-demo-webapp"), log().toUtf8());
    }

    // Starts it on `port`; false (with the process's output in `error`) if it does not serve.
    bool start(quint16 port, const QString &issuer, const Client &client, const QString &store, const QString &prefix,
               QString *error, const QStringList &extra = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("OIDC_ISSUER"), issuer);
        env.insert(QStringLiteral("OIDC_CLIENT_ID"), client.id);
        env.insert(QStringLiteral("OIDC_CLIENT_SECRET"), client.secret);
        env.insert(QStringLiteral("SI_SECRET"), QStringLiteral("e2e-app-secret"));
        env.remove(QStringLiteral("SI_SECRET_FILE"));
        m_process.setProcessEnvironment(env);
        m_process.start(test::binaryPath(QStringLiteral("bin/si-demo-webapp")),
                        QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                                    QStringLiteral("--store"), store, QStringLiteral("--prefix"), prefix} +
                            extra);
        m_url = QStringLiteral("http://127.0.0.1:%1").arg(port);
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 15000) {
            if (m_process.state() == QProcess::NotRunning)
                break;
            m_process.waitForReadyRead(100);
            m_stdout += m_process.readAllStandardOutput();
            if (m_stdout.contains("serving " + m_url.toLatin1()))
                return true;
        }
        *error = QString::fromUtf8(m_stdout + m_process.readAllStandardError());
        return false;
    }

    QUrl url(const QString &path) const { return QUrl(m_url + path); }
    QString log()
    {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }

private:
    QProcess m_process;
    QString m_url;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

} // namespace

class TestEndToEnd : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void loginFindBackchannelRevokeLogout_data();
    void loginFindBackchannelRevokeLogout();
    void callbackFromAnotherBrowserRefused();
    void statelessCookieSessionsAndTheirBackchannelLogout();
    void wrongClientSecretSaysSo();
    void idpDownSaysSo();

private:
    // A client registered at the IdP (dynamic registration) for a web application on `port`.
    WebApp::Client registerClient(quint16 port);
    // Registers a client for a web app on a free port and starts `app` with it on `store`;
    // `client` is what was registered. False, with the reason in `error`, when either fails.
    bool startApp(WebApp &app, WebApp::Client &client, const QString &store, const QString &prefix, QString *error,
                  const QStringList &extra = {}, const QString &secretInstead = {});
    // Logs `user` in to `app` through `browser`; the /profile JSON afterwards (empty on failure).
    QJsonObject login(test::IdpBrowser &browser, WebApp &app, const QString &user);
    test::ProcessResult sessionctl(const QString &store, const QString &prefix, const QStringList &args);

    QString m_issuer;
    QString m_redis;
    QString m_postgres;
    test::ScratchDir m_dir;
};

void TestEndToEnd::initTestCase()
{
    m_issuer = qEnvironmentVariable("SI_TEST_ISSUER");
    m_redis = qEnvironmentVariable("SI_TEST_REDIS_URL");
    m_postgres = qEnvironmentVariable("SI_TEST_PG_DSN");
    QStandardPaths::setTestModeEnabled(true); // the window's layout goes to a throwaway settings file
    if (m_issuer.isEmpty() || m_redis.isEmpty() || m_postgres.isEmpty()) {
        if (test::servicesRequired())
            QFAIL("SI_TEST_ISSUER, SI_TEST_REDIS_URL or SI_TEST_PG_DSN is not set but SI_REQUIRE_SERVICES=1");
        QSKIP("the test IdP, Redis and PostgreSQL are needed (run under scripts/with-services.sh)");
    }
}

WebApp::Client TestEndToEnd::registerClient(quint16 port)
{
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    const QJsonObject metadata{
        {QStringLiteral("redirect_uris"), QJsonArray{base + QStringLiteral("/callback")}},
        {QStringLiteral("post_logout_redirect_uris"), QJsonArray{base + QStringLiteral("/")}},
        {QStringLiteral("grant_types"),
         QJsonArray{QStringLiteral("authorization_code"), QStringLiteral("refresh_token")}},
        {QStringLiteral("response_types"), QJsonArray{QStringLiteral("code")}},
        {QStringLiteral("token_endpoint_auth_method"), QStringLiteral("client_secret_basic")},
        {QStringLiteral("backchannel_logout_uri"), base + QStringLiteral("/backchannel-logout")},
        {QStringLiteral("backchannel_logout_session_required"), true},
    };
    test::IdpBrowser browser;
    const auto registered = browser.postJson(QUrl(m_issuer + QStringLiteral("/reg")), QJsonDocument(metadata).toJson());
    if (registered.status != 201)
        return {};
    const QJsonObject client = QJsonDocument::fromJson(registered.body).object();
    return {client.value(QStringLiteral("client_id")).toString(),
            client.value(QStringLiteral("client_secret")).toString()};
}

bool TestEndToEnd::startApp(WebApp &app, WebApp::Client &client, const QString &store, const QString &prefix,
                            QString *error, const QStringList &extra, const QString &secretInstead)
{
    const quint16 port = test::freeLoopbackPort();
    client = registerClient(port);
    if (client.id.isEmpty()) {
        *error = QStringLiteral("the IdP refused the client registration");
        return false;
    }
    WebApp::Client given = client;
    if (!secretInstead.isEmpty())
        given.secret = secretInstead;
    return app.start(port, m_issuer, given, store, prefix, error, extra);
}

QJsonObject TestEndToEnd::login(test::IdpBrowser &browser, WebApp &app, const QString &user)
{
    const auto start = browser.get(app.url(QStringLiteral("/login")));
    if (start.status != 302) {
        qWarning("GET /login: %d %s", start.status, start.body.constData());
        return {};
    }
    const QUrl callback = browser.login(start.location, user, app.url(QStringLiteral("/callback")).toString());
    if (callback.isEmpty()) {
        qWarning("IdP login: %s", qPrintable(browser.error()));
        return {};
    }
    const auto done = browser.get(callback);
    if (done.status != 302 || done.location != app.url(QStringLiteral("/profile"))) {
        qWarning("GET /callback: %d %s", done.status, done.body.constData());
        return {};
    }
    const auto profile = browser.get(done.location);
    return profile.status == 200 ? QJsonDocument::fromJson(profile.body).object() : QJsonObject{};
}

test::ProcessResult TestEndToEnd::sessionctl(const QString &store, const QString &prefix, const QStringList &args)
{
    return test::runSessionctl(QStringList{QStringLiteral("--store"), store, QStringLiteral("--prefix"), prefix,
                                           QStringLiteral("--issuer"), m_issuer} +
                                   args,
                               {{QStringLiteral("SI_SECRET"), QStringLiteral("e2e-app-secret")}});
}

void TestEndToEnd::loginFindBackchannelRevokeLogout_data()
{
    QTest::addColumn<QString>("store");
    QTest::addColumn<QString>("prefix");
    const QString tag = randomTag();
    QTest::newRow("redis") << qEnvironmentVariable("SI_TEST_REDIS_URL") << QStringLiteral("e2e%1:").arg(tag);
    QTest::newRow("postgresql") << qEnvironmentVariable("SI_TEST_PG_DSN") << QStringLiteral("e2e%1_").arg(tag);
}

void TestEndToEnd::loginFindBackchannelRevokeLogout()
{
    QFETCH(QString, store);
    QFETCH(QString, prefix);
    WebApp app;
    WebApp::Client client;
    QString error;
    QVERIFY2(startApp(app, client, store, prefix, &error), qPrintable(error));
    const QString user = QStringLiteral("erin-") + randomTag();

    // (b) A login over HTTP creates a session that sessionctl finds by sub.
    test::IdpBrowser browser;
    QCOMPARE(browser.get(app.url(QStringLiteral("/profile"))).status, 401);
    const QJsonObject profile = login(browser, app, user);
    QCOMPARE(profile.value(QStringLiteral("sub")).toString(), user);
    QCOMPARE(profile.value(QStringLiteral("iss")).toString(), m_issuer);
    const QString sid = profile.value(QStringLiteral("sid")).toString();
    QVERIFY2(!sid.isEmpty(), "the ID token carried no sid");
    auto found =
        sessionctl(store, prefix, {QStringLiteral("find"), QStringLiteral("--sub"), user, QStringLiteral("--json")});
    QVERIFY2(found.exitCode == 0, found.err.constData());
    QJsonArray sessions = QJsonDocument::fromJson(found.out).object().value(QStringLiteral("sessions")).toArray();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions[0].toObject().value(QStringLiteral("sid")).toString(), sid);
    QCOMPARE(sessions[0].toObject().value(QStringLiteral("email")).toString(), user + QStringLiteral("@example.test"));

    // (c) The IdP's back-channel logout (a signed logout token POSTed to the application) removes it.
    const QByteArray request = QJsonDocument(QJsonObject{{QStringLiteral("client_id"), client.id},
                                                         {QStringLiteral("sub"), user},
                                                         {QStringLiteral("sid"), sid}})
                                   .toJson();
    QCOMPARE(browser.postJson(QUrl(m_issuer + QStringLiteral("/__test/backchannel-logout")), request).status, 204);
    QTRY_VERIFY2_WITH_TIMEOUT(app.log().contains(QStringLiteral("1 session(s) removed")), qPrintable(app.log()), 5000);
    QCOMPARE(browser.get(app.url(QStringLiteral("/profile"))).status, 401);
    found = sessionctl(store, prefix, {QStringLiteral("find"), QStringLiteral("--sub"), user});
    QCOMPARE(found.exitCode, 2);

    // (d) A revoke from the inspector makes the application's next request anonymous.
    test::IdpBrowser second;
    QCOMPARE(login(second, app, user).value(QStringLiteral("sub")).toString(), user);
    QCOMPARE(second.get(app.url(QStringLiteral("/profile"))).status, 200);
    const auto revoked = sessionctl(store, prefix, {QStringLiteral("revoke"), QStringLiteral("--sub"), user});
    QVERIFY2(revoked.exitCode == 0, revoked.err.constData());
    const auto anonymous = second.get(app.url(QStringLiteral("/profile")));
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(QJsonDocument::fromJson(anonymous.body).object().value(QStringLiteral("error")).toString(),
             QStringLiteral("anonymous"));

    // The same from the inspector's window: the session selected, "Log user out everywhere".
    test::IdpBrowser fourth;
    const QJsonObject again = login(fourth, app, user);
    QCOMPARE(again.value(QStringLiteral("sub")).toString(), user);
    found =
        sessionctl(store, prefix, {QStringLiteral("find"), QStringLiteral("--sub"), user, QStringLiteral("--json")});
    QVERIFY2(found.exitCode == 0, found.err.constData());
    const QString id = QJsonDocument::fromJson(found.out)
                           .object()
                           .value(QStringLiteral("sessions"))
                           .toArray()
                           .at(0)
                           .toObject()
                           .value(QStringLiteral("id"))
                           .toString();
    QVERIFY(!id.isEmpty());
    auto url = stores::StoreUrl::parse(store);
    QVERIFY(url.ok());
    stores::InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView("e2e-app-secret"))});
    options.prefix = prefix;
    options.issuer = m_issuer;
    options.audit = std::make_shared<inspector::AuditLog>(m_dir.filePath(QStringLiteral("audit.jsonl")));
    auto opened = stores::openInspector(*url, options);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
    {
        ui::MainWindow window;
        window.confirm = [](const QString &, const QString &) { return true; };
        window.show();
        window.openStore(QStringLiteral("demo web app"), *opened);
        window.selectSession(id, again.value(QStringLiteral("sid")).toString());
        QTRY_VERIFY_WITH_TIMEOUT(window.table()->selectionModel()->hasSelection(), 15000);
        QCOMPARE(window.model()->rowAt(window.table()->currentIndex().row())->id, id);
        window.findChild<QAction *>(QStringLiteral("revokeAction"))->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(window.banner()->text().contains(QStringLiteral("logged out everywhere")),
                                  qPrintable(window.banner()->text()), 15000);
    }
    QCOMPARE(fourth.get(app.url(QStringLiteral("/profile"))).status, 401);

    // Logout: the session ends here, the browser goes to the IdP's end-session endpoint and back.
    test::IdpBrowser third;
    QCOMPARE(login(third, app, user).value(QStringLiteral("sub")).toString(), user);
    const auto out = third.get(app.url(QStringLiteral("/logout")));
    QCOMPARE(out.status, 302);
    QVERIFY2(out.location.toString().startsWith(m_issuer), qPrintable(out.location.toString()));
    QVERIFY(QUrlQuery(out.location).hasQueryItem(QStringLiteral("id_token_hint")));
    QCOMPARE(third.get(app.url(QStringLiteral("/profile"))).status, 401);
    QCOMPARE(third.endSession(out.location), app.url(QStringLiteral("/")));
    found = sessionctl(store, prefix, {QStringLiteral("find"), QStringLiteral("--sub"), user});
    QCOMPARE(found.exitCode, 2);
    QVERIFY2(!app.log().contains(QLatin1String("refused")), qPrintable(app.log()));
}

void TestEndToEnd::callbackFromAnotherBrowserRefused()
{
    WebApp app;
    WebApp::Client client;
    QString error;
    QVERIFY2(startApp(app, client, m_redis, QStringLiteral("e2e%1:").arg(randomTag()), &error), qPrintable(error));

    // Mallory logs in but hands her callback URL to Victor instead of following it (login CSRF).
    test::IdpBrowser mallory;
    const auto start = mallory.get(app.url(QStringLiteral("/login")));
    QCOMPARE(start.status, 302);
    const QUrl callback =
        mallory.login(start.location, QStringLiteral("mallory"), app.url(QStringLiteral("/callback")).toString());
    QVERIFY2(!callback.isEmpty(), qPrintable(mallory.error()));
    test::IdpBrowser victor;
    const auto refused = victor.get(callback);
    QCOMPARE(refused.status, 400);
    QVERIFY2(refused.body.contains("this login was not started in this browser"), refused.body.constData());
    QCOMPARE(victor.get(app.url(QStringLiteral("/profile"))).status, 401);
    // The refusal consumed nothing: the browser that started the login completes it.
    const auto done = mallory.get(callback);
    QCOMPARE(done.status, 302);
    QCOMPARE(mallory.get(app.url(QStringLiteral("/profile"))).status, 200);
}

void TestEndToEnd::statelessCookieSessionsAndTheirBackchannelLogout()
{
    WebApp app;
    WebApp::Client client;
    QString error;
    // Sessions in the browser (auth0-fastapi's format); back-channel logouts remembered in Redis.
    QVERIFY2(startApp(app, client, QStringLiteral("memory:"), QStringLiteral("e2e%1:").arg(randomTag()), &error,
                      {QStringLiteral("--cookie-sessions"), QStringLiteral("--deny-list"), m_redis}),
             qPrintable(error));
    const QString user = QStringLiteral("fern-") + randomTag();
    test::IdpBrowser browser;
    const QJsonObject profile = login(browser, app, user);
    QCOMPARE(profile.value(QStringLiteral("sub")).toString(), user);
    const QString sid = profile.value(QStringLiteral("sid")).toString();

    // The inspector reads the pasted Cookie header: the session is the browser's _a0_session cookie.
    const QByteArray cookies = browser.cookieHeaderFor(app.url(QStringLiteral("/profile")));
    QVERIFY2(cookies.contains("_a0_session"), cookies.constData());
    const auto shown = test::runSessionctl({QStringLiteral("--cookie-header"), QString::fromLatin1(cookies),
                                            QStringLiteral("list"), QStringLiteral("--json")},
                                           {{QStringLiteral("SI_SECRET"), QStringLiteral("e2e-app-secret")}});
    QVERIFY2(shown.exitCode == 0, shown.err.constData());
    const QJsonArray sessions = QJsonDocument::fromJson(shown.out).object().value(QStringLiteral("sessions")).toArray();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions[0].toObject().value(QStringLiteral("sub")).toString(), user);
    QCOMPARE(sessions[0].toObject().value(QStringLiteral("sid")).toString(), sid);

    // A tampered cookie is no session (and not an error page): one character of the ciphertext.
    QByteArray tampered = cookies;
    const qsizetype at = tampered.indexOf("_a0_session");
    const qsizetype flip = tampered.indexOf('.', tampered.indexOf('.', tampered.indexOf('.', at) + 1) + 1) + 5;
    QVERIFY(at >= 0 && flip > at + 5);
    tampered[flip] = tampered[flip] == 'A' ? 'B' : 'A';
    test::IdpBrowser mallory;
    QCOMPARE(mallory.getWithCookies(app.url(QStringLiteral("/profile")), tampered).status, 401);
    QTRY_VERIFY2_WITH_TIMEOUT(app.log().contains(QStringLiteral("ignored a session that cannot be read")),
                              qPrintable(app.log()), 5000);
    QCOMPARE(mallory.getWithCookies(app.url(QStringLiteral("/profile")), cookies).status, 200);

    // The IdP's back-channel logout: the browser still sends the cookie, and it is refused.
    const QByteArray request = QJsonDocument(QJsonObject{{QStringLiteral("client_id"), client.id},
                                                         {QStringLiteral("sub"), user},
                                                         {QStringLiteral("sid"), sid}})
                                   .toJson();
    QCOMPARE(browser.postJson(QUrl(m_issuer + QStringLiteral("/__test/backchannel-logout")), request).status, 204);
    QTRY_VERIFY2_WITH_TIMEOUT(app.log().contains(QStringLiteral("back-channel logout:")), qPrintable(app.log()), 5000);
    QCOMPARE(browser.cookieHeaderFor(app.url(QStringLiteral("/profile"))), cookies);
    QCOMPARE(browser.get(app.url(QStringLiteral("/profile"))).status, 401);
    // A new login works again (the marker names the ended IdP session, not the user forever).
    test::IdpBrowser again;
    QCOMPARE(login(again, app, user).value(QStringLiteral("sub")).toString(), user);
}

void TestEndToEnd::wrongClientSecretSaysSo()
{
    WebApp app;
    WebApp::Client client;
    QString error;
    const QString wrong = QStringLiteral("not-the-secret-the-idp-issued");
    QVERIFY2(startApp(app, client, m_redis, QStringLiteral("e2e%1:").arg(randomTag()), &error, {}, wrong),
             qPrintable(error));
    test::IdpBrowser browser;
    const auto start = browser.get(app.url(QStringLiteral("/login")));
    QCOMPARE(start.status, 302);
    const QUrl callback =
        browser.login(start.location, QStringLiteral("trent"), app.url(QStringLiteral("/callback")).toString());
    QVERIFY2(!callback.isEmpty(), qPrintable(browser.error()));
    const auto failed = browser.get(callback);
    QCOMPARE(failed.status, 400);
    QVERIFY2(failed.body.contains("the IdP refused the client's credentials"), failed.body.constData());
    QVERIFY2(!failed.body.contains(wrong.toUtf8()), "the page shows the client secret");
    QVERIFY2(!failed.body.contains(client.secret.toUtf8()), "the page shows the registered client secret");
    QCOMPARE(browser.get(app.url(QStringLiteral("/profile"))).status, 401);
}

void TestEndToEnd::idpDownSaysSo()
{
    const quint16 port = test::freeLoopbackPort();
    WebApp app;
    QString error;
    QVERIFY2(app.start(port, QStringLiteral("http://127.0.0.1:%1").arg(test::freeLoopbackPort()),
                       {QStringLiteral("nobody"), QStringLiteral("secret")}, m_redis,
                       QStringLiteral("e2e%1:").arg(randomTag()), &error),
             qPrintable(error));
    test::IdpBrowser browser;
    const auto failed = browser.get(app.url(QStringLiteral("/login")));
    QCOMPARE(failed.status, 502);
    QVERIFY2(failed.body.contains("cannot reach http://127.0.0.1:"), failed.body.constData());
}

QTEST_MAIN(TestEndToEnd)
#include "TestEndToEnd.moc"
