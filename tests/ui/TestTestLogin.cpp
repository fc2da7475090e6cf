// The Test Login window against the real test IdP (oidc-provider), offscreen: the IdP's own login
// page in QtWebEngine, its forms filled with runJavaScript; the redirect caught in-process; every
// check of the report; refresh, userinfo, logout; the session written into a real Redis store and
// selected in the main window; and the failures users meet (a refused ID token, an IdP that is
// down, a wrong client secret, a user who cancels, a read-only store).

#include "core/inspector/AuditLog.h"
#include "core/inspector/SessionBackend.h"
#include "stores/inspect/Inspection.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TestSupport.h"
#include "tests/ui/TextSinks.h"
#include "ui/MainWindow.h"
#include "ui/MessageBanner.h"
#include "ui/SessionTableModel.h"
#include "ui/TestLoginWindow.h"

#include <QCheckBox>
#include <QDir>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QWebEnginePage>
#include <QWebEngineView>
#include <QtTest>

using namespace si;
using namespace si::ui;

namespace {

const QString kRedirect = QStringLiteral("http://127.0.0.1:9/callback");
const QByteArray kBasicSecret = "si-basic-secret-for-tests-only-0123456789";

// Fills oidc-provider's dev interaction pages as a person would: the login form (any password),
// the consent form, or the Cancel link.
QString interactionScript(const QString &user, bool cancel)
{
    return QStringLiteral(R"((function(user, cancel) {
  var form = document.querySelector('form');
  var prompt = form && form.querySelector('input[name=prompt]');
  if (!prompt) return 'none';
  if (prompt.value === 'login') {
    if (cancel) { document.querySelector('a[href$="/abort"]').click(); return 'cancel'; }
    form.querySelector('input[name=login]').value = user;
    form.querySelector('input[name=password]').value = 'any';
    HTMLFormElement.prototype.submit.call(form);
    return 'login';
  }
  if (prompt.value === 'consent') { HTMLFormElement.prototype.submit.call(form); return 'consent'; }
  return 'other';
})(%1, %2))")
        .arg(QString::fromUtf8(QJsonDocument(QJsonArray{user}).toJson(QJsonDocument::Compact)).mid(1).chopped(1),
             cancel ? QStringLiteral("true") : QStringLiteral("false"));
}

} // namespace

class TestTestLogin : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void mainWindowStartsWithoutTheBrowser();
    void loginShowsEveryCheckPassedThenRefreshUserinfoWriteLogout();
    void refusedIdTokenShowsTheFailedCheck();
    void idpDownSaysSo();
    void unusableSettingsSayWhatIsWrong_data();
    void unusableSettingsSayWhatIsWrong();
    void wrongClientSecretSaysSo();
    void userWhoCancelsIsToldSo();
    void readOnlyStoreRefusesTheWrite();
    void clearingCookiesForgetsTheIdpSession();
    void eachClientAuthentication_data();
    void eachClientAuthentication();
    void loginStartsOverWhileTheIdpPageIsUp();
    void requestTabShowsTheParametersWithAndWithoutPar();
    void hostileClaimsInTheReportStayText();

private:
    TestLoginSettings settings() const;
    // Answers the IdP's pages in `window`'s browser as `user` until the login finishes; its outcome.
    // `answered` collects what the script did on each IdP page ("login", "consent", "cancel").
    bool logIn(TestLoginWindow &window, const QString &user, bool cancel = false, QStringList *answered = nullptr);
    Result<stores::OpenedInspector> openRedis(bool readOnly) const;
    void save(QWidget *widget, const QString &name) const;
    QStringList column(QTreeWidget *tree, int column) const;

    QString m_issuer;
    QString m_redis;
    QString m_prefix;
    test::ScratchDir m_dir;
    std::shared_ptr<inspector::AuditLog> m_audit;
    std::unique_ptr<MainWindow> m_window;
};

