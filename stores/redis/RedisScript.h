#pragma once

#include "RedisClient.h"

namespace si::stores {

// A Lua script run by EVALSHA (only its SHA-1 travels with each call). When a server does not
// know it (first use, restart, failover), the calls answered NOSCRIPT are retried after
// SCRIPT LOAD on every primary — they did not run, so retrying is safe.
struct RedisScript {
    explicit RedisScript(QByteArray source);

    // EVALSHA sha <keys.size()> keys… args…, routed by the first key.
    RedisCommand call(const QList<QByteArray> &keys, const QList<QByteArray> &args) const;

    QByteArray source;
    QByteArray sha1; // lowercase hex
};

// client.execute(commands), reloading `scripts` and retrying the commands refused with NOSCRIPT.
Result<QList<RedisReply>> executeWithScripts(RedisClient &client, const QList<RedisCommand> &commands,
                                             const QList<const RedisScript *> &scripts);

} // namespace si::stores
