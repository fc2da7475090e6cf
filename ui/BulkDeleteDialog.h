#pragma once

#include "core/inspector/SessionBackend.h"

#include <QDialog>

#include <atomic>
#include <memory>

class QCheckBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;

namespace si::ui {

// Bulk delete by filter: criteria, then a preview that scans the store (cancelable) and lists
// exactly which sessions match, then — after a confirmation — the delete of exactly those
// (sessions created after the preview are not touched). Through the engine: read-only profiles
// refuse, the audit log records it.
class BulkDeleteDialog : public QDialog {
    Q_OBJECT
public:
    BulkDeleteDialog(std::shared_ptr<inspector::SessionBackend> backend, QWidget *parent = nullptr);
    ~BulkDeleteDialog() override;

    inspector::SessionFilter filter() const;
    // How many the delete removed (-1 before it ran).
    qint64 removed() const { return m_removed; }
    std::function<bool(const QString &title, const QString &text)> confirm;

private:
    void preview();
    void remove();
    void cancelScan();
    void setBusy(bool busy, const QString &text);

    std::shared_ptr<inspector::SessionBackend> m_backend;
    std::shared_ptr<std::atomic_bool> m_stop;
    QStringList m_previewIds;
    qint64 m_removed = -1;
    QCheckBox *m_createdBeforeOn;
    QDateTimeEdit *m_createdBefore;
    QCheckBox *m_idleOn;
    QDateTimeEdit *m_idleSince;
    QLineEdit *m_domain;
    QCheckBox *m_undecryptable;
    QPushButton *m_preview;
    QPushButton *m_delete;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QListWidget *m_list;
};

} // namespace si::ui
