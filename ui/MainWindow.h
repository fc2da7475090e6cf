#pragma once

#include "stores/inspect/Inspection.h"

#include <QMainWindow>

#include <QDateTime>

#include <QHash>

#include <functional>
#include <memory>
#include <optional>

namespace si::oidc {
class ProviderCache;
} // namespace si::oidc

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QSplitter;
class QTabWidget;
class QTableView;

namespace si::ui {

class AuditLogView;
class MessageBanner;
class StatisticsView;
class ProfilePanel;
class TestLoginWindow;
class SessionDetailsPane;
class SessionTableModel;

// The inspector's main window: stores on the left, the lazy session table with its search bar in
// the middle, the selected session on the right, connection state and counts in the status bar.
// Every action goes through the engine (read-only refusals, audit log) and reports in the banner.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows `opened`'s sessions; `name` is what the store list and title call it.
    void openStore(const QString &name, const stores::OpenedInspector &opened);

    SessionTableModel *model() const { return m_model; }
    MessageBanner *banner() const { return m_banner; }
    SessionDetailsPane *details() const { return m_details; }
    QTableView *table() const { return m_table; }
    ProfilePanel *profiles() const { return m_profiles; }
    StatisticsView *statistics() const { return m_statistics; }
    AuditLogView *auditView() const { return m_auditView; }
    // The Test Login window (null until first opened: the embedded browser starts with it).
    TestLoginWindow *testLoginWindow() const { return m_testLogin; }
    void openTestLogin();
    // Finds the session `id` of IdP session `sid` and selects it (after a test login wrote it).
    void selectSession(const QString &id, const QString &sid);

    // Asked before destructive work (a modal question by default; tests answer it).
    std::function<bool(const QString &title, const QString &text)> confirm;
    // Asks when a session should end (a date-time dialog by default; tests answer it).
    std::function<std::optional<QDateTime>(const QDateTime &current)> askTime;
    // Asks where to export (a save dialog by default; tests answer it). ".csv" exports CSV,
    // anything else JSON lines. Exports from the window are always redacted.
    std::function<QString()> askExportFile;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void restoreLayout();
    void saveLayout() const;
    void updateStatus();
    void loadFailed(const QString &message, bool connectionLost);
    void expireSelected(bool now);
    void search();
    void sortBy(int column);
    void resetSort();
    void selectionChanged();
    void deleteSelected();
    void revokeSelectedUser();
    void bulkDelete();
    void exportSessions();
    // After a write: the audit tab reloads; the banner says `done` or the error; the table reloads.
    void writeFinished(const std::optional<Error> &error, const QString &done);
    QStringList selectedIds() const;
    // The keys the token inspector checks signatures with for `opened`: its preloaded key set, or
    // the issuer's published keys (one cache per issuer for the window's life).
    std::shared_ptr<oidc::ProviderCache> tokenKeysFor(const stores::OpenedInspector &opened);

    SessionTableModel *m_model;
    QTableView *m_table;
    SessionDetailsPane *m_details;
    MessageBanner *m_banner;
    ProfilePanel *m_profiles;
    QTabWidget *m_tabs;
    StatisticsView *m_statistics;
    AuditLogView *m_auditView;
    QComboBox *m_searchField;
    QLineEdit *m_searchEdit;
    QSplitter *m_splitter;
    QLabel *m_connection;
    QLabel *m_count;
    QProgressBar *m_busy;
    QAction *m_refresh;
    QAction *m_find;
    QAction *m_delete;
    QAction *m_revoke;
    QAction *m_expireNow;
    QAction *m_bulkDelete;
    QAction *m_export;
    QAction *m_expireAt;
    QAction *m_testLoginAction;
    TestLoginWindow *m_testLogin = nullptr;
    bool m_connectionLost = false;
    // A write's result stays in the banner while the search it refreshed runs again.
    bool m_searchRefreshedByWrite = false;
    int m_sortColumn = -1; // -1: the store's order
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    stores::OpenedInspector m_opened;
    QString m_storeName;
    QString m_detailId; // the session the details pane waits for
    QHash<QString, std::shared_ptr<oidc::ProviderCache>> m_issuerKeys;
};

} // namespace si::ui
