#include "SqlSessionSource.h"

#include "stores/sql/SqlConnection.h"

#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <utility>

namespace si::stores {

using inspector::ListOrder;
using inspector::RawPage;
using inspector::RawSession;
using inspector::SessionCount;
using inspector::SkipResult;

namespace {

// SQLite hands TEXT to Qt as UTF-16 (a conversion per byte of every envelope); as a BLOB the
// ASCII envelope arrives as it is stored.
QString columns(const SqlConnection &db)
{
    return db.isPostgres()
               ? QStringLiteral("id, envelope, key_id, created_at, last_activity, expires_at, subject_hash")
               : QStringLiteral("id, CAST(envelope AS BLOB), key_id, created_at, last_activity, expires_at, "
                                "subject_hash");
}

RawSession rowOf(const QSqlQuery &q)
{
    RawSession s;
    s.id = q.value(0).toString();
    s.value = q.value(1).toByteArray();
    s.keyId = q.value(2).toString();
    s.createdAt = q.value(3).toLongLong();
    s.lastActivity = q.value(4).toLongLong();
    s.expiresAt = q.value(5).toLongLong();
    s.subjectHash = q.value(6).toString().toLatin1();
    return s;
}

// One keyset page: sessions with id > `after`, in id order. ("+expires_at" keeps SQLite's planner
// off the expiry index, which would sort every live row for each page; the listing index
// (id, expires_at) serves both the order and the filter.)
Result<QList<RawSession>> pageAfter(SqlConnection &db, const QString &after, int limit, qint64 now)
{
    // (An empty QString binds as NULL, and "id > NULL" matches nothing: the first page has no bound.)
    auto selected =
        after.isEmpty()
            ? db.query(QStringLiteral("SELECT %1 FROM %2 WHERE +expires_at > ? ORDER BY id LIMIT %3")
                           .arg(columns(db), db.table("sessions"))
                           .arg(limit),
                       {now})
            : db.query(QStringLiteral("SELECT %1 FROM %2 WHERE +expires_at > ? AND id > ? ORDER BY id LIMIT %3")
                           .arg(columns(db), db.table("sessions"))
                           .arg(limit),
                       {now, after});
    if (!selected)
        return selected.error();
    QSqlQuery &q = **selected;
    QList<RawSession> out;
    out.reserve(limit);
    while (q.next())
        out.append(rowOf(q));
    q.finish();
    return out;
}

// Delivers the rows of `q` (a streamed direct() result) to `sink` in batches: true when the rows
// ran out, false once the sink wants no more, an error when the stream broke (a forward-only
// result fetches as next() asks, so a connection lost or timed out mid-result ends it early; that
// is not the end of the table). The server's deadline is off while the sink has the rows.
Result<bool> deliverRows(SqlConnection &db, QSqlQuery &q, const inspector::SessionSource::Sink &sink, int batchSize,
                         qint64 &delivered, const CancelToken &cancel, bool &any)
{
    QList<RawSession> rows;
    auto flush = [&] {
        delivered += rows.size();
        const bool wanted = sink(std::exchange(rows, {}));
        db.expectAnswer();
        return wanted;
    };
    while (q.next()) {
        any = true;
        if (rows.isEmpty())
            rows.reserve(batchSize);
        rows.append(rowOf(q));
        if (rows.size() == batchSize) {
            if (!db.answered())
                return db.timedOut();
            if (!flush() || cancel.isCanceled())
                return false;
        }
    }
    if (!db.answered())
        return db.timedOut();
    if (const QSqlError error = q.lastError(); error.isValid())
        return makeError(ErrorCode::StoreUnreachable,
                         QStringLiteral("the store stopped answering during the scan, after %1 session(s)")
                             .arg(delivered + rows.size()),
                         error.databaseText().simplified().left(300));
    return rows.isEmpty() || flush();
}

// A full scan reads the table in storage order in one snapshot — every live session exactly once,
// even while the application writes — instead of keyset pages, which walk the id index and fetch
// each row from a random page (three times the work; docs/benchmarks.md, issue #5).
// PostgreSQL: a server-side cursor in a read-only transaction, fetched in large steps.
// SQLite: one forward-only statement (its read transaction is the snapshot), stepped as we go.
Result<qint64> scanInStorageOrder(SqlConnection &db, const inspector::SessionSource::Sink &sink, int batchSize,
                                  qint64 now, const CancelToken &cancel)
{
    qint64 delivered = 0;
    bool any = false;
    if (!db.isPostgres()) {
        // "+expires_at": no index for the filter, so the table is read in rowid order.
        auto selected = db.direct(
            QStringLiteral("SELECT %1 FROM %2 WHERE +expires_at > ?").arg(columns(db), db.table("sessions")), {now});
        if (!selected)
            return selected.error();
        const auto delivery = deliverRows(db, **selected, sink, batchSize, delivered, cancel, any);
        (*selected)->finish();
        if (!delivery)
            return delivery.error();
        if (cancel.isCanceled())
            return canceledError();
        return delivered;
    }
    if (auto begun = db.transaction(); !begun)
        return begun.error();
    // Nothing was written: ending with a rollback closes the cursor on every path.
    const auto end = qScopeGuard([&db] { db.rollback(); });
    // (PostgreSQL does not prepare DECLARE or FETCH: they run unprepared, with numbers only.)
    if (auto declared = db.direct(QStringLiteral("DECLARE si_scan NO SCROLL CURSOR FOR SELECT %1 FROM %2 "
                                                 "WHERE expires_at > %3")
                                      .arg(columns(db), db.table("sessions"))
                                      .arg(now));
        !declared)
        return declared.error();
    // Large steps: each FETCH is a round trip during which nothing is decoded.
    const QString fetch = QStringLiteral("FETCH FORWARD %1 FROM si_scan").arg(qMax(batchSize, 4000));
    for (;;) {
        if (cancel.isCanceled())
            return canceledError();
        auto fetched = db.direct(fetch);
        if (!fetched) {
            // The connection was lost and replaced under the scan: the new one has no cursor
            // ("si_scan does not exist", SQLSTATE 34000). Say so as the outage it is.
            Error e = fetched.error();
            if (e.code != ErrorCode::StoreUnreachable && e.detail.contains(QLatin1String("si_scan"))) {
                e = makeError(ErrorCode::StoreUnreachable,
                              QStringLiteral("the connection to the store was lost during the scan, after %1 "
                                             "session(s); nothing after the scan was done")
                                  .arg(delivered),
                              e.detail);
            }
            return e;
        }
        any = false;
        const auto more = deliverRows(db, **fetched, sink, batchSize, delivered, cancel, any);
        (*fetched)->finish();
        if (!more)
            return more.error();
        if (!*more || !any)
            return cancel.isCanceled() ? Result<qint64>(canceledError()) : Result<qint64>(delivered);
    }
}

// A sorted listing's keyset: (column, id) in one direction. Its cursors are "<value>:<id>".
struct Keyset {
    const char *column = nullptr; // null: the store's order (by id; cursors are ids)
    bool descending = false;
};

Keyset keysetOf(ListOrder order)
{
    switch (order) {
    case ListOrder::Store:
        break;
    case ListOrder::CreatedAscending:
        return {"created_at", false};
    case ListOrder::CreatedDescending:
        return {"created_at", true};
    case ListOrder::ExpiresAscending:
        return {"expires_at", false};
    case ListOrder::ExpiresDescending:
        return {"expires_at", true};
    }
    return {};
}

// The WHERE and ORDER BY of a sorted listing after `cursor`, and the values they bind (after `now`).
struct SortedClause {
    QString where;
    QString orderBy;
    QVariantList values;
};

Result<SortedClause> sortedClause(const Keyset &keyset, const QString &cursor, qint64 now)
{
    const QString column = QLatin1String(keyset.column);
    const QString direction = keyset.descending ? QStringLiteral(" DESC") : QString();
    SortedClause out;
    // The index range starts at the cursor ("+" keeps SQLite from starting it at `now` instead,
    // which would walk every row before the cursor); the first page of the expiry order starts
    // at `now`.
    out.where = column == QLatin1String("expires_at") && cursor.isEmpty() ? QStringLiteral("expires_at > ?")
                                                                          : QStringLiteral("+expires_at > ?");
    out.values << now;
    if (!cursor.isEmpty()) {
        const qsizetype colon = cursor.indexOf(u':');
        bool ok = colon > 0;
        const qint64 value = ok ? cursor.left(colon).toLongLong(&ok) : 0;
        if (!ok)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a cursor of this listing"));
        out.where += QStringLiteral(" AND (%1, id) %2 (?, ?)")
                         .arg(column, keyset.descending ? QStringLiteral("<") : QStringLiteral(">"));
        out.values << value << cursor.mid(colon + 1);
    }
    out.orderBy = QStringLiteral("%1%2, id%2").arg(column, direction);
    return out;
}

QString sortedCursor(const Keyset &keyset, const RawSession &s)
{
    const qint64 value = qstrcmp(keyset.column, "created_at") == 0 ? s.createdAt : s.expiresAt;
    return QStringLiteral("%1:%2").arg(value).arg(s.id);
}

} // namespace

SqlSessionSource::SqlSessionSource(std::shared_ptr<SqlBackend> backend, Clock clock)
    : m_backend(std::move(backend))
    , m_clock(std::move(clock))
{}

QString SqlSessionSource::describe() const
{
    return m_backend->url().redacted();
}

QString SqlSessionSource::backendName() const
{
    return m_backend->isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
}

QFuture<Result<SessionCount>> SqlSessionSource::count()
{
    return m_backend->run<SessionCount>([this](SqlConnection &db, const CancelToken &) -> Result<SessionCount> {
        auto selected = db.query(
            QStringLiteral("SELECT COUNT(*) FROM %1 WHERE expires_at > ?").arg(db.table("sessions")), {m_clock()});
        if (!selected)
            return selected.error();
        QSqlQuery &q = **selected;
        SessionCount out;
        if (q.next())
            out.value = q.value(0).toLongLong();
        q.finish();
        return out;
    });
}

QFuture<Result<RawPage>> SqlSessionSource::page(const QString &cursor, int limit)
{
    return pageInOrder(ListOrder::Store, cursor, limit);
}

QFuture<Result<RawPage>> SqlSessionSource::pageInOrder(ListOrder order, const QString &cursor, int limit)
{
    return m_backend->run<RawPage>(
        [this, order, cursor, limit](SqlConnection &db, const CancelToken &) -> Result<RawPage> {
            const Keyset keyset = keysetOf(order);
            RawPage out;
            if (!keyset.column) {
                auto rows = pageAfter(db, cursor, limit, m_clock());
                if (!rows)
                    return rows.error();
                out.sessions = std::move(rows.value());
                if (out.sessions.size() == limit)
                    out.nextCursor = out.sessions.last().id;
                return out;
            }
            auto clause = sortedClause(keyset, cursor, m_clock());
            if (!clause)
                return clause.error();
            auto selected = db.query(QStringLiteral("SELECT %1 FROM %2 WHERE %3 ORDER BY %4 LIMIT %5")
                                         .arg(columns(db), db.table("sessions"), clause->where, clause->orderBy)
                                         .arg(limit),
                                     clause->values);
            if (!selected)
                return selected.error();
            QSqlQuery &q = **selected;
            while (q.next())
                out.sessions.append(rowOf(q));
            q.finish();
            if (out.sessions.size() == limit)
                out.nextCursor = sortedCursor(keyset, out.sessions.last());
            return out;
        });
}

QFuture<Result<SkipResult>> SqlSessionSource::skip(const QString &cursor, qint64 n)
{
    return skipInOrder(ListOrder::Store, cursor, n);
}

QFuture<Result<SkipResult>> SqlSessionSource::skipInOrder(ListOrder order, const QString &cursor, qint64 n)
{
    return m_backend->run<SkipResult>(
        [this, order, cursor, n](SqlConnection &db, const CancelToken &) -> Result<SkipResult> {
            if (n <= 0)
                return SkipResult{cursor, false, 0};
            // The n-th session after the cursor, from an index alone: one statement, no values read.
            // OFFSET here is the skip itself, bounded by the distance from the nearest cursor the
            // caller knows; pages still use keysets.
            const Keyset keyset = keysetOf(order);
            QString where;
            QString orderBy;
            QVariantList values;
            if (!keyset.column) {
                where = QStringLiteral("+expires_at > ?");
                values << m_clock();
                if (!cursor.isEmpty()) {
                    where += QStringLiteral(" AND id > ?");
                    values << cursor;
                }
                orderBy = QStringLiteral("id");
            } else {
                auto clause = sortedClause(keyset, cursor, m_clock());
                if (!clause)
                    return clause.error();
                where = clause->where;
                orderBy = clause->orderBy;
                values = clause->values;
            }
            const QString column = keyset.column ? QLatin1String(keyset.column) : QStringLiteral("0");
            auto selected = db.query(QStringLiteral("SELECT %1, id FROM %2 WHERE %3 ORDER BY %4 LIMIT 1 OFFSET ?")
                                         .arg(column, db.table("sessions"), where, orderBy),
                                     values + QVariantList{n - 1});
            if (!selected)
                return selected.error();
            QSqlQuery &q = **selected;
            SkipResult out;
            if (q.next()) {
                const QString id = q.value(1).toString();
                out.cursor = keyset.column ? QStringLiteral("%1:%2").arg(q.value(0).toLongLong()).arg(id) : id;
                out.skipped = n;
                q.finish();
                return out;
            }
            q.finish();
            // Fewer than n remain: say how many, so that the caller knows where the listing ends.
            auto counted =
                db.query(QStringLiteral("SELECT count(*) FROM %1 WHERE %2").arg(db.table("sessions"), where), values);
            if (!counted)
                return counted.error();
            QSqlQuery &c = **counted;
            out.atEnd = true;
            out.skipped = c.next() ? c.value(0).toLongLong() : 0;
            c.finish();
            return out;
        });
}

QFuture<Result<QList<RawSession>>> SqlSessionSource::loadMany(const QStringList &ids)
{
    return m_backend->run<QList<RawSession>>(
        [this, ids](SqlConnection &db, const CancelToken &) -> Result<QList<RawSession>> {
            QList<RawSession> out;
            constexpr qsizetype kIds = 500;
            for (qsizetype start = 0; start < ids.size(); start += kIds) {
                QVariantList values{m_clock()};
                const QStringList slice = ids.mid(start, kIds);
                for (const QString &id : slice)
                    values << id;
                auto selected = db.query(QStringLiteral("SELECT %1 FROM %2 WHERE +expires_at > ? AND id IN (%3)")
                                             .arg(columns(db), db.table("sessions"), sqlPlaceholders(slice.size())),
                                         values);
                if (!selected)
                    return selected.error();
                QSqlQuery &q = **selected;
                while (q.next())
                    out.append(rowOf(q));
                q.finish();
            }
            return out;
        });
}

QFuture<Result<qsizetype>> SqlSessionSource::remove(const QStringList &ids)
{
    return m_backend->run<qsizetype>([ids](SqlConnection &db, const CancelToken &) -> Result<qsizetype> {
        qsizetype removed = 0;
        constexpr qsizetype kIds = 500;
        if (ids.size() > kIds) {
            if (auto s = db.transaction(); !s)
                return s.error();
        }
        for (qsizetype start = 0; start < ids.size(); start += kIds) {
            const QStringList slice = ids.mid(start, kIds);
            QVariantList values;
            for (const QString &id : slice)
                values << id;
            auto deleted = db.query(QStringLiteral("DELETE FROM %1 WHERE id IN (%2)")
                                        .arg(db.table("sessions"), sqlPlaceholders(slice.size())),
                                    values);
            if (!deleted) {
                if (ids.size() > kIds)
                    db.rollback();
                return deleted.error();
            }
            removed += (*deleted)->numRowsAffected();
        }
        if (ids.size() > kIds) {
            if (auto s = db.commit(); !s)
                return s.error();
        }
        return removed;
    });
}

QFuture<Result<bool>> SqlSessionSource::expireAt(const QString &id, qint64 at)
{
    return m_backend->run<bool>([id, at](SqlConnection &db, const CancelToken &) -> Result<bool> {
        auto updated = db.query(QStringLiteral("UPDATE %1 SET expires_at = ?, absolute_expires_at = CASE WHEN"
                                               " absolute_expires_at > ? THEN ? ELSE absolute_expires_at END"
                                               " WHERE id = ?")
                                    .arg(db.table("sessions")),
                                {at, at, at, id});
        if (!updated)
            return updated.error();
        return (*updated)->numRowsAffected() > 0;
    });
}

QFuture<Result<QStringList>> SqlSessionSource::lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes)
{
    return m_backend->run<QStringList>(
        [this, kind, hashes](SqlConnection &db, const CancelToken &) -> Result<QStringList> {
            if (hashes.isEmpty())
                return QStringList();
            const QString column = kind == IndexKeys::Kind::Subject   ? QStringLiteral("subject_hash")
                                   : kind == IndexKeys::Kind::Session ? QStringLiteral("session_hash")
                                                                      : QStringLiteral("email_hash");
            QVariantList values{m_clock()};
            for (const QByteArray &h : hashes)
                values << QString::fromLatin1(h);
            auto selected = db.query(QStringLiteral("SELECT id FROM %1 WHERE +expires_at > ? AND %2 IN (%3)")
                                         .arg(db.table("sessions"), column, sqlPlaceholders(hashes.size())),
                                     values);
            if (!selected)
                return selected.error();
            QSqlQuery &q = **selected;
            QStringList ids;
            while (q.next())
                ids << q.value(0).toString();
            q.finish();
            return ids;
        });
}

