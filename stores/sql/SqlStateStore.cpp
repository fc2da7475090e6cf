#include "SqlStateStore.h"

#include "SqlConnection.h"

#include <QSqlQuery>
#include <QStringList>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <numeric>
#include <vector>

namespace si::stores {

namespace {

const QLatin1String kColumns("id, envelope, key_id, created_at, last_activity, absolute_expires_at, expires_at,"
                             " subject_hash, session_hash, email_hash, size");
const QLatin1String kUpsert(" ON CONFLICT (id) DO UPDATE SET envelope = excluded.envelope,"
                            " key_id = excluded.key_id, created_at = excluded.created_at,"
                            " last_activity = excluded.last_activity,"
                            " absolute_expires_at = excluded.absolute_expires_at, expires_at = excluded.expires_at,"
                            " subject_hash = excluded.subject_hash, session_hash = excluded.session_hash,"
                            " email_hash = excluded.email_hash, size = excluded.size");

// One field in COPY's text format: backslash, tab, newline and carriage return escaped (ids,
// envelopes and hashes are base64url and never contain them, but key ids come from settings).
void appendCopyText(QByteArray &out, QByteArrayView field)
{
    qsizetype run = 0;
    for (qsizetype i = 0; i < field.size(); ++i) {
        const char c = field[i];
        if (c != '\\' && c != '\t' && c != '\n' && c != '\r')
            continue;
        out.append(field.sliced(run, i - run));
        out.append('\\').append(c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : 'r');
        run = i + 1;
    }
    out.append(field.sliced(run));
}

void appendCopyRow(QByteArray &out, const SessionRecord &r)
{
    auto text = [&out](QByteArrayView v) {
        appendCopyText(out, v);
        out.append('\t');
    };
    auto hash = [&out](const QByteArray &h) {
        if (h.isEmpty())
            out.append("\\N");
        else
            appendCopyText(out, h);
        out.append('\t');
    };
    auto number = [&out](qint64 v) { out.append(QByteArray::number(v)).append('\t'); };
    text(r.id.toUtf8());
    text(r.envelope);
    text(r.keyId.toUtf8());
    number(r.createdAt);
    number(r.lastActivity);
    number(r.absoluteExpiresAt);
    number(r.expiresAt);
    hash(r.subjectHash);
    hash(r.sessionHash);
    hash(r.emailHash);
    out.append(QByteArray::number(r.envelope.size())).append('\n');
}

// Batches from this many sessions go to PostgreSQL through COPY into a per-connection staging
// table and one INSERT … SELECT: the envelopes travel as data, never as SQL literals that QPSQL
// escapes on the client and the server's SQL lexer reads back character by character (seeding
// 50,000 sessions spent a third of the client's and a tenth of the server's CPU on that).
constexpr qsizetype kCopyFrom = 32;

// The records to write, the last one of each id only (it wins, as if written one after another;
// one INSERT must not touch a row twice).
QList<const SessionRecord *> lastOfEachId(const QList<SessionRecord> &records)
{
    QList<const SessionRecord *> out;
    out.reserve(records.size());
    if (records.size() == 1) { // a single set(): nothing to compare, no set to build
        out.append(&records.first());
        return out;
    }
    QSet<QString> seen;
    seen.reserve(records.size());
    for (qsizetype i = records.size() - 1; i >= 0; --i) {
        if (!seen.contains(records[i].id)) {
            seen.insert(records[i].id);
            out.append(&records[i]);
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

} // namespace

SqlStateStore::SqlStateStore(std::shared_ptr<SqlBackend> backend, std::shared_ptr<const SessionCodec> codec)
    : m_backend(std::move(backend))
    , m_codec(std::move(codec))
{}

QString SqlStateStore::backendName() const
{
    return m_backend->isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
}

QFuture<Status> SqlStateStore::open()
{
    return toStatus(m_backend->run<bool>([](SqlConnection &db, const CancelToken &) -> Result<bool> {
        if (auto s = db.ensureOpen(); !s)
            return s.error();
        return true;
    }));
}

Status SqlStateStore::sweepIfDue(SqlConnection &db)
{
    const qint64 now = m_codec->now();
    if (now - m_lastSweep < 60)
        return {};
    m_lastSweep = now;
    return db.exec(QStringLiteral("DELETE FROM %1 WHERE expires_at <= ?").arg(db.table("sessions")), {now});
}

QFuture<Status> SqlStateStore::set(const QString &id, const StateData &state, std::shared_ptr<StoreContext>)
{
    return setMany({{id, state}});
}

QFuture<Status> SqlStateStore::setMany(const QList<QPair<QString, StateData>> &sessions)
{
    return SessionCodec::encodeThenWrite(
        m_codec, sessions, [this](QList<SessionRecord> records) { return writeRecords(std::move(records)); });
}

QFuture<Status> SqlStateStore::writeRecords(QList<SessionRecord> encoded)
{
    return toStatus(m_backend->run<bool>([this, encoded](SqlConnection &db, const CancelToken &cancel) -> Result<bool> {
        if (auto s = sweepIfDue(db); !s)
            return s.error();
        const QList<const SessionRecord *> rows = lastOfEachId(encoded);
        const bool batch = rows.size() > 1;
        if (batch) {
            if (auto s = db.transaction(); !s)
                return s.error();
        }
        auto abandon = [&](Error error) {
            if (batch)
                db.rollback();
            return error;
        };
        if (db.isPostgres() && rows.size() >= kCopyFrom) {
            if (cancel.isCanceled())
                return abandon(canceledError());
            if (auto s = copyRecords(db, rows); !s)
                return abandon(s.error());
        } else {
            constexpr qsizetype kRows = 200; // 2,200 bound values per statement
            for (qsizetype start = 0; start < rows.size(); start += kRows) {
                if (cancel.isCanceled())
                    return abandon(canceledError());
                const qsizetype end = qMin(rows.size(), start + kRows);
                QStringList placeholders;
                QVariantList values;
                auto orNull = [](const QByteArray &h) {
                    return h.isEmpty() ? QVariant() : QVariant(QString::fromLatin1(h));
                };
                for (qsizetype i = start; i < end; ++i) {
                    const SessionRecord &r = *rows[i];
                    placeholders << QStringLiteral("(?,?,?,?,?,?,?,?,?,?,?)");
                    values << r.id << QString::fromLatin1(r.envelope) << r.keyId << r.createdAt << r.lastActivity
                           << r.absoluteExpiresAt << r.expiresAt << orNull(r.subjectHash) << orNull(r.sessionHash)
                           << orNull(r.emailHash) << static_cast<int>(r.envelope.size());
                }
                const QString sql =
                    QStringLiteral("INSERT INTO %1 (%2) VALUES %3%4")
                        .arg(db.table("sessions"), kColumns, placeholders.join(QLatin1Char(',')), kUpsert);
                if (auto s = db.exec(sql, values); !s)
                    return abandon(s.error());
            }
        }
        if (batch) {
            if (auto s = db.commit(); !s)
                return s.error();
        }
        return true;
    }));
}

Status SqlStateStore::copyRecords(SqlConnection &db, const QList<const SessionRecord *> &rows)
{
    // pg_temp.: the staging table can never be confused with (or shadow) a table of the database.
    const QString stage = QStringLiteral("pg_temp.si_stage_%1").arg(db.table("sessions"));
    if (auto s = db.execOncePerConnection(
            // Rows stay whole as in the sessions table (schema 6): no pglz attempt on every envelope.
            QStringLiteral("CREATE TEMPORARY TABLE IF NOT EXISTS %1 (LIKE %2) WITH (toast_tuple_target = 8160)"
                           " ON COMMIT DELETE ROWS")
                .arg(stage, db.table("sessions")));
        !s)
        return s;
    QByteArray data;
    qsizetype bytes = 0;
    for (const SessionRecord *r : rows)
        bytes += r->envelope.size() + 200;
    data.reserve(bytes);
    for (const SessionRecord *r : rows)
        appendCopyRow(data, *r);
    if (auto s = db.copyIn(QStringLiteral("COPY %1 (%2) FROM STDIN").arg(stage, kColumns), data); !s)
        return s;
    return db.exec(
        QStringLiteral("INSERT INTO %1 (%2) SELECT %2 FROM %3%4").arg(db.table("sessions"), kColumns, stage, kUpsert),
        {});
}

QFuture<Result<std::optional<StateData>>> SqlStateStore::get(const QString &id, std::shared_ptr<StoreContext>)
{
    using R = std::optional<StateData>;
    return m_backend->run<R>([this, id](SqlConnection &db, const CancelToken &) -> Result<R> {
        auto selected = db.query(QStringLiteral("SELECT envelope, key_id, created_at, last_activity,"
                                                " absolute_expires_at, expires_at, subject_hash, session_hash"
                                                " FROM %1 WHERE id = ?")
                                     .arg(db.table("sessions")),
                                 {id});
        if (!selected)
            return selected.error();
        QSqlQuery &q = **selected;
        if (!q.next())
            return R();
        SessionRecord record;
        record.id = id;
        record.envelope = q.value(0).toString().toLatin1();
        record.keyId = q.value(1).toString();
        record.createdAt = q.value(2).toLongLong();
        record.lastActivity = q.value(3).toLongLong();
        record.absoluteExpiresAt = q.value(4).toLongLong();
        record.expiresAt = q.value(5).toLongLong();
        q.finish();
        if (m_codec->isExpired(record)) {
            // Best effort: the row is treated as gone either way, and the sweep retries.
            (void)db.exec(QStringLiteral("DELETE FROM %1 WHERE id = ? AND expires_at <= ?").arg(db.table("sessions")),
                          {id, m_codec->now()});
            return R();
        }
        auto state = m_codec->decode(record);
        if (!state)
            return state.error();
        if (m_codec->touch(record)) {
            const Status touched =
                db.exec(QStringLiteral("UPDATE %1 SET last_activity = ?, expires_at = ? WHERE id = ? AND envelope = ?")
                            .arg(db.table("sessions")),
                        {record.lastActivity, record.expiresAt, id, QString::fromLatin1(record.envelope)});
            if (!touched)
                return touched.error();
        }
        return R(std::move(state.value()));
    });
}

QFuture<Result<QList<Result<std::optional<StateData>>>>> SqlStateStore::getMany(const QStringList &ids)
{
    using Item = Result<std::optional<StateData>>;
    return m_backend->run<QList<Item>>([this, ids](SqlConnection &db, const CancelToken &) -> Result<QList<Item>> {
        QHash<QString, SessionRecord> found;
        constexpr qsizetype kIds = 500;
        for (qsizetype start = 0; start < ids.size(); start += kIds) {
            QVariantList values;
            for (qsizetype i = start; i < qMin(ids.size(), start + kIds); ++i)
                values << ids[i];
            auto selected = db.query(QStringLiteral("SELECT id, envelope, key_id, created_at, last_activity,"
                                                    " absolute_expires_at, expires_at FROM %1 WHERE id IN (%2)")
                                         .arg(db.table("sessions"), sqlPlaceholders(values.size())),
                                     values);
            if (!selected)
                return selected.error();
            QSqlQuery &q = **selected;
            while (q.next()) {
                SessionRecord r;
                r.id = q.value(0).toString();
                r.envelope = q.value(1).toString().toLatin1();
                r.keyId = q.value(2).toString();
                r.createdAt = q.value(3).toLongLong();
                r.lastActivity = q.value(4).toLongLong();
                r.absoluteExpiresAt = q.value(5).toLongLong();
                r.expiresAt = q.value(6).toLongLong();
                found.insert(r.id, std::move(r));
            }
        }
        struct Decoded {
            Item state = std::optional<StateData>();
            std::optional<SessionRecord> touched;
        };
        std::vector<Decoded> decoded(static_cast<size_t>(ids.size()));
        QList<qsizetype> indexes(ids.size());
        std::iota(indexes.begin(), indexes.end(), 0);
        QtConcurrent::blockingMap(indexes, [&](qsizetype i) {
            Decoded &d = decoded[static_cast<size_t>(i)];
            auto it = found.constFind(ids[i]);
            if (it == found.constEnd() || m_codec->isExpired(*it))
                return;
            auto state = m_codec->decode(*it);
            if (!state) {
                d.state = state.error();
                return;
            }
            SessionRecord record = *it;
            if (m_codec->touch(record))
                d.touched = record;
            d.state = std::optional<StateData>(std::move(state.value()));
        });
        QList<Item> out;
        out.reserve(ids.size());
        for (Decoded &d : decoded) {
            if (d.touched)
                (void)db.exec(QStringLiteral("UPDATE %1 SET last_activity = ?, expires_at = ? WHERE id = ?")
                                  .arg(db.table("sessions")),
                              {d.touched->lastActivity, d.touched->expiresAt, d.touched->id});
            out.append(std::move(d.state));
        }
        return out;
    });
}

QFuture<Status> SqlStateStore::remove(const QString &id, std::shared_ptr<StoreContext>)
{
    return toStatus(m_backend->run<bool>([id](SqlConnection &db, const CancelToken &) -> Result<bool> {
        if (auto s = db.exec(QStringLiteral("DELETE FROM %1 WHERE id = ?").arg(db.table("sessions")), {id}); !s)
            return s.error();
        return true;
    }));
}

QFuture<Result<qsizetype>> SqlStateStore::deleteByLogoutToken(const LogoutTarget &target)
{
    if (!target.isValid())
        return QtFuture::makeReadyFuture(
            Result<qsizetype>(makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid logout target"),
                                        QStringLiteral("an issuer and a sub or sid are required"))));
    const QList<QByteArray> subjects =
        target.sub ? m_codec->subjectHashes(target.issuer, *target.sub) : QList<QByteArray>();
    const QList<QByteArray> sessions =
        target.sid ? m_codec->sessionHashes(target.issuer, *target.sid) : QList<QByteArray>();
    return m_backend->run<qsizetype>([subjects, sessions](SqlConnection &db, const CancelToken &) -> Result<qsizetype> {
        QStringList conditions;
        QVariantList values;
        if (!subjects.isEmpty()) {
            conditions << QStringLiteral("subject_hash IN (%1)").arg(sqlPlaceholders(subjects.size()));
            for (const QByteArray &h : subjects)
                values << QString::fromLatin1(h);
        }
        if (!sessions.isEmpty()) {
            conditions << QStringLiteral("session_hash IN (%1)").arg(sqlPlaceholders(sessions.size()));
            for (const QByteArray &h : sessions)
                values << QString::fromLatin1(h);
        }
        auto selected = db.query(QStringLiteral("DELETE FROM %1 WHERE %2")
                                     .arg(db.table("sessions"), conditions.join(QStringLiteral(" AND "))),
                                 values);
        if (!selected)
            return selected.error();
        QSqlQuery &q = **selected;
        return static_cast<qsizetype>(q.numRowsAffected());
    });
}

} // namespace si::stores
