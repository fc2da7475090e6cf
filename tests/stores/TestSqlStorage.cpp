// How the SQL stores lay out and find session rows. PostgreSQL: rows up to 8 KB stay whole in the
// table (schema 6) — neither run through pglz nor moved to the TOAST table — and larger ones still
// go to TOAST; lookups by index hash or id never walk the expiry index, also on a table not yet
// analyzed. SQLite: new files get 16 KB pages and the write-ahead log, existing ones keep theirs.
// Runs against its own PostgreSQL cluster (initdb in a temporary directory), so it needs no
// environment and never skips.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/inspector/SeedGenerator.h"
#include "core/inspector/SessionBackend.h"
#include "stores/StoreFactory.h"
#include "stores/inspect/Inspection.h"
#include "stores/sql/SqlConnection.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TestSupport.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace si;
using namespace si::stores;
using namespace si::test;

class TestSqlStorage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sessionRowsUpToEightKilobytesStayWhole();
    void lookupsNeverWalkTheExpiryIndex();
    void newSqliteFilesGetLargePages();
    void sessionObjectsComeBackAfterARollback();
};

namespace {

// A superuser connection to `server` for looking at what the store did.
QSqlDatabase inspectDatabase(const PostgresProcess &server, const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(QStringLiteral("127.0.0.1"));
    db.setPort(server.port());
    db.setUserName(QStringLiteral("postgres"));
    db.setDatabaseName(QStringLiteral("postgres"));
    db.open();
    return db;
}

} // namespace

void TestSqlStorage::sessionRowsUpToEightKilobytesStayWhole()
{
    PostgresProcess server;
    QString error;
    QVERIFY2(server.init(&error), qPrintable(error));
    QVERIFY2(server.start(&error), qPrintable(error));
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://idp.test/");
    auto codec = std::make_shared<SessionCodec>(secretList({"storage-secret"}), options);
    StoreFactory factory;
    auto store = factory.stateStore(StoreUrl::parse(server.url()).value(), codec);
    QVERIFY_OK(store);

    // A typical session (~4 KB envelope) and one with a long token (~13 KB envelope).
    auto sessionWith = [](qsizetype tokenLength) {
        StateData state;
        json::Object claims;
        claims.append("iss", "https://idp.test/");
        claims.append("sub", "user-1");
        state.user = UserClaims::fromIdTokenClaims(claims);
        state.refreshToken = QString(tokenLength, QLatin1Char('r'));
        state.internal.createdAt = systemClock();
        return state;
    };
    const QString typical = SessionCodec::newSessionId();
    const QString large = SessionCodec::newSessionId();
    QVERIFY_OK(await((*store)->set(typical, sessionWith(2800))));
    QVERIFY_OK(await((*store)->set(large, sessionWith(9500))));
    for (const QString &id : {typical, large}) {
        auto back = await((*store)->get(id));
        QVERIFY_OK(back);
        QVERIFY(back->has_value());
    }

    const QString connection = QStringLiteral("storage-check");
    {
        QSqlDatabase db = inspectDatabase(server, connection);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT reloptions::text FROM pg_class WHERE relname = 'si_sessions'")));
        QVERIFY(q.next());
        QVERIFY2(q.value(0).toString().contains(QStringLiteral("toast_tuple_target=8160")),
                 qPrintable(q.value(0).toString()));
        // pg_column_size: the value's bytes plus a 4-byte header when stored inline as written;
        // the bare length when it lives in the TOAST table.
        auto stored = [&q](const QString &id) -> QPair<qint64, qint64> {
            q.prepare(QStringLiteral("SELECT octet_length(envelope), pg_column_size(envelope) FROM si_sessions"
                                     " WHERE id = ?"));
            q.addBindValue(id);
            if (!q.exec() || !q.next())
                return {-1, -1};
            return {q.value(0).toLongLong(), q.value(1).toLongLong()};
        };
        const auto [typicalLength, typicalStored] = stored(typical);
        QVERIFY2(typicalLength > 3500 && typicalLength < 7500, qPrintable(QString::number(typicalLength)));
        QCOMPARE(typicalStored, typicalLength + 4); // whole, in the row
        const auto [largeLength, largeStored] = stored(large);
        QVERIFY2(largeLength > 8160, qPrintable(QString::number(largeLength)));
        QVERIFY2(largeStored <= largeLength, qPrintable(QString::number(largeStored))); // out of line
    }
    QSqlDatabase::removeDatabase(connection);
}

