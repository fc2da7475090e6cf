#include "RedisScript.h"

#include <QCryptographicHash>

namespace si::stores {

RedisScript::RedisScript(QByteArray text)
    : source(std::move(text))
    , sha1(QCryptographicHash::hash(source, QCryptographicHash::Sha1).toHex())
{}

RedisCommand RedisScript::call(const QList<QByteArray> &keys, const QList<QByteArray> &args) const
{
    QList<QByteArray> command{"EVALSHA", sha1, QByteArray::number(keys.size())};
    command += keys;
    command += args;
    return {command, keys.isEmpty() ? QByteArray() : keys.first()};
}

Result<QList<RedisReply>> executeWithScripts(RedisClient &client, const QList<RedisCommand> &commands,
                                             const QList<const RedisScript *> &scripts)
{
    auto replies = client.execute(commands);
    if (!replies)
        return replies;
    QList<qsizetype> refused;
    for (qsizetype i = 0; i < replies->size(); ++i) {
        if ((*replies)[i].isError() && (*replies)[i].string.startsWith("NOSCRIPT"))
            refused.append(i);
    }
    if (refused.isEmpty())
        return replies;
    auto primaries = client.primaries();
    if (!primaries)
        return primaries.error();
    for (RedisConnection *node : *primaries) {
        QList<QList<QByteArray>> loads;
        for (const RedisScript *script : scripts)
            loads.append({"SCRIPT", "LOAD", script->source});
        auto loaded = node->execute(loads);
        if (!loaded)
            return loaded.error();
        for (const RedisReply &r : *loaded) {
            if (r.isError())
                return makeError(ErrorCode::Internal, QStringLiteral("Redis refused a script"),
                                 QString::fromUtf8(r.string.left(200)));
        }
    }
    QList<RedisCommand> retry;
    for (qsizetype i : std::as_const(refused))
        retry.append(commands[i]);
    auto again = client.execute(retry);
    if (!again)
        return again.error();
    for (qsizetype k = 0; k < refused.size(); ++k)
        (*replies)[refused[k]] = (*again)[k];
    return replies;
}

} // namespace si::stores
