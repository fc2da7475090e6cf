// Session data written by an attacker, shown by the inspector: a native SQLite store holding one
// hostile session (markup in the name, terminal escapes in the email, an RTL override and <b> in
// the sub, C1 controls in the sid, markup in the ID token's kid, issuer-side audience and scope)
// among ordinary ones. Every widget of the main window — table, details with every tab, masked
// and revealed, the token inspector, statistics charts, the confirmation box, banners, the audit
// tab — is read back as a person sees it (tests/ui/TextSinks): no markup may render, no control
// character may reach the screen, and the hostile text must be on screen literally.
#include "core/inspector/AuditLog.h"
#include "core/inspector/SeedGenerator.h"
#include "core/jose/Jwk.h"
#include "core/model/StateData.h"
#include "core/store/SessionCodec.h"
#include "core/text/ControlText.h"
#include "stores/inspect/Inspection.h"
#include "tests/support/TestSupport.h"
#include "tests/ui/TextSinks.h"
#include "ui/MainWindow.h"
#include "ui/MessageBanner.h"
#include "ui/SessionTableModel.h"
#include "ui/StatisticsView.h"

#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeWidget>
#include <QtTest>

using namespace si;
using namespace si::inspector;
using si::ui::MainWindow;
using si::ui::SessionTableModel;

namespace {

const QString kIssuer = QStringLiteral("https://login.example.com/");

} // namespace

class TestUntrustedText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void theCheckSeesRenderedMarkup();
    void mainWindowShowsTheHostileSessionAsText();
    void confirmationAndOutcomeAreText();

private:
    void openWindow(bool readOnly);
    // Fails the test on any sink that shows hostile text unsafely; returns the sinks.
    QList<test::TextSink> checkAll(const QWidget *root, const char *when);
    void selectHostile();

    test::ScratchDir m_dir;
    QString m_path;
    QString m_jwks;
    QString m_hostileId;
    std::shared_ptr<AuditLog> m_audit;
    std::unique_ptr<MainWindow> m_window;
    bool m_checked = false;
};

void TestUntrustedText::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_audit = std::make_shared<AuditLog>(m_dir.filePath(QStringLiteral("audit.jsonl")));
    qputenv("SI_AUDIT_LOG", m_audit->path().toUtf8());
    m_path = m_dir.filePath(QStringLiteral("hostile.db"));
    // The token inspector checks signatures against this key set: the hostile token's kid is
    // not in it, so the "unknown key" message quotes what the attacker wrote.
    auto key = jose::Jwk::generate(jose::Jwk::KeyType::Ec, 0, QStringLiteral("P-256"), QStringLiteral("k1"));
    QVERIFY_OK(key);
    json::Array keys;
    keys.emplace_back(key->publicJson());
    json::Object set;
    set.append("keys", json::Value(std::move(keys)));
    m_jwks = m_dir.filePath(QStringLiteral("keys.jwks"));
    QFile file(m_jwks);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(json::serialize(json::Value(std::move(set)), json::Style::Compact)));
    file.close();

    stores::InspectOptions options;
    options.layout = SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView("untrusted-text-secret"))});
    options.issuer = kIssuer;
    auto url = stores::StoreUrl::parse(QStringLiteral("sqlite:") + m_path);
    QVERIFY_OK(url);
    auto opened = stores::openInspector(*url, options);
    QVERIFY_OK(opened);
    SeedGenerator::Options seed;
    seed.count = 12;
    seed.users = 4;
    seed.issuer = kIssuer;
    const SeedGenerator generator(seed);
    QList<QPair<QString, StateData>> batch;
    for (int i = 0; i < 12; ++i) {
        const SeedGenerator::Session s = generator.session(i, SessionLayout::Kind::Native);
        batch.append({s.id, s.state});
    }
    m_hostileId = SessionCodec::newSessionId();
    batch.append({m_hostileId, test::hostileSession(kIssuer, QDateTime::currentSecsSinceEpoch())});
    QVERIFY_OK(await(opened->nativeStore->setMany(batch)));
}

void TestUntrustedText::cleanup()
{
    m_window.reset();
}

