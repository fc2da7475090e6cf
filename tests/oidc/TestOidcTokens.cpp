// Token rules without a network: logout tokens (every rejection case of INTEROP.md §3, each with
// its own token, failing for its own reason), ID token claims, PKCE and at_hash vectors, and the
// back-channel request handling against a real (memory) store.

#include "core/async/Worker.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Hash.h"
#include "core/crypto/Random.h"
#include "core/jose/Jws.h"
#include "core/oidc/AuthClient.h"
#include "core/oidc/HttpClient.h"
#include "core/oidc/Pkce.h"
#include "core/oidc/TokenValidator.h"
#include "stores/memory/MemoryStateStore.h"
#include "stores/memory/MemoryTransactionStore.h"
#include "tests/stores/StoreTestSupport.h"
#include "tests/support/TestSupport.h"

#include <QPointer>
#include <QSemaphore>
#include <QtTest>

using namespace si;
using namespace si::oidc;

namespace {

const QString kIssuer = QStringLiteral("https://idp.test/");
const QString kClient = QStringLiteral("client-1");
const char kEvent[] = "http://schemas.openid.net/event/backchannel-logout";

QByteArray b64json(const json::Object &o)
{
    return test::base64UrlJson(o);
}

json::Object logoutClaims(qint64 now)
{
    return test::logoutTokenClaims(kIssuer, kClient, now);
}

// The claims of a valid ID token for kClient, nonce "n-1", access token "the-access-token".
json::Object idClaims(qint64 now)
{
    json::Object c;
    c.append("iss", kIssuer);
    c.append("sub", "alice");
    c.append("aud", kClient);
    c.append("exp", std::int64_t(now + 600));
    c.append("iat", std::int64_t(now));
    c.append("nonce", "n-1");
    c.append("at_hash", accessTokenHash(QStringLiteral("RS256"), QStringLiteral("the-access-token")));
    return c;
}

StateData sessionFor(const QString &sub, const QString &sid)
{
    StateData s;
    json::Object claims;
    claims.append("iss", kIssuer);
    claims.append("sub", sub);
    claims.append("sid", sid);
    s.user = UserClaims::fromIdTokenClaims(claims);
    s.internal.sid = sid;
    s.internal.createdAt = systemClock();
    return s;
}

} // namespace

class TestOidcTokens : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pkceRfc7636AppendixB();
    void atHashOidcCoreExample();
    void logoutTokenRejections_data();
    void logoutTokenRejections();
    void logoutTokenAccepted_data();
    void logoutTokenAccepted();
    void replayedLogoutTokenRefused();
    void backchannelRequestShapes_data();
    void backchannelRequestShapes();
    void backchannelRevokesTheRightSessions();
    void idTokenRejections_data();
    void idTokenRejections();
    void idTokenSignatureRejections_data();
    void idTokenSignatureRejections();
    void httpClientReleasedOnItsOwnThread();

private:
    QByteArray sign(const json::Object &claims, const char *typ = "logout+jwt") const;
    // Tokens carrying `claims` whose signature must be refused, each for its own reason.
    QList<std::pair<const char *, QByteArray>> forgedSignatures(const json::Object &claims, const char *typ) const;
    std::unique_ptr<AuthClient> client() const;

    jose::Jwk m_key = jose::Jwk::generate(jose::Jwk::KeyType::Rsa, 2048, {}, QStringLiteral("test-key")).value();
    jose::Jwk m_otherKey = jose::Jwk::generate(jose::Jwk::KeyType::Rsa, 2048, {}, QStringLiteral("test-key")).value();
    jose::Jwks m_jwks;
    std::shared_ptr<HttpClient> m_http = std::make_shared<HttpClient>();
    std::shared_ptr<StateStore> m_sessions;
};

void TestOidcTokens::initTestCase()
{
    json::Object doc;
    json::Array keys;
    keys.push_back(m_key.publicJson());
    doc.append("keys", std::move(keys));
    m_jwks = jose::Jwks::fromJson(json::Value(std::move(doc))).value();
}

QByteArray TestOidcTokens::sign(const json::Object &claims, const char *typ) const
{
    return test::signJwt(claims, m_key, typ);
}

