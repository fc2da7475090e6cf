#include "SqlStateStore.h"

#include "SqlConnection.h"

#include <QSqlQuery>
#include <QStringList>
#include <QtConcurrent/QtConcurrentMap>

#include <numeric>
#include <vector>

namespace si::stores {

namespace {} // namespace

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
        const bool batch = encoded.size() > 1;
        if (batch) {
            if (auto s = db.transaction(); !s)
                return s.error();
        }
        constexpr qsizetype kRows = 200; // 2,200 bound values per statement
        for (qsizetype start = 0; start < encoded.size(); start += kRows) {
            if (cancel.isCanceled()) {
                db.rollback();
                return canceledError();
            }
            const qsizetype end = qMin(encoded.size(), start + kRows);
            QStringList rows;
            QVariantList values;
            auto orNull = [](const QByteArray &h) {
                return h.isEmpty() ? QVariant() : QVariant(QString::fromLatin1(h));
            };
            for (qsizetype i = start; i < end; ++i) {
                const SessionRecord &r = encoded[i];
                rows << QStringLiteral("(?,?,?,?,?,?,?,?,?,?,?)");
                values << r.id << QString::fromLatin1(r.envelope) << r.keyId << r.createdAt << r.lastActivity
                       << r.absoluteExpiresAt << r.expiresAt << orNull(r.subjectHash) << orNull(r.sessionHash)
                       << orNull(r.emailHash) << static_cast<int>(r.envelope.size());
            }
            const QString sql =
                QStringLiteral("INSERT INTO %1 (id, envelope, key_id, created_at, last_activity, absolute_expires_at,"
                               " expires_at, subject_hash, session_hash, email_hash, size) VALUES %2"
                               " ON CONFLICT (id) DO UPDATE SET envelope = excluded.envelope,"
                               " key_id = excluded.key_id, created_at = excluded.created_at,"
                               " last_activity = excluded.last_activity,"
                               " absolute_expires_at = excluded.absolute_expires_at, expires_at = excluded.expires_at,"
                               " subject_hash = excluded.subject_hash, session_hash = excluded.session_hash,"
                               " email_hash = excluded.email_hash, size = excluded.size")
                    .arg(db.table("sessions"), rows.join(QLatin1Char(',')));
            if (auto s = db.exec(sql, values); !s) {
                if (batch)
                    db.rollback();
                return s.error();
            }
        }
        if (batch) {
            if (auto s = db.commit(); !s)
                return s.error();
        }
        return true;
    }));
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
