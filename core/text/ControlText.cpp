#include "ControlText.h"

namespace si::text {

namespace {

constexpr char kHex[] = "0123456789abcdef";

bool escaped(char32_t cp, Newlines newlines)
{
    return isControl(cp) && !(newlines == Newlines::Keep && cp == U'\n');
}

} // namespace

bool isControl(char32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
        return true;
    switch (cp) {
    case 0x061C: // ARABIC LETTER MARK
    case 0x200E: // LRM
    case 0x200F: // RLM
    case 0x2028: // LINE SEPARATOR
    case 0x2029: // PARAGRAPH SEPARATOR
        return true;
    default:
        return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
    }
}

bool hasControls(QStringView text, Newlines newlines)
{
    for (const QChar c : text) {
        if (escaped(c.unicode(), newlines))
            return true;
    }
    return false;
}

QString escapeControls(const QString &text, Newlines newlines)
{
    if (!hasControls(text, newlines))
        return text;
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar c : text) {
        const char32_t cp = c.unicode(); // every code point escaped lies in the BMP
        if (!escaped(cp, newlines)) {
            out += c;
        } else if (cp <= 0xFF) {
            out += QLatin1String("\\x");
            out += QLatin1Char(kHex[cp >> 4]);
            out += QLatin1Char(kHex[cp & 0xF]);
        } else {
            out += QLatin1String("\\u");
            for (int shift = 12; shift >= 0; shift -= 4)
                out += QLatin1Char(kHex[(cp >> shift) & 0xF]);
        }
    }
    return out;
}

} // namespace si::text