void TestTestLogin::initTestCase()
{
    m_issuer = qEnvironmentVariable("SI_TEST_ISSUER");
    m_redis = qEnvironmentVariable("SI_TEST_REDIS_URL");
    if (m_issuer.isEmpty() || m_redis.isEmpty()) {
        if (test::servicesRequired())
            QFAIL("SI_TEST_ISSUER or SI_TEST_REDIS_URL is not set but SI_REQUIRE_SERVICES=1");
        QSKIP("the test IdP and Redis are needed (run under scripts/with-services.sh)");
    }
    QStandardPaths::setTestModeEnabled(true);
    m_audit = std::make_shared<inspector::AuditLog>(m_dir.filePath(QStringLiteral("audit.jsonl")));
    qputenv("SI_AUDIT_LOG", m_audit->path().toUtf8());
    m_prefix = QStringLiteral("tl%1:").arg(QRandomGenerator::global()->generate(), 0, 36);
}

void TestTestLogin::init()
{
    m_window = std::make_unique<MainWindow>();
    m_window->confirm = [](const QString &, const QString &) { return true; };
    m_window->show();
}

void TestTestLogin::cleanup()
{
    m_window.reset();
}

TestLoginSettings TestTestLogin::settings() const
{
    TestLoginSettings s;
    s.issuer = m_issuer;
    s.clientId = QStringLiteral("si-basic");
    s.clientSecret = kBasicSecret;
    s.redirectUri = kRedirect;
    // Consent every time, so that each login shows the IdP's pages.
    s.authorizationParameters = QStringLiteral("prompt=consent");
    return s;
}

bool TestTestLogin::logIn(TestLoginWindow &window, const QString &user, bool cancel, QStringList *answered)
{
    QSignalSpy finished(&window, &TestLoginWindow::loginFinished);
    const QString script = interactionScript(user, cancel);
    QMetaObject::Connection answering = connect(
        &window, &TestLoginWindow::pageLoaded, &window, [&window, script, answered, this](const QUrl &url, bool ok) {
            if (ok && url.toString().startsWith(m_issuer))
                window.browser()->page()->runJavaScript(script, [answered](const QVariant &what) {
                    if (answered)
                        answered->append(what.toString());
                });
        });
    window.startLogin();
    // Some outcomes arrive before a wait could start (a refusal that needs no server).
    QElapsedTimer timer;
    timer.start();
    while (finished.isEmpty() && timer.elapsed() < 30000)
        QTest::qWait(20);
    const bool done = !finished.isEmpty();
    disconnect(answering);
    if (!done) {
        qWarning("the login did not finish; banner: %s", qPrintable(window.banner()->text()));
        return false;
    }
    return finished.first().first().toBool();
}

Result<stores::OpenedInspector> TestTestLogin::openRedis(bool readOnly) const
{
    auto url = stores::StoreUrl::parse(m_redis);
    if (!url)
        return url.error();
    stores::InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView("test-login-app-secret"))});
    options.prefix = m_prefix;
    options.issuer = m_issuer;
    options.readOnly = readOnly;
    options.audit = m_audit;
    options.profile = QStringLiteral("test-login");
    return stores::openInspector(*url, options);
}

