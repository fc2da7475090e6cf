#pragma once

#include "StoreUrl.h"
#include "core/store/DenyList.h"
#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"
#include "core/store/TransactionCodec.h"

#include <map>
#include <memory>

namespace si::stores {

class SqlBackend;
class RedisBackend;
struct MemorySessionTable;
struct MemoryTransactionTable;

struct StoreOptions {
    // Namespace inside the backend so that several applications (or test runs) can share one
    // server: a table prefix for SQL (letters, digits, _), a key prefix for Redis. Empty: "si_"
    // for SQL, "si:" for Redis.
    QString prefix;
    // SQL connections open read-only: no schema migration (an older schema is read as it is, a
    // missing one is an error), PostgreSQL sessions are READ ONLY (the server refuses any write),
    // SQLite files are opened read-only. What an inspector profile marked read-only uses.
    bool readOnly = false;
};

// Opens stores by URL (memory:, sqlite:, redis…, postgresql://). Stores opened by one factory on
// the same URL share one connection and worker thread (and, for memory:, one table), which is how
// an application's state store, transaction store and deny list live together. Connecting happens
// on the worker thread at the first operation. Not thread-safe itself; the stores it returns are.
class StoreFactory {
public:
    explicit StoreFactory(StoreOptions options = {});
    ~StoreFactory();

    Result<std::unique_ptr<StateStore>> stateStore(const StoreUrl &url, std::shared_ptr<const SessionCodec> codec);
    Result<std::unique_ptr<TransactionStore>> transactionStore(const StoreUrl &url,
                                                               std::shared_ptr<const TransactionCodec> codec);
    Result<std::unique_ptr<DenyList>> denyList(const StoreUrl &url, Clock clock = systemClock);

    // The connection (and worker thread) that stores on `url` share; the inspector reads through it.
    Result<std::shared_ptr<SqlBackend>> sqlBackend(const StoreUrl &url);
    std::shared_ptr<RedisBackend> redisBackend(const StoreUrl &url);
    std::shared_ptr<MemorySessionTable> memoryTable() const { return m_memory; }

private:
    StoreOptions m_options;
    std::map<QString, std::weak_ptr<SqlBackend>> m_sql;
    std::map<QString, std::weak_ptr<RedisBackend>> m_redis;
    std::shared_ptr<MemorySessionTable> m_memory;
    std::shared_ptr<MemoryTransactionTable> m_memoryTransactions;
};

} // namespace si::stores
