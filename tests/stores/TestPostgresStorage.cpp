// How PostgreSQL stores session rows (schema 6): rows up to 8 KB stay whole in the table —
// neither run through pglz nor moved to the TOAST table — and larger ones still go to TOAST.
// Runs against its own PostgreSQL cluster (initdb in a temporary directory), so it needs no
// environment and never skips.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "stores/StoreFactory.h"
#include "tests/support/ServerProcess.h"
#include "tests/support/TestSupport.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using namespace si;
using namespace si::stores;
using namespace si::test;

class TestPostgresStorage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sessionRowsUpToEightKilobytesStayWhole();
};

void TestPostgresStorage::sessionRowsUpToEightKilobytesStayWhole()
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
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(QStringLiteral("127.0.0.1"));
        db.setPort(server.port());
        db.setUserName(QStringLiteral("postgres"));
        db.setDatabaseName(QStringLiteral("postgres"));
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
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

QTEST_GUILESS_MAIN(TestPostgresStorage)
#include "TestPostgresStorage.moc"
