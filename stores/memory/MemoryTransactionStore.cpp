#include "MemoryTransactionStore.h"

namespace si::stores {

MemoryTransactionStore::MemoryTransactionStore(std::shared_ptr<const TransactionCodec> codec,
                                               std::shared_ptr<MemoryTransactionTable> table)
    : m_codec(std::move(codec))
    , m_table(std::move(table))
{}

QFuture<Status> MemoryTransactionStore::set(const QString &state, const TransactionData &transaction,
                                            std::shared_ptr<StoreContext>)
{
    auto envelope = m_codec->encode(state, transaction);
    if (!envelope)
        return QtFuture::makeReadyFuture(Status(envelope.error()));
    const qint64 now = m_codec->now();
    QMutexLocker lock(&m_table->mutex);
    m_table->entries.removeIf([now](const auto &it) { return it.value().expiresAt <= now; });
    m_table->entries.insert(state,
                            MemoryTransactionTable::Entry{std::move(envelope.value()), now + m_codec->lifetime()});
    return QtFuture::makeReadyFuture(Status());
}

QFuture<Result<std::optional<TransactionData>>> MemoryTransactionStore::get(const QString &state,
                                                                            std::shared_ptr<StoreContext>)
{
    using R = Result<std::optional<TransactionData>>;
    MemoryTransactionTable::Entry entry;
    {
        QMutexLocker lock(&m_table->mutex);
        auto it = m_table->entries.constFind(state);
        if (it == m_table->entries.constEnd() || it->expiresAt <= m_codec->now())
            return QtFuture::makeReadyFuture(R(std::optional<TransactionData>()));
        entry = *it;
    }
    auto tx = m_codec->decode(state, entry.envelope);
    if (!tx)
        return QtFuture::makeReadyFuture(R(tx.error()));
    return QtFuture::makeReadyFuture(R(std::move(tx.value())));
}

QFuture<Status> MemoryTransactionStore::remove(const QString &state, std::shared_ptr<StoreContext>)
{
    QMutexLocker lock(&m_table->mutex);
    m_table->entries.remove(state);
    return QtFuture::makeReadyFuture(Status());
}

QFuture<Status> MemoryDenyList::add(const QByteArray &marker, qint64 since, qint64 ttlSeconds)
{
    const qint64 now = m_clock();
    QMutexLocker lock(&m_mutex);
    m_markers.removeIf([now](const auto &it) { return it.value().second <= now; });
    auto &entry = m_markers[marker];
    entry.first = qMax(entry.first, since);
    entry.second = qMax(entry.second, now + ttlSeconds);
    return QtFuture::makeReadyFuture(Status());
}

QFuture<Result<std::optional<qint64>>> MemoryDenyList::latest(const QList<QByteArray> &markers)
{
    const qint64 now = m_clock();
    std::optional<qint64> best;
    QMutexLocker lock(&m_mutex);
    for (const QByteArray &m : markers) {
        auto it = m_markers.constFind(m);
        if (it != m_markers.constEnd() && it->second > now)
            best = qMax(best.value_or(it->first), it->first);
    }
    return QtFuture::makeReadyFuture(Result<std::optional<qint64>>(best));
}

} // namespace si::stores
