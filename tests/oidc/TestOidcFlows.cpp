// The relying party against a real OpenID Provider (oidc-provider from tests/idp, started by
// scripts/with-services.sh as SI_TEST_ISSUER): logins with each client authentication and PAR,
// token validation, refresh with rotation, userinfo, RP-initiated logout, back-channel logout sent
// by the IdP to a receiver here and deleting the session from Redis and PostgreSQL, key rotation,
// and the errors users meet (IdP down, wrong secret, cancel, replayed callback).

#include "IdpBrowser.h"
#include "core/async/Worker.h"
#include "core/oidc/AuthClient.h"
#include "core/oidc/TokenValidator.h"
#include "stores/StoreFactory.h"
#include "stores/memory/MemoryStateStore.h"
#include "stores/memory/MemoryTransactionStore.h"
#include "tests/stores/StoreTestSupport.h"
#include "tests/support/TestSupport.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>
#include <QtTest>

using namespace si;
using namespace si::oidc;

namespace {

const QString kRedirect = QStringLiteral("http://127.0.0.1:9/callback");

struct ClientSpec {
    QString id;
    QByteArray secret;
    ClientAuthentication authentication;
};

const ClientSpec kBasic{QStringLiteral("si-basic"), "si-basic-secret-for-tests-only-0123456789",
                        ClientAuthentication::SecretBasic};
const ClientSpec kPost{QStringLiteral("si-post"), "si-post-secret-for-tests-only-0123456789",
                       ClientAuthentication::SecretPost};
const ClientSpec kPublic{QStringLiteral("si-public"), "", ClientAuthentication::None};

} // namespace

class TestOidcFlows : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void discovery();
    void issuerMismatchRefused();
    void unreachableIdp();
    void loginWithEachClientAuthentication_data();
    void loginWithEachClientAuthentication();
    void loginThroughPar();
    void wrongClientSecret();
    void userCancels();
    void refusedIdTokenKeepsItsTrace();
    void callbackCannotBeReplayed();
    void refreshRotatesTokens();
    void userInfo();
    void rpInitiatedLogout();
    void backchannelLogoutFromTheIdp_data();
    void backchannelLogoutFromTheIdp();
    void signingKeyRotation();

private:
    std::unique_ptr<AuthClient> client(const ClientSpec &spec, std::shared_ptr<StateStore> sessions = {});
    // Logs `user` in through `browser`, or through a fresh browser (no IdP session yet) when none
    // is given, so every user gets a session of their own at the IdP.
    Result<LoginResult> login(AuthClient &client, const QString &user, const StartLoginOptions &options = {},
                              test::IdpBrowser *browser = nullptr);

    QString m_issuer;
    std::shared_ptr<HttpClient> m_http = std::make_shared<HttpClient>();
    std::shared_ptr<test::TestClock> m_clock = std::make_shared<test::TestClock>();
    test::IdpBrowser m_browser;
};

void TestOidcFlows::initTestCase()
{
    m_issuer = qEnvironmentVariable("SI_TEST_ISSUER");
    if (m_issuer.isEmpty()) {
        if (test::servicesRequired())
            QFAIL("SI_TEST_ISSUER is not set but SI_REQUIRE_SERVICES=1");
        QSKIP("SI_TEST_ISSUER not set (run under scripts/with-services.sh)");
    }
}

// Each test starts at the real time; a test that moves its clock forward does not leave the
// next one with tokens that look expired.
void TestOidcFlows::init()
{
    m_clock->offset = 0;
}

std::unique_ptr<AuthClient> TestOidcFlows::client(const ClientSpec &spec, std::shared_ptr<StateStore> sessions)
{
    AuthClientOptions options;
    options.issuer = m_issuer;
    options.clientId = spec.id;
    options.clientSecret = crypto::SecureBytes(QByteArrayView(spec.secret));
    options.authentication = spec.authentication;
    options.redirectUri = kRedirect;
    options.clock = [c = m_clock] { return c->now(); };
    options.provider.minRefetchSeconds = 0;
    SessionCodec::Options codecOptions;
    codecOptions.clock = options.clock;
    if (!sessions)
        sessions = std::make_shared<stores::MemoryStateStore>(
            std::make_shared<SessionCodec>(test::secretList({"flows"}), codecOptions));
    auto transactions = std::make_shared<stores::MemoryTransactionStore>(
        std::make_shared<TransactionCodec>(test::secretList({"flows"}), TransactionCodec::Options{}));
    return std::make_unique<AuthClient>(options, m_http, sessions, transactions);
}

