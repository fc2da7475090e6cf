// Properties of the cookie stores that the contract suite cannot see: what goes over the wire.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/cookie/CookieHeader.h"
#include "core/crypto/Random.h"
#include "stores/StoreFactory.h"
#include "stores/cookie/CookieStateStore.h"
#include "stores/cookie/CookieTransactionStore.h"
#include "stores/memory/MemoryTransactionStore.h"
#include "tests/support/TestSupport.h"

#include <QFile>
#include <QtTest>

using namespace si;
using namespace si::test;

namespace {

StateData bigState(int refreshTokenBytes)
{
    StateData state;
    json::Object claims;
    claims.append("iss", "https://idp.test/");
    claims.append("sub", "auth0|big");
    claims.append("sid", "sid-big");
    state.user = UserClaims::fromIdTokenClaims(claims);
    state.refreshToken = crypto::randomString(refreshTokenBytes, crypto::alphanumericAlphabet());
    state.internal.sid = QStringLiteral("sid-big");
    state.internal.createdAt = systemClock();
    return state;
}

std::shared_ptr<const SessionCodec> codecWith(const char *secret, Clock clock = systemClock)
{
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://idp.test/");
    options.clock = std::move(clock);
    return std::make_shared<SessionCodec>(secretList({secret}), options);
}

} // namespace

class TestCookieStores : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everySetCookieFitsIn4096Bytes();
    void auth0ChunkSizeMode();
    void shrinkingSessionClearsStaleChunks();
    void bareCookieIgnoredThenExpired();
    void attributesAndMaxAge();
    void readsCookieWrittenByPythonJwcrypto();
    void withoutDenyListRevocationIsUnsupported();
    void denyListSharedThroughServers_data();
    void denyListSharedThroughServers();
    void missingContextRefused();
    void transactionCookieNames();
};

void TestCookieStores::everySetCookieFitsIn4096Bytes()
{
    stores::CookieStateStore store(codecWith("s"), {});
    auto context = std::make_shared<StoreContext>();
    QVERIFY(await(store.set(QStringLiteral("_a0_session"), bigState(20000), context)).ok());
    QVERIFY(context->setCookieHeaders.size() >= 5);
    for (const QByteArray &header : std::as_const(context->setCookieHeaders))
        QVERIFY2(header.size() < 4096, qPrintable(QStringLiteral("%1 bytes").arg(header.size())));
    // And the browser's jar reads back.
    context->applySetCookies();
    auto back = await(store.get(QStringLiteral("_a0_session"), context));
    QVERIFY(back.ok() && back->has_value());
    QCOMPARE((*back)->refreshToken->size(), 20000);
}

void TestCookieStores::auth0ChunkSizeMode()
{
    stores::CookieStateStore::Options options;
    options.auth0ChunkSize = true;
    stores::CookieStateStore store(codecWith("s"), options);
    auto context = std::make_shared<StoreContext>();
    QVERIFY(await(store.set(QStringLiteral("_a0_session"), bigState(9000), context)).ok());
    context->applySetCookies();
    QVERIFY(context->requestCookies.size() >= 3);
    QCOMPARE(context->requestCookies[0].name, QByteArray("_a0_session_0"));
    QCOMPARE(context->requestCookies[0].value.size(), 4075);
    QCOMPARE(context->requestCookies[1].value.size(), 4075);
}

void TestCookieStores::shrinkingSessionClearsStaleChunks()
{
    stores::CookieStateStore store(codecWith("s"), {});
    auto context = std::make_shared<StoreContext>();
    QVERIFY(await(store.set(QStringLiteral("_a0_session"), bigState(15000), context)).ok());
    context->applySetCookies();
    const qsizetype before = context->requestCookies.size();
    QVERIFY(before >= 4);
    QVERIFY(await(store.set(QStringLiteral("_a0_session"), bigState(100), context)).ok());
    // One fresh chunk, and every higher chunk the browser still holds is expired.
    QList<QByteArray> expired;
    for (const QByteArray &h : std::as_const(context->setCookieHeaders)) {
        if (h.contains("Max-Age=0"))
            expired << h.left(h.indexOf('='));
    }
    QCOMPARE(expired.size(), before - 1);
    QVERIFY(expired.contains("_a0_session_1"));
    QVERIFY(!expired.contains("_a0_session_0"));
    context->applySetCookies();
    QCOMPARE(context->requestCookies.size(), 1);
    QCOMPARE((*await(store.get(QStringLiteral("_a0_session"), context)))->refreshToken->size(), 100);
}

