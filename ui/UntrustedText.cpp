#include "UntrustedText.h"

#include "core/text/ControlText.h"

#include <QLabel>
#include <QMessageBox>
#include <QTextDocument>

namespace si::ui {

QString visibleText(const QString &text, bool multiline)
{
    return text::escapeControls(text, multiline ? text::Newlines::Keep : text::Newlines::Escape);
}

QString plainToolTip(const QString &text)
{
    if (text.isEmpty())
        return text;
    return Qt::convertFromPlainText(visibleText(text, true), Qt::WhiteSpaceNormal);
}

void makePlain(QLabel *label)
{
    label->setTextFormat(Qt::PlainText);
    label->setOpenExternalLinks(false);
}

QString chartText(const QString &text)
{
    return visibleText(text).toHtmlEscaped();
}

bool askPlain(QWidget *parent, const QString &title, const QString &text)
{
    QMessageBox box(QMessageBox::Question, visibleText(title), visibleText(text, true),
                    QMessageBox::Yes | QMessageBox::Cancel, parent);
    box.setObjectName(QStringLiteral("confirmMessageBox"));
    box.setTextFormat(Qt::PlainText);
    box.setDefaultButton(QMessageBox::Cancel);
    return box.exec() == QMessageBox::Yes;
}

} // namespace si::ui