Result<LoginResult> TestOidcFlows::login(AuthClient &client, const QString &user, const StartLoginOptions &options,
                                         test::IdpBrowser *browser)
{
    test::IdpBrowser fresh;
    if (!browser)
        browser = &fresh;
    StartLoginOptions withConsent = options;
    withConsent.authorizationParameters.append({QStringLiteral("prompt"), QStringLiteral("consent")});
    auto start = await(client.startLogin(withConsent));
    if (!start)
        return start.error();
    const QUrl callback = browser->login(start->authorizationUrl, user, kRedirect);
    if (callback.isEmpty())
        return makeError(ErrorCode::NetworkError, QStringLiteral("browser: ") + browser->error());
    return await(client.completeLogin(callback));
}

void TestOidcFlows::discovery()
{
    auto c = client(kBasic);
    auto md = await(c->provider().metadata());
    QVERIFY2(md.ok(), md.ok() ? "" : qPrintable(md.error().toString()));
    QCOMPARE(md->issuer, m_issuer);
    QCOMPARE(md->tokenEndpoint.toString(), m_issuer + QStringLiteral("/token"));
    QVERIFY(!md->endSessionEndpoint.isEmpty());
    QVERIFY(!md->pushedAuthorizationEndpoint.isEmpty());
    QVERIFY(md->backchannelLogoutSupported);
    auto keys = await(c->provider().jwks());
    QVERIFY(keys.ok());
    QVERIFY(!keys->isEmpty());
}

void TestOidcFlows::issuerMismatchRefused()
{
    ProviderCache cache(m_issuer + QLatin1Char('/'), m_http, {});
    auto md = await(cache.metadata());
    QVERIFY(!md.ok());
    QCOMPARE(md.error().code, ErrorCode::VerificationFailed);
    QCOMPARE(md.error().message, QStringLiteral("the IdP's metadata names another issuer"));
}

void TestOidcFlows::unreachableIdp()
{
    ProviderCache cache(QStringLiteral("http://127.0.0.1:1"), m_http, {});
    auto md = await(cache.metadata());
    QVERIFY(!md.ok());
    QCOMPARE(md.error().code, ErrorCode::NetworkError);
    QVERIFY2(md.error().message.startsWith(QLatin1String("cannot reach http://127.0.0.1:1")),
             qPrintable(md.error().toString()));
}

void TestOidcFlows::loginWithEachClientAuthentication_data()
{
    QTest::addColumn<int>("which");
    QTest::newRow("client_secret_basic") << 0;
    QTest::newRow("client_secret_post") << 1;
    QTest::newRow("public client (PKCE only)") << 2;
}

void TestOidcFlows::loginWithEachClientAuthentication()
{
    QFETCH(int, which);
    const ClientSpec spec = which == 0 ? kBasic : which == 1 ? kPost : kPublic;
    auto c = client(spec);
    StartLoginOptions options;
    json::Object appState;
    appState.append("returnTo", "/orders");
    options.appState = json::Value(std::move(appState));
    auto result = login(*c, QStringLiteral("alice"), options);
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().toString()));
    // Every check ran and passed.
    QStringList names;
    for (const auto &check : result->idTokenReport.checks) {
        QVERIFY2(check.passed, qPrintable(check.name + QStringLiteral(": ") + check.detail));
        names << check.name;
    }
    for (const char *n : {"signature", "iss", "aud", "azp", "exp", "iat", "nonce", "at_hash", "sub"})
        QVERIFY2(names.contains(QLatin1String(n)), n);
    const StateData &state = result->state;
    QCOMPARE(state.user->sub(), QStringLiteral("alice"));
    QCOMPARE(state.user->email().value(), QStringLiteral("alice@example.test"));
    QVERIFY(state.refreshToken.has_value());
    QCOMPARE(state.tokenSets.size(), 1);
    QCOMPARE(state.tokenSets[0].audience.value(), QStringLiteral("default"));
    QVERIFY(state.tokenSets[0].expiresAt > m_clock->now());
    if (spec.authentication != ClientAuthentication::None) // the public client has no back-channel URI
        QCOMPARE(state.internal.sid, state.user->sid().value());
    QCOMPARE(result->appState->get("returnTo")->toQString(), QStringLiteral("/orders"));
    // The session is in the store and reads back.
    auto stored = await(c->getSession(result->sessionId));
    QVERIFY(stored.ok() && stored->has_value());
    QCOMPARE((*stored)->idToken, state.idToken);
    QCOMPARE(result->timingsMs.size(), 4);
}

