#pragma once

#include "core/inspector/SessionBackend.h"

#include <QPointer>
#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace si::ui {

// The right-hand pane: one session's metadata, its decoded content as a tree, and the stored
// value. Tokens, secrets and the session id are masked until "Reveal" is pressed (and masked
// again for the next session); copying a value clears the clipboard after 30 seconds unless
// something else was copied meanwhile.
class SessionDetailsPane : public QWidget {
    Q_OBJECT
public:
    explicit SessionDetailsPane(QWidget *parent = nullptr);

    void showLoading(const QString &id);
    void showSession(const inspector::SessionDetail &detail);
    void showError(const QString &message);
    void clear();
    bool isRevealed() const;
    // For tests: how long a copied value stays on the clipboard.
    void setClipboardTimeout(int ms);

private:
    void rebuild();
    void addValue(QTreeWidgetItem *parent, const QString &key, const json::Value &value, bool credential);
    void copySelected();

    QLabel *m_title;
    QLabel *m_summary;
    QTabWidget *m_tabs;
    QTreeWidget *m_tree;
    QPlainTextEdit *m_raw;
    QPushButton *m_reveal;
    QPushButton *m_copy;
    QTimer *m_clipboardTimer;
    QString m_copied;
    std::optional<inspector::SessionDetail> m_detail;
};

} // namespace si::ui
