#pragma once

#include "RedisClient.h"
#include "core/async/Worker.h"

#include <memory>

namespace si::stores {

// One Redis client (single server or cluster) and the worker thread that owns its sockets,
// shared by the state store, transaction store and deny list using one server. Keys of all three
// start with the same prefix.
class RedisBackend {
public:
    RedisBackend(StoreUrl url, QByteArray keyPrefix);
    ~RedisBackend();
    RedisBackend(const RedisBackend &) = delete;
    RedisBackend &operator=(const RedisBackend &) = delete;

    const StoreUrl &url() const { return m_url; }
    const QByteArray &prefix() const { return m_prefix; }
    // "redis", "redis-cluster" or "redis-sentinel": what the stores and the audit log call it.
    QString name() const;

    // `job(RedisClient &, const CancelToken &) -> Result<T>` on the worker thread; the client is
    // created (not yet connected) on first use.
    template<typename T, typename F>
    QFuture<Result<T>> run(F job)
    {
        return m_worker->submit<T>([this, job = std::move(job)](const CancelToken &cancel) mutable -> Result<T> {
            if (!m_client) {
                auto created = RedisClient::create(m_url);
                if (!created)
                    return created.error();
                m_client = std::move(created.value());
            }
            return job(*m_client, cancel);
        });
    }

private:
    StoreUrl m_url;
    QByteArray m_prefix;
    std::unique_ptr<RedisClient> m_client; // worker thread only
    std::unique_ptr<Worker> m_worker;
};

Error redisReplyError(const QString &what, const RedisReply &reply);

} // namespace si::stores
