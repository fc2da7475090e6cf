#include "RedisSessionSource.h"

#include "stores/redis/RedisKeys.h"
#include "stores/redis/RedisScript.h"

#include <QDateTime>
#include <QThread>

#include <algorithm>

namespace si::stores {

using inspector::RawPage;
using inspector::RawSession;
using inspector::SessionCount;

namespace {

// Brings a native session's end forward: both deadlines, and the key's expiry.
const RedisScript kExpireScript(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local at = tonumber(ARGV[1])
redis.call('HSET', KEYS[1], 'e', ARGV[1])
local a = tonumber(redis.call('HGET', KEYS[1], 'a'))
if a == nil or a > at then redis.call('HSET', KEYS[1], 'a', ARGV[1]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
)lua");

QByteArray globEscaped(const QByteArray &text)
{
    QByteArray out;
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out.append('\\');
        out.append(c);
    }
    return out;
}

qint64 nowSeconds()
{
    return QDateTime::currentSecsSinceEpoch();
}

// "primary:cursor[:after]": the SCAN cursor on the index-th primary and, when the previous page
// ended inside that SCAN step (a step can yield more keys than a page holds), the last key it
// returned (base64url). The step is replayed and, in key order, only keys after that one are
// taken: a key present throughout is never missed, even if the table was resized in between
// (SCAN's own guarantee; it may still come twice, as with SCAN itself).
struct ScanCursor {
    qsizetype primary = 0;
    QByteArray cursor = "0";
    QByteArray after; // empty: take the whole step
};

std::optional<ScanCursor> parseCursor(const QString &text)
{
    if (text.isEmpty())
        return ScanCursor{};
    const QStringList parts = text.split(QLatin1Char(':'));
    if (parts.size() < 2 || parts.size() > 3)
        return std::nullopt;
    bool ok1 = false, ok2 = false;
    ScanCursor c;
    c.primary = parts.at(0).toLongLong(&ok1);
    parts.at(1).toULongLong(&ok2);
    c.cursor = parts.at(1).toLatin1();
    if (parts.size() == 3) {
        auto after = QByteArray::fromBase64Encoding(
            parts.at(2).toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        if (!after || after.decoded.isEmpty())
            return std::nullopt;
        c.after = after.decoded;
    }
    if (!ok1 || !ok2 || c.primary < 0)
        return std::nullopt;
    return c;
}

// The listing order is SCAN's step order, keys sorted within a step, so it depends on the steps:
// pages and skips use one COUNT, whatever their size, and agree on every session's position.
constexpr int kScanCount = 1000;

Error badCursor()
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a listing cursor of this store"));
}

// One SCAN step on `node`: the keys it returned and the next cursor ("0" at the end).
Result<QPair<QByteArray, QList<QByteArray>>> scanStep(RedisConnection &node, const QByteArray &cursor,
                                                      const QByteArray &match, int count)
{
    QList<QByteArray> args{"SCAN", cursor};
    if (!match.isEmpty())
        args << "MATCH" << match;
    args << "COUNT" << QByteArray::number(count);
    auto reply = node.command(args);
    if (!reply)
        return reply.error();
    if (reply->isError())
        return redisReplyError(QStringLiteral("Redis refused SCAN"), *reply);
    if (reply->elements.size() != 2)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("unexpected SCAN reply"));
    QList<QByteArray> keys;
    keys.reserve(reply->elements[1].elements.size());
    for (const RedisReply &k : reply->elements[1].elements)
        keys.append(k.string);
    return qMakePair(reply->elements[0].string, keys);
}

// Every key matching `match`, SCAN step by SCAN step, to `sink` (false: stop). A cluster is walked
// primary by primary. A single server's SCAN goes through the client, so that a Sentinel client
// follows a failover: then the walk starts again from 0 on the new master (a cursor of one server
// means nothing to another) and skips the keys already handed on, by a 64-bit hash of each kept
// for clients that can fail over (8 bytes a key; a collision, ~n²/2⁶⁵, would skip one key).
Status walkAllKeys(RedisClient &client, const QByteArray &match, int count, const CancelToken *cancel,
                   const std::function<Result<bool>(QList<QByteArray> &&)> &sink)
{
    if (client.isCluster()) {
        auto nodes = client.primaries();
        if (!nodes)
            return nodes.error();
        for (RedisConnection *node : *nodes) {
            QByteArray cursor = "0";
            do {
                if (cancel && cancel->isCanceled())
                    return canceledError();
                auto step = scanStep(*node, cursor, match, count);
                if (!step)
                    return step.error();
                cursor = step->first;
                if (!step->second.isEmpty()) {
                    auto more = sink(std::move(step->second));
                    if (!more)
                        return more.error();
                    if (!*more)
                        return {};
                }
            } while (cursor != "0");
        }
        return {};
    }
    const bool track = client.followsFailovers();
    std::vector<quint64> before, since; // hashes handed on before the last restart (sorted), and since
    const auto hashOf = [](const QByteArray &key) { return quint64(qHash(QByteArrayView(key), size_t(0x5e551))); };
    QList<QByteArray> args{"SCAN", "0"};
    if (!match.isEmpty())
        args << "MATCH" << match;
    args << "COUNT" << QByteArray::number(count);
    quint64 epoch = client.topologyEpoch();
    // Another server answers now: its walk starts at 0, past what was handed on.
    const auto failedOver = [&] {
        if (client.topologyEpoch() == epoch)
            return false;
        epoch = client.topologyEpoch();
        before.insert(before.end(), since.begin(), since.end());
        since.clear();
        std::sort(before.begin(), before.end());
        return true;
    };
    QByteArray cursor = "0";
    bool restarted = false;
    do {
        if (cancel && cancel->isCanceled())
            return canceledError();
        if (failedOver()) // noticed by the sink's reads since the last step
            cursor = "0";
        args[1] = cursor;
        auto reply = client.command({args});
        if (!reply)
            return reply.error();
        if (failedOver()) { // the step ran on the new server with the old one's cursor: again from 0
            cursor = "0";
            restarted = true;
            continue;
        }
        if (reply->isError())
            return redisReplyError(QStringLiteral("Redis refused SCAN"), *reply);
        if (reply->elements.size() != 2)
            return makeError(ErrorCode::MalformedInput, QStringLiteral("unexpected SCAN reply"));
        cursor = reply->elements[0].string;
        QList<QByteArray> keys;
        keys.reserve(reply->elements[1].elements.size());
        for (RedisReply &k : reply->elements[1].elements) {
            if (track) {
                const quint64 h = hashOf(k.string);
                if (std::binary_search(before.begin(), before.end(), h))
                    continue;
                since.push_back(h);
            }
            keys.append(std::move(k.string));
        }
        if (!keys.isEmpty()) {
            auto more = sink(std::move(keys));
            if (!more)
                return more.error();
            if (!*more)
                return {};
        }
    } while (std::exchange(restarted, false) || cursor != "0" || client.topologyEpoch() != epoch);
    return {};
}

} // namespace

