// Servers dying under the stores: a stream of writes, the server SIGKILLed (Redis) or crashed
// with an immediate stop (PostgreSQL) in the middle, then restarted. Every operation must either
// succeed or report a clear "unreachable" error; afterwards the next operation succeeds, every
// acknowledged session is there, and no session exists without its index entries.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "stores/StoreFactory.h"
#include "stores/redis/RedisConnection.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TestSupport.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace si;
using namespace si::stores;
using namespace si::test;

namespace {

StateData stateFor(int i)
{
    StateData state;
    json::Object claims;
    claims.append("iss", "https://idp.test/");
    claims.append("sub", QStringLiteral("user%1").arg(i % 7));
    claims.append("sid", QStringLiteral("sid-%1").arg(i));
    state.user = UserClaims::fromIdTokenClaims(claims);
    state.refreshToken = QStringLiteral("rt-%1").arg(i);
    state.internal.sid = QStringLiteral("sid-%1").arg(i);
    state.internal.createdAt = systemClock();
    return state;
}

std::shared_ptr<const SessionCodec> faultCodec()
{
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://idp.test/");
    return std::make_shared<SessionCodec>(secretList({"fault-secret"}), options);
}

struct WriteLog {
    QStringList acknowledged; // id per successful set
    QList<Error> failures;
};

// Writes sessions (one per set(), or `batch` per setMany()) until `stop` or the third failure
// (each failed attempt is a reconnect).
WriteLog writeUntil(StateStore &store, const std::atomic<bool> &stop, int maxWrites, int batch = 1)
{
    WriteLog log;
    for (int i = 0; i < maxWrites && !stop && log.failures.size() < 3; i += batch) {
        QList<QPair<QString, StateData>> sessions;
        for (int j = 0; j < batch; ++j)
            sessions.append({SessionCodec::newSessionId(), stateFor(i + j)});
        const Status s =
            batch == 1 ? await(store.set(sessions[0].first, sessions[0].second)) : await(store.setMany(sessions));
        if (s) {
            for (const auto &written : sessions)
                log.acknowledged << written.first;
        } else {
            log.failures << s.error();
        }
    }
    return log;
}

} // namespace

class TestStoreFaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redisKilledDuringWrites();
    void postgresCrashedDuringWrites();
};

