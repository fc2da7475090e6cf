#include "MainWindow.h"

#include "AuditLogView.h"
#include "BulkDeleteDialog.h"
#include "MessageBanner.h"
#include "ProfilePanel.h"
#include "SessionDetailsPane.h"
#include "SessionTableModel.h"
#include "StatisticsView.h"
#include "TestLoginWindow.h"
#include "UntrustedText.h"
#include "core/inspector/SessionExport.h"
#include "core/oidc/HttpClient.h"
#include "core/oidc/ProviderCache.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <utility>

namespace si::ui {

using inspector::SearchQuery;

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_model(new SessionTableModel(this))
    , m_table(new QTableView(this))
    , m_details(new SessionDetailsPane(this))
    , m_banner(new MessageBanner(this))
    , m_profiles(new ProfilePanel(this))
    , m_tabs(new QTabWidget(this))
    , m_statistics(new StatisticsView(this))
    , m_auditView(new AuditLogView(this))
    , m_searchField(new QComboBox(this))
    , m_searchEdit(new QLineEdit(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_connection(new QLabel(this))
    , m_count(new QLabel(this))
    , m_busy(new QProgressBar(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Session Inspector"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/session-inspector.svg")));
    askTime = [this](const QDateTime &current) -> std::optional<QDateTime> {
        QDialog dialog(this);
        dialog.setWindowTitle(tr("Expire session"));
        auto *edit = new QDateTimeEdit(current, &dialog);
        edit->setObjectName(QStringLiteral("expireDateTimeEdit"));
        edit->setCalendarPopup(true);
        edit->setMinimumDateTime(QDateTime::currentDateTime());
        edit->setMaximumDateTime(current);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        auto *layout = new QVBoxLayout(&dialog);
        layout->addWidget(new QLabel(tr("End the session at (only earlier than it ends now):"), &dialog));
        layout->addWidget(edit);
        layout->addWidget(buttons);
        if (dialog.exec() != QDialog::Accepted)
            return std::nullopt;
        return edit->dateTime();
    };
    askExportFile = [this] {
        return QFileDialog::getSaveFileName(this, tr("Export sessions (tokens masked)"), QString(),
                                            tr("JSON lines (*.jsonl);;CSV (*.csv)"));
    };
    confirm = [this](const QString &title, const QString &text) { return askPlain(this, title, text); };
    buildActions();
    buildLayout();
    restoreLayout();
    m_profiles->confirm = [this](const QString &title, const QString &text) { return confirm(title, text); };
    connect(m_profiles, &ProfilePanel::storeOpened, this, &MainWindow::openStore);
    connect(m_profiles, &ProfilePanel::message, this,
            [this](MessageBanner::Kind kind, const QString &text) { m_banner->show(kind, text); });
    connect(m_profiles, &ProfilePanel::connecting, this, [this](const QString &name) {
        m_connection->setText(visibleText(tr("Connecting to %1…").arg(name)));
        m_busy->setVisible(true);
    });
    connect(m_profiles, &ProfilePanel::openFailed, this, &MainWindow::updateStatus); // back to what is open

    connect(m_model, &SessionTableModel::countChanged, this, &MainWindow::updateStatus);
    connect(m_model, &SessionTableModel::busyChanged, this, &MainWindow::updateStatus);
    connect(m_model, &SessionTableModel::loadFailed, this, &MainWindow::loadFailed);
    connect(
        m_model, &SessionTableModel::searchFinished, this, [this](qint64 matches, qint64 scanned, qint64 undecodable) {
            if (std::exchange(m_searchRefreshedByWrite, false) && undecodable == 0)
                return;
            const QLocale locale;
            QString text = scanned > 0 ? tr("%1 matching sessions among %2 scanned.")
                                             .arg(locale.toString(matches), locale.toString(scanned))
                                       : tr("%1 matching sessions (index lookup).").arg(locale.toString(matches));
            if (undecodable > 0)
                text += QLatin1Char(' ') +
                        tr("%1 sessions could not be decoded and were not searched.").arg(locale.toString(undecodable));
            m_banner->show(undecodable > 0 ? MessageBanner::Kind::Warning : MessageBanner::Kind::Information, text);
        });
    connect(m_model, &SessionTableModel::searchCanceled, this, [this](qint64 scanned) {
        m_banner->show(MessageBanner::Kind::Information,
                       tr("Search canceled after %1 sessions were read; nothing is shown. Clear the search to list "
                          "every session.")
                           .arg(QLocale().toString(scanned)));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::selectionChanged);
    connect(m_model, &SessionTableModel::segmentLoaded, this, [this](int first, int last) {
        // A freshly opened store shows its first session; the current row may just have arrived.
        if (first == 0 && !m_table->currentIndex().isValid() && !m_model->isSearching()) {
            m_table->setCurrentIndex(m_model->index(0, 0));
            // A wrong secret makes every row undecodable: say so once, plainly.
            int rows = 0, undecoded = 0;
            QString why;
            for (int r = first; r <= last; ++r) {
                if (const auto row = m_model->rowAt(r)) {
                    ++rows;
                    if (!row->decoded()) {
                        ++undecoded;
                        why = row->error;
                    }
                }
            }
            if (rows > 0 && undecoded == rows)
                m_banner->show(MessageBanner::Kind::Warning,
                               tr("None of the first %1 sessions can be decoded with this profile's secrets (%2). "
                                  "Check the secret and the layout.")
                                   .arg(rows)
                                   .arg(why));
        }
        const int current = m_table->currentIndex().row();
        if (current >= first && current <= last && m_detailId.isEmpty())
            selectionChanged();
    });
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    m_refresh = new QAction(tr("&Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshAction"));
    m_refresh->setShortcut(QKeySequence::Refresh);
    connect(m_refresh, &QAction::triggered, this, [this] {
        m_banner->hide();
        m_model->refresh();
    });
    m_find = new QAction(tr("&Find…"), this);
    m_find->setObjectName(QStringLiteral("findAction"));
    m_find->setShortcut(QKeySequence::Find);
    connect(m_find, &QAction::triggered, this, [this] {
        m_searchEdit->setFocus(Qt::ShortcutFocusReason);
        m_searchEdit->selectAll();
    });
    m_delete = new QAction(tr("&Delete session"), this);
    m_delete->setObjectName(QStringLiteral("deleteAction"));
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_delete, &QAction::triggered, this, &MainWindow::deleteSelected);
    m_expireNow = new QAction(tr("E&xpire now"), this);
    m_expireNow->setObjectName(QStringLiteral("expireNowAction"));
    connect(m_expireNow, &QAction::triggered, this, [this] { expireSelected(true); });
    m_expireAt = new QAction(tr("Expire &at…"), this);
    m_expireAt->setObjectName(QStringLiteral("expireAtAction"));
    connect(m_expireAt, &QAction::triggered, this, [this] { expireSelected(false); });
    m_bulkDelete = new QAction(tr("Delete by &filter…"), this);
    m_bulkDelete->setObjectName(QStringLiteral("bulkDeleteAction"));
    connect(m_bulkDelete, &QAction::triggered, this, &MainWindow::bulkDelete);
    m_export = new QAction(tr("&Export…"), this);
    m_export->setObjectName(QStringLiteral("exportAction"));
    m_export->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_export, &QAction::triggered, this, &MainWindow::exportSessions);
    m_revoke = new QAction(tr("Log user out &everywhere"), this);
    m_revoke->setObjectName(QStringLiteral("revokeAction"));
    connect(m_revoke, &QAction::triggered, this, &MainWindow::revokeSelectedUser);
    m_testLoginAction = new QAction(tr("&Test login…"), this);
    m_testLoginAction->setObjectName(QStringLiteral("testLoginAction"));
    m_testLoginAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_testLoginAction->setToolTip(tr("Log in to an IdP in an embedded browser and check the tokens"));
    connect(m_testLoginAction, &QAction::triggered, this, &MainWindow::openTestLogin);
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_refresh);
    file->addAction(m_export);
    file->addSeparator();
    file->addAction(quit);
    QMenu *session = menuBar()->addMenu(tr("&Session"));
    session->addAction(m_find);
    session->addSeparator();
    session->addAction(m_expireNow);
    session->addAction(m_expireAt);
    session->addAction(m_delete);
    session->addAction(m_revoke);
    session->addSeparator();
    session->addAction(m_bulkDelete);
    QMenu *toolsMenu = menuBar()->addMenu(tr("&Tools"));
    toolsMenu->addAction(m_testLoginAction);
    QToolBar *tools = addToolBar(tr("Actions"));
    tools->setObjectName(QStringLiteral("actionsToolBar"));
    tools->setMovable(false);
    tools->addAction(m_refresh);
    tools->addAction(m_delete);
    tools->addAction(m_revoke);
    tools->addSeparator();
    tools->addAction(m_testLoginAction);
}

