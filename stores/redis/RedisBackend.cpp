#include "RedisBackend.h"

namespace si::stores {

RedisBackend::RedisBackend(StoreUrl url, QByteArray keyPrefix)
    : m_url(std::move(url))
    , m_prefix(std::move(keyPrefix))
    , m_worker(std::make_unique<Worker>(QStringLiteral("si-redis")))
{}

RedisBackend::~RedisBackend()
{
    // Sockets belong to the worker thread: close them there, then stop the thread.
    (void)await(m_worker->submit<bool>([this](const CancelToken &) -> Result<bool> {
        m_client.reset();
        return true;
    }));
    m_worker.reset();
}

QString RedisBackend::name() const
{
    switch (m_url.kind) {
    case StoreUrl::Kind::RedisCluster:
        return QStringLiteral("redis-cluster");
    case StoreUrl::Kind::RedisSentinel:
        return QStringLiteral("redis-sentinel");
    default:
        return QStringLiteral("redis");
    }
}

Error redisReplyError(const QString &what, const RedisReply &reply)
{
    // Redis error replies name the problem (OOM, NOPERM, READONLY…) and never echo values.
    const bool unreachable = reply.string.startsWith("LOADING") || reply.string.startsWith("CLUSTERDOWN") ||
                             reply.string.startsWith("MASTERDOWN") || reply.string.startsWith("READONLY");
    return makeError(unreachable ? ErrorCode::StoreUnreachable : ErrorCode::Internal, what,
                     QString::fromUtf8(reply.string.left(200)));
}

} // namespace si::stores
