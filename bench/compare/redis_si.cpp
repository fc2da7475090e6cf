// The 1M-session Redis comparisons of bench/compare/redis.sh (issue #8), one mode per call, each
// printing one JSON line {"impl", "sessions", "seconds", …}:
//
//   compare_redis list   --store URL --prefix P [--page N]
//       the inspector engine pages through every session (SessionBackend::fetchPage, N rows a page,
//       each row decrypted for its summary, as the GUI and `sessionctl list` do)
//   compare_redis walk   --store URL --prefix P
//       the engine walks every session key without reading values (SessionBackend::skip): the
//       same work as `redis-cli --scan`
//   compare_redis stream --store URL --prefix P
//       every session read and decrypted, streamed (SessionBackend::forEach: export, bulk actions)
//   compare_redis scan-floor | read-floor --store URL --prefix P
//       the floors, straight on hiredis: SCAN COUNT 1000 of every session key; the same plus one
//       pipelined HMGET of every envelope per step (the bytes a listing must move, not decrypted)
//   compare_redis revoke --store URL --prefix P --sub S
//       "log this user out everywhere" through the keyed-hash indexes (SessionBackend::revoke)
//   compare_redis naive-revoke --store URL --prefix P --sub S
//       what an application without an index has to do (auth0-server-python's stores, starsessions,
//       connect-redis): SCAN every session key, fetch each value, decrypt it, compare the user,
//       DEL the matches. Written straight on hiredis, one pipelined HGET round trip per SCAN batch,
//       decryption on all cores with our own (fastest) decryption: the best case for the scan, so
//       the ratio is the index's and not a slower decrypter's.
//
// Secret from SI_SECRET; issuer https://login.example.com/ (what `sessionctl seed` writes).
#include "core/async/Worker.h"
#include "core/platform/Allocator.h"
#include "stores/StoreUrl.h"
#include "stores/inspect/Inspection.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <hiredis/hiredis.h>

#include <cstdio>
#include <functional>
#include <limits>
#include <memory>

using namespace si;
using namespace si::inspector;

namespace {

const QString kIssuer = QStringLiteral("https://login.example.com/");

[[noreturn]] void fail(const QString &what)
{
    std::fprintf(stderr, "compare_redis: %s\n", qPrintable(what));
    std::exit(1);
}

void report(const char *impl, qint64 sessions, double seconds, const QString &extra = {})
{
    std::printf("{\"impl\": \"%s\", \"sessions\": %lld, \"seconds\": %.3f%s}\n", impl, sessions, seconds,
                qPrintable(extra));
    std::fflush(stdout);
}

using RedisReplyPtr = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

RedisReplyPtr command(redisContext *c, const QList<QByteArray> &args)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lengths.push_back(size_t(a.size()));
    }
    redisAppendCommandArgv(c, int(argv.size()), argv.data(), lengths.data());
    void *reply = nullptr;
    if (redisGetReply(c, &reply) != REDIS_OK || !reply)
        fail(QStringLiteral("Redis: %1").arg(QString::fromUtf8(c->errstr)));
    return RedisReplyPtr(static_cast<redisReply *>(reply), freeReplyObject);
}

using RedisContextPtr = std::unique_ptr<redisContext, decltype(&redisFree)>;

RedisContextPtr connectPlain(const stores::StoreUrl &url)
{
    if (url.tls || url.hosts.size() != 1)
        fail(QStringLiteral("the hiredis modes speak plain TCP to one server"));
    RedisContextPtr c(redisConnect(url.hosts.first().name.toUtf8().constData(), url.hosts.first().port), redisFree);
    if (!c || c->err)
        fail(QStringLiteral("cannot connect to Redis"));
    if (!url.password.isEmpty()) {
        const QByteArray user = url.user.isEmpty() ? QByteArray("default") : url.user.toUtf8();
        if (command(c.get(), {"AUTH", user, url.password.toUtf8()})->type == REDIS_REPLY_ERROR)
            fail(QStringLiteral("Redis refused the password"));
    }
    if (!url.database.isEmpty() && url.database != QLatin1String("0"))
        command(c.get(), {"SELECT", url.database.toUtf8()});
    return c;
}