void TestStoreFaults::redisKilledDuringWrites()
{
    RedisServerProcess server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(server.url()).value();
    StoreFactory factory(StoreOptions{QStringLiteral("f:")});
    auto store = factory.stateStore(url, faultCodec()).value();

    // Writes run here; another thread kills the server 300 ms in.
    std::atomic<bool> stop{false};
    QThread *killer = QThread::create([&] {
        QThread::msleep(300);
        server.kill();
    });
    killer->start();
    const WriteLog log = writeUntil(*store, stop, 100000);
    killer->wait();
    delete killer;
    QVERIFY2(log.acknowledged.size() > 10, "the server died before any real work happened");
    QVERIFY(!log.failures.isEmpty());
    for (const Error &e : log.failures) {
        QVERIFY2(e.code == ErrorCode::StoreUnreachable || e.code == ErrorCode::Timeout, qPrintable(e.toString()));
        QVERIFY2(e.message.startsWith(QStringLiteral("Redis at 127.0.0.1:%1").arg(server.port())),
                 qPrintable(e.toString()));
    }

    // Same port, same append-only file: the server comes back with what it acknowledged.
    QVERIFY2(server.start(&error), qPrintable(error));
    Status next = await(store->set(SessionCodec::newSessionId(), stateFor(1)));
    if (!next) // the first call may still find the old socket dead; the one after must work
        next = await(store->set(SessionCodec::newSessionId(), stateFor(1)));
    QVERIFY2(next.ok(), next.ok() ? "" : qPrintable(next.error().toString()));

    // Every acknowledged session survived and reads back.
    for (const QString &id : log.acknowledged) {
        auto back = await(store->get(id));
        QVERIFY2(back.ok() && back->has_value(), qPrintable(id));
    }
    // Nothing half-written: every session hash is complete and listed in both of its indexes.
    RedisEndpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = server.port();
    RedisConnection raw(e);
    auto keys = raw.command({"KEYS", "f:s:*"});
    QVERIFY(keys.ok());
    QVERIFY(keys->elements.size() >= log.acknowledged.size());
    for (const RedisReply &key : keys->elements) {
        auto fields = raw.command({"HMGET", key.string, "v", "k", "c", "l", "a", "e", "u", "d"});
        for (const RedisReply &f : fields->elements)
            QVERIFY2(!f.isNil() && !f.string.isEmpty(), key.string.constData());
        const QByteArray id = key.string.mid(4);
        QVERIFY(raw.command({"ZSCORE", "f:u:" + fields->elements[6].string, id})->type == RedisReply::Type::String);
        QVERIFY(raw.command({"ZSCORE", "f:d:" + fields->elements[7].string, id})->type == RedisReply::Type::String);
        QVERIFY(raw.command({"PTTL", key.string})->integer > 0);
    }
    // And revocation still finds them all: user3's sessions go, others stay.
    auto removed =
        await(store->deleteByLogoutToken({QStringLiteral("https://idp.test/"), QStringLiteral("user3"), {}}));
    QVERIFY(removed.ok());
    QVERIFY(*removed > 0);
    for (const QString &id : log.acknowledged) {
        auto back = await(store->get(id));
        QVERIFY(back.ok());
        if (back->has_value())
            QVERIFY((*back)->user->sub() != QStringLiteral("user3"));
    }
}

void TestStoreFaults::postgresCrashedDuringWrites()
{
    PostgresProcess server;
    QString error;
    QVERIFY2(server.init(&error), qPrintable(error));
    QVERIFY2(server.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(server.url()).value();
    StoreFactory factory;
    auto store = factory.stateStore(url, faultCodec()).value();
    QVERIFY(await(store->set(SessionCodec::newSessionId(), stateFor(0))).ok()); // schema in place

    // One session per write, then batches of 64 (PostgreSQL's COPY path, whose staging table
    // must come back on the new connection).
    for (const int batch : {1, 64}) {
        std::atomic<bool> stop{false};
        QThread *crasher = QThread::create([&] {
            QThread::msleep(400);
            server.crash();
        });
        crasher->start();
        const WriteLog log = writeUntil(*store, stop, 100000, batch);
        crasher->wait();
        delete crasher;
        QVERIFY2(log.acknowledged.size() > 10 * batch, "the server died before any real work happened");
        QVERIFY(!log.failures.isEmpty());
        for (const Error &e : log.failures)
            QVERIFY2(e.code == ErrorCode::StoreUnreachable, qPrintable(e.toString()));

        QVERIFY2(server.start(&error), qPrintable(error));
        const WriteLog next = writeUntil(*store, stop, 2 * batch, batch);
        QVERIFY2(!next.acknowledged.isEmpty(), qPrintable(next.failures.value(0).toString()));
        for (const QString &id : log.acknowledged + next.acknowledged) {
            auto back = await(store->get(id));
            QVERIFY2(back.ok() && back->has_value(), back.ok() ? qPrintable(id) : qPrintable(back.error().toString()));
        }
    }
    // Every row has both index columns (a row is written in one statement).
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("fault-check"));
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(server.port());
        db.setUserName(QStringLiteral("postgres"));
        db.setDatabaseName(QStringLiteral("postgres"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(
            q.exec(QStringLiteral("SELECT count(*) FROM si_sessions WHERE subject_hash IS NULL OR session_hash IS NULL"
                                  " OR envelope = ''")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("fault-check"));
}

QTEST_GUILESS_MAIN(TestStoreFaults)
#include "TestStoreFaults.moc"
