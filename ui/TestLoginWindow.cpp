#include "TestLoginWindow.h"

#include "MessageBanner.h"
#include "SecretVault.h"
#include "TokenMask.h"
#include "UntrustedText.h"
#include "core/crypto/Random.h"
#include "core/inspector/AuditLog.h"
#include "core/inspector/SessionBackend.h"
#include "core/jose/Jwt.h"
#include "core/json/Json.h"
#include "stores/memory/MemoryStateStore.h"
#include "stores/memory/MemoryTransactionStore.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QUrlQuery>
#include <QVBoxLayout>
#include <QWebEnginePage>
#include <QWebEngineProfile>
#include <QWebEngineView>
#include <QtWebEngineCore/QWebEngineCookieStore>

namespace si::ui {

namespace {

const QString kDefaultRedirect = QStringLiteral("http://127.0.0.1/callback");

int effectivePort(const QUrl &url)
{
    return url.port(url.scheme() == QLatin1String("https") ? 443 : 80);
}

// The redirect URI's endpoint: same scheme, host, port and path (the query is the IdP's answer).
bool isRedirectTo(const QUrl &url, const QUrl &redirect)
{
    return url.scheme() == redirect.scheme() && url.host().compare(redirect.host(), Qt::CaseInsensitive) == 0 &&
           effectivePort(url) == effectivePort(redirect) &&
           (url.path().isEmpty() ? QStringLiteral("/") : url.path()) ==
               (redirect.path().isEmpty() ? QStringLiteral("/") : redirect.path());
}

// A page that never loads the redirect URI: the navigation there (a link, a form post, or the
// IdP's 302) is stopped and handed to the window, which completes the login in-process.
class CallbackCatchingPage : public QWebEnginePage {
public:
    CallbackCatchingPage(QWebEngineProfile *profile, QObject *parent, std::function<QUrl()> redirect,
                         std::function<void(const QUrl &)> caught)
        : QWebEnginePage(profile, parent)
        , m_redirect(std::move(redirect))
        , m_caught(std::move(caught))
    {}

protected:
    bool acceptNavigationRequest(const QUrl &url, NavigationType, bool isMainFrame) override
    {
        const QUrl redirect = m_redirect();
        if (!isMainFrame || redirect.isEmpty() || !isRedirectTo(url, redirect))
            return true;
        // Not from inside the engine's callback: the window may reload the page.
        QMetaObject::invokeMethod(
            this, [caught = m_caught, url] { caught(url); }, Qt::QueuedConnection);
        return false;
    }

private:
    std::function<QUrl()> m_redirect;
    std::function<void(const QUrl &)> m_caught;
};

QLineEdit *field(QWidget *parent, const char *objectName, const QString &placeholder = {})
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(QLatin1String(objectName));
    edit->setPlaceholderText(placeholder);
    return edit;
}

QTreeWidget *tree(QWidget *parent, const char *objectName, const QStringList &headers)
{
    auto *t = new QTreeWidget(parent);
    t->setObjectName(QLatin1String(objectName));
    t->setHeaderLabels(headers);
    t->setRootIsDecorated(false);
    t->setAlternatingRowColors(true);
    t->setWordWrap(true);
    t->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    t->header()->setStretchLastSection(true);
    return t;
}

QString htmlPage(const QString &title, const QString &text)
{
    return QStringLiteral("<html><body style=\"font-family:sans-serif;margin:3em;color:#444\"><h2>%1</h2><p>%2</p>"
                          "</body></html>")
        .arg(title.toHtmlEscaped(), text.toHtmlEscaped());
}

Result<jose::AlgorithmSet> parseAlgorithms(const QString &text)
{
    jose::AlgorithmSet set;
    const QStringList names = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString &name : names) {
        auto alg = jose::signatureAlgorithmFromName(name.toStdString());
        if (!alg)
            return makeError(ErrorCode::InvalidArgument,
                             TestLoginWindow::tr("unknown signature algorithm “%1”").arg(name));
        set.insert(*alg);
    }
    return set;
}

} // namespace