void TestTestLogin::save(QWidget *widget, const QString &name) const
{
    const QString dir = QStringLiteral(SI_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    QVERIFY(widget->grab().save(dir + QLatin1Char('/') + name));
}

QStringList TestTestLogin::column(QTreeWidget *tree, int c) const
{
    QStringList out;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        out << tree->topLevelItem(i)->text(c);
    return out;
}

void TestTestLogin::mainWindowStartsWithoutTheBrowser()
{
    QVERIFY(!m_window->testLoginWindow());
    QVERIFY(m_window->findChildren<QWebEngineView *>().isEmpty());
    m_window->openTestLogin();
    QVERIFY(m_window->testLoginWindow());
    QVERIFY(m_window->testLoginWindow()->isVisible());
    QVERIFY(m_window->testLoginWindow()->browser());
}

void TestTestLogin::loginShowsEveryCheckPassedThenRefreshUserinfoWriteLogout()
{
    auto opened = openRedis(false);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
    m_window->openStore(QStringLiteral("Redis (test login)"), *opened);
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    window.setSettings(settings());

    // (a) The IdP's real pages, filled in the embedded browser; every check passed.
    QVERIFY2(logIn(window, QStringLiteral("quinn")), qPrintable(window.banner()->text()));
    QVERIFY2(window.banner()->text().startsWith(QStringLiteral("Logged in as quinn: all ")),
             qPrintable(window.banner()->text()));
    const QStringList names = column(window.checks(), 0);
    for (const char *n : {"signature", "iss", "aud", "azp", "exp", "iat", "nonce", "at_hash"})
        QVERIFY2(names.contains(QLatin1String(n)), n);
    for (const QString &result : column(window.checks(), 1))
        QCOMPARE(result, QStringLiteral("✔ passed"));
    const QStringList steps = column(window.timings(), 0);
    for (const char *s : {"discovery and authorization request", "at the IdP (login page to callback)",
                          "token exchange", "ID token validation"})
        QVERIFY2(steps.contains(QLatin1String(s)), qPrintable(steps.join(QStringLiteral(", "))));
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("\"sub\": \"quinn\"")));
    // Tokens are masked until revealed.
    const StateData state = *window.session();
    const QString access = state.tokenSets.first().accessToken;
    QVERIFY(!column(window.tokens(), 1).join(QString()).contains(access));
    window.findChild<QCheckBox *>(QStringLiteral("revealCheckBox"))->setChecked(true);
    QVERIFY(column(window.tokens(), 1).contains(access));
    window.findChild<QCheckBox *>(QStringLiteral("revealCheckBox"))->setChecked(false);
    window.tabs()->setCurrentWidget(window.checks());
    save(&window, QStringLiteral("test-login.png"));

    // Refresh: a new access token (and a rotated refresh token).
    QSignalSpy actions(&window, &TestLoginWindow::actionFinished);
    window.refreshTokens();
    QTRY_VERIFY_WITH_TIMEOUT(!actions.isEmpty(), 15000);
    QVERIFY2(actions.takeFirst().first().toBool(), qPrintable(window.banner()->text()));
    QVERIFY(window.session()->tokenSets.first().accessToken != access);
    QVERIFY(window.session()->refreshToken != state.refreshToken);

    // Userinfo.
    window.callUserInfo();
    QTRY_VERIFY_WITH_TIMEOUT(!actions.isEmpty(), 15000);
    QVERIFY2(actions.takeFirst().first().toBool(), qPrintable(window.banner()->text()));
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("userinfo")));
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("quinn@example.test")));

    // Write into the connected store: the main window finds it and selects it.
    const QString id = window.sessionId();
    QSignalSpy written(&window, &TestLoginWindow::sessionWritten);
    window.writeToStore();
    QTRY_VERIFY_WITH_TIMEOUT(!written.isEmpty(), 15000);
    QCOMPARE(written.first().first().toString(), id);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->table()->selectionModel()->hasSelection(), 15000);
    const auto selected = m_window->model()->rowAt(m_window->table()->currentIndex().row());
    QVERIFY(selected.has_value());
    QCOMPARE(selected->id, id);
    QCOMPARE(selected->summary.sub, QStringLiteral("quinn"));
    auto stored = await(opened->backend->load(id));
    QVERIFY(stored.ok());
    QCOMPARE(stored->row.summary.sid, window.session()->internal.sid);
    actions.clear();

    // RP-initiated logout: the test session ends, the IdP's end-session page opens.
    QSignalSpy loaded(&window, &TestLoginWindow::pageLoaded);
    window.logout();
    QTRY_VERIFY_WITH_TIMEOUT(!actions.isEmpty(), 15000);
    QVERIFY(actions.first().first().toBool());
    QVERIFY(!window.session().has_value());
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && loaded.last().first().toUrl().toString().startsWith(m_issuer), 15000);
}

