// The same cases against every state store backend (SI_STORE_BACKEND). With
// SI_REQUIRE_SERVICES=1 a backend whose server is missing fails instead of skipping.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "tests/support/TestSupport.h"

#include <QThread>
#include <QtConcurrent>
#include <QtTest>

using namespace si;
using namespace si::test;

namespace {

struct Client {
    QString id;
    std::shared_ptr<StoreContext> context;
};

StateData makeState(const QString &sub, const QString &sid, const QString &issuer, qint64 createdAt)
{
    StateData state;
    json::Object claims;
    claims.append("iss", issuer);
    claims.append("sub", sub);
    claims.append("sid", sid);
    claims.append("name", "Zo\xc3\xab \xf0\x9f\x98\x80");
    claims.append("email", (sub + QStringLiteral("@example.com")));
    state.user = UserClaims::fromIdTokenClaims(claims);
    state.idToken = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
    state.refreshToken = QStringLiteral("rt-") + sub;
    TokenSet set;
    set.audience = QStringLiteral("https://api.test/");
    set.accessToken = QStringLiteral("at-") + sid;
    set.scope = QStringLiteral("openid profile");
    set.expiresAt = createdAt + 3600;
    state.tokenSets << set;
    state.internal.sid = sid;
    state.internal.createdAt = createdAt;
    return state;
}

} // namespace

class TestStateStoreContract : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void roundTrip();
    void missingSessionIsEmpty();
    void overwrite();
    void removeDeletes();
    void absoluteExpiry();
    void inactivityExpiryRolls();
    void serverSideExpiryInRealTime();
    void rotationOldSecretStillDecrypts();
    void wrongSecretIsAnErrorAndLeavesDataUntouched();
    void revokeBySubOnly();
    void revokeBySidOnly();
    void revokeBySubAndSid();
    void revokeIsIssuerScoped();
    void revokeFindsSessionsWrittenBeforeRotation();
    void invalidLogoutTargetRefused();
    void concurrentWriters();
    void constantSessionIdRefused();
    void bulkWriteAndRead();

private:
    Client newClient() const;
    Status put(StateStore &store, Client &client, const StateData &state) const;
    Result<std::optional<StateData>> fetch(StateStore &store, Client &client) const;
    std::unique_ptr<StateStore> open(std::initializer_list<const char *> secrets, ExpiryPolicy expiry = {}) const;
    qint64 now() const { return m_location->clock->now(); }

    std::unique_ptr<StoreLocation> m_location;
};

void TestStateStoreContract::initTestCase()
{
    QString error;
    if (!makeLocation(&error)) {
        if (servicesRequired())
            QFAIL(qPrintable(error + QStringLiteral(" but SI_REQUIRE_SERVICES=1")));
        QSKIP(qPrintable(error));
    }
    qInfo("backend: %s", qPrintable(qEnvironmentVariable("SI_STORE_BACKEND", QStringLiteral("memory"))));
}

void TestStateStoreContract::init()
{
    QString error;
    m_location = makeLocation(&error);
    QVERIFY2(m_location, qPrintable(error));
}

void TestStateStoreContract::cleanup()
{
    m_location.reset();
}

Client TestStateStoreContract::newClient() const
{
    if (m_location->isClientSide())
        return {QStringLiteral("_a0_session"), std::make_shared<StoreContext>()};
    return {SessionCodec::newSessionId(), nullptr};
}

Status TestStateStoreContract::put(StateStore &store, Client &client, const StateData &state) const
{
    Status status = await(store.set(client.id, state, client.context));
    if (client.context)
        client.context->applySetCookies();
    return status;
}

Result<std::optional<StateData>> TestStateStoreContract::fetch(StateStore &store, Client &client) const
{
    auto result = await(store.get(client.id, client.context));
    if (client.context)
        client.context->applySetCookies();
    return result;
}

std::unique_ptr<StateStore> TestStateStoreContract::open(std::initializer_list<const char *> secrets,
                                                         ExpiryPolicy expiry) const
{
    return m_location->open(secretList(secrets), expiry);
}

void TestStateStoreContract::roundTrip()
{
    auto store = open({"s1"});
    Client client = newClient();
    const StateData state = makeState(QStringLiteral("auth0|1"), QStringLiteral("sid-1"), m_location->issuer, now());
    QVERIFY_OK(put(*store, client, state));
    auto back = fetch(*store, client);
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().toString()));
    QVERIFY(back->has_value());
    QCOMPARE(QByteArray::fromStdString((*back)->serialize()), QByteArray::fromStdString(state.serialize()));
    QCOMPARE((*back)->user->name().value(), QStringLiteral("Zo\u00eb \U0001F600"));
}

