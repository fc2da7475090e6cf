#include "StoreFactory.h"

#include "memory/MemoryStateStore.h"
#include "memory/MemoryTransactionStore.h"
#include "redis/RedisStateStore.h"
#include "redis/RedisTransactionStore.h"
#include "sql/SqlDenyList.h"
#include "sql/SqlStateStore.h"
#include "sql/SqlTransactionStore.h"

#include <QRegularExpression>

namespace si::stores {

namespace {

bool isSql(const StoreUrl &url)
{
    return url.kind == StoreUrl::Kind::Sqlite || url.kind == StoreUrl::Kind::Postgres;
}

bool isRedis(const StoreUrl &url)
{
    return url.isRedis();
}

} // namespace

StoreFactory::StoreFactory(StoreOptions options)
    : m_options(std::move(options))
    , m_memory(std::make_shared<MemorySessionTable>())
    , m_memoryTransactions(std::make_shared<MemoryTransactionTable>())
{}

StoreFactory::~StoreFactory() = default;

Result<std::shared_ptr<SqlBackend>> StoreFactory::sqlBackend(const StoreUrl &url)
{
    static const QRegularExpression validPrefix(QStringLiteral("^[A-Za-z][A-Za-z0-9_]{0,30}$"));
    const QString prefix = m_options.prefix.isEmpty() ? QStringLiteral("si_") : m_options.prefix;
    if (!validPrefix.match(prefix).hasMatch())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid table prefix"),
                         QStringLiteral("letters, digits and _ only, starting with a letter"));
    const QString key = url.redacted() + QLatin1Char('|') + prefix;
    if (auto existing = m_sql[key].lock())
        return existing;
    auto backend = std::make_shared<SqlBackend>(url, prefix, m_options.readOnly);
    m_sql[key] = backend;
    return backend;
}

std::shared_ptr<RedisBackend> StoreFactory::redisBackend(const StoreUrl &url)
{
    const QString prefix = m_options.prefix.isEmpty() ? QStringLiteral("si:") : m_options.prefix;
    const QString key = url.redacted() + QLatin1Char('|') + prefix;
    if (auto existing = m_redis[key].lock())
        return existing;
    auto backend = std::make_shared<RedisBackend>(url, prefix.toUtf8());
    m_redis[key] = backend;
    return backend;
}

Result<std::unique_ptr<StateStore>> StoreFactory::stateStore(const StoreUrl &url,
                                                             std::shared_ptr<const SessionCodec> codec)
{
    if (url.kind == StoreUrl::Kind::Memory)
        return std::unique_ptr<StateStore>(std::make_unique<MemoryStateStore>(std::move(codec), m_memory));
    if (isSql(url)) {
        auto backend = sqlBackend(url);
        if (!backend)
            return backend.error();
        return std::unique_ptr<StateStore>(std::make_unique<SqlStateStore>(*backend, std::move(codec)));
    }
    return std::unique_ptr<StateStore>(std::make_unique<RedisStateStore>(redisBackend(url), std::move(codec)));
}

Result<std::unique_ptr<TransactionStore>> StoreFactory::transactionStore(const StoreUrl &url,
                                                                         std::shared_ptr<const TransactionCodec> codec)
{
    if (url.kind == StoreUrl::Kind::Memory)
        return std::unique_ptr<TransactionStore>(
            std::make_unique<MemoryTransactionStore>(std::move(codec), m_memoryTransactions));
    if (isSql(url)) {
        auto backend = sqlBackend(url);
        if (!backend)
            return backend.error();
        return std::unique_ptr<TransactionStore>(std::make_unique<SqlTransactionStore>(*backend, std::move(codec)));
    }
    return std::unique_ptr<TransactionStore>(
        std::make_unique<RedisTransactionStore>(redisBackend(url), std::move(codec)));
}

Result<std::unique_ptr<DenyList>> StoreFactory::denyList(const StoreUrl &url, Clock clock)
{
    if (url.kind == StoreUrl::Kind::Memory)
        return std::unique_ptr<DenyList>(std::make_unique<MemoryDenyList>(std::move(clock)));
    if (isSql(url)) {
        auto backend = sqlBackend(url);
        if (!backend)
            return backend.error();
        return std::unique_ptr<DenyList>(std::make_unique<SqlDenyList>(*backend, std::move(clock)));
    }
    if (isRedis(url))
        return std::unique_ptr<DenyList>(std::make_unique<RedisDenyList>(redisBackend(url)));
    return makeError(ErrorCode::Unsupported, QStringLiteral("no deny list for %1").arg(url.kindName()));
}

} // namespace si::stores