QList<std::pair<const char *, QByteArray>> TestOidcTokens::forgedSignatures(const json::Object &claims,
                                                                            const char *typ) const
{
    QList<std::pair<const char *, QByteArray>> tokens;
    const std::string payload = json::serialize(json::Value(claims), json::Style::Compact);
    const QByteArrayView payloadView(payload.data(), qsizetype(payload.size()));
    auto header = [typ](const char *alg, const char *kid) {
        json::Object h;
        if (alg)
            h.append("alg", alg);
        if (kid)
            h.append("kid", kid);
        if (typ)
            h.append("typ", typ);
        return h;
    };
    // alg none: no signature at all.
    tokens.append({"alg none", b64json(header("none", nullptr)) + "." + b64json(claims) + "."});
    // HS256 keyed with the RSA public key's JSON: an algorithm the client does not accept.
    const QByteArray input = b64json(header("HS256", "test-key")) + "." + b64json(claims);
    const QByteArray mac =
        crypto::hmac(crypto::HashAlgorithm::Sha256,
                     QByteArray::fromStdString(json::serialize(json::Value(m_key.publicJson()))), input);
    tokens.append({"HS256 with the public key", input + "." + crypto::base64UrlEncode(mac)});
    // The IdP's own key, but PS256 where the client expects RS256.
    tokens.append(
        {"PS256 where RS256 is expected",
         jose::Jws::sign(jose::SignatureAlgorithm::PS256, header(nullptr, nullptr), payloadView, m_key).value()});
    // A valid token with one signature character changed.
    QByteArray altered = sign(claims, typ);
    const qsizetype dot = altered.lastIndexOf('.');
    altered[dot + 10] = altered[dot + 10] == 'A' ? 'B' : 'A';
    tokens.append({"bad signature", altered});
    // Signed by a key the IdP does not publish (same kid).
    tokens.append(
        {"key not in the JWKS",
         jose::Jws::sign(jose::SignatureAlgorithm::RS256, header(nullptr, nullptr), payloadView, m_otherKey).value()});
    // A kid the IdP does not publish.
    tokens.append(
        {"unknown kid",
         jose::Jws::sign(jose::SignatureAlgorithm::RS256, header(nullptr, "no-such-key"), payloadView, m_key).value()});
    return tokens;
}

std::unique_ptr<AuthClient> TestOidcTokens::client() const
{
    AuthClientOptions options;
    options.issuer = kIssuer;
    options.clientId = kClient;
    options.allowedAlgorithms = jose::AlgorithmSet{jose::SignatureAlgorithm::RS256};
    SessionCodec::Options codecOptions;
    codecOptions.defaultIssuer = kIssuer;
    auto codec = std::make_shared<SessionCodec>(test::secretList({"s"}), codecOptions);
    std::shared_ptr<StateStore> sessions = m_sessions;
    if (!sessions)
        sessions = std::make_shared<stores::MemoryStateStore>(codec);
    auto tx = std::make_shared<stores::MemoryTransactionStore>(
        std::make_shared<TransactionCodec>(test::secretList({"s"}), TransactionCodec::Options{}));
    auto c = std::make_unique<AuthClient>(options, m_http, sessions, tx);
    c->provider().preloadJwks(m_jwks);
    return c;
}

