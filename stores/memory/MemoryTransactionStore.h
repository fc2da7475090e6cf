#pragma once

#include "core/store/DenyList.h"
#include "core/store/StateStore.h"
#include "core/store/TransactionCodec.h"

#include <QHash>
#include <QMutex>

namespace si::stores {

// The entries of memory transaction stores; several stores can share one.
struct MemoryTransactionTable {
    struct Entry {
        QByteArray envelope;
        qint64 expiresAt = 0;
    };
    QMutex mutex;
    QHash<QString, Entry> entries;
};

// Login transactions in this process's memory (encrypted like every store). Futures complete
// synchronously.
class MemoryTransactionStore : public TransactionStore {
public:
    explicit MemoryTransactionStore(
        std::shared_ptr<const TransactionCodec> codec,
        std::shared_ptr<MemoryTransactionTable> table = std::make_shared<MemoryTransactionTable>());

    QString backendName() const override { return QStringLiteral("memory"); }
    QFuture<Status> set(const QString &state, const TransactionData &transaction,
                        std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<TransactionData>>> get(const QString &state,
                                                        std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &state, std::shared_ptr<StoreContext> context) override;

private:
    std::shared_ptr<const TransactionCodec> m_codec;
    std::shared_ptr<MemoryTransactionTable> m_table;
};

// Deny-list markers in this process's memory (for single-process apps and tests).
class MemoryDenyList : public DenyList {
public:
    explicit MemoryDenyList(Clock clock = systemClock)
        : m_clock(std::move(clock))
    {}
    QFuture<Status> add(const QByteArray &marker, qint64 since, qint64 ttlSeconds) override;
    QFuture<Result<std::optional<qint64>>> latest(const QList<QByteArray> &markers) override;

private:
    Clock m_clock;
    QMutex m_mutex;
    QHash<QByteArray, QPair<qint64, qint64>> m_markers; // marker -> (since, expires at)
};

} // namespace si::stores
