#pragma once

#include "core/Result.h"
#include "stores/StoreUrl.h"

#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

#include <optional>

struct pg_conn; // libpq's PGconn

namespace si::stores {

// "?,?,?": `n` bind placeholders for an IN (…) list.
QString sqlPlaceholders(qsizetype n);

// One QSqlDatabase connection (QSQLITE or QPSQL) owned by the thread that calls open() — the
// store's worker. Not thread-safe. A connection that failed is closed and reopened by the next
// call, so the operation after a server restart succeeds. Errors never carry bound values.
class SqlConnection {
public:
    // `readOnly`: see StoreOptions::readOnly.
    SqlConnection(StoreUrl url, QString tablePrefix, bool readOnly = false);
    ~SqlConnection();
    SqlConnection(const SqlConnection &) = delete;
    SqlConnection &operator=(const SqlConnection &) = delete;

    bool isPostgres() const { return m_url.kind == StoreUrl::Kind::Postgres; }
    QString table(const char *name) const { return m_prefix + QLatin1String(name); }

    // Opens (or reopens) the connection and applies schema migrations.
    Status ensureOpen();
    // Prepares (once per connection) and runs `sql` with positional values.
    Status exec(const QString &sql, const QVariantList &values);
    // The same, returning the executed statement for reading rows or numRowsAffected(). The
    // query belongs to the connection and is valid until the next call.
    Result<QSqlQuery *> query(const QString &sql, const QVariantList &values);
    // Runs `sql` as a forward-only statement outside the statement cache, for long reads whose rows
    // are stepped through once (SQLite reads them as next() asks) and for statements PostgreSQL
    // cannot prepare (DECLARE, FETCH: give no values then; only identifiers and numbers the caller
    // made go into `sql`). Valid until the next call.
    Result<QSqlQuery *> direct(const QString &sql, const QVariantList &values = {});
    // PostgreSQL only: `COPY … FROM STDIN` (`copySql`) fed with `rows`, already in COPY's text
    // format — the rows travel as data and are never parsed as SQL. Qt Sql has no COPY, so this
    // speaks to the libpq connection under the QPSQL driver (same connection, same transaction).
    Status copyIn(const QString &copySql, QByteArrayView rows);
    // Runs `sql` once per connection (again after a reconnect or a rollback): temporary tables
    // and other session-scoped objects, created idempotently (IF NOT EXISTS).
    Status execOncePerConnection(const QString &sql);
    Status transaction();
    Status commit();
    void rollback();
    void close();
    // The job is done: no statement is waiting any more (the worker calls it after each job).
    void idle();
    // PostgreSQL: the server must answer within `timeout_ms` (URL option, default 30 s) from now,
    // else SqlWatchdog shuts the socket down (see there). Every statement arms it; a reader of a
    // streamed result (direct()) calls answered() before it hands rows on to something that may
    // take its time, and expectAnswer() when it reads on.
    void expectAnswer();
    // Nothing is awaited any more; false when the deadline had passed (the socket is gone: the
    // caller returns timedOut()).
    [[nodiscard]] bool answered();
    // The timeout error; closes the connection (reopened by the next call).
    Error timedOut();

private:
    void armDeadline() { expectAnswer(); }
    ::pg_conn *pgConnection() const;
    Status migrate();
    Status checkSchema(); // read-only: the schema must be there and readable as it is
    Error failure(const QString &what, const class QSqlError &error);

    StoreUrl m_url;
    QString m_prefix;
    QString m_connectionName;
    bool m_readOnly = false;
    bool m_migrated = false;
    int m_timeoutMs = 30000;
    // Prepared statements by SQL text: PostgreSQL then needs one round trip per statement
    // instead of two (prepare + execute). Bounded; cleared with the connection.
    QHash<QString, QSqlQuery> m_prepared;
    std::optional<QSqlQuery> m_direct;
    QSet<QString> m_sessionObjects; // execOncePerConnection() statements run on this connection
};

} // namespace si::stores
