#pragma once

#include "RedisBackend.h"
#include "core/store/DenyList.h"
#include "core/store/StateStore.h"
#include "core/store/TransactionCodec.h"

namespace si::stores {

// Login transactions as <prefix>t:<state> strings that expire by themselves.
class RedisTransactionStore : public TransactionStore {
public:
    RedisTransactionStore(std::shared_ptr<RedisBackend> backend, std::shared_ptr<const TransactionCodec> codec);

    QString backendName() const override { return QStringLiteral("redis"); }
    QFuture<Status> set(const QString &state, const TransactionData &transaction,
                        std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<TransactionData>>> get(const QString &state,
                                                        std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &state, std::shared_ptr<StoreContext> context) override;

private:
    QByteArray key(const QString &state) const;

    std::shared_ptr<RedisBackend> m_backend;
    std::shared_ptr<const TransactionCodec> m_codec;
};

// Deny-list markers as <prefix>x:<marker> strings holding `since`, expiring after their TTL.
class RedisDenyList : public DenyList {
public:
    explicit RedisDenyList(std::shared_ptr<RedisBackend> backend);
    QFuture<Status> add(const QByteArray &marker, qint64 since, qint64 ttlSeconds) override;
    QFuture<Result<std::optional<qint64>>> latest(const QList<QByteArray> &markers) override;

private:
    std::shared_ptr<RedisBackend> m_backend;
};

} // namespace si::stores