// Right after a bulk load PostgreSQL has no statistics for the table and estimates that every row
// matches both `expires_at > now` and `email_hash = …`; it then AND-ed the email index with a
// walk of the whole expiry index (190 ms at 200,000 sessions, 660 ms at a million, for 5 rows).
// Lookups write `+expires_at`, which no index serves.
void TestSqlStorage::lookupsNeverWalkTheExpiryIndex()
{
    PostgresProcess server;
    QString error;
    QVERIFY2(server.init(&error), qPrintable(error));
    QVERIFY2(server.start(&error), qPrintable(error));
    InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = secretList({"storage-secret"});
    options.issuer = QStringLiteral("https://idp.test/");
    // 100,000 realistic sessions (~4 KB) of 2,000 users: a table size at which the planner,
    // without statistics, found the expiry index worth combining with the hash index.
    inspector::SeedGenerator::Options seedOptions;
    seedOptions.count = 100000;
    seedOptions.users = 2000;
    seedOptions.issuer = options.issuer;
    const inspector::SeedGenerator generator(seedOptions);
    {
        auto seeding = openInspector(StoreUrl::parse(server.url()).value(), options);
        QVERIFY_OK(seeding);
        for (qint64 start = 0; start < seedOptions.count; start += 5000) {
            QList<QPair<QString, StateData>> batch;
            for (qint64 i = start; i < start + 5000; ++i) {
                auto s = generator.session(i, inspector::SessionLayout::Kind::Native);
                batch.append({std::move(s.id), std::move(s.state)});
            }
            QVERIFY_OK(await(seeding->nativeStore->setMany(batch)));
        }
    } // its backend exits and flushes its counters (its first write swept expired rows)
    const auto probe = generator.session(7, inspector::SessionLayout::Kind::Native);

    const QString connection = QStringLiteral("plan-check");
    {
        QSqlDatabase db = inspectDatabase(server, connection);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT reltuples FROM pg_class WHERE relname = 'si_sessions'")));
        QVERIFY(q.next());
        QVERIFY2(q.value(0).toDouble() < 0, "the table was analyzed: the planner would choose well anyway");
        // A statistics counter as this connection sees it now (-1 on failure).
        auto counter = [&q](const QString &sql) -> qint64 {
            q.exec(QStringLiteral("SELECT pg_stat_clear_snapshot()")); // else one snapshot per transaction
            return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
        };
        auto indexScans = [&counter](const char *a, const char *b) {
            return counter(QStringLiteral("SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes"
                                          " WHERE indexrelname IN ('%1', '%2')")
                               .arg(QLatin1String(a), QLatin1String(b)));
        };
        auto expiryScans = [&] { return indexScans("si_sessions_expires", "si_sessions_by_expiry"); };
        auto inserted = [&] {
            return counter(QStringLiteral("SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'si_sessions'"));
        };
        QTRY_COMPARE_WITH_TIMEOUT(inserted(), seedOptions.count, 10000); // the seeding connection's counters are in
        const qint64 before = expiryScans();
        QVERIFY(before >= 0);
        {
            // A connection of its own, closed afterwards: a backend flushes its index counters
            // when it exits (while idle, only every few seconds).
            auto looking = openInspector(StoreUrl::parse(server.url()).value(), options);
            QVERIFY_OK(looking);
            for (const auto &[field, value] :
                 {std::pair{inspector::SearchQuery::Field::Email, generator.email(probe.user)},
                  std::pair{inspector::SearchQuery::Field::Subject, generator.subject(probe.user)}}) {
                auto found = await(looking->backend->find({field, value, options.issuer}));
                QVERIFY_OK(found);
                QVERIFY(found->usedIndex);
                QVERIFY(!found->rows.isEmpty());
            }
            QVERIFY_OK(await(looking->backend->load(probe.id)));
        }
        // Its exit reached the counters once the hash indexes' scans show up there.
        QTRY_VERIFY_WITH_TIMEOUT(indexScans("si_sessions_email", "si_sessions_subject") >= 2, 10000);
        QCOMPARE(expiryScans(), before);
        // The counter does move when the expiry index is used (the check can fail).
        QVERIFY(q.exec(QStringLiteral("SET enable_seqscan = off")));
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM si_sessions WHERE expires_at > 0")));
        QTRY_VERIFY_WITH_TIMEOUT(expiryScans() > before, 5000);
    }
    QSqlDatabase::removeDatabase(connection);
}

