#include "StoreFactory.h"

#include "memory/MemoryStateStore.h"
#include "redis/RedisStateStore.h"
#include "sql/SqlStateStore.h"

#include <QRegularExpression>

namespace si::stores {

Result<std::unique_ptr<StateStore>> createStateStore(const StoreUrl &url, std::shared_ptr<const SessionCodec> codec,
                                                     const StoreOptions &options)
{
    static const QRegularExpression sqlPrefix(QStringLiteral("^[A-Za-z][A-Za-z0-9_]{0,30}$"));
    switch (url.kind) {
    case StoreUrl::Kind::Memory:
        return std::unique_ptr<StateStore>(std::make_unique<MemoryStateStore>(std::move(codec)));
    case StoreUrl::Kind::Sqlite:
    case StoreUrl::Kind::Postgres:
        if (!sqlPrefix.match(options.prefix).hasMatch())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid table prefix"),
                             QStringLiteral("letters, digits and _ only, starting with a letter"));
        return std::unique_ptr<StateStore>(std::make_unique<SqlStateStore>(url, std::move(codec), options.prefix));
    case StoreUrl::Kind::Redis:
    case StoreUrl::Kind::RedisCluster:
        return std::unique_ptr<StateStore>(std::make_unique<RedisStateStore>(url, std::move(codec), options.prefix));
    }
    return makeError(ErrorCode::Unsupported, QStringLiteral("no state store for %1 yet").arg(url.kindName()));
}

} // namespace si::stores