RedisSessionSource::RedisSessionSource(std::shared_ptr<RedisBackend> backend, Mode mode, QByteArray keyPrefix)
    : m_backend(std::move(backend))
    , m_mode(mode)
    , m_keyPrefix(std::move(keyPrefix))
{
    if (m_mode == Mode::Native)
        m_keyPrefix = m_backend->prefix() + "s:";
}

QString RedisSessionSource::describe() const
{
    return QStringLiteral("%1 (keys %2*)").arg(m_backend->url().redacted(), QString::fromLatin1(m_keyPrefix));
}

QString RedisSessionSource::backendName() const
{
    return m_backend->name();
}

QByteArray RedisSessionSource::keyFor(const QString &id) const
{
    return m_keyPrefix + id.toUtf8();
}

QByteArray RedisSessionSource::pattern() const
{
    return globEscaped(m_keyPrefix) + '*';
}

Result<QList<RawSession>> RedisSessionSource::fetch(RedisClient &client, const QList<QByteArray> &keys) const
{
    QList<RedisCommand> commands;
    commands.reserve(keys.size() * 2);
    for (const QByteArray &key : keys) {
        if (m_mode == Mode::Native) {
            commands.append({{"HMGET", key, "v", "k", "c", "l", "e", "u"}, key});
        } else {
            commands.append({{"GET", key}, key});
            commands.append({{"PTTL", key}, key});
        }
    }
    auto replies = client.execute(commands);
    if (!replies)
        return replies.error();
    QList<RawSession> out;
    out.reserve(keys.size());
    const qint64 now = nowSeconds();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        RawSession s;
        s.id = QString::fromUtf8(keys[i].mid(m_keyPrefix.size()));
        if (m_mode == Mode::Native) {
            const RedisReply &r = (*replies)[i];
            if (r.isError())
                return redisReplyError(QStringLiteral("Redis refused the read"), r);
            if (r.elements.size() != 6 || r.elements[0].isNil())
                continue; // gone (expired or deleted since it was listed), or not a session hash
            s.value = r.elements[0].string;
            s.keyId = QString::fromLatin1(r.elements[1].string);
            s.createdAt = r.elements[2].string.toLongLong();
            s.lastActivity = r.elements[3].string.toLongLong();
            s.expiresAt = r.elements[4].string.toLongLong();
            s.subjectHash = r.elements[5].string;
            if (s.expiresAt > 0 && s.expiresAt <= now)
                continue;
        } else {
            const RedisReply &value = (*replies)[2 * i];
            const RedisReply &ttl = (*replies)[2 * i + 1];
            if (value.isError()) {
                if (value.string.startsWith("WRONGTYPE"))
                    continue; // another kind of key under the same prefix
                return redisReplyError(QStringLiteral("Redis refused the read"), value);
            }
            if (value.isNil())
                continue;
            s.value = value.string;
            if (ttl.integer > 0)
                s.expiresAt = now + (ttl.integer + 999) / 1000;
        }
        out.append(std::move(s));
    }
    return out;
}

