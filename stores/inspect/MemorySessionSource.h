#pragma once

#include "core/inspector/SessionSource.h"
#include "stores/memory/MemoryStateStore.h"

#include <memory>

namespace si::stores {

// Native sessions of a MemoryStateStore's table (this process only: tests, demos, an
// application embedding the inspector). Operations complete synchronously.
class MemorySessionSource : public inspector::SessionSource {
public:
    MemorySessionSource(std::shared_ptr<MemorySessionTable> table, std::shared_ptr<MemoryStateStore> store,
                        Clock clock = systemClock);

    QString describe() const override { return QStringLiteral("memory:"); }
    QString backendName() const override { return QStringLiteral("memory"); }
    QFuture<Result<inspector::SessionCount>> count() override;
    QFuture<Result<inspector::RawPage>> page(const QString &cursor, int limit) override;
    QFuture<Result<QList<inspector::RawSession>>> loadMany(const QStringList &ids) override;
    QFuture<Result<qsizetype>> remove(const QStringList &ids) override;
    QFuture<Result<bool>> expireAt(const QString &id, qint64 at) override;
    bool hasIndexes() const override { return true; }
    QFuture<Result<QStringList>> lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes) override;
    QFuture<Result<qint64>> scan(Sink sink, int batchSize) override;

private:
    QList<inspector::RawSession> after(const QString &cursor, int limit) const;

    std::shared_ptr<MemorySessionTable> m_table;
    std::shared_ptr<MemoryStateStore> m_store;
    Clock m_clock;
};

} // namespace si::stores
