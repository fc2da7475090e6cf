// The lazy session table model: a million rows through QAbstractItemModelTester, jumps by skip,
// superseded requests, stale answers, staged counts, eviction, search — over a synthetic store
// (GUI model tests may fake the store) and over a real SQLite store.
#include "SyntheticSource.h"
#include "stores/StoreFactory.h"
#include "stores/inspect/Inspection.h"
#include "tests/support/TestSupport.h"
#include "ui/SessionTableModel.h"

#include "core/inspector/SeedGenerator.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace si;
using namespace si::inspector;
using si::test::SyntheticSource;
using si::ui::SessionTableModel;

namespace {

constexpr qint64 kMillion = 1000000;

std::shared_ptr<SessionBackend> backendOver(const std::shared_ptr<SyntheticSource> &source)
{
    auto layout = makeLayout(SessionLayout::Kind::Starsessions, {});
    if (!layout)
        qFatal("layout: %s", qPrintable(layout.error().toString()));
    SessionBackend::Options options;
    options.readOnly = true;
    return std::make_shared<SessionBackend>(source, *layout, options);
}

QString idShown(const SessionTableModel &model, int row)
{
    return model.data(model.index(row, SessionTableModel::User), SessionTableModel::IdRole).toString();
}

// Asks for `row` as a view painting it would, then lets answers arrive.
bool loadRow(SessionTableModel &model, int row, int timeoutMs = 5000)
{
    (void)model.data(model.index(row, 0));
    return QTest::qWaitFor([&] { return model.data(model.index(row, 0), SessionTableModel::LoadedRole).toBool(); },
                           timeoutMs);
}

} // namespace

class TestSessionTableModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aMillionRowsPassTheModelTester();
    void deepRowsAreReachedBySkippingNotPaging();
    void aNewerWishSupersedesTheWaitingOne();
    void answersAfterAResetAreDropped();
    void countComesInStages_data();
    void countComesInStages();
    void cacheEvictsTheLeastRecentlyUsed();
    void failuresAreReportedAndRetried();
    void searchShowsTheResult();
    void searchCanBeCanceled();
    void browsesARealSqliteStore();
};

void TestSessionTableModel::aMillionRowsPassTheModelTester()
{
    auto source = std::make_shared<SyntheticSource>(kMillion);
    SessionTableModel model;
    // Fatal mode: the tester walks every row on each structural change, and QtTest mode would
    // spend a minute logging nine million passed checks; a failure still ends the test.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), int(kMillion));
    QCOMPARE(model.countState(), SessionTableModel::CountState::Exact);
    QCOMPARE(model.columnCount(), int(SessionTableModel::ColumnCount));
    for (int row : {0, 1, 199, 200, 123456, 500000, 999999}) {
        QVERIFY2(loadRow(model, row), qPrintable(QString::number(row)));
        QCOMPARE(idShown(model, row), SyntheticSource::idAt(QStringLiteral("v1"), row));
        QCOMPARE(model.data(model.index(row, SessionTableModel::Subject)).toString(),
                 QStringLiteral("user-%1").arg(row % 5000));
        QCOMPARE(model.data(model.index(row, SessionTableModel::User)).toString(),
                 QStringLiteral("User %1 <user%1@example.com>").arg(row % 5000));
    }
    // The countdown ticks: the model announces the column once a second.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 10000); // the tick, however late a loaded machine runs it
}

void TestSessionTableModel::deepRowsAreReachedBySkippingNotPaging()
{
    auto source = std::make_shared<SyntheticSource>(kMillion);
    SessionTableModel model;
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), int(kMillion));
    QVERIFY(loadRow(model, 0));
    QCOMPARE(source->pageStarts, QList<qint64>{0});
    QVERIFY(source->skips.isEmpty());

    // Row 750,123 is in segment 3,750: one skip from the nearest known cursor (segment 1, which
    // the first page told), then one page.
    QVERIFY(loadRow(model, 750123));
    QCOMPARE(source->skips, QList<qint64>{750123 / 200 * 200 - 200});
    QCOMPARE(source->pageStarts.last(), qint64(750000));
    QCOMPARE(idShown(model, 750123), SyntheticSource::idAt(QStringLiteral("v1"), 750123));

    // Just after it: the cursor of the next segment is known, so no skip at all.
    QVERIFY(loadRow(model, 750250));
    QCOMPARE(source->skips.size(), 1);
    QCOMPARE(source->pageStarts.last(), qint64(750200));
    // Back up a little: a skip from segment 3,750's cursor, not from the top.
    QVERIFY(loadRow(model, 760000));
    QCOMPARE(source->skips.last(), qint64(760000 - 750400));
}