void TestStateStoreContract::missingSessionIsEmpty()
{
    auto store = open({"s1"});
    Client client = newClient();
    auto back = fetch(*store, client);
    QVERIFY(back.ok());
    QVERIFY(!back->has_value());
}

void TestStateStoreContract::overwrite()
{
    auto store = open({"s1"});
    Client client = newClient();
    QVERIFY_OK(put(*store, client, makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now())));
    StateData second = makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now());
    second.refreshToken = QStringLiteral("rotated-refresh-token");
    QVERIFY_OK(put(*store, client, second));
    auto back = fetch(*store, client);
    QVERIFY(back.ok() && back->has_value());
    QCOMPARE((*back)->refreshToken.value(), QStringLiteral("rotated-refresh-token"));
}

void TestStateStoreContract::removeDeletes()
{
    auto store = open({"s1"});
    Client client = newClient();
    Client other = newClient();
    QVERIFY_OK(put(*store, client, makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now())));
    QVERIFY_OK(put(*store, other, makeState(QStringLiteral("u2"), QStringLiteral("b"), m_location->issuer, now())));
    QVERIFY(await(store->remove(client.id, client.context)).ok());
    if (client.context)
        client.context->applySetCookies();
    QVERIFY(!fetch(*store, client)->has_value());
    QVERIFY(fetch(*store, other)->has_value());
    // Removing again (or something that never existed) is fine.
    QVERIFY(await(store->remove(client.id, client.context)).ok());
    // A removed session is not revived by revocation bookkeeping either.
    QCOMPARE(await(store->deleteByLogoutToken({m_location->issuer, QStringLiteral("u1"), std::nullopt})).value(), 0);
}

void TestStateStoreContract::absoluteExpiry()
{
    ExpiryPolicy expiry;
    expiry.absoluteSeconds = 3600;
    auto store = open({"s1"}, expiry);
    Client client = newClient();
    QVERIFY_OK(put(*store, client, makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now())));
    m_location->clock->advance(3590);
    QVERIFY(fetch(*store, client)->has_value());
    m_location->clock->advance(11);
    auto back = fetch(*store, client);
    QVERIFY(back.ok());
    QVERIFY(!back->has_value());
}

void TestStateStoreContract::inactivityExpiryRolls()
{
    ExpiryPolicy expiry;
    expiry.absoluteSeconds = 3600;
    expiry.inactivitySeconds = 100;
    auto store = open({"s1"}, expiry);
    Client client = newClient();
    QVERIFY_OK(put(*store, client, makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now())));
    // Each read within 100 s keeps it alive...
    for (int i = 0; i < 4; ++i) {
        m_location->clock->advance(80);
        auto back = fetch(*store, client);
        QVERIFY2(back.ok() && back->has_value(), qPrintable(QStringLiteral("read %1").arg(i)));
    }
    // ...101 s of silence ends it,
    m_location->clock->advance(101);
    QVERIFY(!fetch(*store, client)->has_value());

    // and activity never extends a session past its absolute lifetime.
    Client busy = newClient();
    QVERIFY_OK(put(*store, busy, makeState(QStringLiteral("u2"), QStringLiteral("b"), m_location->issuer, now())));
    for (int elapsed = 90; elapsed <= 3510; elapsed += 90) {
        m_location->clock->advance(90);
        if (!fetch(*store, busy)->has_value())
            QFAIL(qPrintable(QStringLiteral("expired early after %1 s").arg(elapsed)));
    }
    // The test clock also moves with real time, so keep ~10 s of margin on every boundary.
    m_location->clock->advance(80); // 3590 s: still inside both limits; this read is activity too
    QVERIFY(fetch(*store, busy)->has_value());
    m_location->clock->advance(12); // 3602 s: inactivity would allow it, the absolute limit does not
    QVERIFY(!fetch(*store, busy)->has_value());
}

void TestStateStoreContract::serverSideExpiryInRealTime()
{
    // Without moving the test clock: the backend itself must drop the session (Redis TTL, SQL
    // deadline column, cookie Max-Age and the envelope's deadline).
    // Deadlines have one-second resolution: 2 s of lifetime is at least 1 s of it.
    ExpiryPolicy expiry;
    expiry.absoluteSeconds = 2;
    auto store = open({"s1"}, expiry);
    Client client = newClient();
    QVERIFY_OK(put(*store, client, makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now())));
    QVERIFY(fetch(*store, client)->has_value());
    // Gone once the deadline has passed on the server's clock: wait for that, not for a fixed time.
    QTRY_VERIFY_WITH_TIMEOUT(!fetch(*store, client)->has_value(), 15000);
}