QFuture<Result<SessionCount>> RedisSessionSource::count()
{
    return m_backend->run<SessionCount>([this](RedisClient &client, const CancelToken &) -> Result<SessionCount> {
        auto nodes = client.primaries();
        if (!nodes)
            return nodes.error();
        // Sample up to 20,000 keys per primary; if that covers its keyspace the count is exact.
        constexpr qint64 kSample = 20000;
        SessionCount out;
        double estimate = 0;
        for (RedisConnection *node : *nodes) {
            auto size = node->command({"DBSIZE"});
            if (!size)
                return size.error();
            qint64 sampled = 0, matched = 0;
            QByteArray cursor = "0";
            do {
                auto step = scanStep(*node, cursor, {}, 1000);
                if (!step)
                    return step.error();
                cursor = step->first;
                for (const QByteArray &key : step->second) {
                    ++sampled;
                    if (key.startsWith(m_keyPrefix))
                        ++matched;
                }
            } while (cursor != "0" && sampled < kSample);
            if (cursor == "0") {
                estimate += double(matched);
            } else {
                out.exact = false;
                estimate += sampled > 0 ? double(size->integer) * double(matched) / double(sampled) : 0;
            }
        }
        out.value = qRound64(estimate);
        return out;
    });
}

QFuture<Result<RawPage>> RedisSessionSource::page(const QString &cursorText, int limit)
{
    return m_backend->run<RawPage>(
        [this, cursorText, limit](RedisClient &client, const CancelToken &cancel) -> Result<RawPage> {
            QList<QByteArray> keys;
            auto next = walkKeys(client, cursorText, limit, kScanCount, cancel,
                                 [&keys](QList<QByteArray> &&slice) { keys += slice; });
            if (!next)
                return next.error();
            auto sessions = fetch(client, keys);
            if (!sessions)
                return sessions.error();
            RawPage out;
            out.sessions = std::move(sessions.value());
            out.nextCursor = *next;
            return out;
        });
}

