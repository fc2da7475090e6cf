#pragma once

// Text from stores, cookies, tokens and IdPs made inert for people: control characters and
// the Unicode controls that reorder or break lines are written out as escapes, so a value can
// neither drive a terminal (ESC, OSC, BEL, C1 CSI) nor disguise itself (RTL override).

#include <QString>
#include <QStringView>

namespace si::text {

// True for what escapeControls() rewrites: C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F), the
// bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and
// paragraph separators U+2028/U+2029.
bool isControl(char32_t codePoint);

enum class Newlines {
    Escape, // one line: \n and \r become escapes too (table cells, labels, log lines)
    Keep,   // a '\n' stays a line break (multi-line messages)
};

// C0, DEL and C1 as \xHH (ESC is \x1b, tab \x09); the Unicode controls as \uHHHH (U+202E is
// \u202e). Everything else is kept as it is, backslashes included. Never longer than 6× the input.
// Returns `text` itself (shared, not copied) when there is nothing to escape.
QString escapeControls(const QString &text, Newlines newlines = Newlines::Escape);

// Whether escapeControls() would change `text` (the common case is no: no copy is made then).
bool hasControls(QStringView text, Newlines newlines = Newlines::Escape);

} // namespace si::text