void TestSessionTableModel::aNewerWishSupersedesTheWaitingOne()
{
    auto source = std::make_shared<SyntheticSource>(100000);
    SessionTableModel model;
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), 100000);
    source->gated = true;
    (void)model.data(model.index(0, 0)); // segment 0: asked for, answer held
    QTRY_COMPARE(source->held(), qsizetype(1));
    QVERIFY(model.isBusy());
    // Scrolling on while it is out: only the last place matters.
    for (int row : {2000, 4000, 40000, 60123})
        (void)model.data(model.index(row, 0));
    QCOMPARE(source->held(), qsizetype(1)); // one request at a time
    source->release();
    // Segment 0 lands, then one skip + page for row 60,123 — nothing for 2,000 … 40,000.
    QTRY_COMPARE(source->held(), qsizetype(1));
    source->release();
    QTRY_COMPARE(source->held(), qsizetype(1));
    source->release();
    QTRY_VERIFY(model.data(model.index(60123, 0), SessionTableModel::LoadedRole).toBool());
    QCOMPARE(source->pageStarts, (QList<qint64>{0, 60000}));
    QCOMPARE(source->skips, QList<qint64>{60000 - 200});
    QVERIFY(!model.data(model.index(2000, 0), SessionTableModel::LoadedRole).toBool());
    QCOMPARE(model.data(model.index(2000, SessionTableModel::User)).toString(), QStringLiteral("loading…"));
}

void TestSessionTableModel::answersAfterAResetAreDropped()
{
    auto source = std::make_shared<SyntheticSource>(1000);
    SessionTableModel model;
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), 1000);
    source->gated = true;
    (void)model.data(model.index(5, 0));
    QTRY_COMPARE(source->held(), qsizetype(1));
    // The store changes and the user refreshes while the old page is out.
    source->version = QStringLiteral("v2");
    model.refresh();
    source->gated = false;
    source->release(); // the v1 page (made before the change), then the new count
    QTRY_COMPARE(model.rowCount(), 1000);
    QVERIFY(loadRow(model, 5));
    QCOMPARE(idShown(model, 5), SyntheticSource::idAt(QStringLiteral("v2"), 5));
}

void TestSessionTableModel::countComesInStages_data()
{
    QTest::addColumn<qint64>("actual");
    QTest::addColumn<qint64>("estimate");
    QTest::newRow("fewer than estimated") << qint64(950) << qint64(1000);
    QTest::newRow("more than estimated") << qint64(1130) << qint64(1000);
    QTest::newRow("exactly as estimated") << qint64(1000) << qint64(1000);
}

void TestSessionTableModel::countComesInStages()
{
    QFETCH(qint64, actual);
    QFETCH(qint64, estimate);
    auto source = std::make_shared<SyntheticSource>(actual);
    source->countValue = estimate;
    source->countExact = false;
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.countState(), SessionTableModel::CountState::Unknown);
    source->gated = true; // hold the count to see the first stage
    model.setBackend(backendOver(source));
    QCOMPARE(model.countText(), QStringLiteral("counting…"));
    QCOMPARE(model.rowCount(), 0);
    source->gated = false;
    source->release();
    QTRY_COMPARE(model.rowCount(), int(estimate));
    QCOMPARE(model.countState(), SessionTableModel::CountState::Estimate);
    QVERIFY(model.countText().startsWith(QStringLiteral("≈ ")));
    // Scrolling to the bottom (as a view would: the last row, again and again) finds the end.
    for (int i = 0; i < 10 && model.countState() != SessionTableModel::CountState::Exact; ++i)
        QVERIFY(loadRow(model, model.rowCount() - 1) || model.countState() == SessionTableModel::CountState::Exact);
    QTRY_COMPARE(model.countState(), SessionTableModel::CountState::Exact);
    QCOMPARE(model.rowCount(), int(actual));
    QCOMPARE(idShown(model, int(actual) - 1), SyntheticSource::idAt(QStringLiteral("v1"), actual - 1));
    QCOMPARE(model.countText(), QStringLiteral("%1 sessions").arg(QLocale().toString(actual)));
}

void TestSessionTableModel::cacheEvictsTheLeastRecentlyUsed()
{
    auto source = std::make_shared<SyntheticSource>(kMillion);
    SessionTableModel model;
    model.setCacheSegments(8);
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), int(kMillion));
    for (int segment = 0; segment < 40; ++segment)
        QVERIFY(loadRow(model, segment * 200 + 7));
    QCOMPARE(model.cachedSegments(), 8);
    QVERIFY(model.data(model.index(39 * 200, 0), SessionTableModel::LoadedRole).toBool());
    QVERIFY(!model.data(model.index(0, 0), SessionTableModel::LoadedRole).toBool());
    // Evicted rows come back from the cursor the model kept: a page, no skip.
    const qsizetype skips = source->skips.size();
    QVERIFY(loadRow(model, 3));
    QCOMPARE(source->skips.size(), skips);
    QCOMPARE(idShown(model, 3), SyntheticSource::idAt(QStringLiteral("v1"), 3));
}

