// The same cases against every transaction store (SI_STORE_BACKEND; for cookies also
// SI_COOKIE_TX_MODE=auth0 or per-state).

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/crypto/Random.h"
#include "tests/support/TestSupport.h"

#include <QThread>
#include <QtTest>

using namespace si;
using namespace si::test;

namespace {

TransactionData makeTransaction(const QString &verifier)
{
    TransactionData tx;
    tx.codeVerifier = verifier;
    tx.redirectUri = QStringLiteral("https://app.test/callback");
    tx.audience = QStringLiteral("https://api.test/");
    json::Object appState;
    appState.append("returnTo", "/orders?page=2&sort=date");
    tx.appState = json::Value(std::move(appState));
    return tx;
}

QString newState()
{
    return crypto::randomString(32, crypto::alphanumericAlphabet());
}

} // namespace

class TestTransactionStoreContract : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void roundTrip();
    void missingIsEmpty();
    void removeDeletes();
    void lifetimeEnforced();
    void lifetimeInRealTime();
    void rotation();
    void wrongSecretIsAnError();
    void parallelLogins();
    void invalidStateRefused();

private:
    Status put(TransactionStore &store, const QString &state, const TransactionData &tx);
    Result<std::optional<TransactionData>> fetch(TransactionStore &store, const QString &state);
    std::unique_ptr<TransactionStore> open(std::initializer_list<const char *> secrets, qint64 lifetime = 600)
    {
        return m_location->openTransactions(secretList(secrets), lifetime);
    }
    bool auth0CookieMode() const
    {
        return m_location->isClientSide() && qEnvironmentVariable("SI_COOKIE_TX_MODE") == QLatin1String("auth0");
    }

    std::unique_ptr<StoreLocation> m_location;
    std::shared_ptr<StoreContext> m_browser; // the cookie jar, for cookie stores
};

void TestTransactionStoreContract::initTestCase()
{
    QString error;
    if (!makeLocation(&error)) {
        if (servicesRequired())
            QFAIL(qPrintable(error + QStringLiteral(" but SI_REQUIRE_SERVICES=1")));
        QSKIP(qPrintable(error));
    }
}

void TestTransactionStoreContract::init()
{
    QString error;
    m_location = makeLocation(&error);
    QVERIFY2(m_location, qPrintable(error));
    m_browser = m_location->isClientSide() ? std::make_shared<StoreContext>() : nullptr;
}

Status TestTransactionStoreContract::put(TransactionStore &store, const QString &state, const TransactionData &tx)
{
    Status s = await(store.set(state, tx, m_browser));
    if (m_browser)
        m_browser->applySetCookies();
    return s;
}

Result<std::optional<TransactionData>> TestTransactionStoreContract::fetch(TransactionStore &store,
                                                                           const QString &state)
{
    auto r = await(store.get(state, m_browser));
    if (m_browser)
        m_browser->applySetCookies();
    return r;
}

void TestTransactionStoreContract::roundTrip()
{
    auto store = open({"s1"});
    const QString state = newState();
    const TransactionData tx = makeTransaction(crypto::randomString(64, crypto::alphanumericAlphabet()));
    QVERIFY_OK(put(*store, state, tx));
    auto back = fetch(*store, state);
    QVERIFY_OK(back);
    QVERIFY(back->has_value());
    QCOMPARE(QByteArray::fromStdString((*back)->serialize()), QByteArray::fromStdString(tx.serialize()));
}

void TestTransactionStoreContract::missingIsEmpty()
{
    auto store = open({"s1"});
    auto back = fetch(*store, newState());
    QVERIFY_OK(back);
    QVERIFY(!back->has_value());
}

void TestTransactionStoreContract::removeDeletes()
{
    auto store = open({"s1"});
    const QString state = newState();
    QVERIFY_OK(put(*store, state, makeTransaction(QStringLiteral("v"))));
    QVERIFY_OK(await(store->remove(state, m_browser)));
    if (m_browser)
        m_browser->applySetCookies();
    QVERIFY(!fetch(*store, state)->has_value());
    QVERIFY_OK(await(store->remove(state, m_browser)));
}

void TestTransactionStoreContract::lifetimeEnforced()
{
    auto store = open({"s1"}, 600);
    const QString state = newState();
    QVERIFY_OK(put(*store, state, makeTransaction(QStringLiteral("v"))));
    m_location->clock->advance(590);
    QVERIFY(fetch(*store, state)->has_value());
    m_location->clock->advance(11);
    auto back = fetch(*store, state);
    QVERIFY_OK(back);
    QVERIFY(!back->has_value());
}

void TestTransactionStoreContract::lifetimeInRealTime()
{
    auto store = open({"s1"}, 2);
    const QString state = newState();
    QVERIFY_OK(put(*store, state, makeTransaction(QStringLiteral("v"))));
    QVERIFY(fetch(*store, state)->has_value());
    // Gone once the deadline has passed on the server's clock: wait for that, not for a fixed time.
    QTRY_VERIFY_WITH_TIMEOUT(!fetch(*store, state)->has_value(), 15000);
}

void TestTransactionStoreContract::rotation()
{
    auto before = open({"old"});
    const QString state = newState();
    QVERIFY_OK(put(*before, state, makeTransaction(QStringLiteral("v-old"))));
    auto rotated = open({"new", "old"});
    auto back = fetch(*rotated, state);
    QVERIFY_OK(back);
    QCOMPARE((*back)->codeVerifier.value(), QStringLiteral("v-old"));
}

void TestTransactionStoreContract::wrongSecretIsAnError()
{
    auto store = open({"right"});
    const QString state = newState();
    QVERIFY_OK(put(*store, state, makeTransaction(QStringLiteral("v"))));
    auto wrong = open({"wrong"});
    QCOMPARE(fetch(*wrong, state).error().code, ErrorCode::DecryptFailed);
    QVERIFY(fetch(*store, state)->has_value());
}

void TestTransactionStoreContract::parallelLogins()
{
    // Two logins started in two tabs of one browser before either completes.
    auto store = open({"s1"});
    const QString first = newState(), second = newState();
    QVERIFY_OK(put(*store, first, makeTransaction(QStringLiteral("v1"))));
    QVERIFY_OK(put(*store, second, makeTransaction(QStringLiteral("v2"))));
    auto two = fetch(*store, second);
    QVERIFY_OK(two);
    QCOMPARE((*two)->codeVerifier.value(), QStringLiteral("v2"));
    auto one = fetch(*store, first);
    if (auth0CookieMode()) {
        // auth0-fastapi's single _a0_tx cookie: the second login replaced the first.
        QVERIFY(!one.ok() || !one->has_value());
        return;
    }
    QVERIFY_OK(one);
    QVERIFY(one->has_value());
    QCOMPARE((*one)->codeVerifier.value(), QStringLiteral("v1"));
}

void TestTransactionStoreContract::invalidStateRefused()
{
    auto store = open({"s1"});
    QCOMPARE(put(*store, QStringLiteral("has space"), makeTransaction(QStringLiteral("v"))).error().code,
             ErrorCode::InvalidArgument);
    QCOMPARE(put(*store, QString(), makeTransaction(QStringLiteral("v"))).error().code, ErrorCode::InvalidArgument);
    QVERIFY(!fetch(*store, QStringLiteral("../etc"))->has_value());
}

QTEST_GUILESS_MAIN(TestTransactionStoreContract)
#include "TestTransactionStoreContract.moc"
