#pragma once

#include "SqlConnection.h"
#include "core/async/Worker.h"

#include <memory>

namespace si::stores {

// One SQL connection and the worker thread that owns it, shared by the state store, transaction
// store and deny list of one database. Jobs run one after another on that thread.
class SqlBackend {
public:
    SqlBackend(StoreUrl url, QString tablePrefix, bool readOnly = false);
    ~SqlBackend();
    SqlBackend(const SqlBackend &) = delete;
    SqlBackend &operator=(const SqlBackend &) = delete;

    const StoreUrl &url() const { return m_url; }
    bool isPostgres() const { return m_url.kind == StoreUrl::Kind::Postgres; }

    // `job(SqlConnection &, const CancelToken &) -> Result<T>` on the worker thread.
    template<typename T, typename F>
    QFuture<Result<T>> run(F job)
    {
        return m_worker->submit<T>([this, job = std::move(job)](const CancelToken &cancel) mutable -> Result<T> {
            Result<T> result = job(*m_connection, cancel);
            m_connection->idle();
            return result;
        });
    }

private:
    StoreUrl m_url;
    std::unique_ptr<SqlConnection> m_connection; // used on the worker thread only
    std::unique_ptr<Worker> m_worker;
};

template<typename T>
QFuture<Status> toStatus(QFuture<Result<T>> future)
{
    return future.then([](const Result<T> &r) { return r ? Status() : Status(r.error()); });
}

} // namespace si::stores
