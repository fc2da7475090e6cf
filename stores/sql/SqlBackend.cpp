#include "SqlBackend.h"

namespace si::stores {

SqlBackend::SqlBackend(StoreUrl url, QString tablePrefix, bool readOnly)
    : m_url(url)
    , m_connection(std::make_unique<SqlConnection>(std::move(url), std::move(tablePrefix), readOnly))
    , m_worker(std::make_unique<Worker>(QStringLiteral("si-sql")))
{}

SqlBackend::~SqlBackend()
{
    // The QSqlDatabase belongs to the worker thread: close it there, then stop the thread.
    (void)await(m_worker->submit<bool>([this](const CancelToken &) -> Result<bool> {
        m_connection.reset();
        return true;
    }));
    m_worker.reset();
}

} // namespace si::stores