void TestOidcFlows::loginThroughPar()
{
    auto c = client(kBasic);
    StartLoginOptions options;
    options.pushedAuthorizationRequests = true;
    auto start = await(c->startLogin(options));
    QVERIFY2(start.ok(), start.ok() ? "" : qPrintable(start.error().toString()));
    const QUrlQuery query(start->authorizationUrl);
    QVERIFY(query.hasQueryItem(QStringLiteral("request_uri")));
    QVERIFY(!query.hasQueryItem(QStringLiteral("code_challenge"))); // the parameters went to the IdP directly
    test::IdpBrowser browser;
    const QUrl callback = browser.login(start->authorizationUrl, QStringLiteral("par-user"), kRedirect);
    QVERIFY2(!callback.isEmpty(), qPrintable(browser.error()));
    auto result = await(c->completeLogin(callback));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().toString()));
    QCOMPARE(result->state.user->sub(), QStringLiteral("par-user"));
}

void TestOidcFlows::wrongClientSecret()
{
    ClientSpec wrong = kBasic;
    wrong.secret = "not-the-secret";
    auto c = client(wrong);
    auto result = login(*c, QStringLiteral("alice"));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidArgument);
    QVERIFY2(result.error().message.contains(QLatin1String("refused the client's credentials")),
             qPrintable(result.error().toString()));
    QVERIFY(!result.error().toString().contains(QLatin1String("not-the-secret")));
}

void TestOidcFlows::userCancels()
{
    auto c = client(kBasic);
    auto start = await(c->startLogin());
    QVERIFY(start.ok());
    test::IdpBrowser browser;
    const QUrl callback = browser.cancel(start->authorizationUrl, kRedirect);
    QVERIFY2(!callback.isEmpty(), qPrintable(browser.error()));
    auto result = await(c->completeLogin(callback));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::Canceled);
    QCOMPARE(result.error().message, QStringLiteral("the IdP ended the login: access_denied"));
}

void TestOidcFlows::refusedIdTokenKeepsItsTrace()
{
    auto c = client(kBasic);
    auto start = await(c->startLogin());
    QVERIFY(start.ok());
    test::IdpBrowser browser;
    const QUrl callback = browser.login(start->authorizationUrl, QStringLiteral("ivan"), kRedirect);
    QVERIFY2(!callback.isEmpty(), qPrintable(browser.error()));
    // The client's clock is two hours ahead: the fresh ID token looks expired.
    m_clock->offset = 2 * 3600;
    auto trace = std::make_shared<LoginTrace>();
    auto result = await(c->completeLogin(callback, {}, trace));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidToken);
    // What happened before the refusal is kept: every check with its outcome, the token, timings.
    QVERIFY(!trace->idToken.isEmpty());
    QCOMPARE(jose::parseJwt(trace->idToken.toLatin1())->claims.find("sub")->toQString(), QStringLiteral("ivan"));
    QStringList failed, passed;
    for (const auto &check : trace->idTokenReport.checks)
        (check.passed ? passed : failed) << check.name;
    QCOMPARE(failed, QStringList{QStringLiteral("exp")});
    for (const char *n : {"signature", "iss", "aud", "nonce", "at_hash"})
        QVERIFY2(passed.contains(QLatin1String(n)), n);
    QStringList steps;
    for (const auto &[step, ms] : trace->timingsMs)
        steps << step;
    QCOMPARE(steps, (QStringList{QStringLiteral("transaction"), QStringLiteral("token exchange"),
                                 QStringLiteral("ID token validation")}));
}

