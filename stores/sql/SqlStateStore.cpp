#include "SqlStateStore.h"

#include "SqlConnection.h"

#include <QSqlQuery>
#include <QStringList>

namespace si::stores {

namespace {

QString placeholders(qsizetype n)
{
    QStringList list;
    for (qsizetype i = 0; i < n; ++i)
        list << QStringLiteral("?");
    return list.join(QLatin1Char(','));
}

} // namespace

SqlStateStore::SqlStateStore(StoreUrl url, std::shared_ptr<const SessionCodec> codec, QString tablePrefix)
    : m_url(url)
    , m_codec(std::move(codec))
    , m_db(std::make_unique<SqlConnection>(std::move(url), std::move(tablePrefix)))
    , m_worker(std::make_unique<Worker>(QStringLiteral("si-sql-store")))
{}

SqlStateStore::~SqlStateStore()
{
    // The connection belongs to the worker thread: close it there, then stop the thread.
    (void)await(m_worker->submit<bool>([this](const CancelToken &) -> Result<bool> {
        m_db.reset();
        return true;
    }));
    m_worker.reset();
}

QString SqlStateStore::backendName() const
{
    return m_url.kind == StoreUrl::Kind::Postgres ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
}

QFuture<Status> SqlStateStore::open()
{
    return m_worker
        ->submit<bool>([this](const CancelToken &) -> Result<bool> {
            if (auto s = m_db->ensureOpen(); !s)
                return s.error();
            return true;
        })
        .then([](const Result<bool> &r) { return r ? Status() : Status(r.error()); });
}

Status SqlStateStore::sweepIfDue()
{
    const qint64 now = m_codec->now();
    if (now - m_lastSweep < 60)
        return {};
    m_lastSweep = now;
    return m_db->exec(QStringLiteral("DELETE FROM %1 WHERE expires_at <= ?").arg(m_db->table("sessions")), {now});
}

QFuture<Status> SqlStateStore::set(const QString &id, const StateData &state, std::shared_ptr<StoreContext>)
{
    auto record = m_codec->encode(id, state);
    if (!record)
        return QtFuture::makeReadyFuture(Status(record.error()));
    return m_worker
        ->submit<bool>([this, r = std::move(record.value())](const CancelToken &) -> Result<bool> {
            if (auto s = sweepIfDue(); !s)
                return s.error();
            const QString sql =
                QStringLiteral("INSERT INTO %1 (id, envelope, key_id, created_at, last_activity, absolute_expires_at,"
                               " expires_at, subject_hash, session_hash, size) VALUES (?,?,?,?,?,?,?,?,?,?)"
                               " ON CONFLICT (id) DO UPDATE SET envelope = excluded.envelope,"
                               " key_id = excluded.key_id, created_at = excluded.created_at,"
                               " last_activity = excluded.last_activity,"
                               " absolute_expires_at = excluded.absolute_expires_at, expires_at = excluded.expires_at,"
                               " subject_hash = excluded.subject_hash, session_hash = excluded.session_hash,"
                               " size = excluded.size")
                    .arg(m_db->table("sessions"));
            auto orNull = [](const QByteArray &h) {
                return h.isEmpty() ? QVariant() : QVariant(QString::fromLatin1(h));
            };
            const Status s = m_db->exec(sql, {r.id, QString::fromLatin1(r.envelope), r.keyId, r.createdAt,
                                              r.lastActivity, r.absoluteExpiresAt, r.expiresAt, orNull(r.subjectHash),
                                              orNull(r.sessionHash), static_cast<int>(r.envelope.size())});
            if (!s)
                return s.error();
            return true;
        })
        .then([](const Result<bool> &r) { return r ? Status() : Status(r.error()); });
}

QFuture<Result<std::optional<StateData>>> SqlStateStore::get(const QString &id, std::shared_ptr<StoreContext>)
{
    using R = std::optional<StateData>;
    return m_worker->submit<R>([this, id](const CancelToken &) -> Result<R> {
        QSqlQuery q;
        const Status s = m_db->exec(QStringLiteral("SELECT envelope, key_id, created_at, last_activity,"
                                                   " absolute_expires_at, expires_at, subject_hash, session_hash"
                                                   " FROM %1 WHERE id = ?")
                                        .arg(m_db->table("sessions")),
                                    {id}, &q);
        if (!s)
            return s.error();
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
            (void)m_db->exec(
                QStringLiteral("DELETE FROM %1 WHERE id = ? AND expires_at <= ?").arg(m_db->table("sessions")),
                {id, m_codec->now()});
            return R();
        }
        auto state = m_codec->decode(record);
        if (!state)
            return state.error();
        if (m_codec->touch(record)) {
            const Status touched = m_db->exec(
                QStringLiteral("UPDATE %1 SET last_activity = ?, expires_at = ? WHERE id = ? AND envelope = ?")
                    .arg(m_db->table("sessions")),
                {record.lastActivity, record.expiresAt, id, QString::fromLatin1(record.envelope)});
            if (!touched)
                return touched.error();
        }
        return R(std::move(state.value()));
    });
}

QFuture<Status> SqlStateStore::remove(const QString &id, std::shared_ptr<StoreContext>)
{
    return m_worker
        ->submit<bool>([this, id](const CancelToken &) -> Result<bool> {
            if (auto s = m_db->exec(QStringLiteral("DELETE FROM %1 WHERE id = ?").arg(m_db->table("sessions")), {id});
                !s)
                return s.error();
            return true;
        })
        .then([](const Result<bool> &r) { return r ? Status() : Status(r.error()); });
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
    return m_worker->submit<qsizetype>([this, subjects, sessions](const CancelToken &) -> Result<qsizetype> {
        QStringList conditions;
        QVariantList values;
        if (!subjects.isEmpty()) {
            conditions << QStringLiteral("subject_hash IN (%1)").arg(placeholders(subjects.size()));
            for (const QByteArray &h : subjects)
                values << QString::fromLatin1(h);
        }
        if (!sessions.isEmpty()) {
            conditions << QStringLiteral("session_hash IN (%1)").arg(placeholders(sessions.size()));
            for (const QByteArray &h : sessions)
                values << QString::fromLatin1(h);
        }
        QSqlQuery q;
        const Status s = m_db->exec(QStringLiteral("DELETE FROM %1 WHERE %2")
                                        .arg(m_db->table("sessions"), conditions.join(QStringLiteral(" AND "))),
                                    values, &q);
        if (!s)
            return s.error();
        return static_cast<qsizetype>(q.numRowsAffected());
    });
}

} // namespace si::stores