void TestTestLogin::hostileClaimsInTheReportStayText()
{
    // The IdP names the account after the login typed: markup, terminal escapes and an RTL
    // override come back in sub, name, nickname and email of the ID token and userinfo.
    const QString login = test::kHostileName + QStringLiteral("\x1b]0;t\x07\u202e");
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    window.setSettings(settings());
    QVERIFY2(logIn(window, login), qPrintable(window.banner()->text()));
    QVERIFY2(window.banner()->text().contains(test::kHostileName + QStringLiteral("\\x1b]0;t\\x07\\u202e")),
             qPrintable(window.banner()->text()));
    QSignalSpy actions(&window, &TestLoginWindow::actionFinished);
    window.callUserInfo();
    QTRY_VERIFY_WITH_TIMEOUT(!actions.isEmpty(), 15000);
    const auto check = [&](const char *when) {
        const QList<test::TextSink> sinks = test::collectTextSinks(&window);
        int unsafe = 0;
        for (const test::TextSink &s : sinks) {
            const QString why = test::unsafeDisplay(s);
            if (!why.isEmpty()) {
                ++unsafe;
                qWarning("%s: %s shows %s", when, qPrintable(s.where), qPrintable(why));
            }
        }
        return std::pair{unsafe, sinks};
    };
    auto [unsafe, sinks] = check("report");
    QCOMPARE(unsafe, 0);
    // On screen literally: the banner, the claims (JSON escapes) and the checks.
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("\"sub\": \"<h1 style='font-size:40pt'>X</h1>")));
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("\\u001b]0;t\\u0007\\u202e")));
    QVERIFY(test::countShowing(sinks, test::kHostileName) >= 2);
    window.findChild<QCheckBox *>(QStringLiteral("revealCheckBox"))->setChecked(true);
    for (int i = 0; i < window.tabs()->count(); ++i) {
        window.tabs()->setCurrentIndex(i);
        QCOMPARE(check("every tab, revealed").first, 0);
    }
    // The page the window writes into the browser shows the name as text, not as a heading.
    // (setHtml() loads asynchronously: the "Completing the login…" page may still be showing when
    // the login has finished, so read the page until the new one is there.)
    const auto renderedPage = [&window] {
        QVariant rendered;
        window.browser()->page()->runJavaScript(
            QStringLiteral("[document.querySelectorAll('h1, a').length, document.body.innerText]"),
            [&rendered](const QVariant &v) { rendered = v; });
        (void)QTest::qWaitFor([&rendered] { return rendered.isValid(); }, 15000);
        return rendered.toList();
    };
    QVariantList page;
    QTRY_VERIFY_WITH_TIMEOUT((page = renderedPage()).value(1).toString().contains(QStringLiteral("Logged in as")),
                             15000);
    QCOMPARE(page.value(0).toInt(), 0);
    QVERIFY2(page.value(1).toString().contains(test::kHostileName), qPrintable(page.value(1).toString()));
}

void TestTestLogin::refusedIdTokenShowsTheFailedCheck()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    TestLoginSettings s = settings();
    s.algorithms = QStringLiteral("ES256"); // the IdP signs with RS256
    window.setSettings(s);
    QVERIFY(!logIn(window, QStringLiteral("rhea")));
    QVERIFY2(window.banner()->text().startsWith(QStringLiteral("The login failed: the ID token is not valid")),
             qPrintable(window.banner()->text()));
    const QStringList names = column(window.checks(), 0);
    const QStringList results = column(window.checks(), 1);
    const int signature = int(names.indexOf(QStringLiteral("signature")));
    QVERIFY(signature >= 0);
    QCOMPARE(results.at(signature), QStringLiteral("✘ failed"));
    QVERIFY2(window.checks()->topLevelItem(signature)->text(2).contains(QStringLiteral("RS256")),
             qPrintable(window.checks()->topLevelItem(signature)->text(2)));
    QCOMPARE(results.count(QStringLiteral("✘ failed")), 1);
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("\"sub\": \"rhea\"")));
    QVERIFY(!window.session().has_value());
    save(&window, QStringLiteral("test-login-failed-check.png"));
}

void TestTestLogin::idpDownSaysSo()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    TestLoginSettings s = settings();
    s.issuer = QStringLiteral("http://127.0.0.1:%1").arg(test::freeLoopbackPort());
    window.setSettings(s);
    QVERIFY(!logIn(window, QStringLiteral("sam")));
    QVERIFY2(
        window.banner()->text().startsWith(QStringLiteral("The login could not start: cannot reach http://127.0.0.1:")),
        qPrintable(window.banner()->text()));
}

