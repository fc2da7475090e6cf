#include "RedisKeys.h"

#include "RedisBackend.h"

namespace si::stores {

Result<qsizetype> removeSessions(RedisClient &client, const QByteArray &prefix, const QStringList &ids)
{
    constexpr qsizetype kBatch = 500;
    qsizetype removed = 0;
    for (qsizetype start = 0; start < ids.size(); start += kBatch) {
        const QStringList batch = ids.mid(start, kBatch);
        QList<RedisCommand> reads, deletes;
        for (const QString &id : batch) {
            const QByteArray key = RedisKeys::session(prefix, id);
            reads.append({{"HMGET", key, "u", "d", "m"}, key});
            deletes.append({{"DEL", key}, key});
        }
        auto fields = client.execute(reads);
        if (!fields)
            return fields.error();
        if (!client.isCluster()) {
            // One server: the sessions and their index entries go in one MULTI block, all or none.
            QList<RedisCommand> block{RedisCommand({"MULTI"})};
            block += deletes;
            for (qsizetype i = 0; i < batch.size(); ++i) {
                const RedisReply &f = (*fields)[i];
                if (f.isError() || f.elements.size() != 3)
                    continue;
                const QByteArray id = batch[i].toLatin1();
                const QByteArray hashes[] = {f.elements[0].string, f.elements[1].string, f.elements[2].string};
                const QByteArray keys[] = {RedisKeys::subjectIndex(prefix, hashes[0]),
                                           RedisKeys::sessionIndex(prefix, hashes[1]),
                                           RedisKeys::emailIndex(prefix, hashes[2])};
                for (qsizetype k = 0; k < 3; ++k) {
                    if (!hashes[k].isEmpty())
                        block.append({{"ZREM", keys[k], id}, keys[k]});
                }
            }
            block.append(RedisCommand({"EXEC"}));
            auto done = client.execute(block);
            if (!done)
                return done.error();
            for (qsizetype i = 0; i + 1 < done->size(); ++i) { // refused while queuing (LOADING…)
                if ((*done)[i].isError())
                    return redisReplyError(QStringLiteral("Redis refused the delete"), (*done)[i]);
            }
            const RedisReply &exec = done->last();
            if (exec.isError())
                return redisReplyError(QStringLiteral("Redis refused the delete"), exec);
            if (exec.type != RedisReply::Type::Array || exec.elements.size() != block.size() - 2)
                return makeError(ErrorCode::StoreUnreachable, QStringLiteral("Redis refused the delete"),
                                 QStringLiteral("the transaction was not executed"));
            for (qsizetype i = 0; i < batch.size(); ++i) {
                if (exec.elements[i].isError())
                    return redisReplyError(QStringLiteral("Redis refused the delete"), exec.elements[i]);
                removed += exec.elements[i].integer;
            }
            continue;
        }
        auto deleted = client.execute(deletes);
        if (!deleted)
            return deleted.error();
        QList<RedisCommand> cleanup;
        for (qsizetype i = 0; i < batch.size(); ++i) {
            const RedisReply &del = (*deleted)[i];
            if (del.isError())
                return redisReplyError(QStringLiteral("Redis refused the delete"), del);
            removed += del.integer;
            const RedisReply &f = (*fields)[i];
            if (f.isError() || f.elements.size() != 3)
                continue;
            const QByteArray id = batch[i].toLatin1();
            const QByteArray keys[] = {
                f.elements[0].string.isEmpty() ? QByteArray() : RedisKeys::subjectIndex(prefix, f.elements[0].string),
                f.elements[1].string.isEmpty() ? QByteArray() : RedisKeys::sessionIndex(prefix, f.elements[1].string),
                f.elements[2].string.isEmpty() ? QByteArray() : RedisKeys::emailIndex(prefix, f.elements[2].string)};
            for (const QByteArray &key : keys) {
                if (!key.isEmpty())
                    cleanup.append({{"ZREM", key, id}, key});
            }
        }
        if (!cleanup.isEmpty())
            (void)client.execute(cleanup); // best effort, see above
    }
    return removed;
}

} // namespace si::stores