void TestCookieStores::bareCookieIgnoredThenExpired()
{
    stores::CookieStateStore store(codecWith("s"), {});
    auto context = std::make_shared<StoreContext>();
    context->requestCookies = parseCookieHeader("_a0_session=left-over; theme=dark");
    auto empty = await(store.get(QStringLiteral("_a0_session"), context));
    QVERIFY(empty.ok());
    QVERIFY(!empty->has_value());
    QVERIFY(await(store.set(QStringLiteral("_a0_session"), bigState(10), context)).ok());
    QVERIFY(context->setCookieHeaders.contains("_a0_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax"));
    context->applySetCookies();
    for (const Cookie &c : std::as_const(context->requestCookies))
        QVERIFY(c.name != "_a0_session");
    QVERIFY(await(store.get(QStringLiteral("_a0_session"), context))->has_value());
}

void TestCookieStores::attributesAndMaxAge()
{
    SessionCodec::Options codecOptions;
    codecOptions.expiry.absoluteSeconds = 259200;
    auto codec = std::make_shared<SessionCodec>(secretList({"s"}), codecOptions);
    stores::CookieStateStore::Options options;
    options.attributes.domain = QStringLiteral("app.example");
    options.attributes.sameSite = QStringLiteral("Strict");
    stores::CookieStateStore store(codec, options);
    auto context = std::make_shared<StoreContext>();
    StateData state = bigState(10);
    state.internal.createdAt = systemClock();
    QVERIFY(await(store.set(QStringLiteral("_a0_session"), state, context)).ok());
    const QByteArray header = context->setCookieHeaders.first();
    QVERIFY2(header.contains("; Max-Age=2592"), header.constData()); // 259200 or 259199
    QVERIFY(header.endsWith("; Path=/; Domain=app.example; HttpOnly; Secure; SameSite=Strict"));
}

void TestCookieStores::readsCookieWrittenByPythonJwcrypto()
{
    // resources/demo/auth0-fastapi-cookie.txt was written by jwcrypto the way auth0-server-python
    // does (no timestamps in the header): created_at decides its age.
    QFile file(sourcePath(QStringLiteral("resources/demo/auth0-fastapi-cookie.txt")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QFile secretFile(sourcePath(QStringLiteral("resources/demo/demo-secret.txt")));
    QVERIFY(secretFile.open(QIODevice::ReadOnly));
    const QByteArray secret = secretFile.readLine().trimmed();
    auto codec = codecWith(secret.constData(), [] { return qint64(1795000000 + 3600); });
    stores::CookieStateStore store(codec, {});
    auto context = std::make_shared<StoreContext>();
    context->requestCookies = parseCookieHeader(file.readAll());
    auto back = await(store.get(QStringLiteral("_a0_session"), context));
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().toString()));
    QVERIFY(back->has_value());
    QCOMPARE((*back)->user->email().value(), QStringLiteral("zoe.kowalski@demo.example"));
    QVERIFY(context->setCookieHeaders.isEmpty()); // a read changes nothing without rolling expiry

    // Four days later it is past auth0's three-day absolute lifetime.
    auto later = codecWith(secret.constData(), [] { return qint64(1795000000 + 4 * 86400); });
    stores::CookieStateStore expired(later, {});
    auto gone = await(expired.get(QStringLiteral("_a0_session"), context));
    QVERIFY(gone.ok());
    QVERIFY(!gone->has_value());
    QCOMPARE(context->setCookieHeaders.size(), 2); // both chunks expired
}

void TestCookieStores::withoutDenyListRevocationIsUnsupported()
{
    stores::CookieStateStore store(codecWith("s"), {});
    auto result = await(store.deleteByLogoutToken({QStringLiteral("https://idp.test/"), QStringLiteral("u"), {}}));
    QCOMPARE(result.error().code, ErrorCode::Unsupported);
}

void TestCookieStores::denyListSharedThroughServers_data()
{
    QTest::addColumn<QString>("variable");
    QTest::newRow("redis") << QStringLiteral("SI_TEST_REDIS_URL");
    QTest::newRow("postgresql") << QStringLiteral("SI_TEST_PG_DSN");
    QTest::newRow("redis-cluster") << QStringLiteral("SI_TEST_REDIS_CLUSTER_URL");
}