void TestTestLogin::unusableSettingsSayWhatIsWrong_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("no issuer") << "issuer" << QString() << "Cannot log in: name the IdP: an issuer and a client id";
    QTest::newRow("relative redirect") << "redirect"
                                       << "/callback"
                                       << "Cannot log in: the redirect URI must be an absolute URL without a fragment";
    QTest::newRow("unknown algorithm") << "algorithms"
                                       << "RS256, none"
                                       << "Cannot log in: unknown signature algorithm “none”";
    QTest::newRow("nameless parameter") << "parameters"
                                        << "=x"
                                        << "Cannot log in: an extra parameter has no name";
}

void TestTestLogin::unusableSettingsSayWhatIsWrong()
{
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, message);
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    TestLoginSettings s = settings();
    if (field == QLatin1String("issuer"))
        s.issuer = value;
    else if (field == QLatin1String("redirect"))
        s.redirectUri = value;
    else if (field == QLatin1String("algorithms"))
        s.algorithms = value;
    else
        s.authorizationParameters = value;
    window.setSettings(s);
    QSignalSpy loaded(&window, &TestLoginWindow::pageLoaded);
    window.startLogin();
    QCOMPARE(window.banner()->text(), message);
    QTest::qWait(200);
    for (const auto &page : loaded) // nothing was sent to the IdP
        QVERIFY(!page.first().toUrl().toString().startsWith(m_issuer));
}

void TestTestLogin::wrongClientSecretSaysSo()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    TestLoginSettings s = settings();
    s.clientSecret = "not-the-client-secret";
    window.setSettings(s);
    QVERIFY(!logIn(window, QStringLiteral("tara")));
    QVERIFY2(window.banner()->text().contains(QStringLiteral("the IdP refused the client's credentials")),
             qPrintable(window.banner()->text()));
    QVERIFY(!window.banner()->text().contains(QStringLiteral("not-the-client-secret")));
}

void TestTestLogin::userWhoCancelsIsToldSo()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    window.setSettings(settings());
    QVERIFY(!logIn(window, QStringLiteral("uma"), true));
    QVERIFY2(window.banner()->text().startsWith(QStringLiteral("The login was canceled at the IdP")),
             qPrintable(window.banner()->text()));
    QCOMPARE(window.checks()->topLevelItemCount(), 0);
}

void TestTestLogin::readOnlyStoreRefusesTheWrite()
{
    auto opened = openRedis(true);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
    m_window->openStore(QStringLiteral("Redis (read-only)"), *opened);
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    window.setSettings(settings());
    QVERIFY2(logIn(window, QStringLiteral("vera")), qPrintable(window.banner()->text()));
    QSignalSpy actions(&window, &TestLoginWindow::actionFinished);
    window.writeToStore();
    QTRY_VERIFY_WITH_TIMEOUT(!actions.isEmpty(), 15000);
    QVERIFY(!actions.first().first().toBool());
    QVERIFY2(window.banner()->text().contains(QStringLiteral("refused: this profile is read-only")),
             qPrintable(window.banner()->text()));
    QCOMPARE(await(opened->backend->load(window.sessionId())).error().code, ErrorCode::NotFound);
}

void TestTestLogin::clearingCookiesForgetsTheIdpSession()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    window.setSettings(settings());
    QStringList first, second, third;
    QVERIFY(logIn(window, QStringLiteral("wendy"), false, &first));
    QCOMPARE(first, (QStringList{QStringLiteral("login"), QStringLiteral("consent")}));
    // The IdP remembers wendy in this window's browser: no login form, only consent.
    QVERIFY(logIn(window, QStringLiteral("wendy"), false, &second));
    QCOMPARE(second, QStringList{QStringLiteral("consent")});
    window.clearIdpCookies();
    QVERIFY2(logIn(window, QStringLiteral("xavier"), false, &third),
             qPrintable(third.join(QLatin1Char(',')) + window.banner()->text()));
    QCOMPARE(third, (QStringList{QStringLiteral("login"), QStringLiteral("consent")}));
    QVERIFY(window.claims()->toPlainText().contains(QStringLiteral("\"sub\": \"xavier\"")));
}

