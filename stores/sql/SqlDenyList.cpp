#include "SqlDenyList.h"

#include <QSqlQuery>
#include <QStringList>

namespace si::stores {

SqlDenyList::SqlDenyList(std::shared_ptr<SqlBackend> backend, Clock clock)
    : m_backend(std::move(backend))
    , m_clock(std::move(clock))
{}

QFuture<Status> SqlDenyList::add(const QByteArray &marker, qint64 since, qint64 ttlSeconds)
{
    const qint64 now = m_clock();
    return toStatus(m_backend->run<bool>([=](SqlConnection &db, const CancelToken &) -> Result<bool> {
        const QString table = db.table("denylist");
        if (auto s = db.exec(QStringLiteral("DELETE FROM %1 WHERE expires_at <= ?").arg(table), {now}); !s)
            return s.error();
        // Keep the later `since` and the later expiry when a marker is added twice.
        if (auto s = db.exec(QStringLiteral("INSERT INTO %1 (marker, since, expires_at) VALUES (?,?,?)"
                                            " ON CONFLICT (marker) DO UPDATE SET"
                                            " since = CASE WHEN excluded.since > %1.since THEN excluded.since"
                                            " ELSE %1.since END,"
                                            " expires_at = CASE WHEN excluded.expires_at > %1.expires_at"
                                            " THEN excluded.expires_at ELSE %1.expires_at END")
                                 .arg(table),
                             {QString::fromLatin1(marker), since, now + ttlSeconds});
            !s)
            return s.error();
        return true;
    }));
}

QFuture<Result<std::optional<qint64>>> SqlDenyList::latest(const QList<QByteArray> &markers)
{
    using R = std::optional<qint64>;
    const qint64 now = m_clock();
    return m_backend->run<R>([markers, now](SqlConnection &db, const CancelToken &) -> Result<R> {
        if (markers.isEmpty())
            return R();
        QVariantList values;
        for (const QByteArray &m : markers)
            values << QString::fromLatin1(m);
        values << now;
        auto selected = db.query(QStringLiteral("SELECT MAX(since) FROM %1 WHERE marker IN (%2) AND expires_at > ?")
                                     .arg(db.table("denylist"), sqlPlaceholders(markers.size())),
                                 values);
        if (!selected)
            return selected.error();
        QSqlQuery &q = **selected;
        if (!q.next() || q.value(0).isNull())
            return R();
        return R(q.value(0).toLongLong());
    });
}

} // namespace si::stores
