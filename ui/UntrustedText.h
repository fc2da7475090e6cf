#pragma once

// Showing text that came from a store, a cookie, a token or an IdP: never as rich text, never
// with its control characters. Labels that can carry such text are plain-text labels; tooltips
// (which Qt renders as rich text whenever the text looks like markup) are escaped.

#include <QString>

class QLabel;
class QWidget;

namespace si::ui {

// The text as a person should see it: control characters and bidi controls escaped (`\x1b`,
// `\u202e`), newlines kept only when `multiline`.
QString visibleText(const QString &text, bool multiline = false);

// A tooltip that shows `text` literally (escaped into Qt's rich-text tooltip format).
QString plainToolTip(const QString &text);

// Makes `label` show its text literally, whatever the text looks like.
void makePlain(QLabel *label);

// Text for a Qt Charts label or title (rendered as HTML by Qt Charts): escaped.
QString chartText(const QString &text);

// Asks a yes/no question with plain-text title and text; true for Yes.
bool askPlain(QWidget *parent, const QString &title, const QString &text);

} // namespace si::ui