void TestOidcTokens::pkceRfc7636AppendixB()
{
    QCOMPARE(codeChallenge(QStringLiteral("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
             QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    const QString v = newCodeVerifier();
    QCOMPARE(v.size(), 64);
    QVERIFY(v != newCodeVerifier());
}

void TestOidcTokens::atHashOidcCoreExample()
{
    QCOMPARE(accessTokenHash(QStringLiteral("RS256"), QStringLiteral("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y")),
             QStringLiteral("77QmUPtjPfzWtF2AnpK9RQ"));
    QCOMPARE(accessTokenHash(QStringLiteral("ES384"), QStringLiteral("x")).size(), 32); // 24 bytes
    QVERIFY(accessTokenHash(QStringLiteral("none"), QStringLiteral("x")).isEmpty());
}

void TestOidcTokens::logoutTokenRejections_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("rule");
    const qint64 now = systemClock();
    auto with = [&](auto edit, const char *typ = "logout+jwt") {
        json::Object c = logoutClaims(now);
        edit(c);
        return sign(c, typ);
    };
    auto nothing = [](json::Object &) {};
    for (const auto &[name, token] : forgedSignatures(logoutClaims(now), "logout+jwt"))
        QTest::newRow(name) << token << "signature";
    QTest::newRow("events missing") << with([](json::Object &c) { c.remove("events"); }) << "events";
    QTest::newRow("events without the logout event") << with([](json::Object &c) {
        json::Object events;
        events.append("http://schemas.openid.net/event/other", json::Object());
        c.set("events", std::move(events));
    }) << "events";
    QTest::newRow("event not an object") << with([](json::Object &c) {
        json::Object events;
        events.append(kEvent, "yes");
        c.set("events", std::move(events));
    }) << "events";
    QTest::newRow("nonce present") << with([](json::Object &c) { c.append("nonce", "n"); }) << "nonce";
    QTest::newRow("wrong aud") << with([](json::Object &c) { c.set("aud", "someone-else"); }) << "aud";
    QTest::newRow("wrong iss") << with([](json::Object &c) { c.set("iss", "https://evil.test/"); }) << "iss";
    QTest::newRow("neither sub nor sid") << with([](json::Object &c) {
        c.remove("sub");
        c.remove("sid");
    }) << "sub/sid";
    QTest::newRow("iat too old") << with([now](json::Object &c) { c.set("iat", std::int64_t(now - 3600)); }) << "iat";
    QTest::newRow("iat in the future") << with([now](json::Object &c) { c.set("iat", std::int64_t(now + 600)); })
                                       << "iat";
    QTest::newRow("iat missing") << with([](json::Object &c) { c.remove("iat"); }) << "iat";
    QTest::newRow("exp in the past") << with([now](json::Object &c) { c.set("exp", std::int64_t(now - 600)); })
                                     << "exp";
    QTest::newRow("jti missing") << with([](json::Object &c) { c.remove("jti"); }) << "jti";
    QTest::newRow("typ JWT") << with(nothing, "JWT") << "typ";
}

void TestOidcTokens::logoutTokenRejections()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, rule);
    auto c = client();
    auto result = await(c->verifyLogoutToken(token));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidToken);
    QCOMPARE(result.error().message, QStringLiteral("logout token refused: ") + rule);
}

void TestOidcTokens::logoutTokenAccepted_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("sub");
    QTest::addColumn<QString>("sid");
    const qint64 now = systemClock();
    json::Object both = logoutClaims(now);
    json::Object subOnly = logoutClaims(now);
    subOnly.remove("sid");
    json::Object sidOnly = logoutClaims(now);
    sidOnly.remove("sub");
    json::Object extra = logoutClaims(now);
    extra.remove("exp");
    extra.append("unknown_claim", json::Object());
    extra.set("aud", json::Array{json::Value("another"), json::Value(kClient)});
    QTest::newRow("sub and sid") << sign(both) << "alice"
                                 << "sid-a1";
    QTest::newRow("sub only") << sign(subOnly) << "alice"
                              << "";
    QTest::newRow("sid only") << sign(sidOnly) << ""
                              << "sid-a1";
    QTest::newRow("no typ, no exp, unknown claims, aud array") << sign(extra, nullptr) << "alice"
                                                               << "sid-a1";
    QTest::newRow("typ application/logout+jwt") << sign(logoutClaims(now), "application/logout+jwt") << "alice"
                                                << "sid-a1";
}

void TestOidcTokens::logoutTokenAccepted()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, sub);
    QFETCH(QString, sid);
    auto c = client();
    auto result = await(c->verifyLogoutToken(token));
    QVERIFY2(result.ok(), result.ok() ? "" : qPrintable(result.error().toString()));
    QVERIFY(result->report.ok());
    QCOMPARE(result->target.issuer, kIssuer);
    QCOMPARE(result->target.sub.value_or(QString()), sub);
    QCOMPARE(result->target.sid.value_or(QString()), sid);
}

void TestOidcTokens::replayedLogoutTokenRefused()
{
    auto c = client();
    const QByteArray token = sign(logoutClaims(systemClock()));
    QVERIFY(await(c->verifyLogoutToken(token)).ok());
    auto again = await(c->verifyLogoutToken(token));
    QCOMPARE(again.error().message, QStringLiteral("logout token refused: jti"));
    QVERIFY(again.error().detail.contains(QLatin1String("replay")));
}