void TestStateStoreContract::rotationOldSecretStillDecrypts()
{
    auto before = open({"old"});
    Client written = newClient();
    const StateData state = makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now());
    QVERIFY_OK(put(*before, written, state));

    auto rotated = open({"new", "old"});
    auto back = fetch(*rotated, written);
    QVERIFY2(back.ok() && back->has_value(), back.ok() ? "" : qPrintable(back.error().toString()));
    QCOMPARE((*back)->user->sub(), QStringLiteral("u1"));

    // New writes use the new secret: a store with only the new one reads them, one with only
    // the old one cannot.
    Client fresh = newClient();
    QVERIFY_OK(put(*rotated, fresh, state));
    auto newOnly = open({"new"});
    QVERIFY(fetch(*newOnly, fresh)->has_value());
    auto oldOnly = open({"old"});
    QCOMPARE(fetch(*oldOnly, fresh).error().code, ErrorCode::DecryptFailed);
}

void TestStateStoreContract::wrongSecretIsAnErrorAndLeavesDataUntouched()
{
    auto store = open({"right"});
    Client client = newClient();
    QVERIFY_OK(put(*store, client, makeState(QStringLiteral("u1"), QStringLiteral("a"), m_location->issuer, now())));
    auto wrong = open({"wrong"});
    auto attempt = fetch(*wrong, client);
    QVERIFY(!attempt.ok());
    QCOMPARE(attempt.error().code, ErrorCode::DecryptFailed);
    QVERIFY(!attempt.error().toString().contains(QLatin1String("rt-u1")));
    // Still there, still readable with the right secret.
    auto back = fetch(*store, client);
    QVERIFY(back.ok() && back->has_value());
    QCOMPARE((*back)->refreshToken.value(), QStringLiteral("rt-u1"));
}

void TestStateStoreContract::revokeBySubOnly()
{
    auto store = open({"s1"});
    QList<Client> alice{newClient(), newClient(), newClient()};
    Client bob = newClient();
    for (int i = 0; i < 3; ++i)
        QVERIFY(put(*store, alice[i],
                    makeState(QStringLiteral("alice"), QStringLiteral("a%1").arg(i), m_location->issuer, now()))
                    .ok());
    QVERIFY_OK(put(*store, bob, makeState(QStringLiteral("bob"), QStringLiteral("b0"), m_location->issuer, now())));
    auto removed = await(store->deleteByLogoutToken({m_location->issuer, QStringLiteral("alice"), std::nullopt}));
    QVERIFY2(removed.ok(), removed.ok() ? "" : qPrintable(removed.error().toString()));
    if (!m_location->isClientSide())
        QCOMPARE(*removed, 3);
    for (Client &c : alice)
        QVERIFY(!fetch(*store, c)->has_value());
    QVERIFY(fetch(*store, bob)->has_value());
}

void TestStateStoreContract::revokeBySidOnly()
{
    auto store = open({"s1"});
    QList<Client> alice{newClient(), newClient(), newClient()};
    for (int i = 0; i < 3; ++i)
        QVERIFY(put(*store, alice[i],
                    makeState(QStringLiteral("alice"), QStringLiteral("a%1").arg(i), m_location->issuer, now()))
                    .ok());
    auto removed = await(store->deleteByLogoutToken({m_location->issuer, std::nullopt, QStringLiteral("a1")}));
    QVERIFY(removed.ok());
    if (!m_location->isClientSide())
        QCOMPARE(*removed, 1);
    QVERIFY(fetch(*store, alice[0])->has_value());
    QVERIFY(!fetch(*store, alice[1])->has_value());
    QVERIFY(fetch(*store, alice[2])->has_value());
}

void TestStateStoreContract::revokeBySubAndSid()
{
    auto store = open({"s1"});
    Client a0 = newClient(), a1 = newClient(), b0 = newClient();
    QVERIFY_OK(put(*store, a0, makeState(QStringLiteral("alice"), QStringLiteral("a0"), m_location->issuer, now())));
    QVERIFY_OK(put(*store, a1, makeState(QStringLiteral("alice"), QStringLiteral("a1"), m_location->issuer, now())));
    QVERIFY_OK(put(*store, b0, makeState(QStringLiteral("bob"), QStringLiteral("b0"), m_location->issuer, now())));
    // A sid that belongs to another user matches nothing.
    auto none = await(store->deleteByLogoutToken({m_location->issuer, QStringLiteral("bob"), QStringLiteral("a0")}));
    QVERIFY(none.ok());
    if (!m_location->isClientSide())
        QCOMPARE(*none, 0);
    QVERIFY(fetch(*store, a0)->has_value());
    auto one = await(store->deleteByLogoutToken({m_location->issuer, QStringLiteral("alice"), QStringLiteral("a0")}));
    QVERIFY(one.ok());
    if (!m_location->isClientSide())
        QCOMPARE(*one, 1);
    QVERIFY(!fetch(*store, a0)->has_value());
    QVERIFY(fetch(*store, a1)->has_value());
    QVERIFY(fetch(*store, b0)->has_value());
}

