#include "RedisTransactionStore.h"

namespace si::stores {

namespace {

template<typename T>
QFuture<Status> toStatus(QFuture<Result<T>> future)
{
    return future.then([](const Result<T> &r) { return r ? Status() : Status(r.error()); });
}

// Raises the stored `since` only (a later revocation wins) and extends the TTL only.
const QByteArray kMarkerScript = R"lua(
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
)lua";

} // namespace

RedisTransactionStore::RedisTransactionStore(std::shared_ptr<RedisBackend> backend,
                                             std::shared_ptr<const TransactionCodec> codec)
    : m_backend(std::move(backend))
    , m_codec(std::move(codec))
{}

QByteArray RedisTransactionStore::key(const QString &state) const
{
    return m_backend->prefix() + "t:" + state.toLatin1();
}

QFuture<Status> RedisTransactionStore::set(const QString &state, const TransactionData &transaction,
                                           std::shared_ptr<StoreContext>)
{
    auto envelope = m_codec->encode(state, transaction);
    if (!envelope)
        return QtFuture::makeReadyFuture(Status(envelope.error()));
    const QByteArray k = key(state);
    const QByteArray ttl = QByteArray::number(m_codec->lifetime() * 1000);
    return toStatus(m_backend->run<bool>(
        [k, ttl, e = std::move(envelope.value())](RedisClient &client, const CancelToken &) -> Result<bool> {
            auto reply = client.command({{"SET", k, e, "PX", ttl}, k});
            if (!reply)
                return reply.error();
            if (reply->isError())
                return redisReplyError(QStringLiteral("Redis refused the transaction write"), *reply);
            return true;
        }));
}

QFuture<Result<std::optional<TransactionData>>> RedisTransactionStore::get(const QString &state,
                                                                           std::shared_ptr<StoreContext>)
{
    using R = std::optional<TransactionData>;
    if (!TransactionCodec::validateState(state))
        return QtFuture::makeReadyFuture(Result<R>(R()));
    const QByteArray k = key(state);
    return m_backend->run<R>([this, k, state](RedisClient &client, const CancelToken &) -> Result<R> {
        auto reply = client.command({{"GET", k}, k});
        if (!reply)
            return reply.error();
        if (reply->isError())
            return redisReplyError(QStringLiteral("Redis refused the transaction read"), *reply);
        if (reply->isNil())
            return R();
        auto tx = m_codec->decode(state, reply->string);
        if (!tx)
            return tx.error();
        return std::move(tx.value());
    });
}

QFuture<Status> RedisTransactionStore::remove(const QString &state, std::shared_ptr<StoreContext>)
{
    if (!TransactionCodec::validateState(state))
        return QtFuture::makeReadyFuture(Status());
    const QByteArray k = key(state);
    return toStatus(m_backend->run<bool>([k](RedisClient &client, const CancelToken &) -> Result<bool> {
        auto reply = client.command({{"DEL", k}, k});
        if (!reply)
            return reply.error();
        if (reply->isError())
            return redisReplyError(QStringLiteral("Redis refused the delete"), *reply);
        return true;
    }));
}

RedisDenyList::RedisDenyList(std::shared_ptr<RedisBackend> backend)
    : m_backend(std::move(backend))
{}

QFuture<Status> RedisDenyList::add(const QByteArray &marker, qint64 since, qint64 ttlSeconds)
{
    const QByteArray k = m_backend->prefix() + "x:" + marker;
    return toStatus(m_backend->run<bool>([=](RedisClient &client, const CancelToken &) -> Result<bool> {
        auto reply = client.command(
            {{"EVAL", kMarkerScript, "1", k, QByteArray::number(since), QByteArray::number(ttlSeconds * 1000)}, k});
        if (!reply)
            return reply.error();
        if (reply->isError())
            return redisReplyError(QStringLiteral("Redis refused the deny-list marker"), *reply);
        return true;
    }));
}

QFuture<Result<std::optional<qint64>>> RedisDenyList::latest(const QList<QByteArray> &markers)
{
    using R = std::optional<qint64>;
    QList<RedisCommand> commands;
    for (const QByteArray &m : markers) {
        const QByteArray k = m_backend->prefix() + "x:" + m;
        commands.append({{"GET", k}, k});
    }
    return m_backend->run<R>([commands](RedisClient &client, const CancelToken &) -> Result<R> {
        if (commands.isEmpty())
            return R();
        auto replies = client.execute(commands);
        if (!replies)
            return replies.error();
        R best;
        for (const RedisReply &reply : *replies) {
            if (reply.isError())
                return redisReplyError(QStringLiteral("Redis refused the deny-list lookup"), reply);
            if (!reply.isNil())
                best = qMax(best.value_or(reply.string.toLongLong()), reply.string.toLongLong());
        }
        return best;
    });
}

} // namespace si::stores