void TestOidcFlows::callbackCannotBeReplayed()
{
    auto c = client(kBasic);
    auto start = await(c->startLogin());
    test::IdpBrowser browser;
    const QUrl callback = browser.login(start->authorizationUrl, QStringLiteral("bob"), kRedirect);
    QVERIFY(await(c->completeLogin(callback)).ok());
    auto again = await(c->completeLogin(callback));
    QCOMPARE(again.error().code, ErrorCode::NotFound);
    // A callback with a state this client never issued.
    QUrl forged = callback;
    QUrlQuery query(forged);
    query.removeAllQueryItems(QStringLiteral("state"));
    query.addQueryItem(QStringLiteral("state"), QStringLiteral("forged-state"));
    forged.setQuery(query);
    QCOMPARE(await(c->completeLogin(forged)).error().code, ErrorCode::NotFound);
}

void TestOidcFlows::refreshRotatesTokens()
{
    auto c = client(kBasic);
    auto result = login(*c, QStringLiteral("carol"));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().toString()));
    const QString id = result->sessionId;
    const QString firstAccess = result->state.tokenSets[0].accessToken;
    const QString firstRefresh = result->state.refreshToken.value();
    // Still valid: no refresh.
    QCOMPARE(await(c->getAccessToken(id)).value(), firstAccess);
    // An hour later it has expired: refreshed, and the refresh token rotated.
    m_clock->advance(3700);
    auto refreshed = await(c->getAccessToken(id));
    QVERIFY2(refreshed.ok(), refreshed.ok() ? "" : qPrintable(refreshed.error().toString()));
    QVERIFY(*refreshed != firstAccess);
    auto session = await(c->getSession(id));
    QVERIFY(session.ok() && session->has_value());
    QVERIFY((*session)->refreshToken.value() != firstRefresh);
    QCOMPARE((*session)->tokenSets.size(), 1);
    QCOMPARE((*session)->tokenSets[0].accessToken, *refreshed);
    // A forced refresh does not wait for expiry, and rotates again.
    const QString secondRefresh = (*session)->refreshToken.value();
    auto forced = await(c->refreshAccessToken(id));
    QVERIFY2(forced.ok(), forced.ok() ? "" : qPrintable(forced.error().toString()));
    QVERIFY(*forced != *refreshed);
    session = await(c->getSession(id));
    QVERIFY((*session)->refreshToken.value() != secondRefresh);
    QCOMPARE((*session)->tokenSets[0].accessToken, *forced);
    QCOMPARE(await(c->getAccessToken(id)).value(), *forced);
    // The spent refresh token is refused by the IdP (which then revokes the grant: reuse).
    const QByteArray form = "grant_type=refresh_token&refresh_token=" + QUrl::toPercentEncoding(firstRefresh);
    HttpRequest request;
    request.method = HttpRequest::Method::Post;
    request.url = QUrl(m_issuer + QStringLiteral("/token"));
    request.form = {{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                    {QStringLiteral("refresh_token"), firstRefresh}};
    request.basicUser = kBasic.id.toUtf8();
    request.basicPassword = kBasic.secret;
    auto spent = await(m_http->send(request));
    QVERIFY(spent.ok());
    QCOMPARE(spent->status, 400);
    QVERIFY(spent->body.contains("invalid_grant"));
}

void TestOidcFlows::userInfo()
{
    auto c = client(kBasic);
    auto result = login(*c, QStringLiteral("dave"));
    QVERIFY(result.ok());
    auto info = await(c->userInfo(result->state.tokenSets[0].accessToken));
    QVERIFY2(info.ok(), info.ok() ? "" : qPrintable(info.error().toString()));
    QCOMPARE(info->find("sub")->toQString(), QStringLiteral("dave"));
    QCOMPARE(info->find("email")->toQString(), QStringLiteral("dave@example.test"));
    QCOMPARE(await(c->userInfo(QStringLiteral("made-up-token"))).error().code, ErrorCode::InvalidToken);
}