void TestCookieStores::denyListSharedThroughServers()
{
    // Two application instances (two factories, two connections) share the deny list: a logout
    // received by one is enforced by the other.
    QFETCH(QString, variable);
    const QString text = qEnvironmentVariable(variable.toLatin1().constData());
    if (text.isEmpty()) {
        if (servicesRequired())
            QFAIL(qPrintable(variable + QStringLiteral(" is not set but SI_REQUIRE_SERVICES=1")));
        QSKIP("server not available (run under scripts/with-services.sh)");
    }
    const auto url = stores::StoreUrl::parse(text).value();
    const QString prefix =
        QStringLiteral("d") + crypto::randomString(8, u"abcdefghijklmnopqrstuvwxyz") + QLatin1Char('_');
    stores::StoreFactory instanceA(stores::StoreOptions{prefix});
    stores::StoreFactory instanceB(stores::StoreOptions{prefix});
    stores::CookieStateStore::Options a, b;
    a.denyList = std::shared_ptr<DenyList>(std::move(instanceA.denyList(url).value()));
    b.denyList = std::shared_ptr<DenyList>(std::move(instanceB.denyList(url).value()));
    stores::CookieStateStore storeA(codecWith("s"), a);
    stores::CookieStateStore storeB(codecWith("s"), b);

    auto browser = std::make_shared<StoreContext>();
    StateData state = bigState(10);
    state.internal.createdAt = systemClock() - 5;
    QVERIFY(await(storeA.set(QStringLiteral("_a0_session"), state, browser)).ok());
    browser->applySetCookies();
    QVERIFY(await(storeB.get(QStringLiteral("_a0_session"), browser))->has_value());
    auto revoked =
        await(storeA.deleteByLogoutToken({QStringLiteral("https://idp.test/"), QStringLiteral("auth0|big"), {}}));
    QVERIFY2(revoked.ok(), revoked.ok() ? "" : qPrintable(revoked.error().toString()));
    auto after = await(storeB.get(QStringLiteral("_a0_session"), browser));
    QVERIFY2(after.ok(), after.ok() ? "" : qPrintable(after.error().toString()));
    QVERIFY(!after->has_value());
    // The browser is told to drop the cookie.
    QVERIFY(browser->setCookieHeaders.first().contains("Max-Age=0"));
    // A login after the revocation is not affected.
    auto fresh = std::make_shared<StoreContext>();
    StateData later = bigState(10);
    later.internal.createdAt = systemClock() + 2;
    QVERIFY(await(storeA.set(QStringLiteral("_a0_session"), later, fresh)).ok());
    fresh->applySetCookies();
    QVERIFY(await(storeB.get(QStringLiteral("_a0_session"), fresh))->has_value());
}

void TestCookieStores::missingContextRefused()
{
    stores::CookieStateStore store(codecWith("s"), {});
    QCOMPARE(await(store.get(QStringLiteral("_a0_session"), nullptr)).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(await(store.set(QStringLiteral("_a0_session"), bigState(1), nullptr)).error().code,
             ErrorCode::InvalidArgument);
}

void TestCookieStores::transactionCookieNames()
{
    auto codec = std::make_shared<TransactionCodec>(secretList({"s"}), TransactionCodec::Options{});
    stores::CookieTransactionStore::Options auth0;
    auth0.mode = stores::CookieTransactionStore::Mode::Auth0;
    stores::CookieTransactionStore single(codec, auth0);
    stores::CookieTransactionStore perState(codec, {});
    QCOMPARE(single.cookieName(QStringLiteral("abc")), QByteArray("_a0_tx"));
    QCOMPARE(perState.cookieName(QStringLiteral("abc")), QByteArray("_a0_tx_abc"));
    auto context = std::make_shared<StoreContext>();
    TransactionData tx;
    tx.codeVerifier = QStringLiteral("v");
    QVERIFY(await(single.set(QStringLiteral("abc"), tx, context)).ok());
    QCOMPARE(context->setCookieHeaders.first().left(7), QByteArray("_a0_tx="));
    QVERIFY(context->setCookieHeaders.first().contains("; Max-Age=600;"));
}

QTEST_GUILESS_MAIN(TestCookieStores)
#include "TestCookieStores.moc"
