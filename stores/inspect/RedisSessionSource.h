#pragma once

#include "core/inspector/SessionSource.h"
#include "stores/redis/RedisBackend.h"

#include <memory>

namespace si::stores {

// Sessions in Redis or Redis Cluster for the inspector.
//   Native:  the HASHes of RedisStateStore (<prefix>s:<id>) with their keyed-hash indexes.
//   Strings: one STRING per session at <keyPrefix><id> (auth0-fastapi, starsessions,
//            connect-redis), expiry from the key's TTL.
// Listing uses SCAN on every primary; a cursor is "<primary>:<scan cursor>[:<last key>]", so a
// page holds `limit` keys (fewer when some expired meanwhile) and a key that moves between nodes
// mid-listing may show twice or not at all. Counts are exact when the sample covers the keyspace, else an estimate.
class RedisSessionSource : public inspector::SessionSource {
public:
    enum class Mode { Native, Strings };
    RedisSessionSource(std::shared_ptr<RedisBackend> backend, Mode mode, QByteArray keyPrefix);

    QString describe() const override;
    QString backendName() const override;
    QFuture<Result<inspector::SessionCount>> count() override;
    QFuture<Result<inspector::RawPage>> page(const QString &cursor, int limit) override;
    QFuture<Result<inspector::SkipResult>> skip(const QString &cursor, qint64 n) override;
    QFuture<Result<QList<inspector::RawSession>>> loadMany(const QStringList &ids) override;
    QFuture<Result<qsizetype>> remove(const QStringList &ids) override;
    QFuture<Result<bool>> expireAt(const QString &id, qint64 at) override;
    bool hasIndexes() const override { return m_mode == Mode::Native; }
    QFuture<Result<QStringList>> lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes) override;
    QFuture<Result<qint64>> scan(Sink sink, int batchSize) override;
    QFuture<Status> write(const QList<inspector::RawSession> &sessions) override;
    QFuture<Result<inspector::IntegrityReport>> checkIntegrity(bool repair) override;

    // A sample of key names from every primary (for layout detection): up to `limit`.
    QFuture<Result<QList<QByteArray>>> sampleKeys(int limit);

private:
    QByteArray keyFor(const QString &id) const;
    QByteArray pattern() const;
    // Reads the sessions at `keys` (ids derived from the key names); missing ones are left out.
    Result<QList<inspector::RawSession>> fetch(RedisClient &client, const QList<QByteArray> &keys) const;
    // Walks up to `limit` session keys from `cursor` in listing order (SCAN with COUNT `count` on
    // each primary in turn), handing them to `take` slice by slice. Returns the cursor after the
    // last key taken; empty when the listing ended.
    Result<QString> walkKeys(RedisClient &client, const QString &cursor, qint64 limit, int count,
                             const CancelToken &cancel, const std::function<void(QList<QByteArray> &&)> &take) const;
    // Every key matching `match` on every primary, `batch` at a time, to `sink` (false stops).
    Status scanKeys(RedisClient &client, const QByteArray &match,
                    const std::function<Status(const QList<QByteArray> &)> &sink) const;
    Result<inspector::IntegrityReport> checkNative(RedisClient &client, bool repair) const;
    Result<inspector::IntegrityReport> checkStrings(RedisClient &client) const;

    std::shared_ptr<RedisBackend> m_backend;
    Mode m_mode;
    QByteArray m_keyPrefix; // what precedes the id in a session's key
};

} // namespace si::stores