void TestUntrustedText::openWindow(bool readOnly)
{
    stores::InspectOptions options;
    options.layout = SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView("untrusted-text-secret"))});
    options.issuer = kIssuer;
    options.jwksFile = m_jwks;
    options.readOnly = readOnly;
    options.audit = m_audit;
    options.profile = QStringLiteral("untrusted-text");
    auto url = stores::StoreUrl::parse(QStringLiteral("sqlite:") + m_path);
    QVERIFY_OK(url);
    auto opened = stores::openInspector(*url, options);
    QVERIFY_OK(opened);
    m_window = std::make_unique<MainWindow>();
    m_window->resize(1600, 900);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->openStore(QStringLiteral("untrusted"), *opened);
    QTRY_COMPARE(m_window->model()->rowCount(), 13);
    const auto loaded = [this] {
        for (int r = 0; r < m_window->model()->rowCount(); ++r) {
            if (!m_window->model()->data(m_window->model()->index(r, 0), SessionTableModel::LoadedRole).toBool())
                return false;
        }
        return true;
    };
    QTRY_VERIFY(loaded());
}

QList<test::TextSink> TestUntrustedText::checkAll(const QWidget *root, const char *when)
{
    const QList<test::TextSink> sinks = test::collectTextSinks(root);
    m_checked = true;
    for (const test::TextSink &s : sinks) {
        const QString why = test::unsafeDisplay(s);
        if (!why.isEmpty()) {
            m_checked = false;
            qWarning("%s: %s shows %s: %s", when, qPrintable(s.where), qPrintable(why),
                     qPrintable(text::escapeControls(s.raw.left(300))));
        }
    }
    return sinks;
}

void TestUntrustedText::selectHostile()
{
    auto *table = m_window->findChild<QTableView *>(QStringLiteral("sessionTableView"));
    int row = -1;
    QTRY_VERIFY([&] {
        for (int r = 0; r < m_window->model()->rowCount(); ++r) {
            if (m_window->model()->data(m_window->model()->index(r, 0), SessionTableModel::IdRole).toString() ==
                m_hostileId)
                row = r;
        }
        return row >= 0;
    }());
    table->setFocus();
    table->selectRow(row);
    table->setCurrentIndex(m_window->model()->index(row, 0));
    auto *title = m_window->findChild<QLabel *>(QStringLiteral("detailsTitleLabel"));
    QTRY_COMPARE(title->text(), test::kHostileName);
}

void TestUntrustedText::theCheckSeesRenderedMarkup()
{
    // The check itself: a label in Qt's default format renders the name; an escape on screen.
    QWidget root;
    auto *rendered = new QLabel(test::kHostileName, &root);
    rendered->setObjectName(QStringLiteral("renderedLabel"));
    auto *plain = new QLabel(&root);
    plain->setTextFormat(Qt::PlainText);
    plain->setText(test::kHostileName);
    auto *escapes = new QPushButton(test::kHostileEmail, &root);
    QList<test::TextSink> sinks = test::collectTextSinks(&root);
    QStringList unsafe;
    for (const test::TextSink &s : sinks) {
        if (!test::unsafeDisplay(s).isEmpty())
            unsafe << s.where;
    }
    QCOMPARE(unsafe.size(), 2);
    QVERIFY(unsafe.contains(QStringLiteral("QLabel renderedLabel")));
    QCOMPARE(test::countShowing(sinks, QStringLiteral("<h1 style='font-size:40pt'>")), 1); // the plain one
    root.setToolTip(test::kHostileName);
    escapes->setText(QStringLiteral("ok"));
    rendered->setTextFormat(Qt::PlainText);
    sinks = test::collectTextSinks(&root);
    unsafe.clear();
    for (const test::TextSink &s : sinks) {
        if (!test::unsafeDisplay(s).isEmpty())
            unsafe << s.where;
    }
    QCOMPARE(unsafe, QStringList{QStringLiteral("QWidget  tooltip")});
}