void TestOidcTokens::backchannelRequestShapes_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::newRow("JSON body (auth0-fastapi's route)")
        << QByteArray("application/json") << QByteArray(R"({"logout_token":"x"})")
        << "logout request refused: expected a form body";
    QTest::newRow("no logout_token") << QByteArray("application/x-www-form-urlencoded") << QByteArray("token=abc")
                                     << "logout request refused: no logout_token";
    QTest::newRow("garbage token") << QByteArray("application/x-www-form-urlencoded; charset=UTF-8")
                                   << QByteArray("logout_token=not.a.jwt%%") << "logout token refused: format";
}

void TestOidcTokens::backchannelRequestShapes()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    auto c = client();
    auto result = await(c->handleBackchannelLogout(body, contentType));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().message, message);
}

void TestOidcTokens::backchannelRevokesTheRightSessions()
{
    SessionCodec::Options codecOptions;
    codecOptions.defaultIssuer = kIssuer;
    m_sessions = std::make_shared<stores::MemoryStateStore>(
        std::make_shared<SessionCodec>(test::secretList({"s"}), codecOptions));
    auto c = client();
    QMap<QString, QString> ids; // name -> id
    for (const auto &[name, sub, sid] : {std::tuple{"a1", "alice", "sid-a1"}, std::tuple{"a2", "alice", "sid-a2"},
                                         std::tuple{"b1", "bob", "sid-b1"}}) {
        const QString id = SessionCodec::newSessionId();
        ids.insert(QLatin1String(name), id);
        QVERIFY(await(m_sessions->set(id, sessionFor(QLatin1String(sub), QLatin1String(sid)))).ok());
    }
    auto post = [&](const json::Object &claims) {
        const QByteArray body = "logout_token=" + QUrl::toPercentEncoding(QString::fromLatin1(sign(claims)));
        return await(c->handleBackchannelLogout(body, "application/x-www-form-urlencoded"));
    };
    // sid only: that session.
    json::Object sidOnly = logoutClaims(systemClock());
    sidOnly.remove("sub");
    sidOnly.set("sid", "sid-a2");
    auto r1 = post(sidOnly);
    QVERIFY2(r1.ok(), r1.ok() ? "" : qPrintable(r1.error().toString()));
    QCOMPARE(r1->removed, 1);
    QVERIFY(!await(m_sessions->get(ids.value(QStringLiteral("a2"))))->has_value());
    QVERIFY(await(m_sessions->get(ids.value(QStringLiteral("a1"))))->has_value());
    // sub only: every session of that user, nobody else's.
    json::Object subOnly = logoutClaims(systemClock());
    subOnly.remove("sid");
    subOnly.set("sub", "alice");
    auto r2 = post(subOnly);
    QVERIFY(r2.ok());
    QCOMPARE(r2->removed, 1);
    QVERIFY(!await(m_sessions->get(ids.value(QStringLiteral("a1"))))->has_value());
    QVERIFY(await(m_sessions->get(ids.value(QStringLiteral("b1"))))->has_value());
    m_sessions.reset();
}

void TestOidcTokens::idTokenRejections_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("check");
    QTest::newRow("wrong iss") << "iss"
                               << "iss";
    QTest::newRow("wrong aud") << "aud"
                               << "aud";
    QTest::newRow("azp of another client") << "azp"
                                           << "azp";
    QTest::newRow("several audiences, no azp") << "aud-multi"
                                               << "azp";
    QTest::newRow("expired") << "exp"
                             << "exp";
    QTest::newRow("issued in the future") << "iat"
                                          << "iat";
    QTest::newRow("wrong nonce") << "nonce"
                                 << "nonce";
    QTest::newRow("missing nonce") << "nonce-missing"
                                   << "nonce";
    QTest::newRow("at_hash mismatch") << "at_hash"
                                      << "at_hash";
    QTest::newRow("no sub") << "sub"
                            << "sub";
}

