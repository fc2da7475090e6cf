// Redis behind Sentinel: a master, a replica and three sentinels of the test's own (SentinelGroup).
// The store finds the master through the sentinels, also when the first one listed is dead; a
// misspelt master name is a clear error. Killing the master in the middle of a full listing, the
// listing still delivers every session exactly once (from the promoted replica); killing it in the
// middle of a revocation, the revocation reports how many sessions went and how many remain —
// exactly what the new master then holds — and repeats nothing.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/inspector/SessionBackend.h"
#include "stores/StoreFactory.h"
#include "stores/inspect/Inspection.h"
#include "stores/redis/RedisConnection.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TestSupport.h"

#include <QRegularExpression>
#include <QThread>
#include <QtTest>

#include <atomic>

using namespace si;
using namespace si::stores;
using namespace si::test;

namespace {

constexpr auto kOptions = "timeout_ms=2000&connect_timeout_ms=500&failover_timeout_ms=30000";

std::shared_ptr<const SessionCodec> sentinelCodec()
{
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://idp.test/");
    return std::make_shared<SessionCodec>(secretList({"sentinel-secret"}), options);
}

// `count` sessions of `subOf(i)` written through `store`; their ids.
QStringList seed(StateStore &store, int count, const std::function<QString(int)> &subOf)
{
    QStringList ids;
    for (int start = 0; start < count; start += 500) {
        QList<QPair<QString, StateData>> batch;
        for (int i = start; i < qMin(count, start + 500); ++i) {
            batch.append({SessionCodec::newSessionId(), loginState(subOf(i), i)});
            ids << batch.last().first;
        }
        if (!await(store.setMany(batch)))
            return {};
    }
    return ids;
}

// Keys matching `pattern` on the server at `port`, seen from outside the client under test.
qsizetype keysOn(quint16 port, const QString &pattern)
{
    const QByteArray out = SentinelGroup::cli(port, {QStringLiteral("--scan"), QStringLiteral("--pattern"), pattern});
    return out.trimmed().isEmpty() ? 0 : out.trimmed().split('\n').size();
}

InspectOptions inspectOptions(const QString &prefix)
{
    InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = secretList({"sentinel-secret"});
    options.prefix = prefix;
    options.issuer = QStringLiteral("https://idp.test/");
    return options;
}

RedisEndpoint local(quint16 port)
{
    RedisEndpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = port;
    return e;
}

// Until the replica has every write the master acknowledged (WAIT): what a failover keeps.
bool replicated(quint16 masterPort)
{
    RedisConnection master(local(masterPort));
    auto reply = master.command({"WAIT", "1", "10000"});
    return reply && reply->integer == 1;
}

} // namespace

class TestSentinel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void findsTheMasterThroughTheSentinels();
    void followsTheAnnouncedMaster();
    void listingFinishesAcrossAFailover();
    void revocationAcrossAFailoverSaysWhatWent();
};

void TestSentinel::findsTheMasterThroughTheSentinels()
{
    SentinelGroup group;
    QString error;
    QVERIFY2(group.start(&error), qPrintable(error));
    // The first sentinel listed is not there: the next one answers.
    const QString dead = QStringLiteral("127.0.0.1:%1,").arg(freeLoopbackPort());
    QString text = group.url(QLatin1String(kOptions));
    text.replace(QStringLiteral("redis+sentinel://"), QStringLiteral("redis+sentinel://") + dead);
    const StoreUrl url = StoreUrl::parse(text).value();
    QCOMPARE(url.hosts.size(), 4);
    StoreFactory factory(StoreOptions{QStringLiteral("sf:")});
    auto store = factory.stateStore(url, sentinelCodec()).value();
    const QString id = SessionCodec::newSessionId();
    QVERIFY_OK(await(store->set(id, loginState(QStringLiteral("alice"), 1))));
    // Written to the master the sentinels name, and replicated from there.
    QVERIFY(replicated(group.masterPort()));
    QCOMPARE(keysOn(group.masterPort(), QStringLiteral("sf:s:*")), 1);
    QCOMPARE(keysOn(group.replicaPort(), QStringLiteral("sf:s:*")), 1);
    auto back = await(store->get(id));
    QVERIFY_OK(back);
    QVERIFY(back->has_value());
    QCOMPARE((*back)->user->sub(), QStringLiteral("alice"));

    // A master name the sentinels do not know: said so at once, not retried as an outage.
    QString misspelt = group.url(QLatin1String(kOptions));
    misspelt.replace(QStringLiteral("/si-master"), QStringLiteral("/si-mastr"));
    StoreFactory otherFactory(StoreOptions{QStringLiteral("sf:")});
    auto other = otherFactory.stateStore(StoreUrl::parse(misspelt).value(), sentinelCodec()).value();
    auto missing = await(other->get(id));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::NotFound);
    QVERIFY2(missing.error().message.contains(QLatin1String("knows no master named \"si-mastr\"")),
             qPrintable(missing.error().toString()));
}

