#pragma once

#include <QWidget>

#include <memory>

class QLabel;
class QTableWidget;

namespace si::inspector {
class AuditLog;
}

namespace si::ui {

// The audit log tab: every write made through the inspector (here or with sessionctl) — when,
// who, which profile, what, how many, how it ended — newest first. Sessions appear as
// fingerprints; the log never holds a secret.
class AuditLogView : public QWidget {
    Q_OBJECT
public:
    explicit AuditLogView(QWidget *parent = nullptr);
    void setLog(std::shared_ptr<inspector::AuditLog> log);
    void reload();

private:
    std::shared_ptr<inspector::AuditLog> m_log;
    QLabel *m_path;
    QTableWidget *m_table;
};

} // namespace si::ui