TestLoginWindow::TestLoginWindow(QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_profile(new QComboBox(this))
    , m_issuer(field(this, "issuerLineEdit", QStringLiteral("https://login.example.com/")))
    , m_clientId(field(this, "clientIdLineEdit"))
    , m_clientSecret(field(this, "clientSecretLineEdit", tr("none (public client)")))
    , m_scopes(field(this, "scopesLineEdit", QStringLiteral("openid profile email offline_access")))
    , m_audience(field(this, "audienceLineEdit", tr("none")))
    , m_parameters(field(this, "parametersLineEdit", QStringLiteral("prompt=login&ui_locales=de")))
    , m_redirectUri(field(this, "redirectUriLineEdit", kDefaultRedirect))
    , m_algorithms(field(this, "algorithmsLineEdit", QStringLiteral("RS256, PS256, ES256, EdDSA")))
    , m_authentication(new QComboBox(this))
    , m_par(new QCheckBox(tr("Pushed authorization request (&PAR)"), this))
    , m_login(new QPushButton(tr("&Log in"), this))
    , m_clearCookies(new QPushButton(tr("Clear IdP &cookies"), this))
    , m_refresh(new QPushButton(tr("&Refresh tokens"), this))
    , m_userInfo(new QPushButton(tr("&Userinfo"), this))
    , m_logout(new QPushButton(tr("Log &out at the IdP"), this))
    , m_write(new QPushButton(tr("&Write to store"), this))
    , m_reveal(new QCheckBox(tr("Re&veal tokens"), this))
    , m_banner(new MessageBanner(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_browserSlot(new QStackedWidget(this))
    , m_tabs(new QTabWidget(this))
    , m_checks(tree(this, "checksTree", {tr("Check"), tr("Result"), tr("Detail")}))
    , m_tokens(tree(this, "tokensTree", {tr("Token"), tr("Value"), tr("Expires")}))
    , m_claims(new QPlainTextEdit(this))
    , m_timings(tree(this, "timingsTree", {tr("Step"), tr("Time")}))
    , m_request(tree(this, "requestTree", {tr("Parameter"), tr("Value")}))
{
    setObjectName(QStringLiteral("testLoginWindow"));
    setWindowTitle(tr("Test login — Session Inspector"));
    m_profile->setObjectName(QStringLiteral("profileComboBox"));
    m_authentication->setObjectName(QStringLiteral("authenticationComboBox"));
    m_par->setObjectName(QStringLiteral("parCheckBox"));
    m_par->setToolTip(tr("RFC 9126: the authorization parameters go to the IdP's PAR endpoint; the browser "
                         "carries only a request_uri"));
    m_authentication->addItem(QStringLiteral("client_secret_basic"), int(oidc::ClientAuthentication::SecretBasic));
    m_authentication->addItem(QStringLiteral("client_secret_post"), int(oidc::ClientAuthentication::SecretPost));
    m_authentication->setToolTip(tr("How the client authenticates at the token endpoint (without a secret: as a "
                                    "public client, PKCE only)"));
    m_clientSecret->setEchoMode(QLineEdit::Password);
    m_clientSecret->setToolTip(tr("Read from the keychain when a profile is picked; never saved from here"));
    m_parameters->setToolTip(tr("Added to the authorization request, as a query string"));
    m_redirectUri->setToolTip(tr("As registered at the IdP; the window catches the redirect, nothing listens there"));
    m_algorithms->setToolTip(tr("ID token signature algorithms to accept"));
    m_login->setObjectName(QStringLiteral("loginButton"));
    m_login->setDefault(true);
    m_clearCookies->setObjectName(QStringLiteral("clearCookiesButton"));
    m_clearCookies->setToolTip(tr("Forget the IdP's session: the next login asks for credentials again"));
    m_refresh->setObjectName(QStringLiteral("refreshButton"));
    m_userInfo->setObjectName(QStringLiteral("userInfoButton"));
    m_logout->setObjectName(QStringLiteral("logoutButton"));
    m_logout->setToolTip(tr("RP-initiated logout: ends the test session and opens the IdP's end-session page"));
    m_write->setObjectName(QStringLiteral("writeButton"));
    m_reveal->setObjectName(QStringLiteral("revealCheckBox"));
    m_banner->setObjectName(QStringLiteral("testLoginBanner"));
    m_tabs->setObjectName(QStringLiteral("reportTabs"));
    m_claims->setObjectName(QStringLiteral("claimsText"));
    m_claims->setReadOnly(true);
    m_claims->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_claims->setPlaceholderText(tr("The ID token's claims appear here after a login."));

    auto *form = new QGridLayout;
    const auto row = [form](int r, int c, const QString &label, QWidget *w) {
        auto *l = new QLabel(label);
        l->setBuddy(w);
        form->addWidget(l, r, c * 2);
        form->addWidget(w, r, c * 2 + 1);
    };
    row(0, 0, tr("&Profile"), m_profile);
    row(0, 1, tr("&Issuer"), m_issuer);
    row(1, 0, tr("Client &id"), m_clientId);
    row(1, 1, tr("Client s&ecret"), m_clientSecret);
    row(2, 0, tr("&Scopes"), m_scopes);
    row(2, 1, tr("&Audience"), m_audience);
    row(3, 0, tr("E&xtra parameters"), m_parameters);
    row(3, 1, tr("Re&direct URI"), m_redirectUri);
    row(4, 0, tr("Al&gorithms"), m_algorithms);
    row(4, 1, tr("Client au&th"), m_authentication);
    form->addWidget(m_par, 5, 3);
    form->setColumnStretch(1, 1);
    form->setColumnStretch(3, 1);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_login);
    buttons->addWidget(m_clearCookies);
    buttons->addSpacing(24);
    buttons->addWidget(m_refresh);
    buttons->addWidget(m_userInfo);
    buttons->addWidget(m_logout);
    buttons->addWidget(m_write);
    buttons->addStretch(1);
    buttons->addWidget(m_reveal);

    auto *placeholder = new QLabel(tr("The IdP's login page appears here."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    m_browserSlot->addWidget(placeholder);
    m_tabs->addTab(m_checks, tr("Checks"));
    m_tabs->addTab(m_tokens, tr("Tokens"));
    m_tabs->addTab(m_claims, tr("Claims"));
    m_tabs->addTab(m_timings, tr("Timings"));
    m_tabs->addTab(m_request, tr("Request"));
    m_splitter->addWidget(m_browserSlot);
    m_splitter->addWidget(m_tabs);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_banner);
    layout->addWidget(m_splitter, 1);
    resize(1360, 860);

    connect(m_profile, &QComboBox::currentIndexChanged, this, &TestLoginWindow::profilePicked);
    connect(m_login, &QPushButton::clicked, this, &TestLoginWindow::startLogin);
    connect(m_clearCookies, &QPushButton::clicked, this, &TestLoginWindow::clearIdpCookies);
    connect(m_refresh, &QPushButton::clicked, this, &TestLoginWindow::refreshTokens);
    connect(m_userInfo, &QPushButton::clicked, this, &TestLoginWindow::callUserInfo);
    connect(m_logout, &QPushButton::clicked, this, &TestLoginWindow::logout);
    connect(m_write, &QPushButton::clicked, this, &TestLoginWindow::writeToStore);
    connect(m_reveal, &QCheckBox::toggled, this, &TestLoginWindow::showTokens);
    updateButtons();
}

TestLoginWindow::~TestLoginWindow()
{
    // The page before its profile (QtWebEngine requires it).
    delete m_browser;
    m_browser = nullptr;
}

void TestLoginWindow::setProfiles(const QList<ConnectionProfile> &profiles, SecretVault *vault)
{
    m_vault = vault;
    const QString current = m_profile->currentData().toString();
    QSignalBlocker block(m_profile);
    m_profiles.clear();
    m_profile->clear();
    m_profile->addItem(tr("(as typed)"), QString());
    for (const ConnectionProfile &p : profiles) {
        if (p.issuer.isEmpty() || p.clientId.isEmpty())
            continue; // nothing to log in to
        m_profiles.append(p);
        m_profile->addItem(p.name, p.id);
    }
    const int again = m_profile->findData(current);
    m_profile->setCurrentIndex(qMax(0, again));
}

void TestLoginWindow::setTarget(std::shared_ptr<inspector::SessionBackend> backend, const QString &name)
{
    m_target = std::move(backend);
    m_targetName = name;
    m_write->setToolTip(m_target ? tr("Store the test session in “%1”").arg(name) : tr("No store is connected"));
    updateButtons();
}

void TestLoginWindow::setSettings(const TestLoginSettings &s)
{
    m_issuer->setText(s.issuer);
    m_clientId->setText(s.clientId);
    m_clientSecret->setText(QString::fromUtf8(s.clientSecret));
    m_scopes->setText(s.scopes);
    m_audience->setText(s.audience);
    m_parameters->setText(s.authorizationParameters);
    m_redirectUri->setText(s.redirectUri);
    m_algorithms->setText(s.algorithms);
    m_authentication->setCurrentIndex(qMax(0, m_authentication->findData(int(s.authentication))));
    m_par->setChecked(s.pushedAuthorizationRequest);
}

TestLoginSettings TestLoginWindow::settings() const
{
    TestLoginSettings s;
    s.issuer = m_issuer->text().trimmed();
    s.clientId = m_clientId->text().trimmed();
    s.clientSecret = m_clientSecret->text().toUtf8();
    s.scopes = m_scopes->text().simplified();
    s.audience = m_audience->text().trimmed();
    s.authorizationParameters = m_parameters->text().trimmed();
    s.redirectUri = m_redirectUri->text().trimmed();
    s.algorithms = m_algorithms->text().trimmed();
    s.authentication = oidc::ClientAuthentication(m_authentication->currentData().toInt());
    s.pushedAuthorizationRequest = m_par->isChecked();
    return s;
}

void TestLoginWindow::profilePicked(int index)
{
    const QString id = m_profile->itemData(index).toString();
    const auto it =
        std::find_if(m_profiles.cbegin(), m_profiles.cend(), [&id](const ConnectionProfile &p) { return p.id == id; });
    if (it == m_profiles.cend())
        return;
    const ConnectionProfile profile = *it;
    TestLoginSettings s;
    s.issuer = profile.issuer;
    s.clientId = profile.clientId;
    s.scopes = profile.scopes;
    s.audience = profile.audience;
    s.authorizationParameters = profile.authorizationParameters;
    s.redirectUri = profile.redirectUri;
    s.authentication = settings().authentication; // the profile does not say; keep the choices
    s.pushedAuthorizationRequest = m_par->isChecked();
    setSettings(s);
    if (!m_vault)
        return;
    QPointer<TestLoginWindow> self(this);
    m_vault->read(profile.secretKey(ConnectionProfile::kClientSecret))
        .then(this, [self, id, name = profile.name](const Result<QByteArray> &secret) {
            if (!self || self->m_profile->currentData().toString() != id)
                return;
            if (secret)
                self->m_clientSecret->setText(QString::fromUtf8(*secret));
            else if (secret.error().code != ErrorCode::NotFound)
                self->m_banner->show(
                    MessageBanner::Kind::Warning,
                    tr("The client secret of “%1” could not be read: %2").arg(name, secret.error().toString()));
        });
}

void TestLoginWindow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    ensureBrowser();
}

void TestLoginWindow::ensureBrowser()
{
    if (m_browser)
        return;
    // No storage name: off the record — cookies and caches live in memory and die with the window.
    m_webProfile = new QWebEngineProfile(this);
    m_webProfile->setHttpCacheType(QWebEngineProfile::MemoryHttpCache);
    m_webProfile->setPersistentCookiesPolicy(QWebEngineProfile::NoPersistentCookies);
    m_browser = new QWebEngineView(m_browserSlot);
    m_browser->setObjectName(QStringLiteral("testLoginBrowser"));
    QPointer<TestLoginWindow> self(this);
    auto *page = new CallbackCatchingPage(
        m_webProfile, m_browser, [self] { return self && self->m_waitingForCallback ? self->m_redirect : QUrl(); },
        [self](const QUrl &url) {
            if (self)
                self->callbackReached(url);
        });
    m_browser->setPage(page);
    connect(m_browser, &QWebEngineView::loadFinished, this,
            [this](bool ok) { Q_EMIT pageLoaded(m_browser->url(), ok); });
    m_browserSlot->addWidget(m_browser);
    m_browserSlot->setCurrentWidget(m_browser);
    m_browser->setHtml(htmlPage(tr("Test login"), tr("Press “Log in” to open the IdP's login page here.")));
}

Result<oidc::AuthClientOptions> TestLoginWindow::options() const
{
    const TestLoginSettings s = settings();
    if (s.issuer.isEmpty() || s.clientId.isEmpty())
        return makeError(ErrorCode::InvalidArgument, tr("name the IdP: an issuer and a client id"));
    oidc::AuthClientOptions o;
    o.issuer = s.issuer;
    o.clientId = s.clientId;
    QByteArray secret = s.clientSecret;
    o.clientSecret = crypto::SecureBytes::takeFrom(secret);
    o.authentication = o.clientSecret.isEmpty() ? oidc::ClientAuthentication::None : s.authentication;
    const QUrl redirect(s.redirectUri.isEmpty() ? kDefaultRedirect : s.redirectUri, QUrl::StrictMode);
    if (!redirect.isValid() || redirect.isRelative() || redirect.hasFragment())
        return makeError(ErrorCode::InvalidArgument, tr("the redirect URI must be an absolute URL without a fragment"));
    o.redirectUri = redirect.toString();
    if (!s.scopes.isEmpty())
        o.scope = s.scopes;
    o.audience = s.audience;
    o.pushedAuthorizationRequests = s.pushedAuthorizationRequest;
    if (!s.authorizationParameters.isEmpty()) {
        const QUrlQuery query(s.authorizationParameters.startsWith(QLatin1Char('?')) ? s.authorizationParameters.mid(1)
                                                                                     : s.authorizationParameters);
        for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
            if (key.isEmpty())
                return makeError(ErrorCode::InvalidArgument, tr("an extra parameter has no name"));
            o.authorizationParameters.append({key, value});
        }
    }
    if (!s.algorithms.isEmpty()) {
        auto algorithms = parseAlgorithms(s.algorithms);
        if (!algorithms)
            return algorithms.error();
        if (algorithms->isEmpty())
            return makeError(ErrorCode::InvalidArgument, tr("no signature algorithm to accept"));
        o.allowedAlgorithms = *algorithms;
    }
    return o;
}

void TestLoginWindow::startLogin()
{
    // While the IdP's page is up, Log in starts over (the user gave up on that page); while the
    // login completes or an action runs, it waits.
    if (m_busy && !m_waitingForCallback)
        return;
    auto o = options();
    if (!o)
        return fail(tr("Cannot log in"), o.error());
    ensureBrowser();
    m_redirect = QUrl(o->redirectUri);
    if (!m_http)
        m_http = std::make_shared<oidc::HttpClient>();
    // The test session lives in this window only, encrypted with a key nobody else has.
    const SecretList secrets(QList<crypto::SecureBytes>{crypto::SecureBytes(crypto::randomBytes(32))});
    SessionCodec::Options codecOptions;
    codecOptions.defaultIssuer = o->issuer;
    auto auth = std::make_shared<oidc::AuthClient>(
        std::move(*o), m_http,
        std::make_shared<stores::MemoryStateStore>(std::make_shared<SessionCodec>(secrets, codecOptions)),
        std::make_shared<stores::MemoryTransactionStore>(
            std::make_shared<TransactionCodec>(secrets, TransactionCodec::Options{})));
    m_auth = auth;
    m_state.reset();
    m_sessionId.clear();
    m_idToken.clear();
    m_checks->clear();
    m_tokens->clear();
    m_claims->clear();
    m_timings->clear();
    m_request->clear();
    m_busy = true;
    m_waitingForCallback = false;
    updateButtons();
    m_banner->show(MessageBanner::Kind::Information, tr("Asking %1 for its login page…").arg(auth->options().issuer));
    QElapsedTimer timer;
    timer.start();
    auth->startLogin().then(this, [this, auth, timer](const Result<oidc::LoginStart> &start) {
        if (auth != m_auth)
            return; // another login started meanwhile
        if (!start) {
            m_busy = false;
            fail(tr("The login could not start"), start.error());
            m_browser->setHtml(htmlPage(tr("The login could not start"), start.error().toString()));
            Q_EMIT loginFinished(false);
            return;
        }
        addTiming(tr("discovery and authorization request"), timer.elapsed());
        QUrl endpoint = start->authorizationUrl;
        endpoint.setQuery(QString());
        new QTreeWidgetItem(m_request, {tr("(endpoint)"), endpoint.toString()});
        for (const auto &[name, value] : QUrlQuery(start->authorizationUrl).queryItems(QUrl::FullyDecoded))
            new QTreeWidgetItem(m_request, {name, value});
        m_waitingForCallback = true;
        m_atIdp.start();
        m_banner->show(MessageBanner::Kind::Information, tr("Log in at the IdP in the browser below."));
        m_browser->load(start->authorizationUrl);
    });
}

void TestLoginWindow::callbackReached(const QUrl &url)
{
    if (!m_waitingForCallback || !m_auth)
        return;
    m_waitingForCallback = false;
    addTiming(tr("at the IdP (login page to callback)"), m_atIdp.elapsed());
    m_browser->setHtml(htmlPage(tr("Completing the login…"), tr("Exchanging the code and checking the ID token.")));
    auto auth = m_auth;
    auto trace = std::make_shared<oidc::LoginTrace>();
    auth->completeLogin(url, {}, trace).then(this, [this, auth, trace](const Result<oidc::LoginResult> &result) {
        if (auth == m_auth)
            loginDone(result, *trace);
    });
}

void TestLoginWindow::loginDone(const Result<oidc::LoginResult> &result, const oidc::LoginTrace &trace)
{
    m_busy = false;
    for (const auto &[step, ms] : trace.timingsMs)
        addTiming(step, ms);
    showReport(trace.idTokenReport);
    if (!trace.idToken.isEmpty())
        showClaims(trace.idToken);
    if (!result) {
        const Error &e = result.error();
        if (e.code == ErrorCode::Canceled) {
            m_banner->show(MessageBanner::Kind::Warning, tr("The login was canceled at the IdP (%1).").arg(e.message));
            m_browser->setHtml(htmlPage(tr("Login canceled"), e.message));
        } else {
            fail(tr("The login failed"), e);
            m_browser->setHtml(htmlPage(tr("The login failed"), e.toString()));
        }
        if (!trace.idTokenReport.ok())
            m_tabs->setCurrentWidget(m_checks);
        updateButtons();
        Q_EMIT loginFinished(false);
        return;
    }
    m_sessionId = result->sessionId;
    m_state = result->state;
    m_idToken = result->state.idToken.value_or(QString());
    showTokens();
    const qsizetype checks = result->idTokenReport.checks.size();
    const QString who = result->state.user ? result->state.user->sub() : QString();
    m_banner->show(MessageBanner::Kind::Positive,
                   tr("Logged in as %1: all %2 checks of the ID token passed.").arg(who).arg(checks));
    m_browser->setHtml(htmlPage(tr("Logged in"), tr("Logged in as %1. The report is on the right.").arg(who)));
    m_tabs->setCurrentWidget(m_checks);
    updateButtons();
    Q_EMIT loginFinished(true);
}

void TestLoginWindow::showReport(const oidc::ValidationReport &report)
{
    m_checks->clear();
    for (const auto &check : report.checks) {
        auto *item =
            new QTreeWidgetItem(m_checks, {visibleText(check.name), check.passed ? tr("✔ passed") : tr("✘ failed"),
                                           visibleText(check.detail)});
        item->setForeground(1, check.passed ? QColor(0x1b, 0x7f, 0x3b) : QColor(0xc0, 0x1c, 0x28));
        item->setToolTip(2, plainToolTip(check.detail));
    }
}

void TestLoginWindow::showTokens()
{
    m_tokens->clear();
    if (!m_state)
        return;
    const bool reveal = m_reveal->isChecked();
    const auto add = [this, reveal](const QString &what, const QString &value, qint64 expiresAt) {
        const QString expires = expiresAt > 0
                                    ? QLocale().toString(QDateTime::fromSecsSinceEpoch(expiresAt), QLocale::ShortFormat)
                                    : QString();
        auto *item = new QTreeWidgetItem(
            m_tokens, {visibleText(what), visibleText(reveal ? value : maskedToken(value)), expires});
        item->setToolTip(1, reveal ? plainToolTip(value) : tr("Tick “Reveal tokens” to show it"));
    };
    if (m_state->idToken)
        add(tr("ID token"), *m_state->idToken, 0);
    for (const TokenSet &set : m_state->tokenSets)
        add(tr("Access token (%1)").arg(set.audience.value_or(QStringLiteral("default"))), set.accessToken,
            set.expiresAt);
    if (m_state->refreshToken)
        add(tr("Refresh token"), *m_state->refreshToken, 0);
}

void TestLoginWindow::showClaims(const QString &idToken, const std::optional<json::Object> &userInfo)
{
    QString text;
    if (auto jwt = jose::parseJwt(idToken.toLatin1()))
        text = tr("ID token (%1, key %2)\n")
                   .arg(jwt->jws.algorithmName, jwt->jws.kid.isEmpty() ? tr("unnamed") : jwt->jws.kid) +
               QString::fromStdString(json::serialize(json::Value(jwt->claims), json::Style::Pretty));
    else
        text = tr("The ID token could not be decoded: %1").arg(jwt.error().toString());
    if (userInfo)
        text += QStringLiteral("\n\n") + tr("userinfo\n") +
                QString::fromStdString(json::serialize(json::Value(*userInfo), json::Style::Pretty));
    m_claims->setPlainText(text);
}

void TestLoginWindow::addTiming(const QString &step, qint64 ms)
{
    new QTreeWidgetItem(m_timings, {step, tr("%1 ms").arg(QLocale().toString(ms))});
}

void TestLoginWindow::updateButtons()
{
    const bool session = m_state.has_value() && !m_busy;
    m_login->setEnabled(!m_busy || m_waitingForCallback);
    m_refresh->setEnabled(session && m_state->refreshToken.has_value());
    m_userInfo->setEnabled(session);
    m_logout->setEnabled(session);
    m_write->setEnabled(session && m_target);
}

void TestLoginWindow::fail(const QString &what, const Error &error)
{
    m_banner->show(MessageBanner::Kind::Error, QStringLiteral("%1: %2").arg(what, error.toString()));
}

void TestLoginWindow::clearIdpCookies()
{
    if (!m_webProfile)
        return;
    m_webProfile->cookieStore()->deleteAllCookies();
    m_banner->show(MessageBanner::Kind::Information, tr("The IdP's cookies are gone: the next login starts afresh."));
}

void TestLoginWindow::refreshTokens()
{
    if (!m_auth || !m_state)
        return;
    auto auth = m_auth;
    const QString id = m_sessionId;
    QElapsedTimer timer;
    timer.start();
    m_busy = true;
    updateButtons();
    auth->refreshAccessToken(id)
        .then([auth, id](const Result<QString> &token) -> QFuture<Result<std::optional<StateData>>> {
            if (!token)
                return QtFuture::makeReadyFuture(Result<std::optional<StateData>>(token.error()));
            return auth->getSession(id);
        })
        .unwrap()
        .then(this, [this, auth, timer](const Result<std::optional<StateData>> &state) {
            if (auth != m_auth)
                return;
            m_busy = false;
            if (!state || !state->has_value()) {
                fail(tr("The refresh failed"),
                     state ? makeError(ErrorCode::NotFound, tr("the test session is gone")) : state.error());
                updateButtons();
                Q_EMIT actionFinished(false);
                return;
            }
            addTiming(tr("refresh"), timer.elapsed());
            const bool newIdToken = (*state)->idToken && *(*state)->idToken != m_idToken;
            m_state = **state;
            m_idToken = m_state->idToken.value_or(QString());
            showTokens();
            if (newIdToken)
                showClaims(m_idToken);
            m_banner->show(MessageBanner::Kind::Positive,
                           newIdToken ? tr("Tokens refreshed: new access, refresh and ID tokens.")
                                      : tr("Tokens refreshed: a new access token."));
            m_tabs->setCurrentWidget(m_tokens);
            updateButtons();
            Q_EMIT actionFinished(true);
        });
}

void TestLoginWindow::callUserInfo()
{
    if (!m_auth || !m_state)
        return;
    auto auth = m_auth;
    QElapsedTimer timer;
    timer.start();
    auth->getAccessToken(m_sessionId)
        .then([auth](const Result<QString> &token) -> QFuture<Result<json::Object>> {
            if (!token)
                return QtFuture::makeReadyFuture(Result<json::Object>(token.error()));
            return auth->userInfo(*token);
        })
        .unwrap()
        .then(this, [this, auth, timer](const Result<json::Object> &info) {
            if (auth != m_auth)
                return;
            if (!info) {
                fail(tr("The userinfo request failed"), info.error());
                Q_EMIT actionFinished(false);
                return;
            }
            addTiming(tr("userinfo"), timer.elapsed());
            showClaims(m_idToken, *info);
            m_tabs->setCurrentWidget(m_claims);
            m_banner->show(MessageBanner::Kind::Positive, tr("The userinfo endpoint answered (under Claims)."));
            Q_EMIT actionFinished(true);
        });
}

void TestLoginWindow::logout()
{
    if (!m_auth || !m_state)
        return;
    auto auth = m_auth;
    auth->logout(m_sessionId).then(this, [this, auth](const Result<QUrl> &to) {
        if (auth != m_auth)
            return;
        if (!to) {
            fail(tr("The logout failed"), to.error());
            Q_EMIT actionFinished(false);
            return;
        }
        m_state.reset();
        m_sessionId.clear();
        m_tokens->clear();
        updateButtons();
        m_banner->show(MessageBanner::Kind::Information,
                       tr("The test session has ended; the IdP's end-session page is in the browser."));
        m_browser->load(*to);
        Q_EMIT actionFinished(true);
    });
}

void TestLoginWindow::writeToStore()
{
    if (!m_state)
        return;
    if (!m_target) {
        m_banner->show(MessageBanner::Kind::Warning, tr("Connect a store first (in the main window)."));
        Q_EMIT actionFinished(false);
        return;
    }
    auto target = m_target;
    const QString id = m_sessionId;
    const QString sid = m_state->internal.sid;
    const QString name = m_targetName;
    target->write(id, *m_state).then(this, [this, target, id, sid, name](const Result<qsizetype> &written) {
        if (!written) {
            fail(tr("The session was not written to “%1”").arg(name), written.error());
            Q_EMIT actionFinished(false);
            return;
        }
        m_banner->show(MessageBanner::Kind::Positive,
                       tr("The session is in “%1” (id %2…).").arg(name, inspector::sessionFingerprint(id)));
        Q_EMIT actionFinished(true);
        Q_EMIT sessionWritten(id, sid);
    });
}

} // namespace si::ui