// SCAN MATCH <prefix>s:* COUNT 1000 over the whole keyspace; `batch` gets each step's keys.
void scanSessions(redisContext *c, const QByteArray &prefix, const std::function<void(QList<QByteArray> &&)> &batch)
{
    const QByteArray match = prefix + "s:*";
    QByteArray cursor = "0";
    do {
        auto scan = command(c, {"SCAN", cursor, "MATCH", match, "COUNT", "1000"});
        if (scan->type != REDIS_REPLY_ARRAY || scan->elements != 2)
            fail(QStringLiteral("unexpected SCAN reply"));
        cursor = QByteArray(scan->element[0]->str, qsizetype(scan->element[0]->len));
        QList<QByteArray> keys;
        for (size_t i = 0; i < scan->element[1]->elements; ++i)
            keys.append(QByteArray(scan->element[1]->element[i]->str, qsizetype(scan->element[1]->element[i]->len)));
        batch(std::move(keys));
    } while (cursor != "0");
}

// One pipelined round trip: HMGET v k of every key; sessions gone in between are left out.
QList<SessionRecord> readEnvelopes(redisContext *c, const QByteArray &prefix, const QList<QByteArray> &keys)
{
    for (const QByteArray &key : keys)
        redisAppendCommand(c, "HMGET %b v k", key.constData(), size_t(key.size()));
    QList<SessionRecord> records;
    for (const QByteArray &key : keys) {
        void *raw = nullptr;
        if (redisGetReply(c, &raw) != REDIS_OK || !raw)
            fail(QStringLiteral("Redis: %1").arg(QString::fromUtf8(c->errstr)));
        RedisReplyPtr reply(static_cast<redisReply *>(raw), freeReplyObject);
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[0]->type != REDIS_REPLY_STRING)
            continue;
        SessionRecord r;
        r.id = QString::fromLatin1(key.mid(prefix.size() + 2));
        r.envelope = QByteArray(reply->element[0]->str, qsizetype(reply->element[0]->len));
        if (reply->element[1]->type == REDIS_REPLY_STRING)
            r.keyId = QString::fromLatin1(reply->element[1]->str, qsizetype(reply->element[1]->len));
        records.append(std::move(r));
    }
    return records;
}

// The naive revocation; returns sessions looked at and removed.
QPair<qint64, qint64> naiveRevoke(redisContext *c, const QByteArray &prefix, const SessionCodec &codec,
                                  const QString &sub)
{
    qint64 seen = 0, removed = 0;
    scanSessions(c, prefix, [&](QList<QByteArray> &&keys) {
        const QList<SessionRecord> records = readEnvelopes(c, prefix, keys);
        seen += records.size();
        const QList<bool> hit = QtConcurrent::blockingMapped(records, [&](const SessionRecord &r) {
            auto state = codec.decode(r);
            if (!state)
                return false;
            const SessionIdentity who = codec.identify(*state);
            return who.issuer == kIssuer && who.sub == sub;
        });
        QList<QByteArray> del{"DEL"};
        for (qsizetype i = 0; i < records.size(); ++i) {
            if (hit[i])
                del.append(prefix + "s:" + records[i].id.toLatin1());
        }
        if (del.size() > 1)
            removed += command(c, del)->integer;
    });
    return {seen, removed};
}

} // namespace