void TestOidcFlows::rpInitiatedLogout()
{
    auto c = client(kBasic);
    test::IdpBrowser erinsBrowser;
    auto result = login(*c, QStringLiteral("erin"), {}, &erinsBrowser);
    QVERIFY(result.ok());
    // While her IdP session lives, a new login goes through without a login page.
    auto silent = await(c->startLogin());
    QVERIFY(silent.ok());
    // (The browser would press Cancel on a login page; there is none, the IdP answers with a code.)
    const QUrl sso = erinsBrowser.cancel(silent->authorizationUrl, kRedirect);
    QVERIFY2(QUrlQuery(sso).hasQueryItem(QStringLiteral("code")), qPrintable(sso.toString()));
    LogoutOptions options;
    options.returnTo = QStringLiteral("http://127.0.0.1:9/logged-out");
    options.logoutState = QStringLiteral("bye");
    auto url = await(c->logout(result->sessionId, options));
    QVERIFY2(url.ok(), url.ok() ? "" : qPrintable(url.error().toString()));
    const QUrlQuery query(*url);
    QCOMPARE(url->path(), QStringLiteral("/session/end"));
    QCOMPARE(query.queryItemValue(QStringLiteral("id_token_hint")), result->state.idToken.value());
    // Ended locally at once.
    QVERIFY(!await(c->getSession(result->sessionId))->has_value());
    // And at the IdP: it sends the browser back where we asked.
    const QUrl back = erinsBrowser.endSession(*url);
    QCOMPARE(back.toString(QUrl::RemoveQuery), options.returnTo);
    QCOMPARE(QUrlQuery(back).queryItemValue(QStringLiteral("state")), QStringLiteral("bye"));
    // Her IdP session is gone: the next login asks her to sign in again (and she cancels).
    auto again = await(c->startLogin());
    QVERIFY(again.ok());
    const QUrl canceled = erinsBrowser.cancel(again->authorizationUrl, kRedirect);
    QVERIFY2(!canceled.isEmpty(), qPrintable(erinsBrowser.error()));
    QCOMPARE(QUrlQuery(canceled).queryItemValue(QStringLiteral("error")), QStringLiteral("access_denied"));
}

void TestOidcFlows::backchannelLogoutFromTheIdp_data()
{
    QTest::addColumn<QString>("variable");
    QTest::newRow("redis") << QStringLiteral("SI_TEST_REDIS_URL");
    QTest::newRow("postgresql") << QStringLiteral("SI_TEST_PG_DSN");
}

