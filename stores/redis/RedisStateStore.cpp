#include "RedisStateStore.h"

#include "RedisClient.h"
#include "RedisKeys.h"
#include "RedisScript.h"

#include <QtConcurrent/QtConcurrentMap>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace si::stores {

namespace {

// Writes one session hash and its deadline as one step (a session never exists without a TTL).
const RedisScript kWriteScript(R"lua(
redis.call('HSET', KEYS[1], 'v', ARGV[1], 'k', ARGV[2], 'c', ARGV[3], 'l', ARGV[4], 'a', ARGV[5],
           'e', ARGV[6], 'u', ARGV[7], 'd', ARGV[8], 'm', ARGV[10])
redis.call('PEXPIREAT', KEYS[1], ARGV[9])
return 1
)lua");

// Deletes KEYS[1] only when its own index hashes match the revocation: ARGV = nSub, sub hashes…,
// nSid, sid hashes…. Single key, so it runs on the owning node of a cluster as one step.
// Returns {deleted (0/1), its sub hash, sid hash, email hash} so that every index entry of a
// deleted session can go, not only those of the index the revocation came through.
const QByteArray kRevokeMatch = R"lua(
local f = redis.call('HMGET', KEYS[1], 'u', 'd', 'm')
local u, d = f[1], f[2]
if not u and not d then return {0, '', '', ''} end
local ns = tonumber(ARGV[1])
local nd = tonumber(ARGV[2 + ns])
local function member(value, first, count)
  for i = first, first + count - 1 do
    if ARGV[i] == value then return true end
  end
  return false
end
if ns > 0 and not member(u, 2, ns) then return {0, '', '', ''} end
if nd > 0 and not member(d, 3 + ns, nd) then return {0, '', '', ''} end
)lua";
const RedisScript kRevokeScript(kRevokeMatch + R"lua(return {redis.call('DEL', KEYS[1]), u or '', d or '', f[3] or ''}
)lua");

