#include "MessageBanner.h"

#include "UntrustedText.h"
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

namespace si::ui {

MessageBanner::MessageBanner(QWidget *parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
    , m_close(new QToolButton(this))
    , m_action(new QPushButton(this))
{
    setObjectName(QStringLiteral("messageBanner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    m_label->setObjectName(QStringLiteral("messageLabel"));
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    makePlain(m_label); // messages quote stores, servers and IdPs
    m_close->setObjectName(QStringLiteral("messageCloseButton"));
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    m_close->setAccessibleName(tr("Dismiss message"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_label, 1);
    m_action->setObjectName(QStringLiteral("messageActionButton"));
    m_action->hide();
    connect(m_action, &QPushButton::clicked, this, [this] {
        auto action = m_onAction;
        hide();
        if (action)
            action();
    });
    layout->addWidget(m_action);
    layout->addWidget(m_close);
    connect(m_close, &QToolButton::clicked, this, &QWidget::hide);
    hide();
}

void MessageBanner::show(Kind kind, const QString &text, const QString &actionText, std::function<void()> action)
{
    m_kind = kind;
    m_onAction = std::move(action);
    m_action->setText(actionText);
    m_action->setVisible(!actionText.isEmpty() && m_onAction);
    m_label->setText(visibleText(text, true));
    setAccessibleDescription(m_label->text());
    // Colours derived from the palette keep light and dark themes readable.
    QPalette p = palette();
    const QColor base = p.color(QPalette::Window);
    QColor tint;
    switch (kind) {
    case Kind::Information:
        tint = QColor(0x3d, 0xae, 0xe9);
        break;
    case Kind::Positive:
        tint = QColor(0x27, 0xae, 0x60);
        break;
    case Kind::Warning:
        tint = QColor(0xf6, 0x74, 0x00);
        break;
    case Kind::Error:
        tint = QColor(0xda, 0x44, 0x53);
        break;
    }
    const auto mix = [&](int a, int b) { return (a * 3 + b) / 4; };
    p.setColor(QPalette::Window,
               QColor(mix(base.red(), tint.red()), mix(base.green(), tint.green()), mix(base.blue(), tint.blue())));
    setPalette(p);
    QFrame::show();
}

QString MessageBanner::text() const
{
    return m_label->text();
}

} // namespace si::ui
