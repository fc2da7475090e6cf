#include "SqlTransactionStore.h"

#include <QSqlQuery>

namespace si::stores {

SqlTransactionStore::SqlTransactionStore(std::shared_ptr<SqlBackend> backend,
                                         std::shared_ptr<const TransactionCodec> codec)
    : m_backend(std::move(backend))
    , m_codec(std::move(codec))
{}

QString SqlTransactionStore::backendName() const
{
    return m_backend->isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("sqlite");
}

QFuture<Status> SqlTransactionStore::set(const QString &state, const TransactionData &transaction,
                                         std::shared_ptr<StoreContext>)
{
    auto envelope = m_codec->encode(state, transaction);
    if (!envelope)
        return QtFuture::makeReadyFuture(Status(envelope.error()));
    const qint64 now = m_codec->now();
    const qint64 expiresAt = now + m_codec->lifetime();
    return toStatus(m_backend->run<bool>([state, now, expiresAt, e = std::move(envelope.value())](
                                             SqlConnection &db, const CancelToken &) -> Result<bool> {
        const QString table = db.table("transactions");
        // Old transactions go with every new one: logins are rare, the table stays small.
        if (auto s = db.exec(QStringLiteral("DELETE FROM %1 WHERE expires_at <= ?").arg(table), {now}); !s)
            return s.error();
        if (auto s = db.exec(QStringLiteral("INSERT INTO %1 (state, envelope, expires_at) VALUES (?,?,?)"
                                            " ON CONFLICT (state) DO UPDATE SET envelope = excluded.envelope,"
                                            " expires_at = excluded.expires_at")
                                 .arg(table),
                             {state, QString::fromLatin1(e), expiresAt});
            !s)
            return s.error();
        return true;
    }));
}

QFuture<Result<std::optional<TransactionData>>> SqlTransactionStore::get(const QString &state,
                                                                         std::shared_ptr<StoreContext>)
{
    using R = std::optional<TransactionData>;
    return m_backend->run<R>([this, state](SqlConnection &db, const CancelToken &) -> Result<R> {
        auto selected = db.query(
            QStringLiteral("SELECT envelope FROM %1 WHERE state = ? AND expires_at > ?").arg(db.table("transactions")),
            {state, m_codec->now()});
        if (!selected)
            return selected.error();
        QSqlQuery &q = **selected;
        if (!q.next())
            return R();
        auto tx = m_codec->decode(state, q.value(0).toString().toLatin1());
        if (!tx)
            return tx.error();
        return std::move(tx.value());
    });
}

QFuture<Status> SqlTransactionStore::remove(const QString &state, std::shared_ptr<StoreContext>)
{
    return toStatus(m_backend->run<bool>([state](SqlConnection &db, const CancelToken &) -> Result<bool> {
        if (auto s = db.exec(QStringLiteral("DELETE FROM %1 WHERE state = ?").arg(db.table("transactions")), {state});
            !s)
            return s.error();
        return true;
    }));
}

} // namespace si::stores
