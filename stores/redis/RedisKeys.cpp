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