QFuture<Result<qint64>> SqlSessionSource::scan(Sink sink, int batchSize)
{
    return m_backend->run<qint64>(
        [this, sink = std::move(sink), batchSize](SqlConnection &db, const CancelToken &cancel) -> Result<qint64> {
            return scanInStorageOrder(db, sink, batchSize, m_clock(), cancel);
        });
}

QFuture<Result<inspector::IntegrityReport>> SqlSessionSource::checkIntegrity(bool repair)
{
    using inspector::IntegrityReport;
    return m_backend->run<IntegrityReport>([this, repair](SqlConnection &db,
                                                          const CancelToken &) -> Result<IntegrityReport> {
        const QString table = db.table("sessions");
        const qint64 now = m_clock();
        auto scalar = [&db](const QString &sql, const QVariantList &values) -> Result<qint64> {
            auto q = db.query(sql, values);
            if (!q)
                return q.error();
            const qint64 n = (*q)->next() ? (*q)->value(0).toLongLong() : 0;
            (*q)->finish();
            return n;
        };
        IntegrityReport report;
        auto total = scalar(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table), {});
        if (!total)
            return total.error();
        report.sessions = *total;
        // Rows past their deadline: invisible to readers, deleted by the store's next sweep.
        auto expired = scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE expires_at <= ?").arg(table), {now});
        if (!expired)
            return expired.error();
        if (*expired > 0) {
            inspector::IntegrityFinding f{QStringLiteral("expired rows not yet swept"), *expired, 0,
                                          QStringLiteral("--repair deletes them (readers already ignore them)")};
            if (repair) {
                auto deleted = db.query(QStringLiteral("DELETE FROM %1 WHERE expires_at <= ?").arg(table), {now});
                if (!deleted)
                    return deleted.error();
                f.repaired = (*deleted)->numRowsAffected();
            }
            report.findings.append(f);
        }
        // Rows no revocation can reach: neither a sub nor a sid hash.
        auto unindexed = scalar(
            QStringLiteral("SELECT COUNT(*) FROM %1 WHERE subject_hash IS NULL AND session_hash IS NULL").arg(table),
            {});
        if (!unindexed)
            return unindexed.error();
        if (*unindexed > 0)
            report.findings.append({QStringLiteral("sessions without a sub or sid index entry"), *unindexed, 0,
                                    QStringLiteral("written without an identity; revocation by sub/sid cannot "
                                                   "reach them: review with `list`, delete by id")});
        report.indexEntries = report.sessions; // the index columns live in the rows
        return report;
    });
}

} // namespace si::stores
