#include "Json.h"
#include "Utf8.h"
#include "core/text/ControlText.h"

namespace si::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendEscape(std::string &out, unsigned unit)
{
    out += "\\u";
    out += kHex[(unit >> 12) & 0xF];
    out += kHex[(unit >> 8) & 0xF];
    out += kHex[(unit >> 4) & 0xF];
    out += kHex[unit & 0xF];
}

// `ensureAscii`: every non-ASCII character as \uXXXX; `inert`: DEL, C1 and the Unicode controls
// (text::isControl) as \uXXXX, so that the text is safe to print to a terminal.
void writeString(const std::string &s, bool ensureAscii, bool inert, std::string &out)
{
    out += '"';
    const auto *p = reinterpret_cast<const unsigned char *>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            size_t runEnd = i + 1;
            while (runEnd < n && p[runEnd] >= 0x20 && p[runEnd] < 0x7F && p[runEnd] != '"' && p[runEnd] != '\\')
                ++runEnd;
            out.append(s, i, runEnd - i);
            i = runEnd;
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            ++i;
            continue;
        case '\\':
            out += "\\\\";
            ++i;
            continue;
        case '\n':
            out += "\\n";
            ++i;
            continue;
        case '\r':
            out += "\\r";
            ++i;
            continue;
        case '\t':
            out += "\\t";
            ++i;
            continue;
        case '\b':
            out += "\\b";
            ++i;
            continue;
        case '\f':
            out += "\\f";
            ++i;
            continue;
        default:
            break;
        }
        if (c < 0x20 || (c == 0x7F && (ensureAscii || inert))) {
            appendEscape(out, c);
            ++i;
            continue;
        }
        if (c == 0x7F) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        const size_t start = i;
        const auto seq = detail::decodeUtf8(p, n, i, true);
        const unsigned cp = seq.status == detail::Utf8Status::Ok ? seq.codePoint : 0xFFFD; // invalid byte
        i += seq.length;
        const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
        if (ensureAscii || surrogate || (inert && text::isControl(cp))) {
            if (cp >= 0x10000) {
                const unsigned v = cp - 0x10000;
                appendEscape(out, 0xD800 + (v >> 10));
                appendEscape(out, 0xDC00 + (v & 0x3FF));
            } else {
                appendEscape(out, cp);
            }
        } else if (cp == 0xFFFD && i - start == 1) {
            out += "\xEF\xBF\xBD"; // an invalid byte
        } else {
            out.append(s, start, i - start);
        }
    }
    out += '"';
}

void newline(std::string &out, int depth)
{
    out += '\n';
    out.append(static_cast<size_t>(depth) * 2, ' ');
}

void write(const Value &v, Style style, int depth, std::string &out)
{
    const bool pretty = style == Style::Pretty;
    const bool inert = style == Style::Pretty || style == Style::Line;
    const char *itemSeparator = style == Style::Python ? ", " : ",";
    const char *keySeparator = style == Style::Compact || style == Style::Line ? ":" : ": ";
    switch (v.type()) {
    case Type::Null:
        out += "null";
        return;
    case Type::Bool:
        out += v.toBool() ? "true" : "false";
        return;
    case Type::Number:
        out += v.numberLiteral();
        return;
    case Type::String:
        writeString(v.stringUtf8(), style == Style::Python, inert, out);
        return;
    case Type::Array: {
        const Array &a = v.array();
        out += '[';
        for (size_t i = 0; i < a.size(); ++i) {
            if (i > 0)
                out += pretty ? "," : itemSeparator;
            if (pretty)
                newline(out, depth + 1);
            write(a[i], style, depth + 1, out);
        }
        if (pretty && !a.empty())
            newline(out, depth);
        out += ']';
        return;
    }
    case Type::Object: {
        const Object &o = v.object();
        out += '{';
        bool first = true;
        for (const Member &m : o) {
            if (!first)
                out += pretty ? "," : itemSeparator;
            first = false;
            if (pretty)
                newline(out, depth + 1);
            writeString(m.key, style == Style::Python, inert, out);
            out += keySeparator;
            write(m.value, style, depth + 1, out);
        }
        if (pretty && !o.isEmpty())
            newline(out, depth);
        out += '}';
        return;
    }
    }
}

} // namespace

void serializeTo(const Value &value, Style style, std::string &out)
{
    write(value, style, 0, out);
}

std::string serialize(const Value &value, Style style)
{
    std::string out;
    serializeTo(value, style, out);
    return out;
}

} // namespace si::json