// kRevokeScript for a single server: the deleted session's own index entries go in the same step,
// so that a fault between the two cannot leave them dangling. ARGV ends with the key prefix (the
// index keys are not declared: they are only known from the session's fields, which a cluster
// could not reach in one step; there kRevokeScript runs and the entries are removed afterwards).
const RedisScript kRevokeUnindexScript(kRevokeMatch + R"lua(local deleted = redis.call('DEL', KEYS[1])
local prefix = ARGV[#ARGV]
local id = string.sub(KEYS[1], #prefix + 3)
if deleted == 1 then
  if u and u ~= '' then redis.call('ZREM', prefix .. 'u:' .. u, id) end
  if d and d ~= '' then redis.call('ZREM', prefix .. 'd:' .. d, id) end
  if f[3] and f[3] ~= '' then redis.call('ZREM', prefix .. 'm:' .. f[3], id) end
end
return {deleted, u or '', d or '', f[3] or ''}
)lua");

// Moves the inactivity deadline of KEYS[1] if it still exists (never recreates a deleted session).
const RedisScript kTouchScript(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'l', ARGV[1], 'e', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
)lua");

const QList<const RedisScript *> kScripts{&kWriteScript, &kRevokeScript, &kRevokeUnindexScript, &kTouchScript};

QByteArray num(qint64 v)
{
    return QByteArray::number(v);
}

Error replyError(const QString &what, const RedisReply &reply)
{
    return redisReplyError(what, reply);
}

template<typename T>
QFuture<Status> asStatus(QFuture<Result<T>> future)
{
    return future.then([](const Result<T> &r) { return r ? Status() : Status(r.error()); });
}

} // namespace

RedisStateStore::RedisStateStore(std::shared_ptr<RedisBackend> backend, std::shared_ptr<const SessionCodec> codec)
    : m_backend(std::move(backend))
    , m_codec(std::move(codec))
    , m_prefix(m_backend->prefix())
{}

QString RedisStateStore::backendName() const
{
    return m_backend->name();
}

QByteArray RedisStateStore::sessionKey(const QString &id) const
{
    return RedisKeys::session(m_prefix, id);
}

QByteArray RedisStateStore::subjectKey(const QByteArray &hash) const
{
    return RedisKeys::subjectIndex(m_prefix, hash);
}

QByteArray RedisStateStore::sidKey(const QByteArray &hash) const
{
    return RedisKeys::sessionIndex(m_prefix, hash);
}

void RedisStateStore::appendWrite(const SessionRecord &r, QList<RedisCommand> &indexes, QList<RedisCommand> &sessions,
                                  bool scripted) const
{
    const QByteArray idBytes = r.id.toLatin1();
    // The index outlives every member: no session written now has a deadline past now + the
    // absolute lifetime, and older members have earlier ones.
    const QByteArray indexDeadlineMs = num((m_codec->now() + m_codec->expiry().absoluteSeconds) * 1000);
    for (const QByteArray &key :
         {r.subjectHash.isEmpty() ? QByteArray() : subjectKey(r.subjectHash),
          r.sessionHash.isEmpty() ? QByteArray() : sidKey(r.sessionHash),
          r.emailHash.isEmpty() ? QByteArray() : RedisKeys::emailIndex(m_prefix, r.emailHash)}) {
        if (key.isEmpty())
            continue;
        indexes.append({{"ZADD", key, num(r.absoluteExpiresAt), idBytes}, key});
        indexes.append({{"PEXPIREAT", key, qMax(indexDeadlineMs, num(r.absoluteExpiresAt * 1000))}, key});
    }
    if (!scripted) {
        const QByteArray key = sessionKey(r.id);
        sessions.append({{"HSET", key,
                          "v",    r.envelope,
                          "k",    r.keyId.toLatin1(),
                          "c",    num(r.createdAt),
                          "l",    num(r.lastActivity),
                          "a",    num(r.absoluteExpiresAt),
                          "e",    num(r.expiresAt),
                          "u",    r.subjectHash,
                          "d",    r.sessionHash,
                          "m",    r.emailHash},
                         key});
        sessions.append({{"PEXPIREAT", key, num(r.expiresAt * 1000)}, key});
        return;
    }
    sessions.append(
        kWriteScript.call({sessionKey(r.id)}, {r.envelope, r.keyId.toLatin1(), num(r.createdAt), num(r.lastActivity),
                                               num(r.absoluteExpiresAt), num(r.expiresAt), r.subjectHash, r.sessionHash,
                                               num(r.expiresAt * 1000), r.emailHash}));
}

Status RedisStateStore::checkTransaction(const QList<RedisReply> &replies, const QString &what)
{
    // MULTI, one QUEUED per command, then EXEC with every command's reply (or EXECABORT).
    // A command refused while queuing (LOADING after a restart…) says more than EXECABORT.
    for (qsizetype i = 0; i + 1 < replies.size(); ++i) {
        if (replies[i].isError())
            return replyError(what, replies[i]);
    }
    const RedisReply &exec = replies.last();
    if (exec.isError())
        return replyError(what, exec);
    if (exec.type != RedisReply::Type::Array || exec.elements.size() != replies.size() - 2)
        return makeError(ErrorCode::StoreUnreachable, what, QStringLiteral("the transaction was not executed"));
    return checkReplies(exec.elements, what);
}

Status RedisStateStore::checkReplies(const QList<RedisReply> &replies, const QString &what)
{
    for (const RedisReply &reply : replies) {
        if (reply.isError())
            return replyError(what, reply);
    }
    return {};
}

QFuture<Status> RedisStateStore::set(const QString &id, const StateData &state, std::shared_ptr<StoreContext>)
{
    return setMany({{id, state}});
}

QFuture<Status> RedisStateStore::setMany(const QList<QPair<QString, StateData>> &sessions)
{
    return SessionCodec::encodeThenWrite(
        m_codec, sessions, [this](QList<SessionRecord> records) { return writeRecords(std::move(records)); });
}

QFuture<Status> RedisStateStore::writeRecords(QList<SessionRecord> records)
{
    return asStatus(
        m_backend->run<bool>([this, records](RedisClient &client, const CancelToken &cancel) -> Result<bool> {
            constexpr qsizetype kBatch = 500;
            for (qsizetype start = 0; start < records.size(); start += kBatch) {
                if (cancel.isCanceled())
                    return canceledError();
                QList<RedisCommand> indexes, writes;
                const bool cluster = client.isCluster();
                for (qsizetype i = start; i < qMin(records.size(), start + kBatch); ++i)
                    appendWrite(records[i], indexes, writes, cluster);
                // On one server the batch is one MULTI block: the server applies all of it or none (a
                // connection lost before EXEC discards it; the append-only file drops an unfinished
                // block), so a fault leaves neither a session without its index entries nor an entry
                // without its session. A cluster cannot span slots in one step: there index entries go
                // first and sessions after, so a fault leaves at most a dangling entry (fsck --repair).
                if (!cluster) {
                    QList<RedisCommand> block{RedisCommand({"MULTI"})};
                    block += indexes;
                    block += writes;
                    block.append(RedisCommand({"EXEC"}));
                    auto replies = client.execute(block);
                    if (!replies)
                        return replies.error();
                    if (auto s = checkTransaction(*replies, QStringLiteral("Redis refused the session write")); !s)
                        return s.error();
                    continue;
                }
                if (!indexes.isEmpty()) {
                    auto replies = client.execute(indexes);
                    if (!replies)
                        return replies.error();
                    if (auto s = checkReplies(*replies, QStringLiteral("Redis refused the index update")); !s)
                        return s.error();
                }
                auto replies = executeWithScripts(client, writes, kScripts);
                if (!replies)
                    return replies.error();
                if (auto s = checkReplies(*replies, QStringLiteral("Redis refused the session write")); !s)
                    return s.error();
            }
            return true;
        }));
}

RedisStateStore::Decoded RedisStateStore::decodeFields(const QString &id, const RedisReply &fields) const
{
    using R = std::optional<StateData>;
    Decoded out;
    if (fields.isError()) {
        out.state = replyError(QStringLiteral("Redis refused the read"), fields);
        return out;
    }
    if (fields.elements.size() < 6 || fields.elements[0].isNil())
        return out;
    SessionRecord record;
    record.id = id;
    record.envelope = fields.elements[0].string;
    record.keyId = QString::fromLatin1(fields.elements[1].string);
    record.createdAt = fields.elements[2].string.toLongLong();
    record.lastActivity = fields.elements[3].string.toLongLong();
    record.absoluteExpiresAt = fields.elements[4].string.toLongLong();
    record.expiresAt = fields.elements[5].string.toLongLong();
    if (m_codec->isExpired(record))
        return out;
    auto state = m_codec->decode(record);
    if (!state) {
        out.state = state.error();
        return out;
    }
    if (m_codec->touch(record))
        out.touched = record;
    out.state = R(std::move(state.value()));
    return out;
}

RedisCommand RedisStateStore::touchCommand(const SessionRecord &record) const
{
    return kTouchScript.call({sessionKey(record.id)},
                             {num(record.lastActivity), num(record.expiresAt), num(record.expiresAt * 1000)});
}

QFuture<Result<std::optional<StateData>>> RedisStateStore::get(const QString &id, std::shared_ptr<StoreContext>)
{
    using R = std::optional<StateData>;
    if (auto valid = SessionCodec::validateId(id); !valid)
        return QtFuture::makeReadyFuture(Result<R>(R()));
    return m_backend->run<R>([this, id](RedisClient &client, const CancelToken &) -> Result<R> {
        const QByteArray key = sessionKey(id);
        auto reply = client.command({{"HMGET", key, "v", "k", "c", "l", "a", "e"}, key});
        if (!reply)
            return reply.error();
        Decoded decoded = decodeFields(id, *reply);
        if (decoded.touched) // best effort: a failed touch costs inactivity time, not the read
            (void)executeWithScripts(client, {touchCommand(*decoded.touched)}, kScripts);
        return std::move(decoded.state);
    });
}

QFuture<Result<QList<Result<std::optional<StateData>>>>> RedisStateStore::getMany(const QStringList &ids)
{
    using Item = Result<std::optional<StateData>>;
    return m_backend->run<QList<Item>>([this, ids](RedisClient &client, const CancelToken &) -> Result<QList<Item>> {
        QList<RedisCommand> commands;
        commands.reserve(ids.size());
        for (const QString &id : ids) {
            const QByteArray key = sessionKey(id);
            commands.append({{"HMGET", key, "v", "k", "c", "l", "a", "e"}, key});
        }
        // Decryption (the expensive part) starts on the pool for each slice of replies while this
        // thread keeps reading the next ones; results are written in place.
        std::vector<RedisReply> replies(static_cast<size_t>(ids.size()));
        std::vector<Decoded> decoded(static_cast<size_t>(ids.size()));
        QList<QFuture<void>> slices;
        constexpr qsizetype kSlice = 64;
        qsizetype sliceStart = 0;
        auto launch = [&](qsizetype end) {
            slices.append(QtConcurrent::run([this, &ids, &replies, &decoded, start = sliceStart, end] {
                for (qsizetype i = start; i < end; ++i)
                    decoded[static_cast<size_t>(i)] = decodeFields(ids[i], replies[static_cast<size_t>(i)]);
            }));
            sliceStart = end;
        };
        const Status read = client.executeStreaming(commands, [&](qsizetype i, RedisReply &&reply) {
            replies[static_cast<size_t>(i)] = std::move(reply);
            if (i + 1 - sliceStart >= kSlice)
                launch(i + 1);
        });
        if (read && sliceStart < ids.size())
            launch(ids.size());
        for (QFuture<void> &f : slices) // always wait: the slices reference this frame
            f.waitForFinished();

        if (!read)
            return read.error();
        QList<RedisCommand> touches;
        QList<Item> out;
        out.reserve(ids.size());
        for (Decoded &d : decoded) {
            if (d.touched)
                touches.append(touchCommand(*d.touched));
            out.append(std::move(d.state));
        }
        if (!touches.isEmpty())
            (void)executeWithScripts(client, touches, kScripts);
        return out;
    });
}

QFuture<Status> RedisStateStore::remove(const QString &id, std::shared_ptr<StoreContext>)
{
    if (auto valid = SessionCodec::validateId(id); !valid)
        return QtFuture::makeReadyFuture(Status());
    return asStatus(m_backend->run<bool>([this, id](RedisClient &client, const CancelToken &) -> Result<bool> {
        const QByteArray key = sessionKey(id);
        auto removed = removeSessions(client, m_prefix, {id});
        if (!removed)
            return removed.error();
        return true;
    }));
}

Error RedisStateStore::interruptedRevocation(RedisClient &client, const QList<QByteArray> &candidates,
                                             const Error &failure) const
{
    // The deletions failed on the way (the master died, the connection broke): some may have
    // run. They are not sent again; what is left is looked up, once the store answers again (a
    // Sentinel client finds the new master first), so that the report says what went.
    QList<RedisCommand> lookups;
    for (const QByteArray &id : candidates) {
        const QByteArray key = m_prefix + "s:" + id;
        lookups.append({{"EXISTS", key}, key});
    }
    auto exists = client.execute(lookups);
    if (!exists) {
        Error e = failure;
        e.message = QStringLiteral("the revocation of %1 session(s) was interrupted, and what went is unknown: %2")
                        .arg(candidates.size())
                        .arg(failure.message);
        return e;
    }
    qsizetype remaining = 0;
    for (const RedisReply &r : *exists)
        remaining += r.integer > 0 ? 1 : 0;
    Error e = failure;
    e.message = QStringLiteral("the revocation was interrupted: %1 of %2 session(s) are gone, %3 remain (nothing was "
                               "repeated; run it again to remove the rest)")
                    .arg(candidates.size() - remaining)
                    .arg(candidates.size())
                    .arg(remaining);
    e.detail = failure.message;
    return e;
}

QFuture<Result<qsizetype>> RedisStateStore::deleteByLogoutToken(const LogoutTarget &target)
{
    if (!target.isValid())
        return QtFuture::makeReadyFuture(
            Result<qsizetype>(makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid logout target"),
                                        QStringLiteral("an issuer and a sub or sid are required"))));
    const QList<QByteArray> subjects =
        target.sub ? m_codec->subjectHashes(target.issuer, *target.sub) : QList<QByteArray>();
    const QList<QByteArray> sessions =
        target.sid ? m_codec->sessionHashes(target.issuer, *target.sid) : QList<QByteArray>();
    return m_backend->run<qsizetype>(
        [this, subjects, sessions](RedisClient &client, const CancelToken &) -> Result<qsizetype> {
            // Candidates from the narrower index: sid when given, else sub.
            QList<QByteArray> indexKeys;
            for (const QByteArray &h : sessions.isEmpty() ? subjects : sessions)
                indexKeys.append(sessions.isEmpty() ? subjectKey(h) : sidKey(h));
            QList<RedisCommand> lookups;
            for (const QByteArray &key : indexKeys)
                lookups.append({{"ZRANGE", key, "0", "-1"}, key});
            auto members = client.execute(lookups);
            if (!members)
                return members.error();
            QList<QByteArray> candidates;
            for (const RedisReply &reply : *members) {
                if (reply.isError())
                    return replyError(QStringLiteral("Redis refused the index lookup"), reply);
                for (const RedisReply &m : reply.elements) {
                    if (!candidates.contains(m.string))
                        candidates.append(m.string);
                }
            }
            QList<QByteArray> argv{num(subjects.size())};
            argv += subjects;
            argv.append(num(sessions.size()));
            argv += sessions;
            const bool cluster = client.isCluster();
            if (!cluster)
                argv.append(m_prefix);
            QList<RedisCommand> deletes;
            for (const QByteArray &id : std::as_const(candidates))
                deletes.append((cluster ? kRevokeScript : kRevokeUnindexScript).call({m_prefix + "s:" + id}, argv));
            qsizetype removed = 0;
            QList<QByteArray> removedIds;
            QList<RedisCommand> otherIndexes; // the deleted sessions' entries in the indexes not looked at
            if (!deletes.isEmpty()) {
                auto results = executeWithScripts(client, deletes, kScripts);
                if (!results)
                    return interruptedRevocation(client, candidates, results.error());
                for (qsizetype i = 0; i < results->size(); ++i) {
                    const RedisReply &reply = (*results)[i];
                    if (reply.isError())
                        return replyError(QStringLiteral("Redis refused the revocation"), reply);
                    if (reply.elements.size() != 4 || reply.elements[0].integer <= 0)
                        continue;
                    removedIds.append(candidates[i]);
                    ++removed;
                    const QByteArray keys[] = {RedisKeys::subjectIndex(m_prefix, reply.elements[1].string),
                                               RedisKeys::sessionIndex(m_prefix, reply.elements[2].string),
                                               RedisKeys::emailIndex(m_prefix, reply.elements[3].string)};
                    for (qsizetype k = 0; k < 3 && cluster; ++k) {
                        if (!reply.elements[k + 1].string.isEmpty() && !indexKeys.contains(keys[k]))
                            otherIndexes.append({{"ZREM", keys[k], candidates[i]}, keys[k]});
                    }
                }
            }
            // Index entries go after the sessions, and only those we looked at: an entry a concurrent
            // login added meanwhile stays. With sub or sid alone every entry seen belonged to the
            // target (or was stale); with both, only the removed ids leave the sid index.
            const QList<QByteArray> &drop = (sessions.isEmpty() || subjects.isEmpty()) ? candidates : removedIds;
            QList<RedisCommand> cleanup;
            if (!drop.isEmpty()) {
                for (const QByteArray &key : std::as_const(indexKeys)) {
                    QList<QByteArray> args{"ZREM", key};
                    args += drop;
                    cleanup.append({args, key});
                }
            }
            cleanup += otherIndexes;
            if (!cleanup.isEmpty())
                (void)client.execute(cleanup); // best effort: what stays is a harmless dangling entry
            return removed;
        });
}

} // namespace si::stores
