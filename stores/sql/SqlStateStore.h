#pragma once

#include "SqlBackend.h"
#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"
#include "stores/StoreUrl.h"

namespace si::stores {

// Sessions in SQLite (the embedded default) or PostgreSQL (QPSQL), one row per session with the
// keyed-hash index columns of the native layout. Its own worker thread owns the connection;
// the schema is created and migrated on first use. Expired rows are swept at most once a minute
// and are never returned.
class SqlStateStore : public StateStore {
public:
    SqlStateStore(std::shared_ptr<SqlBackend> backend, std::shared_ptr<const SessionCodec> codec);

    QString backendName() const override;
    // Connects and migrates now (otherwise the first operation does).
    QFuture<Status> open();
    QFuture<Status> set(const QString &id, const StateData &state, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<StateData>>> get(const QString &id, std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &id, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<qsizetype>> deleteByLogoutToken(const LogoutTarget &target) override;
    // Multi-row statements in one transaction; encryption and decryption on all cores.
    QFuture<Status> setMany(const QList<QPair<QString, StateData>> &sessions) override;
    QFuture<Result<QList<Result<std::optional<StateData>>>>> getMany(const QStringList &ids) override;

private:
    Status sweepIfDue(SqlConnection &db);
    QFuture<Status> writeRecords(QList<SessionRecord> encoded);
    // PostgreSQL batches: COPY into a staging table, then one upsert from it (inside the caller's
    // transaction).
    Status copyRecords(SqlConnection &db, const QList<const SessionRecord *> &rows);

    std::shared_ptr<SqlBackend> m_backend;
    std::shared_ptr<const SessionCodec> m_codec;
    qint64 m_lastSweep = 0; // worker thread only
};

} // namespace si::stores
