// Servers dying under the stores: a stream of writes, the server SIGKILLed (Redis) or crashed
// with an immediate stop (PostgreSQL) in the middle, then restarted. Every operation must either
// succeed or report a clear "unreachable" error; afterwards the next operation succeeds, every
// acknowledged session is there, and no session exists without its index entries.
// loadWithFaults: the same under load — a writer creating 2,000 sessions/s while the inspector
// engine lists, searches, revokes and bulk-deletes, and the network (a TCP proxy) stalls and drops
// connections and the server is killed and restarted.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/inspector/AuditLog.h"
#include "core/inspector/SessionBackend.h"
#include "stores/StoreFactory.h"
#include "stores/inspect/Inspection.h"
#include "stores/redis/RedisConnection.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TcpProxy.h"
#include "tests/support/TestSupport.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QThread>
#include <QWaitCondition>
#include <QtTest>

#include <atomic>

using namespace si;
using namespace si::stores;
using namespace si::test;

namespace {

StateData stateFor(int i)
{
    return loginState(QStringLiteral("user%1").arg(i % 7), i);
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

// What the threads of a fault test have done so far, and waits on it: a thread that breaks the
// server, or lets it recover, does so after enough work has happened (whatever the machine's
// pace), never after a fixed time.
struct Counts {
    qint64 acked = 0;         // sessions the writer had acknowledged
    qint64 writeFailures = 0; // write batches that failed
    qint64 ops = 0;           // engine operations done
    qint64 opFailures = 0;    // engine operations that failed
};

class Progress {
public:
    void wrote(qint64 acked, bool failed)
    {
        QMutexLocker lock(&m_mutex);
        m_counts.acked += acked;
        m_counts.writeFailures += failed ? 1 : 0;
        m_changed.wakeAll();
    }
    void operated(bool failed)
    {
        QMutexLocker lock(&m_mutex);
        ++m_counts.ops;
        m_counts.opFailures += failed ? 1 : 0;
        m_changed.wakeAll();
    }
    // Nothing more will happen (the writer gave up): every wait returns.
    void finish()
    {
        QMutexLocker lock(&m_mutex);
        m_finished = true;
        m_changed.wakeAll();
    }
    Counts now() const
    {
        QMutexLocker lock(&m_mutex);
        return m_counts;
    }
    // Blocks until `reached(counts)`; false when finish() came first or nothing got there within
    // `deadlineMs` (a bound for a broken run, not a pace the test relies on).
    bool waitFor(const std::function<bool(const Counts &)> &reached, int deadlineMs = 60000)
    {
        QDeadlineTimer deadline(deadlineMs);
        QMutexLocker lock(&m_mutex);
        while (!reached(m_counts)) {
            if (m_finished || !m_changed.wait(&m_mutex, deadline))
                return reached(m_counts);
        }
        return true;
    }

private:
    mutable QMutex m_mutex;
    QWaitCondition m_changed;
    Counts m_counts;
    bool m_finished = false;
};

// Writes sessions (one per set(), or `batch` per setMany()) until `stop` or the third failure
// (each failed attempt is a reconnect), telling `progress` (when given) as it goes.
WriteLog writeUntil(StateStore &store, const std::atomic<bool> &stop, int maxWrites, int batch = 1,
                    Progress *progress = nullptr)
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
        if (progress)
            progress->wrote(s ? sessions.size() : 0, !s);
    }
    if (progress)
        progress->finish();
    return log;
}

} // namespace

class TestStoreFaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void redisKilledDuringWrites();
    void postgresCrashedDuringWrites();
    void stoppedPostgresTimesOut();
    void loadWithFaults_data();
    void loadWithFaults();
};

