#pragma once

#include "RedisConnection.h"
#include "stores/StoreUrl.h"

#include <QHash>
#include <QList>

#include <array>
#include <memory>

namespace si::stores {

// Runs Redis commands against one server or a Redis Cluster, from one worker thread.
// Commands are pipelined; replies come back in command order. In a cluster each command goes to
// the primary that owns its routing key's slot; MOVED refreshes the slot map and retries, ASK is
// followed with ASKING. A MULTI…EXEC block is retried as a whole. Error replies are returned as
// replies; only transport failures (after the retries) fail the call.
class RedisClient {
public:
    virtual ~RedisClient() = default;

    static Result<std::unique_ptr<RedisClient>> create(const StoreUrl &url);

    virtual Result<QList<RedisReply>> execute(const QList<RedisCommand> &commands) = 0;
    // Like execute(), delivering replies as they arrive (a cluster delivers them after all nodes
    // answered, in command order).
    virtual Status executeStreaming(const QList<RedisCommand> &commands,
                                    const std::function<void(qsizetype, RedisReply &&)> &onReply);
    // One connection per primary (one for a single server): what SCAN must visit.
    virtual Result<QList<RedisConnection *>> primaries() = 0;
    virtual bool isCluster() const = 0;
    virtual QString describe() const = 0;
    // Whether the server behind the client can change under it (Sentinel failover); then
    // topologyEpoch() counts the changes, and a SCAN cursor of one epoch means nothing in the next.
    virtual bool followsFailovers() const { return false; }
    virtual quint64 topologyEpoch() const { return 0; }

    Result<RedisReply> command(const RedisCommand &c);
};

// The connection settings of URL `url` for `host` (the data nodes' credentials and timeouts).
RedisEndpoint redisEndpointFor(const StoreUrl &url, const StoreUrl::Host &host);
QList<QList<QByteArray>> redisArgsOf(const QList<RedisCommand> &commands);

// The slot map of a CLUSTER SLOTS reply: for each slot the index into `primaries` ("host:port") of
// the primary serving it, -1 where none does. An empty or "?" host is `fallbackHost` (the node that
// answered). A reply out of shape (slots outside 0…16383, a port that is no port) is an error.
struct ClusterSlotMap {
    std::array<int, 16384> slots;
    QStringList primaries;
};
Result<ClusterSlotMap> parseClusterSlots(const RedisReply &reply, const QString &fallbackHost);

// The cluster key slot of `key` (CRC16/XMODEM mod 16384, honouring {hash tags}).
quint16 redisKeySlot(QByteArrayView key);

} // namespace si::stores