void TestSessionTableModel::failuresAreReportedAndRetried()
{
    auto source = std::make_shared<SyntheticSource>(1000);
    SessionTableModel model;
    QSignalSpy failed(&model, &SessionTableModel::loadFailed);
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), 1000);
    source->failNext = true;
    (void)model.data(model.index(10, 0));
    QTRY_COMPARE(failed.size(), 1);
    QVERIFY(failed.first().first().toString().contains(QLatin1String("connection lost")));
    QVERIFY(failed.first().at(1).toBool()); // unreachable: the window offers a retry
    QVERIFY(!model.isBusy());
    QVERIFY(!model.data(model.index(10, 0), SessionTableModel::LoadedRole).toBool());
    // Painting the row again asks again, and now it loads.
    QVERIFY(loadRow(model, 10));
    QCOMPARE(idShown(model, 10), SyntheticSource::idAt(QStringLiteral("v1"), 10));
}

void TestSessionTableModel::searchShowsTheResult()
{
    auto source = std::make_shared<SyntheticSource>(20000);
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &SessionTableModel::searchFinished);
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), 20000);
    SearchQuery query;
    query.field = SearchQuery::Field::Email;
    query.value = QStringLiteral("USER42@example.com"); // emails compare case-insensitively
    model.setSearch(query);
    QVERIFY(model.isSearching());
    QTRY_COMPARE(finished.size(), 1);
    // user42 has sessions 42, 5042, 10042, 15042.
    QCOMPARE(model.rowCount(), 4);
    QSet<QString> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.insert(idShown(model, row));
    QCOMPARE(ids, (QSet<QString>{SyntheticSource::idAt(QStringLiteral("v1"), 42),
                                 SyntheticSource::idAt(QStringLiteral("v1"), 5042),
                                 SyntheticSource::idAt(QStringLiteral("v1"), 10042),
                                 SyntheticSource::idAt(QStringLiteral("v1"), 15042)}));
    QCOMPARE(finished.first().at(1).toLongLong(), qint64(20000)); // scanned
    model.clearSearch();
    QTRY_COMPARE(model.rowCount(), 20000);
}

void TestSessionTableModel::searchCanBeCanceled()
{
    auto source = std::make_shared<SyntheticSource>(50000);
    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &SessionTableModel::searchFinished);
    QSignalSpy canceled(&model, &SessionTableModel::searchCanceled);
    model.setBackend(backendOver(source));
    QTRY_COMPARE(model.rowCount(), 50000);
    // The user cancels once the scan has read 5,000 sessions; the progress text has moved on.
    QString progress;
    source->onBatch = [&](qint64 delivered) {
        if (delivered >= 5000 && progress.isEmpty()) {
            progress = model.countText();
            model.cancelSearch();
        }
    };
    SearchQuery query;
    query.field = SearchQuery::Field::Email;
    query.value = QStringLiteral("user42@example.com");
    model.setSearch(query);
    QTRY_COMPARE(canceled.size(), 1);
    QCOMPARE(finished.size(), 0);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.isBusy());
    const qint64 read = canceled.first().at(0).toLongLong();
    QVERIFY2(read >= 1000 && read < 50000, qPrintable(QString::number(read)));
    QVERIFY2(progress.startsWith(QStringLiteral("searching… ")) && progress.endsWith(QStringLiteral(" sessions read")),
             qPrintable(progress));
    // The listing comes back when the search is cleared.
    source->onBatch = nullptr;
    model.clearSearch();
    QTRY_COMPARE(model.rowCount(), 50000);
}

void TestSessionTableModel::browsesARealSqliteStore()
{
    QTemporaryDir dir;
    auto url = stores::StoreUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("s.db")));
    QVERIFY_OK(url);
    stores::InspectOptions options;
    options.layout = SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView("model-test-secret"))});
    options.issuer = QStringLiteral("https://login.example.com/");
    auto opened = stores::openInspector(*url, options);
    QVERIFY_OK(opened);
    SeedGenerator::Options seedOptions;
    seedOptions.count = 1234;
    seedOptions.users = 100;
    seedOptions.issuer = options.issuer;
    seedOptions.now = QDateTime::currentSecsSinceEpoch();
    const SeedGenerator generator(seedOptions);
    QList<QPair<QString, StateData>> batch;
    QStringList ids;
    for (qint64 i = 0; i < seedOptions.count; ++i) {
        auto s = generator.session(i, SessionLayout::Kind::Native);
        ids << s.id;
        batch.append({s.id, s.state});
    }
    QVERIFY_OK(await(opened->nativeStore->setMany(batch)));
    std::sort(ids.begin(), ids.end()); // SQL lists by id

    SessionTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setBackend(opened->backend);
    QTRY_COMPARE(model.rowCount(), 1234);
    QCOMPARE(model.countState(), SessionTableModel::CountState::Exact);
    for (int row : {0, 1100, 1233, 450}) {
        QVERIFY(loadRow(model, row));
        QCOMPARE(idShown(model, row), ids.at(row));
        QVERIFY(!model.data(model.index(row, SessionTableModel::Subject)).toString().isEmpty());
        QCOMPARE(model.data(model.index(row, SessionTableModel::Layout)).toString(), QStringLiteral("native"));
    }
}

QTEST_MAIN(TestSessionTableModel)
#include "TestSessionTableModel.moc"