void MainWindow::openTestLogin()
{
    if (!m_testLogin) {
        m_testLogin = new TestLoginWindow(this);
        connect(m_testLogin, &TestLoginWindow::sessionWritten, this, &MainWindow::selectSession);
    }
    m_testLogin->setProfiles(m_profiles->profiles(), &m_profiles->vault());
    m_testLogin->setTarget(m_opened.backend, m_storeName);
    m_testLogin->show();
    m_testLogin->raise();
    m_testLogin->activateWindow();
}

void MainWindow::selectSession(const QString &id, const QString &sid)
{
    auto done = std::make_shared<QMetaObject::Connection>();
    *done = connect(m_model, &SessionTableModel::searchFinished, this, [this, id, done] {
        disconnect(*done);
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const auto found = m_model->rowAt(row);
            if (found && found->id == id) {
                m_table->selectRow(row);
                m_table->scrollTo(m_model->index(row, 0));
                return;
            }
        }
    });
    m_searchField->setCurrentIndex(m_searchField->findData(int(SearchQuery::Field::Session)));
    m_searchEdit->setText(sid);
    search();
}

void MainWindow::buildLayout()
{
    m_searchField->setObjectName(QStringLiteral("searchFieldComboBox"));
    m_searchField->addItem(tr("Email"), int(SearchQuery::Field::Email));
    m_searchField->addItem(tr("Subject (sub)"), int(SearchQuery::Field::Subject));
    m_searchField->addItem(tr("IdP session (sid)"), int(SearchQuery::Field::Session));
    m_searchField->setAccessibleName(tr("Search by"));
    m_searchEdit->setObjectName(QStringLiteral("filterLineEdit"));
    m_searchEdit->setPlaceholderText(tr("Find sessions by email, sub or sid (Ctrl+F); Enter searches"));
    m_searchEdit->setClearButtonEnabled(true);
    m_searchEdit->setAccessibleName(tr("Search"));
    connect(m_searchEdit, &QLineEdit::returnPressed, this, &MainWindow::search);
    auto *cancelSearch =
        new QShortcut(QKeySequence(Qt::Key_Escape), m_searchEdit, nullptr, nullptr, Qt::WidgetShortcut);
    connect(cancelSearch, &QShortcut::activated, m_model, &SessionTableModel::cancelSearch);
    connect(m_searchEdit, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.isEmpty() && m_model->isSearching()) {
            resetSort();
            m_model->clearSearch();
        }
    });

    m_table->setObjectName(QStringLiteral("sessionTableView"));
    m_table->setAccessibleName(tr("Sessions"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    // Sorting is the window's, not QTableView's: a click asks the model, which sorts search
    // results itself and has the store sort the listing where it can (sortBy()).
    m_table->setSortingEnabled(false);
    m_table->horizontalHeader()->setSectionsClickable(true);
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    connect(m_table->horizontalHeader(), &QHeaderView::sectionClicked, this, &MainWindow::sortBy);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->addAction(m_delete);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_table->addAction(m_expireNow);
    m_table->addAction(m_expireAt);
    m_table->addAction(m_revoke);
    const int em = m_table->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    const int widths[] = {22, 12, 12, 14, 11, 10, 11, 5, 6};
    for (int c = 0; c < SessionTableModel::ColumnCount; ++c)
        m_table->setColumnWidth(c, widths[c] * em);

    auto *center = new QWidget(this);
    auto *searchRow = new QHBoxLayout;
    searchRow->addWidget(m_searchField);
    searchRow->addWidget(m_searchEdit, 1);
    auto *centerLayout = new QVBoxLayout(center);
    centerLayout->setContentsMargins(0, 0, 0, 0);
    centerLayout->addLayout(searchRow);
    centerLayout->addWidget(m_table, 1);

    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_profiles);
    m_tabs->setObjectName(QStringLiteral("mainTabWidget"));
    m_tabs->addTab(center, tr("&Sessions"));
    m_tabs->addTab(m_statistics, tr("S&tatistics"));
    m_tabs->addTab(m_auditView, tr("&Audit log"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_auditView)
            m_auditView->reload();
    });
    connect(m_statistics, &StatisticsView::failed, this,
            [this](const QString &message) { m_banner->show(MessageBanner::Kind::Error, message); });
    m_auditView->setLog(std::make_shared<inspector::AuditLog>(inspector::AuditLog::defaultPath()));
    m_splitter->addWidget(m_tabs);
    m_splitter->addWidget(m_details);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 3);
    m_splitter->setStretchFactor(2, 2);
    m_splitter->setSizes({250, 850, 500});

    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_splitter, 1);
    setCentralWidget(content);

    m_connection->setObjectName(QStringLiteral("connectionLabel"));
    m_count->setObjectName(QStringLiteral("countLabel"));
    makePlain(m_connection);
    makePlain(m_count);
    m_busy->setObjectName(QStringLiteral("busyProgressBar"));
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setAccessibleName(tr("Loading"));
    statusBar()->addWidget(m_connection, 1);
    statusBar()->addPermanentWidget(m_busy);
    statusBar()->addPermanentWidget(m_count);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    resize(1600, 900);
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("mainWindow/state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("mainWindow/splitter")).toByteArray());
    m_table->horizontalHeader()->restoreState(settings.value(QStringLiteral("mainWindow/columns")).toByteArray());
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder); // widths, not an order, are kept
}

