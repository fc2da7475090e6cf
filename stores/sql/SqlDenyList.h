#pragma once

#include "SqlBackend.h"
#include "core/store/DenyList.h"
#include "core/store/StoreTypes.h"

namespace si::stores {

// Deny-list markers in a SQL table (<prefix>denylist), shared by every instance of the app.
class SqlDenyList : public DenyList {
public:
    SqlDenyList(std::shared_ptr<SqlBackend> backend, Clock clock = systemClock);
    QFuture<Status> add(const QByteArray &marker, qint64 since, qint64 ttlSeconds) override;
    QFuture<Result<std::optional<qint64>>> latest(const QList<QByteArray> &markers) override;

private:
    std::shared_ptr<SqlBackend> m_backend;
    Clock m_clock;
};

} // namespace si::stores