void TestOidcFlows::backchannelLogoutFromTheIdp()
{
    QFETCH(QString, variable);
    const QString storeUrl = qEnvironmentVariable(variable.toLatin1().constData());
    if (storeUrl.isEmpty()) {
        if (test::servicesRequired())
            QFAIL(qPrintable(variable + QStringLiteral(" is not set but SI_REQUIRE_SERVICES=1")));
        QSKIP("store server not available");
    }
    // The receiver: what an application mounts at /backchannel-logout.
    std::shared_ptr<AuthClient> c;
    QHttpServer receiver;
    int received = 0;
    QString lastOutcome;
    receiver.route(QStringLiteral("/backchannel-logout"), QHttpServerRequest::Method::Post,
                   [&](const QHttpServerRequest &request) {
                       ++received;
                       auto outcome = await(c->handleBackchannelLogout(request.body(), request.value("Content-Type")));
                       lastOutcome =
                           outcome ? QStringLiteral("removed %1").arg(outcome->removed) : outcome.error().toString();
                       QHttpServerResponse response(outcome ? QHttpServerResponse::StatusCode::Ok
                                                            : QHttpServerResponse::StatusCode::BadRequest);
                       response.setHeader("Cache-Control", "no-store");
                       return response;
                   });
    const quint16 port = receiver.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);

    // Register a client whose back-channel logout URI is that receiver (dynamic registration).
    QJsonObject metadata{
        {QStringLiteral("redirect_uris"), QJsonArray{kRedirect}},
        {QStringLiteral("post_logout_redirect_uris"), QJsonArray{QStringLiteral("http://127.0.0.1:9/logged-out")}},
        {QStringLiteral("grant_types"),
         QJsonArray{QStringLiteral("authorization_code"), QStringLiteral("refresh_token")}},
        {QStringLiteral("response_types"), QJsonArray{QStringLiteral("code")}},
        {QStringLiteral("token_endpoint_auth_method"), QStringLiteral("client_secret_basic")},
        {QStringLiteral("backchannel_logout_uri"), QStringLiteral("http://127.0.0.1:%1/backchannel-logout").arg(port)},
        {QStringLiteral("backchannel_logout_session_required"), true},
    };
    const auto registered =
        m_browser.postJson(QUrl(m_issuer + QStringLiteral("/reg")), QJsonDocument(metadata).toJson());
    QCOMPARE(registered.status, 201);
    const QJsonObject registeredClient = QJsonDocument::fromJson(registered.body).object();
    const ClientSpec spec{registeredClient.value(QStringLiteral("client_id")).toString(),
                          registeredClient.value(QStringLiteral("client_secret")).toString().toUtf8(),
                          ClientAuthentication::SecretBasic};

    // Sessions in the real store.
    SessionCodec::Options codecOptions;
    codecOptions.defaultIssuer = m_issuer;
    stores::StoreFactory factory(stores::StoreOptions{QStringLiteral("bcl_")});
    auto store = factory.stateStore(stores::StoreUrl::parse(storeUrl).value(),
                                    std::make_shared<SessionCodec>(test::secretList({"flows"}), codecOptions));
    std::shared_ptr<StateStore> sessions(std::move(store.value()));
    c = client(spec, sessions);
    test::IdpBrowser franksBrowser;
    auto first = login(*c, QStringLiteral("frank"), {}, &franksBrowser);
    QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().toString()));
    auto second = login(*c, QStringLiteral("grace"));
    QVERIFY(second.ok());
    QVERIFY(await(sessions->get(first->sessionId))->has_value());
    QVERIFY(first->state.user->sid() != second->state.user->sid());

    // Frank signs out at the IdP (another application's logout, say): the IdP posts a logout
    // token to our receiver, which deletes frank's session and leaves grace's.
    auto hint = QUrl(m_issuer + QStringLiteral("/session/end"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("id_token_hint"), first->state.idToken.value());
    query.addQueryItem(QStringLiteral("client_id"), spec.id);
    hint.setQuery(query);
    franksBrowser.endSession(hint);
    QVERIFY2(received >= 1, "the IdP sent no logout token");
    QVERIFY2(lastOutcome == QLatin1String("removed 1"), qPrintable(lastOutcome));
    QVERIFY(!await(sessions->get(first->sessionId))->has_value());
    QVERIFY(await(sessions->get(second->sessionId))->has_value());

    // The IdP's programmatic logout for grace (sub + sid) removes hers.
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("client_id"), spec.id},
                                                      {QStringLiteral("sub"), QStringLiteral("grace")},
                                                      {QStringLiteral("sid"), second->state.user->sid().value()}})
                                .toJson();
    const auto sent = m_browser.postJson(QUrl(m_issuer + QStringLiteral("/__test/backchannel-logout")), body);
    QCOMPARE(sent.status, 204);
    QVERIFY2(lastOutcome == QLatin1String("removed 1"), qPrintable(lastOutcome));
    QVERIFY(!await(sessions->get(second->sessionId))->has_value());
}

void TestOidcFlows::signingKeyRotation()
{
    auto c = client(kBasic);
    QVERIFY(login(*c, QStringLiteral("heidi")).ok());
    const int fetches = c->provider().jwksFetches();
    const auto rotated = m_browser.post(QUrl(m_issuer + QStringLiteral("/__test/rotate-keys")), {});
    QCOMPARE(rotated.status, 200);
    const QString newKid = QJsonDocument::fromJson(rotated.body).object().value(QStringLiteral("kid")).toString();
    // The cached JWKS lacks the new key: the next login refetches once and succeeds.
    auto after = login(*c, QStringLiteral("heidi"));
    QVERIFY2(after.ok(), after.ok() ? "" : qPrintable(after.error().toString()));
    QCOMPARE(c->provider().jwksFetches(), fetches + 1);
    QCOMPARE(jose::parseJwt(after->state.idToken->toLatin1())->jws.kid, newKid);
}

QTEST_MAIN(TestOidcFlows)
#include "TestOidcFlows.moc"
