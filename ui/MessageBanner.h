#pragma once

#include <QFrame>

#include <functional>

class QLabel;
class QPushButton;
class QToolButton;

namespace si::ui {

// An inline message above the content (KeePassXC's MessageWidget): errors and outcomes reach the
// user here, never in a modal box. One message at a time; the newest replaces the last.
class MessageBanner : public QFrame {
    Q_OBJECT
public:
    enum class Kind { Information, Positive, Warning, Error };

    explicit MessageBanner(QWidget *parent = nullptr);

    // `actionText`/`action`: one button beside the message ("Retry"); pressing it hides the banner.
    void show(Kind kind, const QString &text, const QString &actionText = {}, std::function<void()> action = {});
    QString text() const;
    Kind kind() const { return m_kind; }

private:
    QLabel *m_label;
    QToolButton *m_close;
    QPushButton *m_action;
    std::function<void()> m_onAction;
    Kind m_kind = Kind::Information;
};

} // namespace si::ui