QFuture<Result<inspector::SkipResult>> RedisSessionSource::skip(const QString &cursorText, qint64 n)
{
    using inspector::SkipResult;
    return m_backend->run<SkipResult>(
        [this, cursorText, n](RedisClient &client, const CancelToken &cancel) -> Result<SkipResult> {
            if (n <= 0)
                return SkipResult{cursorText, false, 0};
            qint64 skipped = 0;
            auto next = walkKeys(client, cursorText, n, kScanCount, cancel,
                                 [&skipped](QList<QByteArray> &&slice) { skipped += slice.size(); });
            if (!next)
                return next.error();
            return SkipResult{*next, next->isEmpty(), skipped};
        });
}

Result<QString> RedisSessionSource::walkKeys(RedisClient &client, const QString &cursorText, qint64 limit, int count,
                                             const CancelToken &cancel,
                                             const std::function<void(QList<QByteArray> &&)> &take) const
{
    auto cursor = parseCursor(cursorText);
    if (!cursor)
        return badCursor();
    auto nodes = client.primaries();
    if (!nodes)
        return nodes.error();
    qint64 taken = 0;
    while (cursor->primary < nodes->size() && taken < limit) {
        if (cancel.isCanceled())
            return canceledError();
        auto step = scanStep(*(*nodes)[cursor->primary], cursor->cursor, pattern(), count);
        if (!step)
            return step.error();
        QList<QByteArray> fresh = std::move(step->second);
        std::sort(fresh.begin(), fresh.end());
        if (!cursor->after.isEmpty())
            fresh.erase(fresh.begin(), std::upper_bound(fresh.begin(), fresh.end(), cursor->after));
        const qint64 room = limit - taken;
        if (fresh.size() > room) {
            // Full inside this step: the next walk replays it from the last key taken.
            fresh.resize(room);
            const QString next = QStringLiteral("%1:%2:%3")
                                     .arg(cursor->primary)
                                     .arg(QString::fromLatin1(cursor->cursor))
                                     .arg(QString::fromLatin1(fresh.last().toBase64(QByteArray::Base64UrlEncoding |
                                                                                    QByteArray::OmitTrailingEquals)));
            take(std::move(fresh));
            return next;
        }
        taken += fresh.size();
        take(std::move(fresh));
        cursor->after.clear();
        cursor->cursor = step->first;
        if (cursor->cursor == "0")
            ++cursor->primary;
    }
    if (cursor->primary < nodes->size())
        return QStringLiteral("%1:%2").arg(cursor->primary).arg(QString::fromLatin1(cursor->cursor));
    return QString();
}

QFuture<Result<QList<RawSession>>> RedisSessionSource::loadMany(const QStringList &ids)
{
    return m_backend->run<QList<RawSession>>(
        [this, ids](RedisClient &client, const CancelToken &) -> Result<QList<RawSession>> {
            QList<QByteArray> keys;
            for (const QString &id : ids)
                keys.append(keyFor(id));
            return fetch(client, keys);
        });
}

QFuture<Result<qsizetype>> RedisSessionSource::remove(const QStringList &ids)
{
    return m_backend->run<qsizetype>([this, ids](RedisClient &client, const CancelToken &) -> Result<qsizetype> {
        if (m_mode == Mode::Native)
            return removeSessions(client, m_backend->prefix(), ids);
        qsizetype removed = 0;
        constexpr qsizetype kBatch = 500;
        for (qsizetype start = 0; start < ids.size(); start += kBatch) {
            QList<RedisCommand> deletes;
            for (const QString &id : ids.mid(start, kBatch))
                deletes.append({{"DEL", keyFor(id)}, keyFor(id)});
            auto replies = client.execute(deletes);
            if (!replies)
                return replies.error();
            for (const RedisReply &r : *replies) {
                if (r.isError())
                    return redisReplyError(QStringLiteral("Redis refused the delete"), r);
                removed += r.integer;
            }
        }
        return removed;
    });
}