void TestStateStoreContract::revokeIsIssuerScoped()
{
    auto store = open({"s1"});
    Client ours = newClient(), theirs = newClient();
    QVERIFY(
        put(*store, ours, makeState(QStringLiteral("same-sub"), QStringLiteral("same-sid"), m_location->issuer, now()))
            .ok());
    QVERIFY(put(*store, theirs,
                makeState(QStringLiteral("same-sub"), QStringLiteral("same-sid"), QStringLiteral("https://other.test/"),
                          now()))
                .ok());
    auto removed = await(store->deleteByLogoutToken({m_location->issuer, QStringLiteral("same-sub"), std::nullopt}));
    QVERIFY(removed.ok());
    QVERIFY(!fetch(*store, ours)->has_value());
    QVERIFY(fetch(*store, theirs)->has_value());
    QVERIFY(await(store->deleteByLogoutToken(
                      {QStringLiteral("https://other.test/"), std::nullopt, QStringLiteral("same-sid")}))
                .ok());
    QVERIFY(!fetch(*store, theirs)->has_value());
}

void TestStateStoreContract::revokeFindsSessionsWrittenBeforeRotation()
{
    auto before = open({"old"});
    Client c1 = newClient(), c2 = newClient();
    QVERIFY_OK(put(*before, c1, makeState(QStringLiteral("carol"), QStringLiteral("c1"), m_location->issuer, now())));
    auto rotated = open({"new", "old"});
    QVERIFY(
        put(*rotated, c2, makeState(QStringLiteral("carol"), QStringLiteral("c2"), m_location->issuer, now())).ok());
    auto removed = await(rotated->deleteByLogoutToken({m_location->issuer, QStringLiteral("carol"), std::nullopt}));
    QVERIFY(removed.ok());
    if (!m_location->isClientSide())
        QCOMPARE(*removed, 2);
    QVERIFY(!fetch(*rotated, c1)->has_value());
    QVERIFY(!fetch(*rotated, c2)->has_value());
}

void TestStateStoreContract::invalidLogoutTargetRefused()
{
    auto store = open({"s1"});
    QCOMPARE(await(store->deleteByLogoutToken({m_location->issuer, std::nullopt, std::nullopt})).error().code,
             ErrorCode::InvalidArgument);
    QCOMPARE(await(store->deleteByLogoutToken({QString(), QStringLiteral("u"), std::nullopt})).error().code,
             ErrorCode::InvalidArgument);
}

void TestStateStoreContract::concurrentWriters()
{
    // Four writers (two store objects, each used from two threads) create 25 sessions each for
    // five users; every session reads back and a revocation finds all of one user's.
    auto storeA = open({"s1"});
    auto storeB = open({"s1"});
    QList<int> writers{0, 1, 2, 3};
    const QList<QList<Client>> written = QtConcurrent::blockingMapped(writers, [&](int w) {
        QList<Client> clients;
        StateStore &store = (w % 2) ? *storeB : *storeA;
        for (int i = 0; i < 25; ++i) {
            Client c = newClient();
            const QString user = QStringLiteral("user%1").arg(i % 5);
            if (!put(store, c, makeState(user, QStringLiteral("w%1-%2").arg(w).arg(i), m_location->issuer, now())).ok())
                return QList<Client>();
            clients.append(c);
        }
        return clients;
    });
    int total = 0;
    for (const auto &list : written) {
        QCOMPARE(list.size(), 25);
        for (Client c : list) {
            auto back = fetch(*storeA, c);
            QVERIFY(back.ok() && back->has_value());
            ++total;
        }
    }
    QCOMPARE(total, 100);
    auto removed = await(storeB->deleteByLogoutToken({m_location->issuer, QStringLiteral("user3"), std::nullopt}));
    QVERIFY(removed.ok());
    if (!m_location->isClientSide())
        QCOMPARE(*removed, 20);
    int remaining = 0;
    for (const auto &list : written) {
        for (Client c : list) {
            auto back = fetch(*storeA, c);
            QVERIFY(back.ok());
            if (back->has_value()) {
                ++remaining;
                QVERIFY((*back)->user->sub() != QStringLiteral("user3"));
            }
        }
    }
    QCOMPARE(remaining, 80);
}