int main(int argc, char *argv[])
{
    si::platform::tuneAllocatorForBulkWork(); // as sessionctl and the inspector do
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("mode"),
                                 QStringLiteral("list, walk, stream, scan-floor, read-floor, revoke or naive-revoke"));
    parser.addOption({QStringLiteral("store"), QStringLiteral("store URL"), QStringLiteral("url")});
    parser.addOption({QStringLiteral("prefix"), QStringLiteral("native namespace"), QStringLiteral("p")});
    parser.addOption({QStringLiteral("sub"), QStringLiteral("the user to log out"), QStringLiteral("sub")});
    parser.addOption(
        {QStringLiteral("page"), QStringLiteral("rows per page"), QStringLiteral("n"), QStringLiteral("1000")});
    parser.process(app);
    const QString mode = parser.positionalArguments().value(0);
    auto url = stores::StoreUrl::parse(parser.value(QStringLiteral("store")));
    if (!url || url->kind != stores::StoreUrl::Kind::Redis)
        fail(QStringLiteral("--store must be a redis:// URL"));
    stores::InspectOptions options;
    options.layout = SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView(qgetenv("SI_SECRET")))});
    options.prefix = parser.value(QStringLiteral("prefix"));
    options.issuer = kIssuer;
    options.profile = QStringLiteral("compare_redis");
    auto opened = stores::openInspector(*url, options);
    if (!opened)
        fail(opened.error().toString());
    SessionBackend &backend = *opened->backend;
    const QString sub = parser.value(QStringLiteral("sub"));
    QElapsedTimer timer;
    timer.start();
    if (mode == QLatin1String("list")) {
        const int page = parser.value(QStringLiteral("page")).toInt();
        qint64 rows = 0, decoded = 0;
        QString cursor;
        do {
            auto got = await(backend.fetchPage(cursor, page));
            if (!got)
                fail(got.error().toString());
            rows += got->rows.size();
            for (const SessionRow &row : got->rows)
                decoded += row.decoded() ? 1 : 0;
            cursor = got->nextCursor;
        } while (!cursor.isEmpty());
        report("session-inspector list", rows, double(timer.nsecsElapsed()) / 1e9,
               QStringLiteral(", \"decoded\": %1, \"page\": %2").arg(decoded).arg(page));
    } else if (mode == QLatin1String("walk")) {
        // Key names only, no value read: the same work as redis-cli --scan.
        auto walked = await(backend.skip(QString(), std::numeric_limits<qint64>::max()));
        if (!walked)
            fail(walked.error().toString());
        report("session-inspector key walk", walked->skipped, double(timer.nsecsElapsed()) / 1e9);
    } else if (mode == QLatin1String("stream")) {
        // Every session decrypted, streamed (the export and bulk-action path).
        qint64 decoded = 0;
        auto rows = await(backend.forEach({}, [&decoded](const SessionRow &row, const json::Value *) {
            decoded += row.decoded() ? 1 : 0;
            return true;
        }));
        if (!rows)
            fail(rows.error().toString());
        report("session-inspector stream", *rows, double(timer.nsecsElapsed()) / 1e9,
               QStringLiteral(", \"decoded\": %1").arg(decoded));
    } else if (mode == QLatin1String("revoke")) {
        auto removed = await(backend.revoke({kIssuer, sub, std::nullopt}));
        if (!removed)
            fail(removed.error().toString());
        report("session-inspector revoke (index)", *removed, double(timer.nsecsElapsed()) / 1e9);
    } else if (mode == QLatin1String("scan-floor")) {
        auto c = connectPlain(*url);
        qint64 keys = 0;
        scanSessions(c.get(), options.prefix.toUtf8(), [&keys](QList<QByteArray> &&batch) { keys += batch.size(); });
        report("hiredis SCAN COUNT 1000 (key names)", keys, double(timer.nsecsElapsed()) / 1e9);
    } else if (mode == QLatin1String("read-floor")) {
        auto c = connectPlain(*url);
        qint64 read = 0, bytes = 0;
        scanSessions(c.get(), options.prefix.toUtf8(), [&](QList<QByteArray> &&batch) {
            for (const SessionRecord &r : readEnvelopes(c.get(), options.prefix.toUtf8(), batch)) {
                ++read;
                bytes += r.envelope.size();
            }
        });
        report("hiredis SCAN + HMGET (values, not decrypted)", read, double(timer.nsecsElapsed()) / 1e9,
               QStringLiteral(", \"bytes\": %1").arg(bytes));
    } else if (mode == QLatin1String("naive-revoke")) {
        auto c = connectPlain(*url);
        const auto [seen, removed] = naiveRevoke(c.get(), options.prefix.toUtf8(), *opened->codec, sub);
        report("naive scan (SCAN + HMGET + decrypt + DEL)", removed, double(timer.nsecsElapsed()) / 1e9,
               QStringLiteral(", \"scanned\": %1, \"threads\": %2")
                   .arg(seen)
                   .arg(QThreadPool::globalInstance()->maxThreadCount()));
    } else {
        fail(QStringLiteral("mode must be list, walk, stream, scan-floor, read-floor, revoke or naive-revoke"));
    }
    QThreadPool::globalInstance()->waitForDone();
    return 0;
}