void TestStoreFaults::redisKilledDuringWrites()
{
    RedisServerProcess server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(server.url()).value();
    StoreFactory factory(StoreOptions{QStringLiteral("f:")});
    auto store = factory.stateStore(url, faultCodec()).value();

    // Writes run here; another thread kills the server once 200 sessions were acknowledged.
    std::atomic<bool> stop{false};
    Progress progress;
    QThread *killer = QThread::create([&] {
        progress.waitFor([](const Counts &c) { return c.acked >= 200; });
        server.kill();
    });
    killer->start();
    const WriteLog log = writeUntil(*store, stop, 100000, 1, &progress); // (finishes `progress`)
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
        Progress progress;
        QThread *crasher = QThread::create([&] {
            progress.waitFor([batch](const Counts &c) { return c.acked >= 20 * batch; });
            server.crash();
        });
        crasher->start();
        const WriteLog log = writeUntil(*store, stop, 100000, batch, &progress);
        crasher->wait();
        delete crasher;
        QVERIFY2(log.acknowledged.size() > 10 * batch, "the server died before any real work happened");
        QVERIFY(!log.failures.isEmpty());
        for (const Error &e : log.failures)
            QVERIFY2(e.code == ErrorCode::StoreUnreachable, qPrintable(e.toString()));

        QVERIFY2(server.start(&error), qPrintable(error));
        stop = false;
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

// A PostgreSQL server that hangs — SIGSTOP: the kernel still accepts connections and buffers what
// is sent, nothing answers — gives each operation a timeout error instead of a worker that waits
// forever: reads, writes, a listing, and a store connecting only now. Once the server resumes,
// the next operation works again (on a new connection) and nothing acknowledged is lost.
void TestStoreFaults::stoppedPostgresTimesOut()
{
    PostgresProcess server;
    QString error;
    QVERIFY2(server.init(&error), qPrintable(error));
    QVERIFY2(server.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(server.url() + QStringLiteral("&timeout_ms=1500")).value();
    StoreFactory factory(StoreOptions{QStringLiteral("hang_")});
    auto store = factory.stateStore(url, faultCodec()).value();
    const QString kept = SessionCodec::newSessionId();
    QVERIFY_OK(await(store->set(kept, stateFor(1))));
    InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = secretList({"fault-secret"});
    options.prefix = QStringLiteral("hang_");
    options.issuer = QStringLiteral("https://idp.test/");
    auto opened = openInspector(url, options);
    QVERIFY_OK(opened);
    QVERIFY_OK(await(opened->backend->fetchPage({}, 10)));

    QVERIFY2(server.setStopped(true, &error), qPrintable(error));
    auto resume = qScopeGuard([&server] {
        QString ignored;
        server.setStopped(false, &ignored);
    });
    const auto isTimeout = [](const Error &e) {
        return e.code == ErrorCode::Timeout && e.message.contains(QLatin1String("within 1500 ms"));
    };
    // On the connections already open: the statement's deadline.
    const Status write = await(store->set(SessionCodec::newSessionId(), stateFor(2)));
    QVERIFY(!write);
    QVERIFY2(isTimeout(write.error()), qPrintable(write.error().toString()));
    QVERIFY2(write.error().detail.contains(QLatin1String("may or may not have run")),
             qPrintable(write.error().toString()));
    auto page = await(opened->backend->fetchPage({}, 10));
    QVERIFY(!page);
    QVERIFY2(isTimeout(page.error()), qPrintable(page.error().toString()));
    // The store closed its timed-out connection; the next operation connects anew and meets
    // libpq's connect_timeout (2 s in the URL).
    auto read = await(store->get(kept));
    QVERIFY(!read);
    QVERIFY2(read.error().code == ErrorCode::StoreUnreachable, qPrintable(read.error().toString()));
    // So does a store made only now.
    StoreFactory lateFactory(StoreOptions{QStringLiteral("hang_")});
    auto late = lateFactory.stateStore(url, faultCodec());
    QVERIFY_OK(late);
    auto lateRead = await((*late)->get(kept));
    QVERIFY(!lateRead);
    QVERIFY2(lateRead.error().code == ErrorCode::StoreUnreachable, qPrintable(lateRead.error().toString()));

    resume.dismiss();
    QVERIFY2(server.setStopped(false, &error), qPrintable(error));
    for (auto *s : {store.get(), late->get()}) {
        auto back = await(s->get(kept));
        QVERIFY_OK(back);
        QVERIFY(back->has_value());
    }
    QVERIFY_OK(await(opened->backend->fetchPage({}, 10)));
    QVERIFY_OK(await(store->set(SessionCodec::newSessionId(), stateFor(3))));
}

namespace {

// Users: u0…u9 are revoked, u40…u43 bulk-deleted, u10…u39 left alone.
StateData loadState(int n)
{
    StateData state = stateFor(n);
    json::Object claims;
    claims.append("iss", "https://idp.test/");
    claims.append("sub", QStringLiteral("u%1").arg(n % 44));
    claims.append("sid", QStringLiteral("sid-%1").arg(n));
    state.user = UserClaims::fromIdTokenClaims(claims);
    return state;
}

struct Acked {
    QString id;
    QString sub;
    qint64 atMs = 0; // when the write was acknowledged
};

// An operation of the engine and what it said.
struct Outcome {
    QString op;
    qint64 startedMs = 0;
    std::optional<Error> error;
};

template<typename T>
Outcome outcomeOf(const QString &op, qint64 startedMs, const Result<T> &result)
{
    return Outcome{op, startedMs, result ? std::nullopt : std::optional<Error>(result.error())};
}

} // namespace

void TestStoreFaults::loadWithFaults_data()
{
    QTest::addColumn<bool>("redis");
    QTest::newRow("redis") << true;
    QTest::newRow("postgresql") << false;
}

void TestStoreFaults::loadWithFaults()
{
    QFETCH(bool, redis);
    RedisServerProcess redisServer;
    PostgresProcess pgServer;
    QString error;
    if (redis) {
        QVERIFY2(redisServer.start(&error), qPrintable(error));
    } else {
        QVERIFY2(pgServer.init(&error), qPrintable(error));
        QVERIFY2(pgServer.start(&error), qPrintable(error));
    }
    const quint16 serverPort = redis ? redisServer.port() : pgServer.port();
    const QString direct = redis ? redisServer.url() : pgServer.url();
    TcpProxy proxy(QStringLiteral("127.0.0.1"), serverPort);
    QString proxied = direct;
    proxied.replace(QStringLiteral(":%1/").arg(serverPort), QStringLiteral(":%1/").arg(proxy.port()));
    if (!redis)
        proxied += QStringLiteral("&timeout_ms=2000"); // as the Redis URL: a stalled statement fails in 2 s
    const StoreUrl url = StoreUrl::parse(proxied).value();
    const QString prefix = redis ? QStringLiteral("lf:") : QStringLiteral("lf_");

    StoreFactory writerFactory(StoreOptions{prefix});
    auto writer = writerFactory.stateStore(url, faultCodec()).value();
    QVERIFY_OK(await(writer->set(SessionCodec::newSessionId(), loadState(10)))); // schema in place
    QTemporaryDir dir;
    InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = secretList({"fault-secret"});
    options.prefix = prefix;
    options.issuer = QStringLiteral("https://idp.test/");
    options.audit = std::make_shared<inspector::AuditLog>(dir.filePath(QStringLiteral("audit.jsonl")));
    auto opened = openInspector(url, options);
    QVERIFY_OK(opened);
    inspector::SessionBackend &engine = *opened->backend;

    QElapsedTimer clock;
    clock.start();
    std::atomic<bool> stop{false};
    Progress progress;
    QMutex lock;
    QList<Acked> acked;
    QList<Error> writeErrors;
    // 20 sessions every 10 ms (pacing, not synchronisation); after an outage it does not try to
    // catch up in a burst.
    QThread *writerThread = QThread::create([&] {
        int n = 0;
        qint64 due = 0;
        while (!stop) {
            QList<QPair<QString, StateData>> batch;
            for (int j = 0; j < 20; ++j, ++n)
                batch.append({SessionCodec::newSessionId(), loadState(n)});
            const Status written = await(writer->setMany(batch));
            {
                QMutexLocker locker(&lock);
                if (written) {
                    for (const auto &b : batch)
                        acked.append({b.first, b.second.user->sub(), clock.elapsed()});
                } else {
                    writeErrors.append(written.error());
                }
            }
            progress.wrote(written ? batch.size() : 0, !written);
            due += 10;
            const qint64 wait = due - clock.elapsed();
            if (wait > 0)
                QThread::msleep(static_cast<unsigned long>(wait));
            else if (wait < -500)
                due = clock.elapsed();
        }
    });
    // The network and the server misbehave, each step once the previous one has been felt by the
    // writer and the engine (their counts in `progress`); the main thread restarts the server.
    std::atomic<qint64> faultsFromMs{0}, killedAtMs{0};
    std::atomic<bool> restartWanted{false}, faultsDone{false};
    QString missed; // the step that never happened (read after the thread ends)
    QThread *faults = QThread::create([&] {
        const auto step = [&](const char *what, const std::function<bool(const Counts &, const Counts &)> &reached) {
            if (!missed.isEmpty())
                return false;
            const Counts from = progress.now();
            if (!progress.waitFor([&](const Counts &c) { return reached(from, c); }))
                missed = QLatin1String(what);
            return missed.isEmpty();
        };
        const auto moreWork = [](qint64 sessions, qint64 ops) {
            return [sessions, ops](const Counts &from, const Counts &c) {
                return c.acked >= from.acked + sessions && c.ops >= from.ops + ops;
            };
        };
        const auto bothFailed = [](const Counts &from, const Counts &c) {
            return c.writeFailures > from.writeFailures && c.opFailures > from.opFailures;
        };
        if (step("work before the faults", moreWork(2000, 6))) {
            faultsFromMs = clock.elapsed();
            proxy.setStalled(true);
            step("the writer and the engine timing out on the stalled network", bothFailed);
            proxy.setStalled(false);
        }
        if (step("work after the stall", moreWork(1000, 3)))
            proxy.dropConnections();
        if (step("work after the dropped connections", moreWork(1000, 3))) {
            if (redis)
                redisServer.kill();
            else
                pgServer.crash();
            killedAtMs = clock.elapsed();
            step("the writer and the engine finding the server gone", bothFailed);
            restartWanted = true;
        }
        if (step("work after the restart", moreWork(1000, 3)))
            proxy.dropConnections();
        step("work after the last drop", moreWork(1000, 6));
        faultsDone = true;
    });
    writerThread->start();
    faults->start();

    QList<Outcome> outcomes;
    bool restarted = false;
    int round = 0, roundsAfter = 0;
    while (!faultsDone || roundsAfter++ < 3) {
        if (!restarted && restartWanted) {
            QVERIFY2(redis ? redisServer.start(&error) : pgServer.start(&error), qPrintable(error));
            restarted = true;
        }
        const auto record = [&](Outcome o) {
            progress.operated(o.error.has_value());
            outcomes << std::move(o);
        };
        qint64 t = clock.elapsed();
        record(outcomeOf(QStringLiteral("list"), t, await(engine.fetchPage({}, 100))));
        t = clock.elapsed();
        record(
            outcomeOf(QStringLiteral("find"), t,
                      await(engine.find(
                          {inspector::SearchQuery::Field::Subject, QStringLiteral("u%1").arg(10 + round % 30), {}}))));
        LogoutTarget target;
        target.issuer = QStringLiteral("https://idp.test/");
        target.sub = QStringLiteral("u%1").arg(round % 10);
        t = clock.elapsed();
        record(outcomeOf(QStringLiteral("revoke ") + *target.sub, t, await(engine.revoke(target))));
        if (round % 3 == 0) {
            inspector::SessionFilter filter;
            filter.sub = QStringLiteral("u%1").arg(40 + (round / 3) % 4);
            t = clock.elapsed();
            record(outcomeOf(QStringLiteral("bulk-delete ") + filter.sub, t, await(engine.bulkDelete(filter, false))));
        }
        ++round;
        QThread::msleep(200); // pacing: the engine's operations are a support person's, not a flood
    }
    stop = true;
    writerThread->wait();
    faults->wait();
    delete writerThread;
    delete faults;
    QVERIFY2(missed.isEmpty(), qPrintable(QStringLiteral("a step of the fault timeline never happened: ") + missed));
    if (!restarted)
        QVERIFY2(redis ? redisServer.start(&error) : pgServer.start(&error), qPrintable(error));

    // Every failure said what it did not do: the store was unreachable or did not answer in time.
    int failed = 0;
    for (const Outcome &o : std::as_const(outcomes)) {
        if (!o.error)
            continue;
        ++failed;
        QVERIFY2(o.error->code == ErrorCode::StoreUnreachable || o.error->code == ErrorCode::Timeout,
                 qPrintable(o.op + QLatin1String(": ") + o.error->toString()));
        QVERIFY2(!o.error->message.isEmpty(), qPrintable(o.op));
    }
    for (const Error &e : std::as_const(writeErrors))
        QVERIFY2(e.code == ErrorCode::StoreUnreachable || e.code == ErrorCode::Timeout, qPrintable(e.toString()));
    QVERIFY2(failed > 0 && !writeErrors.isEmpty(), "the faults did not reach the engine and the writer");
    // Work happened on both sides of the outage (how much depends on the build and the machine).
    QVERIFY(!acked.isEmpty() && acked.first().atMs < killedAtMs && acked.last().atMs > killedAtMs);

    // Afterwards the engine works again, and then everything is checked on a direct connection.
    QTRY_VERIFY_WITH_TIMEOUT(await(engine.fetchPage({}, 10)).ok(), 15000);
    StoreFactory checkFactory(StoreOptions{prefix});
    auto check = checkFactory.stateStore(StoreUrl::parse(direct).value(), faultCodec()).value();
    // The last successful revoke or bulk delete of each user started at `barrier`: every session of
    // that user acknowledged before it must be gone. Users never targeted keep all of theirs.
    QHash<QString, qint64> barrier;
    for (const Outcome &o : std::as_const(outcomes)) {
        if (!o.error && (o.op.startsWith(QLatin1String("revoke ")) || o.op.startsWith(QLatin1String("bulk-delete "))))
            barrier[o.op.section(QLatin1Char(' '), 1)] = o.startedMs;
    }
    QVERIFY2(barrier.size() >= 10, "too few revocations succeeded to check anything");
    int gone = 0, kept = 0;
    for (const Acked &a : std::as_const(acked)) {
        const int user = a.sub.mid(1).toInt();
        const bool targeted = user < 10 || user >= 40;
        if (targeted && (!barrier.contains(a.sub) || a.atMs >= barrier.value(a.sub)))
            continue; // written after the last revocation began (or never revoked): either way
        auto back = await(check->get(a.id));
        QVERIFY_OK(back);
        if (targeted) {
            QVERIFY2(!back->has_value(), qPrintable(a.sub + QLatin1String(" survived its revocation: ") + a.id));
            ++gone;
        } else {
            QVERIFY2(back->has_value(), qPrintable(QLatin1String("acknowledged and lost: ") + a.id));
            ++kept;
        }
    }
    // sessionctl fsck: no orphaned index entries, nothing half-written.
    const ProcessResult fsck =
        runSessionctl({QStringLiteral("--store"), direct, QStringLiteral("--prefix"), prefix,
                       QStringLiteral("--layout"), QStringLiteral("native"), QStringLiteral("--issuer"),
                       QStringLiteral("https://idp.test/"), QStringLiteral("fsck"), QStringLiteral("--json")},
                      {{QStringLiteral("SI_SECRET"), QStringLiteral("fault-secret")},
                       {QStringLiteral("SI_AUDIT_LOG"), dir.filePath(QStringLiteral("ctl.jsonl"))}});
    QVERIFY2(fsck.exitCode == 0, fsck.err.constData());
    auto report = json::parse(fsck.out.toStdString());
    QVERIFY_OK(report);
    QVERIFY2(report->get("clean") && report->get("clean")->isBool() && report->get("clean")->toBool(),
             fsck.out.constData());
    qint64 beforeFaults = 0; // the writer's pace while nothing was broken yet
    for (const Acked &a : std::as_const(acked))
        beforeFaults += a.atMs < faultsFromMs ? 1 : 0;
    qInfo("%s: writer at %lld sessions/s before the faults", redis ? "redis" : "postgresql",
          static_cast<long long>(beforeFaults * 1000 / qMax<qint64>(1, faultsFromMs)));
    qInfo("%s: %lld sessions acknowledged in %.1f s, %lld write batches failed; %lld engine operations, %d "
          "failed with a clear error; %d revoked or bulk-deleted sessions checked gone, %d others checked kept; "
          "fsck clean over %lld sessions",
          redis ? "redis" : "postgresql", static_cast<long long>(acked.size()), clock.elapsed() / 1000.0,
          static_cast<long long>(writeErrors.size()), static_cast<long long>(outcomes.size()), failed, gone, kept,
          static_cast<long long>(report->get("sessions")->toInt64().value_or(-1)));
}

QTEST_GUILESS_MAIN(TestStoreFaults)
#include "TestStoreFaults.moc"