void TestStateStoreContract::constantSessionIdRefused()
{
    auto store = open({"s1"});
    if (m_location->isClientSide()) {
        // Keyed by the cookie name by design; what it refuses is a name browsers would mangle.
        auto status = await(store->set(QStringLiteral("bad name;"),
                                       makeState(QStringLiteral("u"), QStringLiteral("s"), m_location->issuer, now()),
                                       std::make_shared<StoreContext>()));
        QCOMPARE(status.error().code, ErrorCode::InvalidArgument);
        return;
    }
    auto status = await(store->set(QStringLiteral("_a0_session"),
                                   makeState(QStringLiteral("u"), QStringLiteral("s"), m_location->issuer, now())));
    QCOMPARE(status.error().code, ErrorCode::InvalidArgument);
    QVERIFY(status.error().detail.contains(QLatin1String("random")));
}

void TestStateStoreContract::bulkWriteAndRead()
{
    auto store = open({"s1"});
    QList<QPair<QString, StateData>> sessions;
    for (int i = 0; i < 300; ++i)
        sessions.append(
            {SessionCodec::newSessionId(),
             makeState(QStringLiteral("bulk%1").arg(i % 10), QStringLiteral("b%1").arg(i), m_location->issuer, now())});
    const Status written = await(store->setMany(sessions));
    if (m_location->isClientSide()) {
        // Browser-held sessions have no bulk form: each needs its own request context.
        QCOMPARE(written.error().code, ErrorCode::InvalidArgument);
        return;
    }
    QVERIFY_OK(written);
    QStringList ids;
    for (const auto &s : sessions)
        ids << s.first;
    ids.insert(150, SessionCodec::newSessionId()); // never written
    auto read = await(store->getMany(ids));
    QVERIFY_OK(read);
    QCOMPARE(read->size(), 301);
    for (int i = 0; i < 301; ++i) {
        QVERIFY_OK((*read)[i]);
        QCOMPARE((*read)[i]->has_value(), i != 150);
    }
    QCOMPARE((*(*read)[0])->user->sub(), QStringLiteral("bulk0"));
    QCOMPARE((*(*read)[300])->internal.sid, QStringLiteral("b299"));
    // A second batch rewrites the first 35 of them (their index entries move to the new user),
    // names one id twice (the later state wins, as if written one after another) and adds 5 new
    // ones: 41 sessions, PostgreSQL's COPY path. Then the same with 3 rewrites: its INSERT path.
    for (const qsizetype rewrites : {qsizetype(35), qsizetype(3)}) {
        const QString user = QStringLiteral("rebulk%1").arg(rewrites);
        QList<QPair<QString, StateData>> again;
        for (qsizetype i = 0; i < rewrites; ++i)
            again.append({sessions[i].first, makeState(user, QStringLiteral("r%1").arg(i), m_location->issuer, now())});
        again.append({sessions[0].first, makeState(user, QStringLiteral("twice"), m_location->issuer, now())});
        QStringList added;
        for (int i = 0; i < 5; ++i) {
            added << SessionCodec::newSessionId();
            again.append({added.last(), makeState(user, QStringLiteral("new%1").arg(i), m_location->issuer, now())});
        }
        QVERIFY_OK(await(store->setMany(again)));
        auto reread = await(store->getMany(QStringList{sessions[0].first, sessions[1].first} + added));
        QVERIFY_OK(reread);
        QCOMPARE((*(*reread)[0])->internal.sid, QStringLiteral("twice"));
        QCOMPARE((*(*reread)[1])->user->sub(), user);
        QCOMPARE((*(*reread)[6])->internal.sid, QStringLiteral("new4"));
        QCOMPARE(await(store->deleteByLogoutToken({m_location->issuer, user, std::nullopt})).value(), rewrites + 5);
    }
    // Revocation sees bulk-written sessions like any other (bulk7's sessions 7, 17 and 27 were
    // rewritten to rebulk35 and went with it).
    QCOMPARE(await(store->deleteByLogoutToken({m_location->issuer, QStringLiteral("bulk7"), std::nullopt})).value(),
             27);
    // A store with the wrong secret gets one error per session, not a failed call.
    auto wrong = open({"other"});
    auto unreadable = await(wrong->getMany(ids.mid(40, 5)));
    QVERIFY_OK(unreadable);
    for (const auto &item : *unreadable)
        QCOMPARE(item.error().code, ErrorCode::DecryptFailed);
}

QTEST_GUILESS_MAIN(TestStateStoreContract)
#include "TestStateStoreContract.moc"
