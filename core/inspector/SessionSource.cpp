#include "SessionSource.h"

namespace si::inspector {

QFuture<Result<QStringList>> SessionSource::lookup(IndexKeys::Kind, const QList<QByteArray> &)
{
    return QtFuture::makeReadyFuture(
        Result<QStringList>(makeError(ErrorCode::Unsupported, QStringLiteral("this store has no session indexes"))));
}

QFuture<Result<SkipResult>> SessionSource::skip(const QString &cursor, qint64 n)
{
    if (n <= 0)
        return QtFuture::makeReadyFuture(Result<SkipResult>(SkipResult{cursor, false, 0}));
    const int step = int(qMin<qint64>(n, 1000));
    return page(cursor, step)
        .then([this, n, step](const Result<RawPage> &page) -> QFuture<Result<SkipResult>> {
            if (!page)
                return QtFuture::makeReadyFuture(Result<SkipResult>(page.error()));
            const qint64 passed = page->sessions.size();
            if (page->nextCursor.isEmpty())
                return QtFuture::makeReadyFuture(Result<SkipResult>(SkipResult{QString(), true, passed}));
            return skip(page->nextCursor, n - step)
                .then([passed](const Result<SkipResult> &rest) -> Result<SkipResult> {
                    if (!rest)
                        return rest;
                    SkipResult out = *rest;
                    out.skipped += passed;
                    return out;
                });
        })
        .unwrap();
}

namespace {

Error unsupportedOrder()
{
    return makeError(ErrorCode::Unsupported, QStringLiteral("this store lists sessions in its own order only"),
                     QStringLiteral("sorting would need every session read first"));
}

} // namespace

QFuture<Result<RawPage>> SessionSource::pageInOrder(ListOrder order, const QString &cursor, int limit)
{
    if (order == ListOrder::Store)
        return page(cursor, limit);
    return QtFuture::makeReadyFuture(Result<RawPage>(unsupportedOrder()));
}

QFuture<Result<SkipResult>> SessionSource::skipInOrder(ListOrder order, const QString &cursor, qint64 n)
{
    if (order == ListOrder::Store)
        return skip(cursor, n);
    return QtFuture::makeReadyFuture(Result<SkipResult>(unsupportedOrder()));
}

QFuture<Result<IntegrityReport>> SessionSource::checkIntegrity(bool)
{
    return QtFuture::makeReadyFuture(Result<IntegrityReport>(IntegrityReport{}));
}

QFuture<Status> SessionSource::write(const QList<RawSession> &)
{
    return QtFuture::makeReadyFuture(
        Status(makeError(ErrorCode::Unsupported, QStringLiteral("this store cannot be written in this layout"))));
}

} // namespace si::inspector
