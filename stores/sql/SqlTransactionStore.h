#pragma once

#include "SqlBackend.h"
#include "core/store/StateStore.h"
#include "core/store/TransactionCodec.h"

namespace si::stores {

// Login transactions in the same SQL database as the sessions (table <prefix>transactions).
class SqlTransactionStore : public TransactionStore {
public:
    SqlTransactionStore(std::shared_ptr<SqlBackend> backend, std::shared_ptr<const TransactionCodec> codec);

    QString backendName() const override;
    QFuture<Status> set(const QString &state, const TransactionData &transaction,
                        std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<TransactionData>>> get(const QString &state,
                                                        std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &state, std::shared_ptr<StoreContext> context) override;

private:
    std::shared_ptr<SqlBackend> m_backend;
    std::shared_ptr<const TransactionCodec> m_codec;
};

} // namespace si::stores
