#include "Json.h"

#include <unordered_map>

namespace si::json {

namespace {

class Parser {
public:
    Parser(std::string_view text, const ParseOptions &options)
        : m_text(text)
        , m_options(options)
    {}

    Result<Value> run()
    {
        Value root;
        skipWhitespace();
        if (!parseValue(root, 0))
            return failure();
        skipWhitespace();
        if (m_pos != m_text.size()) {
            m_reason = "unexpected data after the JSON value";
            return failure();
        }
        return root;
    }

private:
    Error failure() const
    {
        return makeError(ErrorCode::MalformedInput, QStringLiteral("invalid JSON"),
                         QStringLiteral("%1 at byte %2").arg(QLatin1String(m_reason)).arg(m_pos));
    }

    bool fail(const char *reason)
    {
        m_reason = reason;
        return false;
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }

    void skipWhitespace()
    {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            ++m_pos;
        }
    }

    bool consumeLiteral(std::string_view literal)
    {
        if (m_text.substr(m_pos, literal.size()) != literal)
            return false;
        m_pos += literal.size();
        return true;
    }

    bool parseValue(Value &out, int depth)
    {
        if (atEnd())
            return fail("unexpected end of input");
        switch (peek()) {
        case '{':
            return parseObject(out, depth + 1);
        case '[':
            return parseArray(out, depth + 1);
        case '"': {
            std::string s;
            if (!parseString(s))
                return false;
            out = Value(std::move(s));
            return true;
        }
        case 't':
            if (!consumeLiteral("true"))
                return fail("invalid literal");
            out = Value(true);
            return true;
        case 'f':
            if (!consumeLiteral("false"))
                return fail("invalid literal");
            out = Value(false);
            return true;
        case 'n':
            if (!consumeLiteral("null"))
                return fail("invalid literal");
            out = Value();
            return true;
        case 'N':
        case 'I':
            return parseNonFinite(out);
        default:
            return parseNumber(out);
        }
    }

    bool parseNonFinite(Value &out)
    {
        const size_t start = m_pos;
        if (!m_options.allowNonFiniteNumbers)
            return fail("unexpected character");
        if (consumeLiteral("NaN") || consumeLiteral("Infinity") || consumeLiteral("-Infinity")) {
            out = Value::numberFromLiteral(std::string(m_text.substr(start, m_pos - start)));
            return true;
        }
        return fail("unexpected character");
    }

    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    bool parseNumber(Value &out)
    {
        const size_t start = m_pos;
        if (m_text[m_pos] == '-') {
            ++m_pos;
            if (m_options.allowNonFiniteNumbers && m_text.substr(m_pos, 8) == "Infinity") {
                m_pos += 8;
                out = Value::numberFromLiteral("-Infinity");
                return true;
            }
        }
        if (atEnd() || !isDigit(peek()))
            return fail(start == m_pos ? "unexpected character" : "invalid number");
        if (peek() == '0') {
            ++m_pos;
        } else {
            while (!atEnd() && isDigit(peek()))
                ++m_pos;
        }
        if (!atEnd() && peek() == '.') {
            ++m_pos;
            if (atEnd() || !isDigit(peek()))
                return fail("invalid number");
            while (!atEnd() && isDigit(peek()))
                ++m_pos;
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            ++m_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_pos;
            if (atEnd() || !isDigit(peek()))
                return fail("invalid number");
            while (!atEnd() && isDigit(peek()))
                ++m_pos;
        }
        out = Value::numberFromLiteral(std::string(m_text.substr(start, m_pos - start)));
        return true;
    }