QFuture<Result<bool>> RedisSessionSource::expireAt(const QString &id, qint64 at)
{
    return m_backend->run<bool>([this, id, at](RedisClient &client, const CancelToken &) -> Result<bool> {
        const QByteArray key = keyFor(id);
        const QByteArray ms = QByteArray::number(at * 1000);
        RedisCommand command = m_mode == Mode::Native ? kExpireScript.call({key}, {QByteArray::number(at), ms})
                                                      : RedisCommand({"PEXPIREAT", key, ms}, key);
        auto replies = executeWithScripts(client, {command}, {&kExpireScript});
        if (!replies)
            return replies.error();
        const RedisReply &r = replies->first();
        if (r.isError())
            return redisReplyError(QStringLiteral("Redis refused the expiry"), r);
        return r.integer > 0;
    });
}

QFuture<Result<QStringList>> RedisSessionSource::lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes)
{
    if (m_mode != Mode::Native)
        return SessionSource::lookup(kind, hashes);
    return m_backend->run<QStringList>(
        [this, kind, hashes](RedisClient &client, const CancelToken &) -> Result<QStringList> {
            const QByteArray &prefix = m_backend->prefix();
            QList<RedisCommand> reads;
            for (const QByteArray &h : hashes) {
                const QByteArray key = kind == IndexKeys::Kind::Subject   ? RedisKeys::subjectIndex(prefix, h)
                                       : kind == IndexKeys::Kind::Session ? RedisKeys::sessionIndex(prefix, h)
                                                                          : RedisKeys::emailIndex(prefix, h);
                reads.append({{"ZRANGE", key, "0", "-1"}, key});
            }
            auto replies = client.execute(reads);
            if (!replies)
                return replies.error();
            QStringList ids;
            for (const RedisReply &r : *replies) {
                if (r.isError())
                    return redisReplyError(QStringLiteral("Redis refused the index lookup"), r);
                for (const RedisReply &m : r.elements) {
                    const QString id = QString::fromLatin1(m.string);
                    if (!ids.contains(id))
                        ids.append(id);
                }
            }
            return ids;
        });
}

QFuture<Result<qint64>> RedisSessionSource::scan(Sink sink, int batchSize)
{
    return m_backend->run<qint64>(
        [this, sink = std::move(sink), batchSize](RedisClient &client, const CancelToken &cancel) -> Result<qint64> {
            qint64 delivered = 0;
            QList<QByteArray> pending;
            auto flush = [&]() -> Result<bool> {
                auto sessions = fetch(client, pending);
                pending.clear();
                if (!sessions)
                    return sessions.error();
                delivered += sessions->size();
                return sink(std::move(sessions.value()));
            };
            bool stopped = false;
            const Status walked =
                walkAllKeys(client, pattern(), batchSize, &cancel, [&](QList<QByteArray> &&keys) -> Result<bool> {
                    pending += keys;
                    if (pending.size() < batchSize)
                        return true;
                    auto more = flush();
                    stopped = more && !*more;
                    return more;
                });
            if (!walked)
                return walked.error();
            if (!stopped && !pending.isEmpty()) {
                if (auto more = flush(); !more)
                    return more.error();
            }
            return delivered;
        });
}

