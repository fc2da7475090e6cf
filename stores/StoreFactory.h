#pragma once

#include "StoreUrl.h"
#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"

#include <memory>

namespace si::stores {

struct StoreOptions {
    // Namespace inside the backend: a table prefix for SQL, a key prefix for Redis. Lets several
    // applications (or test runs) share one server.
    QString prefix = QStringLiteral("si_");
    // Lifetime of login transactions.
    qint64 transactionSeconds = 600;
};

// Opens the server-side state store for `url` (memory:, sqlite:, redis…, postgresql://).
// Connecting happens on the store's worker thread at the first operation.
Result<std::unique_ptr<StateStore>> createStateStore(const StoreUrl &url, std::shared_ptr<const SessionCodec> codec,
                                                     const StoreOptions &options = {});

} // namespace si::stores
