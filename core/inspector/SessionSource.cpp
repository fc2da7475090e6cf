#include "SessionSource.h"

namespace si::inspector {

QFuture<Result<QStringList>> SessionSource::lookup(IndexKeys::Kind, const QList<QByteArray> &)
{
    return QtFuture::makeReadyFuture(
        Result<QStringList>(makeError(ErrorCode::Unsupported, QStringLiteral("this store has no session indexes"))));
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