QFuture<Status> RedisSessionSource::write(const QList<RawSession> &sessions)
{
    if (m_mode == Mode::Native)
        return SessionSource::write(sessions);
    auto done = m_backend->run<bool>([this, sessions](RedisClient &client, const CancelToken &cancel) -> Result<bool> {
        constexpr qsizetype kBatch = 500;
        for (qsizetype start = 0; start < sessions.size(); start += kBatch) {
            if (cancel.isCanceled())
                return canceledError();
            QList<RedisCommand> writes;
            for (const RawSession &s : sessions.mid(start, kBatch)) {
                const QByteArray key = keyFor(s.id);
                writes.append({{"SET", key, s.value}, key});
                if (s.expiresAt > 0)
                    writes.append({{"PEXPIREAT", key, QByteArray::number(s.expiresAt * 1000)}, key});
            }
            auto replies = client.execute(writes);
            if (!replies)
                return replies.error();
            for (const RedisReply &r : *replies) {
                if (r.isError())
                    return redisReplyError(QStringLiteral("Redis refused the write"), r);
            }
        }
        return true;
    });
    return done.then([](const Result<bool> &r) { return r ? Status() : Status(r.error()); });
}

QFuture<Result<QList<QByteArray>>> RedisSessionSource::sampleKeys(int limit)
{
    return m_backend->run<QList<QByteArray>>(
        [limit](RedisClient &client, const CancelToken &) -> Result<QList<QByteArray>> {
            auto nodes = client.primaries();
            if (!nodes)
                return nodes.error();
            QList<QByteArray> keys;
            for (RedisConnection *node : *nodes) {
                QByteArray cursor = "0";
                do {
                    auto step = scanStep(*node, cursor, {}, 200);
                    if (!step)
                        return step.error();
                    cursor = step->first;
                    keys += step->second;
                } while (cursor != "0" && keys.size() < limit);
                if (keys.size() >= limit)
                    break;
            }
            return keys.mid(0, limit);
        });
}

Status RedisSessionSource::scanKeys(RedisClient &client, const QByteArray &match,
                                    const std::function<Status(const QList<QByteArray> &)> &sink) const
{
    return walkAllKeys(client, match, 1000, nullptr, [&sink](QList<QByteArray> &&keys) -> Result<bool> {
        if (auto s = sink(keys); !s)
            return s.error();
        return true;
    });
}

QFuture<Result<inspector::IntegrityReport>> RedisSessionSource::checkIntegrity(bool repair)
{
    return m_backend->run<inspector::IntegrityReport>(
        [this, repair](RedisClient &client, const CancelToken &) -> Result<inspector::IntegrityReport> {
            return m_mode == Mode::Native ? checkNative(client, repair) : checkStrings(client);
        });
}

// Peers' sessions: only what Redis itself shows (keys without a deadline live forever).
Result<inspector::IntegrityReport> RedisSessionSource::checkStrings(RedisClient &client) const
{
    inspector::IntegrityReport report;
    qint64 persistent = 0;
    const Status scanned = scanKeys(client, pattern(), [&](const QList<QByteArray> &keys) -> Status {
        QList<RedisCommand> ttls;
        for (const QByteArray &key : keys)
            ttls.append({{"PTTL", key}, key});
        auto replies = client.execute(ttls);
        if (!replies)
            return replies.error();
        report.sessions += keys.size();
        for (const RedisReply &r : *replies)
            persistent += r.integer == -1;
        return {};
    });
    if (!scanned)
        return scanned.error();
    if (persistent > 0)
        report.findings.append({QStringLiteral("sessions without a deadline (no TTL)"), persistent, 0,
                                QStringLiteral("they never expire in Redis; `expire ID --in …` or delete them (the "
                                               "application decides their lifetime, so --repair leaves them)")});
    return report;
}