void TestOidcTokens::idTokenRejections()
{
    QFETCH(QString, field);
    QFETCH(QString, check);
    const qint64 now = systemClock();
    json::Object c = idClaims(now);
    if (field == QLatin1String("iss"))
        c.set("iss", "https://other.test/");
    else if (field == QLatin1String("aud"))
        c.set("aud", "other-client");
    else if (field == QLatin1String("azp"))
        c.append("azp", "other-client");
    else if (field == QLatin1String("aud-multi"))
        c.set("aud", json::Array{json::Value(kClient), json::Value("api")});
    else if (field == QLatin1String("exp"))
        c.set("exp", std::int64_t(now - 3600));
    else if (field == QLatin1String("iat"))
        c.set("iat", std::int64_t(now + 3600));
    else if (field == QLatin1String("nonce"))
        c.set("nonce", "n-2");
    else if (field == QLatin1String("nonce-missing"))
        c.remove("nonce");
    else if (field == QLatin1String("at_hash"))
        c.set("at_hash", "AAAAAAAAAAAAAAAAAAAAAA");
    else if (field == QLatin1String("sub"))
        c.remove("sub");
    auto jwt = jose::parseJwt(sign(c, "JWT")).value();
    IdTokenExpectations expected;
    expected.issuer = kIssuer;
    expected.clientId = kClient;
    expected.nonce = QStringLiteral("n-1");
    expected.accessToken = QStringLiteral("the-access-token");
    expected.now = now;
    ValidationReport report;
    checkIdTokenClaims(jwt, expected, report);
    QVERIFY(!report.ok());
    int failures = 0;
    for (const auto &c2 : report.checks) {
        if (!c2.passed) {
            ++failures;
            QCOMPARE(c2.name, check);
        }
    }
    QCOMPARE(failures, 1); // exactly the rule under test
}

void TestOidcTokens::idTokenSignatureRejections_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::newRow("valid (control)") << sign(idClaims(systemClock()), "JWT");
    for (const auto &[name, token] : forgedSignatures(idClaims(systemClock()), "JWT"))
        QTest::newRow(name) << token;
}

// Through AuthClient::validateIdToken, as completeLogin does: the claims are all valid, so a
// refused token is refused for its signature and nothing else.
void TestOidcTokens::idTokenSignatureRejections()
{
    QFETCH(QByteArray, token);
    auto c = client();
    auto report = await(
        c->validateIdToken(QString::fromLatin1(token), QStringLiteral("n-1"), QStringLiteral("the-access-token")));
    QVERIFY2(report.ok(), report.ok() ? "" : qPrintable(report.error().toString()));
    QStringList failed;
    for (const auto &check : report->checks) {
        if (!check.passed)
            failed << check.name;
    }
    if (QByteArrayView(QTest::currentDataTag()) == "valid (control)")
        QVERIFY2(report->ok(), qPrintable(failed.join(u',')));
    else if (QByteArrayView(QTest::currentDataTag()) == "alg none") // no hash is defined for at_hash either
        QCOMPARE(failed, (QStringList{QStringLiteral("signature"), QStringLiteral("at_hash")}));
    else
        QCOMPARE(failed, QStringList{QStringLiteral("signature")});
}

QTEST_GUILESS_MAIN(TestOidcTokens)
// The last reference to a client dropped by a continuation on the client's own network thread
// (a key cache released when its check completes): no self-wait, no deadlock, the thread ends.
void TestOidcTokens::httpClientReleasedOnItsOwnThread()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Dead lock|wait on itself|Destroyed while")));
    auto http = std::make_shared<HttpClient>(3000);
    std::atomic_bool onNetworkThread = false;
    QSemaphore mainReleased;
    std::atomic_bool wasLast = false;
    auto threadGone = std::make_shared<std::atomic_bool>(false);
    QFuture<void> released =
        http->get(QUrl(QStringLiteral("http://127.0.0.1:9/")))
            .then([keep = http, &onNetworkThread, &mainReleased, &wasLast,
                   threadGone](const Result<HttpResponse> &) mutable {
                QThread *thread = QThread::currentThread();
                onNetworkThread = thread->objectName() == QLatin1String("si-http");
                QObject::connect(thread, &QObject::destroyed, [threadGone] { *threadGone = true; });
                mainReleased.tryAcquire(1, 30000); // the test thread has let go of its reference
                wasLast = keep.use_count() == 1;
                keep.reset();
            });
    http.reset();
    mainReleased.release();
    QTRY_VERIFY(released.isFinished());
    QVERIFY(onNetworkThread);
    QVERIFY(wasLast);
    QTRY_VERIFY(threadGone->load()); // the thread ended and its owner's loop deleted it
}

#include "TestOidcTokens.moc"
