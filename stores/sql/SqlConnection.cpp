#include "SqlConnection.h"
#include "SqlWatchdog.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <libpq-fe.h>

namespace si::stores {

namespace {

QAtomicInteger<quint64> g_connectionCounter;

// Schema versions, applied in order inside one transaction each. Never edit a released step:
// add a new one. %1 is the table prefix; BIGINT/TEXT are valid in SQLite and PostgreSQL.
const QStringList kMigrations = {
    // 1: sessions with keyed-hash indexes, and transactions.
    QStringLiteral("CREATE TABLE %1sessions ("
                   " id TEXT PRIMARY KEY,"
                   " envelope TEXT NOT NULL,"
                   " key_id TEXT NOT NULL,"
                   " created_at BIGINT NOT NULL,"
                   " last_activity BIGINT NOT NULL,"
                   " absolute_expires_at BIGINT NOT NULL,"
                   " expires_at BIGINT NOT NULL,"
                   " subject_hash TEXT,"
                   " session_hash TEXT,"
                   " size INTEGER NOT NULL);"
                   "CREATE INDEX %1sessions_subject ON %1sessions (subject_hash);"
                   "CREATE INDEX %1sessions_session ON %1sessions (session_hash);"
                   "CREATE INDEX %1sessions_expires ON %1sessions (expires_at);"
                   "CREATE TABLE %1transactions ("
                   " state TEXT PRIMARY KEY,"
                   " envelope TEXT NOT NULL,"
                   " expires_at BIGINT NOT NULL);"
                   "CREATE INDEX %1transactions_expires ON %1transactions (expires_at)"),
    // 2: revocation markers for stateless (cookie) sessions.
    QStringLiteral("CREATE TABLE %1denylist ("
                   " marker TEXT PRIMARY KEY,"
                   " since BIGINT NOT NULL,"
                   " expires_at BIGINT NOT NULL);"
                   "CREATE INDEX %1denylist_expires ON %1denylist (expires_at)"),
    // 3: the email index (keyed hash of the lower-cased email) for the inspector's search.
    QStringLiteral("ALTER TABLE %1sessions ADD COLUMN email_hash TEXT;"
                   "CREATE INDEX %1sessions_email ON %1sessions (email_hash)"),
    // 4: listing in id order with the deadline beside each id: pages and skips of the inspector
    //    read this index alone (without it, skipping 1,000,000 rows in SQLite reads every row).
    QStringLiteral("CREATE INDEX %1sessions_listing ON %1sessions (id, expires_at)"),
    // 5: the inspector's sorted listings (by expiry, by creation) with keyset paging; the expiry
    //    index with id replaces the plain one (the sweeper's range scan uses it just as well).
    QStringLiteral("CREATE INDEX %1sessions_by_expiry ON %1sessions (expires_at, id);"
                   "CREATE INDEX %1sessions_by_creation ON %1sessions (created_at, id, expires_at);"
                   "DROP INDEX %1sessions_expires"),
    // 6: PostgreSQL keeps session rows up to 8 KB whole in the table. Envelopes are base64 text of
    //    3-9 KB: by default every row over 2 KB is first run through pglz (which cannot shrink
    //    ciphertext) and then moved to the TOAST table — an extra insert and index entry per write
    //    and an index lookup per read. Seeding: 1.35x faster; rows already written stay as they are.
    QStringLiteral("postgresql: ALTER TABLE %1sessions SET (toast_tuple_target = 8160)"),
};

// Statements of a migration marked "postgresql:" run on PostgreSQL only.
const QLatin1String kPostgresOnly("postgresql:");

bool isConnectionLoss(const QSqlError &error)
{
    if (error.type() == QSqlError::ConnectionError)
        return true;
    const QString text = error.databaseText();
    return text.contains(QLatin1String("server closed the connection"), Qt::CaseInsensitive) ||
           text.contains(QLatin1String("terminating connection"), Qt::CaseInsensitive) ||
           text.contains(QLatin1String("no connection to the server"), Qt::CaseInsensitive) ||
           text.contains(QLatin1String("connection to server"), Qt::CaseInsensitive) ||
           text.contains(QLatin1String("could not send data"), Qt::CaseInsensitive) ||
           text.contains(QLatin1String("could not receive data"), Qt::CaseInsensitive);
}

} // namespace

SqlConnection::SqlConnection(StoreUrl url, QString tablePrefix, bool readOnly)
    : m_url(std::move(url))
    , m_prefix(std::move(tablePrefix))
    , m_connectionName(QStringLiteral("si-store-%1").arg(++g_connectionCounter))
    , m_readOnly(readOnly)
    , m_timeoutMs(m_url.options.value(QStringLiteral("timeout_ms"), QStringLiteral("30000")).toInt())
{}

SqlConnection::~SqlConnection()
{
    close();
}

void SqlConnection::close()
{
    SqlWatchdog::instance().disarm(quintptr(this)); // before the socket goes
    m_prepared.clear();                             // statements of the old connection
    m_direct.reset();
    m_sessionObjects.clear();
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

PGconn *SqlConnection::pgConnection() const
{
    if (!isPostgres() || !QSqlDatabase::contains(m_connectionName))
        return nullptr;
    const QVariant handle = QSqlDatabase::database(m_connectionName, false).driver()->handle();
    // Qt 6 names the type after the struct behind libpq's typedef ("pg_conn*"; Qt 5: "PGconn*").
    const bool isPgConn =
        handle.isValid() && (qstrcmp(handle.typeName(), "pg_conn*") == 0 || qstrcmp(handle.typeName(), "PGconn*") == 0);
    return isPgConn ? *static_cast<PGconn *const *>(handle.constData()) : nullptr;
}

void SqlConnection::expectAnswer()
{
    if (PGconn *conn = pgConnection(); conn && m_timeoutMs > 0 && PQsocket(conn) >= 0)
        SqlWatchdog::instance().arm(quintptr(this), PQsocket(conn), m_timeoutMs);
}

bool SqlConnection::answered()
{
    return !SqlWatchdog::instance().disarm(quintptr(this));
}

void SqlConnection::idle()
{
    if (!answered())
        close(); // its socket was shut down after the job's last statement: useless now
}

Error SqlConnection::timedOut()
{
    close(); // reopened by the next ensureOpen()
    return makeError(
        ErrorCode::Timeout,
        QStringLiteral("no answer from the database within %1 ms: %2").arg(m_timeoutMs).arg(m_url.redacted()),
        QStringLiteral("the server or the network stalled; the statement may or may not have run"));
}

Error SqlConnection::failure(const QString &what, const QSqlError &error)
{
    if (SqlWatchdog::instance().disarm(quintptr(this)))
        return timedOut();
    const bool lost = isConnectionLoss(error);
    if (lost)
        close(); // reopened by the next ensureOpen()
    const QString where = m_url.redacted();
    return makeError(lost ? ErrorCode::StoreUnreachable : ErrorCode::Internal,
                     lost ? QStringLiteral("database unreachable: %1").arg(where) : what,
                     error.text().simplified().left(300));
}

Status SqlConnection::ensureOpen()
{
    if (QSqlDatabase::contains(m_connectionName) && QSqlDatabase::database(m_connectionName, false).isOpen())
        return {};
    close();
    const bool pg = isPostgres();
    const QString driver = pg ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE");
    if (!QSqlDatabase::isDriverAvailable(driver))
        return makeError(ErrorCode::Unsupported, QStringLiteral("the Qt %1 driver is not installed").arg(driver),
                         pg ? QStringLiteral("install libqt6sql6-psql") : QStringLiteral("install libqt6sql6-sqlite"));
    QSqlDatabase db = QSqlDatabase::addDatabase(driver, m_connectionName);
    if (pg) {
        const auto &host = m_url.hosts.first();
        db.setHostName(host.name);
        db.setPort(host.port);
        db.setUserName(m_url.user);
        db.setPassword(m_url.password);
        db.setDatabaseName(m_url.database);
        QStringList options;
        options << QStringLiteral("connect_timeout=%1")
                       .arg(m_url.options.value(QStringLiteral("connect_timeout"), QStringLiteral("5")));
        // A peer that vanished (host down, cable pulled) is noticed within ~30 s even while idle;
        // a server that hangs is bounded by the statement watchdog (armDeadline).
        options << QStringLiteral("keepalives=1") << QStringLiteral("keepalives_idle=15")
                << QStringLiteral("keepalives_interval=5") << QStringLiteral("keepalives_count=3");
        for (const char *name : {"sslmode", "sslrootcert", "sslcert", "sslkey", "application_name"}) {
            const QString key = QLatin1String(name);
            if (m_url.options.contains(key))
                options << key + QLatin1Char('=') + m_url.options.value(key);
        }
        // StoreUrl allows verify-full or disable; without sslmode, plaintext rather than libpq's
        // "prefer" (TLS without any certificate check when the server offers it).
        if (!m_url.options.contains(QStringLiteral("sslmode")))
            options << QStringLiteral("sslmode=disable");
        // pg_stat_activity and the server log tell a read-only profile's connections apart.
        if (!m_url.options.contains(QStringLiteral("application_name")))
            options << (m_readOnly ? QStringLiteral("application_name=session-inspector-readonly")
                                   : QStringLiteral("application_name=session-inspector"));
        db.setConnectOptions(options.join(QLatin1Char(';')));
    } else {
        if (m_url.path != QLatin1String(":memory:") && !m_readOnly) {
            const QFileInfo info(m_url.path);
            if (!info.absoluteDir().exists() && !QDir().mkpath(info.absolutePath()))
                return makeError(ErrorCode::Io, QStringLiteral("cannot create the directory for the SQLite store"),
                                 info.absolutePath());
        }
        if (m_readOnly && m_url.path != QLatin1String(":memory:") && !QFileInfo::exists(m_url.path)) {
            db = QSqlDatabase();
            close();
            return makeError(ErrorCode::NotFound, QStringLiteral("no such SQLite file: %1").arg(m_url.path),
                             QStringLiteral("a read-only profile does not create it"));
        }
        db.setDatabaseName(m_url.path);
        db.setConnectOptions(m_readOnly ? QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000;QSQLITE_OPEN_READONLY")
                                        : QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    if (!db.open()) {
        const QSqlError error = db.lastError();
        db = QSqlDatabase(); // no handle may outlive removeDatabase()
        close();
        return makeError(pg ? ErrorCode::StoreUnreachable : ErrorCode::Io,
                         QStringLiteral("cannot open %1").arg(m_url.redacted()), error.text().simplified().left(300));
    }
    if (pg) {
        // CREATE … IF NOT EXISTS on an existing schema would print a NOTICE per connection.
        QSqlQuery quiet(db);
        armDeadline();
        quiet.exec(QStringLiteral("SET client_min_messages = warning"));
        // The server gives up on a statement as the client would (a lock wait, a slow scan).
        if (m_timeoutMs > 0)
            quiet.exec(QStringLiteral("SET statement_timeout = %1").arg(m_timeoutMs));
        if (SqlWatchdog::instance().disarm(quintptr(this))) {
            db = QSqlDatabase();
            return timedOut();
        }
        // Read-only profiles: the server itself refuses writes for the whole session.
        if (m_readOnly && !quiet.exec(QStringLiteral("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"))) {
            const Error e = failure(QStringLiteral("cannot make the session read-only"), quiet.lastError());
            db = QSqlDatabase();
            close();
            return e;
        }
    } else {
        QSqlQuery pragma(db);
        // 16 MB of page cache instead of SQLite's 2 MB: the seven indexes of a large store are
        // keyed by random hashes and ids, so every write touches pages all over them (seeding
        // 200,000 sessions with 16 KB pages: 48 -> 38 s, 23 -> 13 s of pread/pwrite system time).
        // Bounded by the memory target of streaming reads: an export fills the cache of each of
        // its connections (exporting 200,000: 43 MB peak with 2 MB, 55 MB with 16 MB, 106 MB with 64 MB).
        pragma.exec(QStringLiteral("PRAGMA cache_size=-16384"));
        if (!m_readOnly) {
            // New files get 16 KB pages: a 4-9 KB envelope then fits one page instead of spilling
            // into an overflow chain (seeding 200,000: 48 -> 41 s; scan search 82,000 -> 109,000/s).
            // Ignored for existing files.
            pragma.exec(QStringLiteral("PRAGMA page_size=16384"));
            pragma.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            pragma.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        }
    }
    if (!m_migrated) {
        if (auto migrated = m_readOnly ? checkSchema() : migrate(); !migrated) {
            db = QSqlDatabase();
            close();
            return migrated;
        }
        m_migrated = true;
    }
    return {};
}

Status SqlConnection::checkSchema()
{
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    armDeadline();
    const bool read = q.exec(QStringLiteral("SELECT version FROM %1").arg(table("schema"))) && q.next();
    if (!answered())
        return timedOut();
    if (!read)
        return makeError(ErrorCode::NotFound,
                         QStringLiteral("no sessions here: %1 has no %2 tables").arg(m_url.redacted(), m_prefix),
                         QStringLiteral("a read-only profile does not create them; check the URL and the prefix"));
    const int version = q.value(0).toInt();
    // Version 3 added the email column the inspector reads; later ones add indexes only.
    constexpr int kOldestReadable = 3;
    if (version > kMigrations.size())
        return makeError(
            ErrorCode::Unsupported, QStringLiteral("the store was written by a newer Session Inspector"),
            QStringLiteral("schema version %1, this build knows up to %2").arg(version).arg(kMigrations.size()));
    if (version < kOldestReadable)
        return makeError(
            ErrorCode::Unsupported, QStringLiteral("the store's schema is too old to read without upgrading it"),
            QStringLiteral("schema version %1; open it once without read-only to upgrade it").arg(version));
    return answered() ? Status{} : Status(timedOut());
}

Status SqlConnection::migrate()
{
    // Everything in one transaction that other migrators wait for (an advisory lock on
    // PostgreSQL, BEGIN IMMEDIATE on SQLite), so that two stores opening a fresh database at the
    // same moment do not both create the tables.
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    const bool pg = isPostgres();
    armDeadline();
    if (!q.exec(pg ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")))
        return failure(QStringLiteral("cannot start the schema migration"), q.lastError());
    auto abort = [&](const QString &what) {
        const QSqlError error = q.lastError();
        q.exec(QStringLiteral("ROLLBACK"));
        return failure(what, error);
    };
    if (pg && !q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7428113001)")))
        return abort(QStringLiteral("cannot lock the schema"));
    const QString versionTable = table("schema");
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (version INTEGER NOT NULL)").arg(versionTable)))
        return abort(QStringLiteral("cannot prepare the schema"));
    if (!q.exec(QStringLiteral("SELECT version FROM %1").arg(versionTable)))
        return abort(QStringLiteral("cannot read the schema version"));
    int version = 0;
    const bool hasRow = q.next();
    if (hasRow)
        version = q.value(0).toInt();
    q.finish();
    if (version > kMigrations.size()) {
        q.exec(QStringLiteral("ROLLBACK"));
        return makeError(
            ErrorCode::Unsupported, QStringLiteral("the store was written by a newer Session Inspector"),
            QStringLiteral("schema version %1, this build knows up to %2").arg(version).arg(kMigrations.size()));
    }
    for (int step = version; step < kMigrations.size(); ++step) {
        const QStringList statements = kMigrations.at(step).arg(m_prefix).split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (QString statement : statements) {
            statement = statement.trimmed();
            if (statement.startsWith(kPostgresOnly)) {
                if (!pg)
                    continue;
                statement = statement.mid(kPostgresOnly.size()).trimmed();
            }
            if (!q.exec(statement))
                return abort(QStringLiteral("schema migration %1 failed").arg(step + 1));
        }
    }
    if (version < kMigrations.size()) {
        const QString update = hasRow ? QStringLiteral("UPDATE %1 SET version = %2")
                                      : QStringLiteral("INSERT INTO %1 (version) VALUES (%2)");
        if (!q.exec(update.arg(versionTable).arg(kMigrations.size())))
            return abort(QStringLiteral("cannot record the schema version"));
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return abort(QStringLiteral("cannot commit the schema migration"));
    return answered() ? Status{} : Status(timedOut());
}

Status SqlConnection::exec(const QString &sql, const QVariantList &values)
{
    auto q = query(sql, values);
    if (!q)
        return q.error();
    (*q)->finish();
    return {};
}

Result<QSqlQuery *> SqlConnection::query(const QString &sql, const QVariantList &values)
{
    if (auto open = ensureOpen(); !open)
        return open.error();
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        if (m_prepared.size() >= 64)
            m_prepared.clear();
        QSqlQuery prepared(QSqlDatabase::database(m_connectionName, false));
        armDeadline();
        if (!prepared.prepare(sql))
            return failure(QStringLiteral("cannot prepare a statement"), prepared.lastError());
        it = m_prepared.insert(sql, prepared);
    }
    QSqlQuery &q = *it;
    q.finish(); // release a previous result set of this statement
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(static_cast<int>(i), values[i]);
    armDeadline();
    if (!q.exec()) {
        const QSqlError error = q.lastError();
        m_prepared.erase(it);
        return failure(QStringLiteral("database statement failed"), error);
    }
    // The whole result is here (not forward-only); nothing is awaited until the next statement.
    if (!answered()) {
        m_prepared.erase(it);
        return timedOut();
    }
    return &q;
}

Result<QSqlQuery *> SqlConnection::direct(const QString &sql, const QVariantList &values)
{
    if (auto open = ensureOpen(); !open)
        return open.error();
    if (!m_direct) {
        m_direct.emplace(QSqlDatabase::database(m_connectionName, false));
        m_direct->setForwardOnly(true); // no row cache: a scan of millions keeps one row at a time
    }
    QSqlQuery &q = *m_direct;
    q.finish();
    armDeadline();
    bool ok = false;
    if (values.isEmpty()) {
        ok = q.exec(sql);
    } else if (q.prepare(sql)) {
        for (qsizetype i = 0; i < values.size(); ++i)
            q.bindValue(static_cast<int>(i), values[i]);
        ok = q.exec();
    }
    if (!ok)
        return failure(QStringLiteral("database statement failed"), q.lastError());
    return &q;
}

Status SqlConnection::execOncePerConnection(const QString &sql)
{
    if (auto open = ensureOpen(); !open)
        return open;
    if (m_sessionObjects.contains(sql))
        return {};
    if (auto done = direct(sql); !done) // not prepared: PostgreSQL cannot PREPARE DDL
        return done.error();
    m_sessionObjects.insert(sql);
    return {};
}

Status SqlConnection::copyIn(const QString &copySql, QByteArrayView rows)
{
    if (!isPostgres())
        return makeError(ErrorCode::Unsupported, QStringLiteral("COPY is PostgreSQL's"));
    if (auto open = ensureOpen(); !open)
        return open;
    PGconn *conn = pgConnection();
    if (!conn)
        return makeError(ErrorCode::Internal, QStringLiteral("the QPSQL driver gave no libpq connection"));
    // The server's own words (primary message only: COPY's context lines would quote row data).
    auto failed = [&](const char *what, PGresult *result) -> Error {
        if (SqlWatchdog::instance().disarm(quintptr(this)))
            return timedOut();
        const bool lost = PQstatus(conn) == CONNECTION_BAD;
        const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
        const QString detail = QString::fromUtf8(primary ? primary : PQerrorMessage(conn)).simplified().left(300);
        return makeError(lost ? ErrorCode::StoreUnreachable : ErrorCode::Internal,
                         lost ? QStringLiteral("database unreachable: %1").arg(m_url.redacted())
                              : QString::fromLatin1(what),
                         detail);
    };
    std::optional<Error> error;
    armDeadline();
    PGresult *start = PQexec(conn, copySql.toUtf8().constData());
    if (PQresultStatus(start) != PGRES_COPY_IN) {
        error = failed("cannot start COPY", start);
    } else {
        constexpr qsizetype kChunk = 1 << 20;
        bool sent = true;
        for (qsizetype at = 0; at < rows.size() && sent; at += kChunk) {
            armDeadline(); // per chunk: a large COPY is slow, not stalled
            sent = PQputCopyData(conn, rows.data() + at, int(qMin(kChunk, rows.size() - at))) == 1;
        }
        // A failed send still ends the COPY (with an error), so the connection stays usable.
        sent = PQputCopyEnd(conn, sent ? nullptr : "the client could not send every row") == 1 && sent;
        while (PGresult *result = PQgetResult(conn)) {
            if (PQresultStatus(result) != PGRES_COMMAND_OK && !error)
                error = failed("COPY failed", result);
            PQclear(result);
        }
        if (!error && !sent)
            error = failed("COPY failed", nullptr);
    }
    PQclear(start);
    if (!error && SqlWatchdog::instance().disarm(quintptr(this)))
        error = timedOut(); // it fired after the last result arrived: the socket is gone
    else if (PQstatus(conn) == CONNECTION_BAD)
        close(); // reopened by the next ensureOpen()
    if (error)
        return *error;
    return {};
}

Status SqlConnection::transaction()
{
    if (auto open = ensureOpen(); !open)
        return open;
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    armDeadline();
    if (!db.transaction())
        return failure(QStringLiteral("cannot start a transaction"), db.lastError());
    return answered() ? Status{} : Status(timedOut());
}

Status SqlConnection::commit()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    armDeadline();
    if (!db.commit())
        return failure(QStringLiteral("cannot commit"), db.lastError());
    return answered() ? Status{} : Status(timedOut());
}

void SqlConnection::rollback()
{
    // What execOncePerConnection() made inside the rolled-back transaction is gone with it; its
    // statements are idempotent (IF NOT EXISTS), so all of them run again when next asked for.
    m_sessionObjects.clear();
    if (QSqlDatabase::contains(m_connectionName)) {
        armDeadline();
        QSqlDatabase::database(m_connectionName, false).rollback();
        if (SqlWatchdog::instance().disarm(quintptr(this)))
            close();
    }
}

QString sqlPlaceholders(qsizetype n)
{
    QString out;
    out.reserve(n * 2);
    for (qsizetype i = 0; i < n; ++i)
        out += i == 0 ? QStringLiteral("?") : QStringLiteral(",?");
    return out;
}

} // namespace si::stores
