#include "MemorySessionSource.h"

#include "core/async/Worker.h"

#include <algorithm>

namespace si::stores {

using inspector::RawPage;
using inspector::RawSession;
using inspector::SessionCount;

namespace {

template<typename T>
QFuture<Result<T>> ready(Result<T> value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

RawSession rawOf(const SessionRecord &r)
{
    RawSession s;
    s.id = r.id;
    s.value = r.envelope;
    s.keyId = r.keyId;
    s.createdAt = r.createdAt;
    s.lastActivity = r.lastActivity;
    s.expiresAt = r.expiresAt;
    s.subjectHash = r.subjectHash;
    return s;
}

} // namespace

MemorySessionSource::MemorySessionSource(std::shared_ptr<MemorySessionTable> table,
                                         std::shared_ptr<MemoryStateStore> store, Clock clock)
    : m_table(std::move(table))
    , m_store(std::move(store))
    , m_clock(std::move(clock))
{}

QFuture<Result<SessionCount>> MemorySessionSource::count()
{
    QMutexLocker lock(&m_table->mutex);
    const qint64 now = m_clock();
    SessionCount out;
    out.value = std::count_if(m_table->records.cbegin(), m_table->records.cend(),
                              [now](const SessionRecord &r) { return r.expiresAt > now; });
    return ready(Result<SessionCount>(out));
}

QList<RawSession> MemorySessionSource::after(const QString &cursor, int limit) const
{
    QMutexLocker lock(&m_table->mutex);
    const qint64 now = m_clock();
    QStringList ids;
    for (auto it = m_table->records.cbegin(); it != m_table->records.cend(); ++it) {
        if (it->expiresAt > now && it.key() > cursor)
            ids << it.key();
    }
    std::sort(ids.begin(), ids.end());
    QList<RawSession> out;
    for (const QString &id : ids.mid(0, limit))
        out.append(rawOf(m_table->records.value(id)));
    return out;
}

QFuture<Result<RawPage>> MemorySessionSource::page(const QString &cursor, int limit)
{
    RawPage out;
    out.sessions = after(cursor, limit);
    if (out.sessions.size() == limit)
        out.nextCursor = out.sessions.last().id;
    return ready(Result<RawPage>(out));
}

QFuture<Result<QList<RawSession>>> MemorySessionSource::loadMany(const QStringList &ids)
{
    QMutexLocker lock(&m_table->mutex);
    const qint64 now = m_clock();
    QList<RawSession> out;
    for (const QString &id : ids) {
        auto it = m_table->records.constFind(id);
        if (it != m_table->records.cend() && it->expiresAt > now)
            out.append(rawOf(*it));
    }
    return ready(Result<QList<RawSession>>(out));
}

QFuture<Result<qsizetype>> MemorySessionSource::remove(const QStringList &ids)
{
    qsizetype removed = 0;
    for (const QString &id : ids) {
        bool existed = false;
        {
            QMutexLocker lock(&m_table->mutex);
            existed = m_table->records.contains(id);
        }
        if (!existed)
            continue;
        if (auto s = await(m_store->remove(id, {})); !s)
            return ready(Result<qsizetype>(s.error()));
        ++removed;
    }
    return ready(Result<qsizetype>(removed));
}

QFuture<Result<bool>> MemorySessionSource::expireAt(const QString &id, qint64 at)
{
    QMutexLocker lock(&m_table->mutex);
    auto it = m_table->records.find(id);
    if (it == m_table->records.end())
        return ready(Result<bool>(false));
    it->expiresAt = at;
    it->absoluteExpiresAt = qMin(it->absoluteExpiresAt, at);
    return ready(Result<bool>(true));
}

QFuture<Result<QStringList>> MemorySessionSource::lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes)
{
    QMutexLocker lock(&m_table->mutex);
    const QMultiHash<QByteArray, QString> &index = kind == IndexKeys::Kind::Subject   ? m_table->bySubject
                                                   : kind == IndexKeys::Kind::Session ? m_table->bySession
                                                                                      : m_table->byEmail;
    QStringList ids;
    for (const QByteArray &h : hashes) {
        for (auto it = index.constFind(h); it != index.cend() && it.key() == h; ++it) {
            if (!ids.contains(it.value()))
                ids << it.value();
        }
    }
    return ready(Result<QStringList>(ids));
}

QFuture<Result<qint64>> MemorySessionSource::scan(Sink sink, int batchSize)
{
    qint64 delivered = 0;
    QString cursor;
    for (;;) {
        QList<RawSession> batch = after(cursor, batchSize);
        if (batch.isEmpty())
            break;
        cursor = batch.last().id;
        delivered += batch.size();
        const bool last = batch.size() < batchSize;
        if (!sink(std::move(batch)) || last)
            break;
    }
    return ready(Result<qint64>(delivered));
}

} // namespace si::stores