    static void appendUtf8(std::string &out, unsigned cp)
    {
        // Surrogates (from lone \uD800-\uDFFF escapes) come out as their 3-byte generalized
        // UTF-8 form so that the writer can reproduce the escape.
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    bool parseHex4(unsigned &out)
    {
        if (m_text.size() - m_pos < 4)
            return fail("truncated \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = m_text[m_pos++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= unsigned(c - 'A' + 10);
            else
                return fail("invalid \\u escape");
        }
        out = v;
        return true;
    }

    // Validates one raw (unescaped) multi-byte UTF-8 sequence starting at m_pos and copies it.
    bool copyUtf8Sequence(std::string &out)
    {
        const auto *s = reinterpret_cast<const unsigned char *>(m_text.data());
        const size_t n = m_text.size();
        const unsigned char c = s[m_pos];
        size_t length = 0;
        unsigned cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            cp = c & 0x07;
        } else {
            return fail("invalid UTF-8");
        }
        if (n - m_pos < length)
            return fail("truncated UTF-8");
        for (size_t i = 1; i < length; ++i) {
            const unsigned char cc = s[m_pos + i];
            if ((cc & 0xC0) != 0x80)
                return fail("invalid UTF-8");
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((length == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (length == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return fail("invalid UTF-8");
        out.append(m_text.data() + m_pos, length);
        m_pos += length;
        return true;
    }

    bool parseString(std::string &out)
    {
        ++m_pos; // opening quote
        const size_t n = m_text.size();
        while (true) {
            // Copy the longest run of plain printable ASCII in one go.
            size_t runEnd = m_pos;
            while (runEnd < n) {
                const auto c = static_cast<unsigned char>(m_text[runEnd]);
                if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
                    break;
                ++runEnd;
            }
            out.append(m_text.data() + m_pos, runEnd - m_pos);
            m_pos = runEnd;
            if (m_pos >= n)
                return fail("unterminated string");
            const auto c = static_cast<unsigned char>(m_text[m_pos]);
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c < 0x20)
                return fail("control character in string");
            if (c >= 0x80) {
                if (!copyUtf8Sequence(out))
                    return false;
                continue;
            }
            // Backslash escape.
            ++m_pos;
            if (m_pos >= n)
                return fail("unterminated string");
            const char e = m_text[m_pos++];
            switch (e) {
            case '"':
                out += '"';
                break;
            case '\\':
                out += '\\';
                break;
            case '/':
                out += '/';
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                unsigned cp = 0;
                if (!parseHex4(cp))
                    return false;
                if (cp >= 0xD800 && cp <= 0xDBFF && m_text.substr(m_pos, 2) == "\\u") {
                    const size_t save = m_pos;
                    m_pos += 2;
                    unsigned low = 0;
                    if (!parseHex4(low))
                        return false;
                    if (low >= 0xDC00 && low <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    } else {
                        m_pos = save; // a lone high surrogate followed by another escape
                    }
                }
                appendUtf8(out, cp);
                break;
            }
            default:
                return fail("invalid escape");
            }
        }
    }

    bool parseArray(Value &out, int depth)
    {
        if (depth > m_options.maxDepth)
            return fail("nesting too deep");
        ++m_pos; // [
        Array items;
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
            out = Value(std::move(items));
            return true;
        }
        while (true) {
            skipWhitespace();
            items.emplace_back();
            if (!parseValue(items.back(), depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return fail("unterminated array");
            const char c = m_text[m_pos++];
            if (c == ']')
                break;
            if (c != ',')
                return fail("expected ',' or ']'");
        }
        out = Value(std::move(items));
        return true;
    }

    bool parseObject(Value &out, int depth)
    {
        if (depth > m_options.maxDepth)
            return fail("nesting too deep");
        ++m_pos; // {
        Object object;
        auto &members = object.members();
        // Duplicate keys keep the first position and the last value (Python's dict semantics).
        // Small objects are checked linearly; big ones through an index.
        std::unordered_map<std::string, size_t> index;
        constexpr size_t kIndexThreshold = 16;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            out = Value(std::move(object));
            return true;
        }
        while (true) {
            skipWhitespace();
            if (atEnd() || peek() != '"')
                return fail("expected a string key");
            std::string key;
            if (!parseString(key))
                return false;
            skipWhitespace();
            if (atEnd() || m_text[m_pos] != ':')
                return fail("expected ':'");
            ++m_pos;
            skipWhitespace();
            Value value;
            if (!parseValue(value, depth))
                return false;

            size_t existing = members.size();
            if (members.size() < kIndexThreshold) {
                for (size_t i = 0; i < members.size(); ++i) {
                    if (members[i].key == key) {
                        existing = i;
                        break;
                    }
                }
            } else {
                if (index.empty()) {
                    for (size_t i = 0; i < members.size(); ++i)
                        index.emplace(members[i].key, i);
                }
                if (auto it = index.find(key); it != index.end())
                    existing = it->second;
                else
                    index.emplace(key, members.size());
            }
            if (existing < members.size())
                members[existing].value = std::move(value);
            else
                members.push_back(Member{std::move(key), std::move(value)});

            skipWhitespace();
            if (atEnd())
                return fail("unterminated object");
            const char c = m_text[m_pos++];
            if (c == '}')
                break;
            if (c != ',')
                return fail("expected ',' or '}'");
        }
        out = Value(std::move(object));
        return true;
    }

    std::string_view m_text;
    const ParseOptions &m_options;
    size_t m_pos = 0;
    const char *m_reason = "";
};

} // namespace

Result<Value> parse(std::string_view utf8, const ParseOptions &options)
{
    return Parser(utf8, options).run();
}

} // namespace si::json