void TestSqlStorage::newSqliteFilesGetLargePages()
{
    QTemporaryDir dir;
    auto codec = std::make_shared<SessionCodec>(secretList({"storage-secret"}), SessionCodec::Options{});
    auto pragmas = [](const QString &path) -> QPair<int, QString> {
        const QString name = QStringLiteral("pragma-check");
        QPair<int, QString> out{-1, {}};
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
            if (db.open()) {
                QSqlQuery q(db);
                if (q.exec(QStringLiteral("PRAGMA page_size")) && q.next())
                    out.first = q.value(0).toInt();
                if (q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next())
                    out.second = q.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(name);
        return out;
    };
    // A file this program creates.
    const QString fresh = dir.filePath(QStringLiteral("fresh.db"));
    {
        StoreFactory factory;
        auto store = factory.stateStore(StoreUrl::parse(QStringLiteral("sqlite:") + fresh).value(), codec);
        QVERIFY_OK(store);
        QVERIFY_OK(await((*store)->set(SessionCodec::newSessionId(), StateData())));
    }
    QCOMPARE(pragmas(fresh), qMakePair(16384, QStringLiteral("wal")));
    // A file that already exists with SQLite's default pages keeps them (and its sessions).
    const QString existing = dir.filePath(QStringLiteral("existing.db"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("make-existing"));
        db.setDatabaseName(existing);
        QVERIFY(db.open());
        QVERIFY(QSqlQuery(db).exec(QStringLiteral("CREATE TABLE unrelated (x INTEGER)")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("make-existing"));
    const int defaultPages = pragmas(existing).first;
    QVERIFY(defaultPages > 0 && defaultPages != 16384);
    {
        StoreFactory factory;
        auto store = factory.stateStore(StoreUrl::parse(QStringLiteral("sqlite:") + existing).value(), codec);
        QVERIFY_OK(store);
        const QString id = SessionCodec::newSessionId();
        QVERIFY_OK(await((*store)->set(id, StateData())));
        auto back = await((*store)->get(id));
        QVERIFY_OK(back);
        QVERIFY(back->has_value());
    }
    QCOMPARE(pragmas(existing).first, defaultPages);
}

// The staging table of COPY writes is made once per connection, inside the first batch's
// transaction: a batch that fails there rolls it back, and the next batch must make it again.
void TestSqlStorage::sessionObjectsComeBackAfterARollback()
{
    PostgresProcess server;
    QString error;
    QVERIFY2(server.init(&error), qPrintable(error));
    QVERIFY2(server.start(&error), qPrintable(error));
    SqlConnection db(StoreUrl::parse(server.url()).value(), QStringLiteral("si_"));
    const QString create = QStringLiteral("CREATE TEMPORARY TABLE IF NOT EXISTS pg_temp.t (x INTEGER)");
    QVERIFY_OK(db.transaction());
    QVERIFY_OK(db.execOncePerConnection(create));
    QVERIFY_OK(db.direct(QStringLiteral("SELECT x FROM pg_temp.t")));
    db.rollback(); // the failed batch
    QVERIFY_OK(db.transaction());
    QVERIFY_OK(db.execOncePerConnection(create));
    QVERIFY_OK(db.direct(QStringLiteral("SELECT x FROM pg_temp.t")));
    QVERIFY_OK(db.commit());
    // Committed, it stays: asking again runs nothing (a second CREATE would also be harmless).
    QVERIFY_OK(db.execOncePerConnection(create));
    QVERIFY_OK(db.direct(QStringLiteral("SELECT x FROM pg_temp.t")));
}

QTEST_GUILESS_MAIN(TestSqlStorage)
#include "TestSqlStorage.moc"