void TestTestLogin::eachClientAuthentication_data()
{
    QTest::addColumn<QString>("client");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<int>("authentication");
    QTest::addColumn<int>("used");
    const auto post = int(oidc::ClientAuthentication::SecretPost);
    const auto basic = int(oidc::ClientAuthentication::SecretBasic);
    QTest::newRow("client_secret_post") << QStringLiteral("si-post")
                                        << QByteArray("si-post-secret-for-tests-only-0123456789") << post << post;
    QTest::newRow("client_secret_basic") << QStringLiteral("si-basic")
                                         << QByteArray("si-basic-secret-for-tests-only-0123456789") << basic << basic;
    // Without a secret the choice does not matter: a public client, PKCE only.
    QTest::newRow("public client") << QStringLiteral("si-public") << QByteArray() << post
                                   << int(oidc::ClientAuthentication::None);
}

void TestTestLogin::eachClientAuthentication()
{
    QFETCH(QString, client);
    QFETCH(QByteArray, secret);
    QFETCH(int, authentication);
    QFETCH(int, used);
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    TestLoginSettings s = settings();
    s.clientId = client;
    s.clientSecret = secret;
    s.authentication = oidc::ClientAuthentication(authentication);
    window.setSettings(s);
    QCOMPARE(window.settings().authentication, s.authentication);
    QCOMPARE(int(window.options()->authentication), used);
    QVERIFY2(logIn(window, QStringLiteral("zoe")), qPrintable(window.banner()->text()));
}

void TestTestLogin::loginStartsOverWhileTheIdpPageIsUp()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    window.setSettings(settings());
    // The user opens the IdP's page, then changes the client settings and presses Log in again.
    QSignalSpy loaded(&window, &TestLoginWindow::pageLoaded);
    window.startLogin();
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && loaded.last().first().toUrl().toString().startsWith(m_issuer), 15000);
    const QUrl abandoned = loaded.last().first().toUrl();
    TestLoginSettings s = settings();
    s.scopes = QStringLiteral("openid email");
    window.setSettings(s);
    QStringList answered;
    QVERIFY2(logIn(window, QStringLiteral("yara"), false, &answered), qPrintable(window.banner()->text()));
    QVERIFY(window.browser()->url() != abandoned);
    QCOMPARE(window.session()->tokenSets.first().scope.value_or(QString()), QStringLiteral("openid email"));
    QVERIFY(!window.session()->refreshToken.has_value()); // no offline_access this time
}

void TestTestLogin::requestTabShowsTheParametersWithAndWithoutPar()
{
    m_window->openTestLogin();
    TestLoginWindow &window = *m_window->testLoginWindow();
    TestLoginSettings s = settings();
    s.audience = QStringLiteral("https://api.example.test/");
    window.setSettings(s);
    QVERIFY2(logIn(window, QStringLiteral("abe")), qPrintable(window.banner()->text()));
    QMap<QString, QString> sent;
    for (int i = 0; i < window.request()->topLevelItemCount(); ++i)
        sent.insert(window.request()->topLevelItem(i)->text(0), window.request()->topLevelItem(i)->text(1));
    QCOMPARE(sent.value(QStringLiteral("(endpoint)")), m_issuer + QStringLiteral("/auth"));
    QCOMPARE(sent.value(QStringLiteral("client_id")), QStringLiteral("si-basic"));
    QCOMPARE(sent.value(QStringLiteral("redirect_uri")), kRedirect);
    QCOMPARE(sent.value(QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
    QCOMPARE(sent.value(QStringLiteral("prompt")), QStringLiteral("consent"));
    QCOMPARE(sent.value(QStringLiteral("audience")), s.audience);
    QCOMPARE(sent.value(QStringLiteral("scope")), QStringLiteral("openid profile email offline_access"));

    // With PAR the browser carries only the client id and a request_uri; the login still works.
    s.pushedAuthorizationRequest = true;
    window.setSettings(s);
    QVERIFY2(logIn(window, QStringLiteral("abe")), qPrintable(window.banner()->text()));
    QStringList names;
    for (int i = 0; i < window.request()->topLevelItemCount(); ++i)
        names << window.request()->topLevelItem(i)->text(0);
    names.sort();
    QCOMPARE(names,
             (QStringList{QStringLiteral("(endpoint)"), QStringLiteral("client_id"), QStringLiteral("request_uri")}));
}

QTEST_MAIN(TestTestLogin)
#include "TestTestLogin.moc"