// A switch-over while the old master keeps running (demoted to a replica, it would still serve
// stale reads and refuse writes): the client takes the sentinels' +switch-master announcement and
// sends the next write to the new master, never to the old one.
void TestSentinel::followsTheAnnouncedMaster()
{
    SentinelGroup group;
    QString error;
    QVERIFY2(group.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(group.url(QLatin1String(kOptions))).value();
    StoreFactory factory(StoreOptions{QStringLiteral("sa:")});
    auto store = factory.stateStore(url, sentinelCodec()).value();
    QVERIFY_OK(await(store->set(SessionCodec::newSessionId(), loginState(QStringLiteral("before"), 1))));
    QVERIFY2(group.switchOver(&error), qPrintable(error));
    // (The sentinels demote the old master once the new one is in place.)
    QTRY_VERIFY_WITH_TIMEOUT(SentinelGroup::cli(group.masterPort(), {QStringLiteral("ROLE")}).startsWith("slave"),
                             20000);
    // The announcement reached the client's subscription (sentinels publish it as they switch);
    // the client reads it before its next batch.
    const QString after = SessionCodec::newSessionId();
    QVERIFY_OK(await(store->set(after, loginState(QStringLiteral("after"), 2))));
    QCOMPARE(keysOn(group.replicaPort(), QStringLiteral("sa:s:*")), 2);
    const QByteArray errors =
        SentinelGroup::cli(group.masterPort(), {QStringLiteral("INFO"), QStringLiteral("errorstats")});
    QVERIFY2(!errors.contains("errorstat_READONLY"), errors.constData()); // no write went to the old master
    auto back = await(store->get(after));
    QVERIFY_OK(back);
    QVERIFY(back->has_value());
}

void TestSentinel::listingFinishesAcrossAFailover()
{
    SentinelGroup group;
    QString error;
    QVERIFY2(group.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(group.url(QLatin1String(kOptions))).value();
    StoreFactory factory(StoreOptions{QStringLiteral("sl:")});
    auto store = factory.stateStore(url, sentinelCodec()).value();
    const QStringList seeded = seed(*store, 20000, [](int i) { return QStringLiteral("u%1").arg(i % 100); });
    QCOMPARE(seeded.size(), 20000);
    QVERIFY(replicated(group.masterPort()));

    auto opened = openInspector(url, inspectOptions(QStringLiteral("sl:")));
    QVERIFY_OK(opened);
    QStringList listed;
    std::atomic<bool> killed{false};
    auto done = await(opened->backend->forEach({}, [&](const inspector::SessionRow &row, const json::Value *) {
        listed << row.id;
        if (listed.size() == 3000 && !killed.exchange(true))
            group.killMaster(); // in the middle of the listing: the rest comes from the new master
        return true;
    }));
    QVERIFY_OK(done);
    QVERIFY2(killed, "the listing ended before the master was killed");
    QVERIFY2(group.waitForFailover(1000, &error), qPrintable(error)); // it happened under the listing
    QCOMPARE(listed.size(), seeded.size());                           // nothing twice…
    QStringList sortedListed = listed, sortedSeeded = seeded;
    sortedListed.sort();
    sortedSeeded.sort();
    QVERIFY(sortedListed == sortedSeeded); // …and nothing missing
    QCOMPARE(*done, qint64(seeded.size()));
}

void TestSentinel::revocationAcrossAFailoverSaysWhatWent()
{
    SentinelGroup group;
    QString error;
    QVERIFY2(group.start(&error), qPrintable(error));
    const StoreUrl url = StoreUrl::parse(group.url(QLatin1String(kOptions))).value();
    StoreFactory factory(StoreOptions{QStringLiteral("sv:")});
    auto store = factory.stateStore(url, sentinelCodec()).value();
    const QStringList seeded = seed(*store, 20000, [](int) { return QStringLiteral("victim"); });
    QCOMPARE(seeded.size(), 20000);
    QVERIFY(replicated(group.masterPort()));

    // The master dies once the revocation has removed 1,000 sessions (watched on the master
    // itself, from outside the client).
    const RedisEndpoint master = local(group.masterPort());
    auto initial = RedisConnection(master).command({"DBSIZE"});
    QVERIFY_OK(initial);
    std::atomic<bool> stop{false}, killed{false};
    QThread *killer = QThread::create([&] {
        RedisConnection watch(master); // its socket belongs to this thread
        while (!stop) {
            auto size = watch.command({"DBSIZE"});
            if (size && size->integer <= initial->integer - 1000) {
                group.killMaster();
                killed = true;
                return;
            }
        }
    });
    killer->start();
    auto opened = openInspector(url, inspectOptions(QStringLiteral("sv:")));
    QVERIFY_OK(opened);
    LogoutTarget target;
    target.issuer = QStringLiteral("https://idp.test/");
    target.sub = QStringLiteral("victim");
    auto revoked = await(opened->backend->revoke(target));
    stop = true;
    killer->wait();
    delete killer;
    QVERIFY2(killed, "the revocation ended before the master was killed");
    QVERIFY2(!revoked, "a revocation cut by a failover reported success");
    const Error e = revoked.error();
    QCOMPARE(e.code, ErrorCode::StoreUnreachable);
    static const QRegularExpression counts(
        QStringLiteral("(\\d+) of (\\d+) session\\(s\\) are gone, (\\d+) remain \\(nothing was repeated"));
    const auto match = counts.match(e.message);
    QVERIFY2(match.hasMatch(), qPrintable(e.toString()));
    const qsizetype gone = match.captured(1).toLongLong(), total = match.captured(2).toLongLong(),
                    remain = match.captured(3).toLongLong();
    QCOMPARE(total, qsizetype(seeded.size()));
    QCOMPARE(gone + remain, total);
    // Exactly what the new master holds: the report was made there, and no deletion ran again.
    QVERIFY2(group.waitForFailover(1000, &error), qPrintable(error));
    QCOMPARE(keysOn(group.replicaPort(), QStringLiteral("sv:s:*")), remain);
    QVERIFY2(remain > 0, "everything went: the deletions were repeated on the new master");

    // Run again, it finishes the job on the new master.
    auto again = await(opened->backend->revoke(target));
    QVERIFY_OK(again);
    QCOMPARE(*again, remain);
    QCOMPARE(keysOn(group.replicaPort(), QStringLiteral("sv:s:*")), 0);
}

QTEST_GUILESS_MAIN(TestSentinel)
#include "TestSentinel.moc"
