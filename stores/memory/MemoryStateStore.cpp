#include "MemoryStateStore.h"

#include <QFuture>
#include <QSet>

namespace si::stores {

namespace {

template<typename T>
QFuture<T> ready(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

} // namespace

MemoryStateStore::MemoryStateStore(std::shared_ptr<const SessionCodec> codec, std::shared_ptr<MemorySessionTable> table)
    : m_codec(std::move(codec))
    , m_table(std::move(table))
{}

void MemoryStateStore::eraseLocked(QHash<QString, SessionRecord>::iterator it)
{
    m_table->bySubject.remove(it->subjectHash, it.key());
    m_table->bySession.remove(it->sessionHash, it.key());
    m_table->byEmail.remove(it->emailHash, it.key());
    m_table->records.erase(it);
}

void MemoryStateStore::sweepLocked()
{
    const qint64 now = m_codec->now();
    if (now - m_table->lastSweep < 60)
        return;
    m_table->lastSweep = now;
    for (auto it = m_table->records.begin(); it != m_table->records.end();) {
        if (it->expiresAt <= now) {
            m_table->bySubject.remove(it->subjectHash, it.key());
            m_table->bySession.remove(it->sessionHash, it.key());
            m_table->byEmail.remove(it->emailHash, it.key());
            it = m_table->records.erase(it);
        } else {
            ++it;
        }
    }
}

void MemoryStateStore::putRecord(const SessionRecord &record)
{
    QMutexLocker lock(&m_table->mutex);
    if (auto old = m_table->records.find(record.id); old != m_table->records.end())
        eraseLocked(old);
    if (!record.subjectHash.isEmpty())
        m_table->bySubject.insert(record.subjectHash, record.id);
    if (!record.sessionHash.isEmpty())
        m_table->bySession.insert(record.sessionHash, record.id);
    if (!record.emailHash.isEmpty())
        m_table->byEmail.insert(record.emailHash, record.id);
    m_table->records.insert(record.id, record);
}

QFuture<Status> MemoryStateStore::set(const QString &id, const StateData &state, std::shared_ptr<StoreContext>)
{
    auto record = m_codec->encode(id, state);
    if (!record)
        return ready(Status(record.error()));
    {
        QMutexLocker lock(&m_table->mutex);
        sweepLocked();
    }
    putRecord(*record);
    return ready(Status());
}

QFuture<Result<std::optional<StateData>>> MemoryStateStore::get(const QString &id, std::shared_ptr<StoreContext>)
{
    using R = Result<std::optional<StateData>>;
    SessionRecord record;
    {
        QMutexLocker lock(&m_table->mutex);
        auto it = m_table->records.find(id);
        if (it == m_table->records.end())
            return ready(R(std::optional<StateData>()));
        if (m_codec->isExpired(*it)) {
            eraseLocked(it);
            return ready(R(std::optional<StateData>()));
        }
        record = *it;
    }
    auto state = m_codec->decode(record);
    if (!state)
        return ready(R(state.error()));
    if (m_codec->touch(record)) {
        QMutexLocker lock(&m_table->mutex);
        if (auto it = m_table->records.find(id); it != m_table->records.end() && it->envelope == record.envelope) {
            it->lastActivity = record.lastActivity;
            it->expiresAt = record.expiresAt;
        }
    }
    return ready(R(std::optional<StateData>(std::move(state.value()))));
}

QFuture<Status> MemoryStateStore::remove(const QString &id, std::shared_ptr<StoreContext>)
{
    QMutexLocker lock(&m_table->mutex);
    if (auto it = m_table->records.find(id); it != m_table->records.end())
        eraseLocked(it);
    return ready(Status());
}

QFuture<Result<qsizetype>> MemoryStateStore::deleteByLogoutToken(const LogoutTarget &target)
{
    if (!target.isValid())
        return ready(Result<qsizetype>(makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid logout target"),
                                                 QStringLiteral("an issuer and a sub or sid are required"))));
    const QList<QByteArray> subjects =
        target.sub ? m_codec->subjectHashes(target.issuer, *target.sub) : QList<QByteArray>();
    const QList<QByteArray> sessions =
        target.sid ? m_codec->sessionHashes(target.issuer, *target.sid) : QList<QByteArray>();
    QMutexLocker lock(&m_table->mutex);
    // Candidates from the narrower index (sid when given), then both conditions checked.
    QSet<QString> candidates;
    const auto &index = target.sid ? m_table->bySession : m_table->bySubject;
    for (const QByteArray &h : target.sid ? sessions : subjects) {
        for (const QString &id : index.values(h))
            candidates.insert(id);
    }
    qsizetype removed = 0;
    for (const QString &id : std::as_const(candidates)) {
        auto it = m_table->records.find(id);
        if (it == m_table->records.end())
            continue;
        if (target.sub && !subjects.contains(it->subjectHash))
            continue;
        if (target.sid && !sessions.contains(it->sessionHash))
            continue;
        eraseLocked(it);
        ++removed;
    }
    return ready(Result<qsizetype>(removed));
}

qsizetype MemoryStateStore::size() const
{
    QMutexLocker lock(&m_table->mutex);
    return m_table->records.size();
}

std::optional<SessionRecord> MemoryStateStore::record(const QString &id) const
{
    QMutexLocker lock(&m_table->mutex);
    auto it = m_table->records.constFind(id);
    if (it == m_table->records.constEnd())
        return std::nullopt;
    return *it;
}

} // namespace si::stores