void MainWindow::saveLayout() const
{
    QSettings settings; // window layout only: never a URL with credentials, never a secret
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/state"), saveState());
    settings.setValue(QStringLiteral("mainWindow/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("mainWindow/columns"), m_table->horizontalHeader()->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    event->accept();
}

void MainWindow::openStore(const QString &name, const stores::OpenedInspector &opened)
{
    m_opened = opened;
    m_storeName = name;
    setWindowTitle(visibleText(tr("%1 — Session Inspector").arg(name)));
    m_details->clear();
    m_detailId.clear();
    m_searchEdit->clear();
    resetSort();
    m_details->setTokenKeys(tokenKeysFor(opened));
    m_model->setBackend(opened.backend);
    m_statistics->setBackend(opened.backend);
    if (m_testLogin)
        m_testLogin->setTarget(opened.backend, name);
    if (!opened.layoutNote.isEmpty() && opened.detected)
        m_banner->show(MessageBanner::Kind::Information, tr("Layout: %1").arg(opened.layoutNote));
    updateStatus();
}

std::shared_ptr<oidc::ProviderCache> MainWindow::tokenKeysFor(const stores::OpenedInspector &opened)
{
    const QString issuer = opened.backend ? opened.backend->defaultIssuer() : QString();
    if (issuer.isEmpty())
        return {};
    // Each cache has an HTTP client of its own: whichever goes last, a cache's requests end with
    // it (its client is its last member) instead of completing into a freed cache.
    if (opened.tokenKeys) {
        auto keys = std::make_shared<oidc::ProviderCache>(issuer, std::make_shared<oidc::HttpClient>(),
                                                          oidc::ProviderCache::Options{});
        keys->preloadJwks(*opened.tokenKeys);
        return keys;
    }
    std::shared_ptr<oidc::ProviderCache> &keys = m_issuerKeys[issuer];
    if (!keys)
        keys = std::make_shared<oidc::ProviderCache>(issuer, std::make_shared<oidc::HttpClient>(),
                                                     oidc::ProviderCache::Options{});
    return keys;
}

void MainWindow::loadFailed(const QString &message, bool connectionLost)
{
    m_connectionLost = connectionLost;
    updateStatus();
    if (!connectionLost) {
        m_banner->show(MessageBanner::Kind::Error, message);
        return;
    }
    m_banner->show(MessageBanner::Kind::Error, tr("Lost the connection to the store: %1").arg(message), tr("&Retry"),
                   [this] {
                       m_connectionLost = false;
                       m_model->refresh();
                       updateStatus();
                   });
}

void MainWindow::expireSelected(bool now)
{
    const auto backend = m_model->backend();
    const auto row = m_model->rowAt(m_table->currentIndex().row());
    if (!backend || !row)
        return;
    qint64 at = QDateTime::currentSecsSinceEpoch();
    if (now) {
        if (!confirm(tr("Expire session"), tr("End this session now? The user is logged out of the application on its "
                                              "next request. This is recorded in the audit log.")))
            return;
    } else {
        const auto chosen = askTime(QDateTime::fromSecsSinceEpoch(row->expiresAt));
        if (!chosen)
            return;
        at = chosen->toSecsSinceEpoch();
    }
    backend->expire(row->id, at).then(this, [this, backend, now](const Result<qint64> &ended) {
        if (!ended)
            return writeFinished(ended.error(), {});
        writeFinished(std::nullopt, now ? tr("The session has ended.")
                                        : tr("The session now ends at %1.")
                                              .arg(QDateTime::fromSecsSinceEpoch(*ended).toString(
                                                  QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
    });
}

void MainWindow::updateStatus()
{
    const auto &backend = m_model->backend();
    if (!backend) {
        m_connection->setText(tr("No store open"));
    } else {
        m_connection->setText(visibleText(m_connectionLost ? tr("Connection lost — %1").arg(backend->describe())
                                                           : backend->describe())); // says "read-only" when it is
    }
    m_count->setText(m_model->countText());
    m_busy->setVisible(m_model->isBusy());
}

void MainWindow::resetSort()
{
    m_sortColumn = -1;
    m_sortOrder = Qt::AscendingOrder;
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_model->clearOrder();
}

void MainWindow::sortBy(int column)
{
    // Each click on a column: ascending, descending, then back to the store's own order.
    int next = column;
    Qt::SortOrder order = Qt::AscendingOrder;
    if (column == m_sortColumn) {
        if (m_sortOrder == Qt::AscendingOrder)
            order = Qt::DescendingOrder;
        else
            next = -1;
    }
    QHeaderView *header = m_table->horizontalHeader();
    if (next >= 0 && !m_model->canSortBy(next)) {
        header->setSortIndicator(m_sortColumn, m_sortOrder); // the click's flip is taken back
        const QString name = m_model->headerData(column, Qt::Horizontal).toString();
        m_banner->show(MessageBanner::Kind::Information,
                       m_model->isSearching()
                           ? tr("The search is still running; sort when it has finished.")
                           : tr("This store lists sessions in its own order: sorting by %1 would mean reading every "
                                "session first. SQL stores sort by Created and Expires; search results sort by any "
                                "column.")
                                 .arg(name));
        return;
    }
    m_sortColumn = next;
    m_sortOrder = order;
    header->setSortIndicator(next, order);
    m_model->sort(next, order);
}

void MainWindow::search()
{
    m_searchRefreshedByWrite = false;
    resetSort();
    const QString text = m_searchEdit->text().trimmed();
    if (text.isEmpty()) {
        m_model->clearSearch();
        return;
    }
    SearchQuery query;
    query.field = SearchQuery::Field(m_searchField->currentData().toInt());
    query.value = text;
    m_details->clear();
    // Index lookups answer at once (the result replaces this); scans can take a while.
    m_banner->show(MessageBanner::Kind::Information, tr("Searching… (Esc cancels)"), tr("Cancel"),
                   [this] { m_model->cancelSearch(); });
    m_model->setSearch(query);
}

void MainWindow::selectionChanged()
{
    const auto row = m_model->rowAt(m_table->currentIndex().row());
    if (!row) {
        m_detailId.clear();
        m_details->clear();
        return;
    }
    m_detailId = row->id;
    m_details->showLoading(row->id);
    auto backend = m_model->backend();
    backend->load(row->id).then(this, [this, backend, id = row->id](const Result<inspector::SessionDetail> &detail) {
        if (id != m_detailId)
            return; // another session was selected meanwhile
        if (!detail)
            m_details->showError(detail.error().toString());
        else
            m_details->showSession(*detail);
    });
}

QStringList MainWindow::selectedIds() const
{
    QStringList ids;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows()) {
        const QString id = m_model->data(index, SessionTableModel::IdRole).toString();
        if (!id.isEmpty())
            ids << id;
    }
    return ids;
}

void MainWindow::deleteSelected()
{
    const auto backend = m_model->backend();
    const QStringList ids = selectedIds();
    if (!backend || ids.isEmpty())
        return;
    const QString question = ids.size() == 1
                                 ? tr("Delete this session? The user is logged out of the application on its "
                                      "next request. This is recorded in the audit log.")
                                 : tr("Delete these %1 sessions? Their users are logged out of the application. "
                                      "This is recorded in the audit log.")
                                       .arg(QLocale().toString(ids.size()));
    if (!confirm(tr("Delete sessions"), question))
        return;
    backend->remove(ids).then(this, [this, backend, asked = ids.size()](const Result<qsizetype> &removed) {
        if (!removed)
            return writeFinished(removed.error(), {});
        writeFinished(std::nullopt, tr("Deleted %1 of %2 sessions (the others had ended already).")
                                        .arg(QLocale().toString(*removed), QLocale().toString(asked)));
    });
}

void MainWindow::writeFinished(const std::optional<Error> &error, const QString &done)
{
    m_auditView->reload();
    if (error) {
        m_banner->show(MessageBanner::Kind::Error, error->toString());
        return;
    }
    m_banner->show(MessageBanner::Kind::Positive, done);
    m_details->clear();
    m_searchRefreshedByWrite = !m_searchEdit->text().trimmed().isEmpty();
    m_model->refresh();
}

void MainWindow::bulkDelete()
{
    const auto backend = m_model->backend();
    if (!backend)
        return;
    BulkDeleteDialog dialog(backend, this);
    dialog.confirm = confirm;
    dialog.exec();
    if (dialog.removed() >= 0)
        writeFinished(std::nullopt, tr("Deleted %1 sessions by filter.").arg(QLocale().toString(dialog.removed())));
    else
        m_auditView->reload();
}

void MainWindow::exportSessions()
{
    const auto backend = m_model->backend();
    if (!backend)
        return;
    const QString path = askExportFile();
    if (path.isEmpty())
        return;
    auto file = std::make_shared<QFile>(path);
    // Session data, even redacted: readable by the user only.
    if (!file->open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !file->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        m_banner->show(MessageBanner::Kind::Error, tr("Cannot write %1: %2").arg(path, file->errorString()));
        return;
    }
    using inspector::SessionExporter;
    auto exporter = std::make_shared<const SessionExporter>(path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive)
                                                                ? SessionExporter::Format::Csv
                                                                : SessionExporter::Format::JsonLines,
                                                            true);
    const std::string header = exporter->header();
    file->write(header.data(), qint64(header.size()));
    auto written = std::make_shared<std::atomic<qint64>>(0);
    auto writeFailed = std::make_shared<std::atomic_bool>(false);
    auto stop = std::make_shared<std::atomic_bool>(false);
    auto *ticker = new QTimer(this);
    const auto showProgress = [this, written, stop] {
        m_banner->show(MessageBanner::Kind::Information,
                       tr("Exporting… %1 sessions written").arg(QLocale().toString(written->load())), tr("Cancel"),
                       [stop] { stop->store(true); });
    };
    connect(ticker, &QTimer::timeout, this, showProgress);
    ticker->start(250);
    showProgress();
    // The rows arrive on the store's worker thread, which alone writes the file until the end.
    backend
        ->forEach(
            {},
            [file, exporter, written, writeFailed](const inspector::SessionRow &row, const json::Value *document) {
                std::string line;
                exporter->append(row, document, line);
                if (file->write(line.data(), qint64(line.size())) != qint64(line.size())) {
                    writeFailed->store(true);
                    return false;
                }
                ++*written;
                return true;
            },
            CancelToken([stop] { return stop->load(); }))
        .then(this, [this, backend, file, written, writeFailed, ticker, path](const Result<qint64> &done) {
            ticker->deleteLater();
            const bool flushed = file->flush();
            file->close();
            if (!done || writeFailed->load() || !flushed) {
                QFile::remove(path); // no partial export left behind
                m_banner->show(MessageBanner::Kind::Error,
                               !done && done.error().code == ErrorCode::Canceled
                                   ? tr("Export canceled; the partial file was removed.")
                               : !done ? tr("Export failed: %1").arg(done.error().toString())
                                       : tr("Export failed: cannot write %1 (%2)").arg(path, file->errorString()));
                return;
            }
            m_banner->show(
                MessageBanner::Kind::Positive,
                tr("Exported %1 sessions to %2 (tokens masked).").arg(QLocale().toString(written->load()), path));
        });
}

void MainWindow::revokeSelectedUser()
{
    const auto backend = m_model->backend();
    const auto row = m_model->rowAt(m_table->currentIndex().row());
    if (!backend || !row || row->summary.sub.isEmpty())
        return;
    const QString who = row->summary.email.isEmpty() ? row->summary.sub : row->summary.email;
    if (!confirm(tr("Log out everywhere"),
                 tr("Delete every session of %1 (sub %2) issued by %3? This is recorded in the audit log.")
                     .arg(who, row->summary.sub, row->summary.issuer)))
        return;
    LogoutTarget target;
    target.sub = row->summary.sub;
    target.issuer = row->summary.issuer;
    backend->revoke(target).then(this, [this, backend, who](const Result<qsizetype> &removed) {
        if (!removed)
            return writeFinished(removed.error(), {});
        writeFinished(std::nullopt, tr("%1 was logged out everywhere: %2 deleted.")
                                        .arg(who, *removed == 1 ? tr("1 session")
                                                                : tr("%1 sessions").arg(QLocale().toString(*removed))));
    });
}

} // namespace si::ui