void TestUntrustedText::mainWindowShowsTheHostileSessionAsText()
{
    openWindow(true);
    QList<test::TextSink> sinks = checkAll(m_window.get(), "table");
    QVERIFY(m_checked);
    // The table shows the user as text, escapes written out.
    QVERIFY(test::countShowing(sinks, QStringLiteral("\\x1b[2J\\x1b]0;title\\x07")) >= 1);
    QVERIFY(test::countShowing(sinks, QStringLiteral("auth0|\\u202e<b>gnp.exe</b>")) >= 1);

    selectHostile();
    auto *tabs = m_window->findChild<QTabWidget *>(QStringLiteral("detailsTabWidget"));
    auto *tokenTree = m_window->findChild<QTreeWidget *>(QStringLiteral("tokenTreeWidget"));
    tabs->setCurrentWidget(tokenTree);
    // Every signature check settled (the kid is unknown to the key set).
    QTRY_VERIFY(tokenTree->topLevelItemCount() >= 2);
    QTRY_VERIFY([&] {
        for (int i = 0; i < tokenTree->topLevelItemCount(); ++i) {
            if (tokenTree->topLevelItem(i)->text(1).startsWith(QStringLiteral("checking")))
                return false;
        }
        return true;
    }());
    tokenTree->expandAll();
    sinks = checkAll(m_window.get(), "details, masked");
    QVERIFY(m_checked);
    QVERIFY(test::countShowing(sinks, test::kHostileName) >= 2);                   // title, summary, content tree
    QVERIFY(test::countShowing(sinks, QStringLiteral("<b>kid</b>\\x1b[5m")) >= 1); // the token header
    QVERIFY(test::countShowing(sinks, QStringLiteral("sid-\\x9b2J\\u2028next")) >= 1);

    auto *reveal = m_window->findChild<QPushButton *>(QStringLiteral("revealButton"));
    QTest::mouseClick(reveal, Qt::LeftButton);
    QVERIFY(reveal->isChecked());
    for (QWidget *tab : {tabs->widget(0), tabs->widget(1), tabs->widget(2)}) {
        tabs->setCurrentWidget(tab);
        sinks = checkAll(m_window.get(), "details, revealed");
        QVERIFY(m_checked);
    }
    QVERIFY(test::countShowing(sinks, QStringLiteral("rt-\\x1b]0;owned\\x07")) >= 1);

    // Statistics: the hostile sub is one of the top users' bar labels (Qt Charts draws HTML).
    auto *mainTabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabWidget"));
    mainTabs->setCurrentWidget(m_window->statistics());
    QSignalSpy computed(m_window->statistics(), &ui::StatisticsView::computed);
    QSignalSpy failed(m_window->statistics(), &ui::StatisticsView::failed);
    m_window->statistics()->compute();
    // The result may arrive inside compute() itself (the scan finished before its continuation was
    // attached): wait for the signal, not for a new one.
    QTRY_VERIFY_WITH_TIMEOUT(!computed.isEmpty() || !failed.isEmpty(), 60000);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
    // Axis labels are laid out when the chart is drawn, after `computed`.
    const auto charted = [this] {
        int n = 0;
        for (const test::TextSink &s : test::collectTextSinks(m_window->statistics()))
            n += s.where.contains(QLatin1String("topUsersChartView chart text")) &&
                 s.visible.startsWith(QLatin1String("auth0|\\u202e<b>")); // elided to the bar's room
        return n;
    };
    QTRY_COMPARE(charted(), 1);
    checkAll(m_window.get(), "statistics");
    QVERIFY(m_checked);
    const QString shot = QStringLiteral(SI_BINARY_DIR "/screenshots");
    QDir().mkpath(shot);
    QVERIFY(m_window->grab().save(shot + QStringLiteral("/untrusted-statistics.png")));
}

void TestUntrustedText::confirmationAndOutcomeAreText()
{
    openWindow(false);
    selectHostile();
    // "Log out everywhere" asks first; the real question box, read while it is up, then declined.
    QList<test::TextSink> asked;
    bool plain = false;
    // Runs inside the box's own event loop, where it is the active modal widget.
    QTimer::singleShot(0, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        plain = box->textFormat() == Qt::PlainText;
        asked = checkAll(box, "confirmation");
        box->reject();
    });
    m_window->findChild<QAction *>(QStringLiteral("revokeAction"))->trigger();
    QTRY_VERIFY(!asked.isEmpty());
    QVERIFY(m_checked);
    QVERIFY(plain);
    QVERIFY(test::countShowing(asked, QStringLiteral("auth0|\\u202e<b>gnp.exe</b>")) >= 1);
    QCOMPARE(m_window->model()->rowCount(), 13); // declined: nothing went

    // Accepted: the banner names the user; the audit tab lists the write.
    m_window->confirm = [](const QString &, const QString &) { return true; };
    m_window->findChild<QAction *>(QStringLiteral("revokeAction"))->trigger();
    QTRY_COMPARE(m_window->model()->rowCount(), 12);
    QTRY_VERIFY(m_window->banner()->text().contains(QLatin1String("logged out everywhere")));
    QList<test::TextSink> sinks = checkAll(m_window.get(), "after the revoke");
    QVERIFY(m_checked);
    QVERIFY2(m_window->banner()->text().startsWith(QStringLiteral("\\x1b[2J\\x1b]0;title\\x07")),
             qPrintable(m_window->banner()->text()));
    auto *mainTabs = m_window->findChild<QTabWidget *>(QStringLiteral("mainTabWidget"));
    for (int i = 0; i < mainTabs->count(); ++i) {
        mainTabs->setCurrentIndex(i);
        checkAll(m_window.get(), "every tab");
        QVERIFY(m_checked);
    }
}

QTEST_MAIN(TestUntrustedText)
#include "TestUntrustedText.moc"