// The native layout (docs/store-layout.md): every session must carry a deadline and sit in the
// index of each hash it names (else revocation misses it); every index entry must point at a
// session that names that hash (else it is dangling, harmless but growing).
Result<inspector::IntegrityReport> RedisSessionSource::checkNative(RedisClient &client, bool repair) const
{
    using inspector::IntegrityFinding;
    const QByteArray prefix = m_backend->prefix();
    const qint64 now = nowSeconds();
    inspector::IntegrityReport report;
    IntegrityFinding noDeadline{QStringLiteral("sessions without a deadline (no TTL)"), 0, 0,
                                QStringLiteral("--repair sets it from the session's own deadline")};
    IntegrityFinding unindexed{QStringLiteral("sessions missing from an index (revocation would miss them)"), 0, 0,
                               QStringLiteral("--repair adds the entries")};
    IntegrityFinding dangling{QStringLiteral("index entries pointing at no session of that user"), 0, 0,
                              QStringLiteral("--repair removes them (after a second look, so that a login being "
                                             "written is not mistaken for one)")};
    IntegrityFinding stale{QStringLiteral("expired index entries not yet trimmed"), 0, 0,
                           QStringLiteral("--repair trims them (the next write to that index would too)")};
    IntegrityFinding indexNoDeadline{QStringLiteral("index keys without a deadline"), 0, 0,
                                     QStringLiteral("--repair sets it to the last member's deadline")};
    const char *indexFields[] = {"u", "d", "m"};
    auto indexKey = [&prefix](int field, const QByteArray &hash) {
        return field == 0   ? RedisKeys::subjectIndex(prefix, hash)
               : field == 1 ? RedisKeys::sessionIndex(prefix, hash)
                            : RedisKeys::emailIndex(prefix, hash);
    };

    // 1. Sessions: deadline and index membership.
    Status s = scanKeys(client, pattern(), [&](const QList<QByteArray> &keys) -> Status {
        QList<RedisCommand> reads;
        for (const QByteArray &key : keys) {
            reads.append({{"HMGET", key, "a", "e", "u", "d", "m"}, key});
            reads.append({{"PTTL", key}, key});
        }
        auto replies = client.execute(reads);
        if (!replies)
            return replies.error();
        QList<RedisCommand> checks, fixes;
        QList<QByteArray> checkedKeys;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            const RedisReply &f = (*replies)[2 * i];
            if (f.isError() || f.elements.size() != 5 || f.elements[1].isNil())
                continue; // gone meanwhile, or not a session hash
            ++report.sessions;
            const QByteArray id = keys[i].mid(m_keyPrefix.size());
            const qint64 deadline = f.elements[1].string.toLongLong();
            if ((*replies)[2 * i + 1].integer == -1) {
                ++noDeadline.found;
                if (repair) {
                    fixes.append({{"PEXPIREAT", keys[i], QByteArray::number(qMax(deadline, now) * 1000)}, keys[i]});
                    ++noDeadline.repaired;
                }
            }
            for (int field = 0; field < 3; ++field) {
                const QByteArray hash = f.elements[2 + field].string;
                if (hash.isEmpty())
                    continue;
                const QByteArray index = indexKey(field, hash);
                checks.append({{"ZSCORE", index, id}, index});
                checkedKeys.append(index);
                checkedKeys.append(id);
                checkedKeys.append(f.elements[0].string); // absolute deadline: the entry's score
            }
        }
        if (!checks.isEmpty()) {
            auto scores = client.execute(checks);
            if (!scores)
                return scores.error();
            for (qsizetype j = 0; j < scores->size(); ++j) {
                if (!(*scores)[j].isNil())
                    continue;
                ++unindexed.found;
                if (repair) {
                    const QByteArray &index = checkedKeys[3 * j];
                    const QByteArray &score = checkedKeys[3 * j + 2];
                    fixes.append({{"ZADD", index, score, checkedKeys[3 * j + 1]}, index});
                    fixes.append({{"PEXPIREAT", index, QByteArray::number(score.toLongLong() * 1000), "GT"}, index});
                    fixes.append({{"PEXPIREAT", index, QByteArray::number(score.toLongLong() * 1000), "NX"}, index});
                    ++unindexed.repaired;
                }
            }
        }
        if (!fixes.isEmpty()) {
            auto done = client.execute(fixes);
            if (!done)
                return done.error();
        }
        return {};
    });
    if (!s)
        return s.error();

    // 2. Index entries: each must point at a live session carrying that index's hash.
    struct Suspect {
        QByteArray index;
        QByteArray id;
        int field;
        QByteArray hash;
    };
    QList<Suspect> suspects;
    auto findDangling = [&](const QList<Suspect> &candidates) -> Result<QList<Suspect>> {
        QList<RedisCommand> reads;
        for (const Suspect &c : candidates) {
            const QByteArray key = RedisKeys::session(prefix, QString::fromLatin1(c.id));
            reads.append({{"HGET", key, indexFields[c.field]}, key});
        }
        QList<Suspect> out;
        if (reads.isEmpty())
            return out;
        auto replies = client.execute(reads);
        if (!replies)
            return replies.error();
        for (qsizetype i = 0; i < candidates.size(); ++i) {
            if ((*replies)[i].string != candidates[i].hash)
                out.append(candidates[i]);
        }
        return out;
    };
    for (int field = 0; field < 3; ++field) {
        const QByteArray match = globEscaped(indexKey(field, {})) + '*';
        s = scanKeys(client, match, [&](const QList<QByteArray> &keys) -> Status {
            QList<RedisCommand> reads;
            for (const QByteArray &key : keys) {
                reads.append({{"ZRANGE", key, "0", "-1", "WITHSCORES"}, key});
                reads.append({{"PTTL", key}, key});
            }
            auto replies = client.execute(reads);
            if (!replies)
                return replies.error();
            QList<Suspect> candidates;
            QList<RedisCommand> fixes;
            for (qsizetype i = 0; i < keys.size(); ++i) {
                const RedisReply &members = (*replies)[2 * i];
                if (members.isError())
                    continue; // not an index (WRONGTYPE)
                const QByteArray hash = keys[i].mid(indexKey(field, {}).size());
                qint64 last = 0, expired = 0;
                for (qsizetype m = 0; m + 1 < members.elements.size(); m += 2) {
                    ++report.indexEntries;
                    const qint64 score = members.elements[m + 1].string.toLongLong();
                    last = qMax(last, score);
                    if (score <= now)
                        ++expired;
                    else
                        candidates.append({keys[i], members.elements[m].string, field, hash});
                }
                if (expired > 0) {
                    stale.found += expired;
                    if (repair) {
                        fixes.append({{"ZREMRANGEBYSCORE", keys[i], "-inf", QByteArray::number(now)}, keys[i]});
                        stale.repaired += expired;
                    }
                }
                if ((*replies)[2 * i + 1].integer == -1) {
                    ++indexNoDeadline.found;
                    if (repair && last > 0) {
                        fixes.append({{"PEXPIREAT", keys[i], QByteArray::number(last * 1000)}, keys[i]});
                        ++indexNoDeadline.repaired;
                    }
                }
            }
            auto found = findDangling(candidates);
            if (!found)
                return found.error();
            suspects += *found;
            if (!fixes.isEmpty()) {
                auto done = client.execute(fixes);
                if (!done)
                    return done.error();
            }
            return {};
        });
        if (!s)
            return s.error();
    }
    // A login writes its index entries just before the session: look again after a pause before
    // calling an entry dangling.
    if (!suspects.isEmpty()) {
        QThread::msleep(1000);
        auto confirmed = findDangling(suspects);
        if (!confirmed)
            return confirmed.error();
        dangling.found = confirmed->size();
        if (repair && !confirmed->isEmpty()) {
            QList<RedisCommand> removals;
            for (const Suspect &d : std::as_const(*confirmed))
                removals.append({{"ZREM", d.index, d.id}, d.index});
            auto done = client.execute(removals);
            if (!done)
                return done.error();
            for (const RedisReply &r : *done)
                dangling.repaired += r.integer;
        }
    }
    for (const IntegrityFinding &f : {noDeadline, unindexed, dangling, stale, indexNoDeadline}) {
        if (f.found > 0)
            report.findings.append(f);
    }
    return report;
}

} // namespace si::stores
