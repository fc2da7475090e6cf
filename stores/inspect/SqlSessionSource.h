#pragma once

#include "core/inspector/SessionSource.h"
#include "core/store/StoreTypes.h"
#include "stores/sql/SqlBackend.h"

#include <memory>

namespace si::stores {

// Native sessions in SQLite or PostgreSQL for the inspector: keyset paging by id, or sorted by
// creation or expiry (no OFFSET: a page deep in the listing costs what the first one does), exact
// counts, index lookups on the keyed-hash columns.
class SqlSessionSource : public inspector::SessionSource {
public:
    explicit SqlSessionSource(std::shared_ptr<SqlBackend> backend, Clock clock = systemClock);

    QString describe() const override;
    QString backendName() const override;
    QFuture<Result<inspector::SessionCount>> count() override;
    QFuture<Result<inspector::RawPage>> page(const QString &cursor, int limit) override;
    QFuture<Result<inspector::SkipResult>> skip(const QString &cursor, qint64 n) override;
    // Sorted by creation or expiry, either way, with keyset paging on (column, id) indexes.
    bool supportsOrder(inspector::ListOrder) const override { return true; }
    QFuture<Result<inspector::RawPage>> pageInOrder(inspector::ListOrder order, const QString &cursor,
                                                    int limit) override;
    QFuture<Result<inspector::SkipResult>> skipInOrder(inspector::ListOrder order, const QString &cursor,
                                                       qint64 n) override;
    QFuture<Result<QList<inspector::RawSession>>> loadMany(const QStringList &ids) override;
    QFuture<Result<qsizetype>> remove(const QStringList &ids) override;
    QFuture<Result<bool>> expireAt(const QString &id, qint64 at) override;
    bool hasIndexes() const override { return true; }
    QFuture<Result<QStringList>> lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes) override;
    QFuture<Result<qint64>> scan(Sink sink, int batchSize) override;
    QFuture<Result<inspector::IntegrityReport>> checkIntegrity(bool repair) override;

private:
    std::shared_ptr<SqlBackend> m_backend;
    Clock m_clock;
};

} // namespace si::stores
