#include "Json.h"
#include "Utf8.h"

#include <unordered_map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace si::json {

namespace detail {
// Builds values in place: the parser writes straight into the final Value instead of moving
// temporaries around (a third of the parse time for session-sized documents).
struct ValueAccess {
    static std::string &setString(Value &v)
    {
        v.m_type = Type::String;
        return v.m_text;
    }
    static void setNumber(Value &v, std::string_view literal)
    {
        v.m_type = Type::Number;
        v.m_text.assign(literal);
    }
    static void setBool(Value &v, bool b)
    {
        v.m_type = Type::Bool;
        v.m_bool = b;
    }
    static Array &setArray(Value &v)
    {
        v.m_type = Type::Array;
        return v.m_array;
    }
    static std::vector<Member> &setObject(Value &v)
    {
        v.m_type = Type::Object;
        return v.m_object.members();
    }
};
} // namespace detail

namespace {

using detail::ValueAccess;

// Index of the first byte at or after `i` that is '"', '\\', a control character or non-ASCII
// (>= 0x80), or `n`. Strings in sessions are mostly long tokens of plain ASCII, so this is the
// parser's hot loop: 16 bytes per step with SSE2 (baseline on x86-64).
size_t scanPlain(const char *p, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i));
        // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them and controls.
        const __m128i special = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, quote), _mm_cmpeq_epi8(chunk, backslash)), _mm_cmplt_epi8(chunk, space));
        const int mask = _mm_movemask_epi8(special);
        if (mask != 0)
            return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        i += 16;
    }
#endif
    while (i < n) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            break;
        ++i;
    }
    return i;
}

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
        case '"':
            return parseString(ValueAccess::setString(out));
        case 't':
            if (!consumeLiteral("true"))
                return fail("invalid literal");
            ValueAccess::setBool(out, true);
            return true;
        case 'f':
            if (!consumeLiteral("false"))
                return fail("invalid literal");
            ValueAccess::setBool(out, false);
            return true;
        case 'n':
            if (!consumeLiteral("null"))
                return fail("invalid literal");
            return true; // `out` is a fresh null
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
            ValueAccess::setNumber(out, m_text.substr(start, m_pos - start));
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
                ValueAccess::setNumber(out, "-Infinity");
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
        ValueAccess::setNumber(out, m_text.substr(start, m_pos - start));
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
        const auto seq =
            detail::decodeUtf8(reinterpret_cast<const unsigned char *>(m_text.data()), m_text.size(), m_pos, false);
        if (seq.status != detail::Utf8Status::Ok)
            return fail(seq.status == detail::Utf8Status::Truncated ? "truncated UTF-8" : "invalid UTF-8");
        out.append(m_text.data() + m_pos, seq.length);
        m_pos += seq.length;
        return true;
    }

    bool parseString(std::string &out)
    {
        ++m_pos; // opening quote
        const size_t n = m_text.size();
        while (true) {
            // Copy the longest run of plain printable ASCII in one go.
            const size_t runEnd = scanPlain(m_text.data(), m_pos, n);
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
        Array &items = ValueAccess::setArray(out);
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
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
                return true;
            if (c != ',')
                return fail("expected ',' or ']'");
        }
    }

    bool parseObject(Value &out, int depth)
    {
        if (depth > m_options.maxDepth)
            return fail("nesting too deep");
        ++m_pos; // {
        std::vector<Member> &members = ValueAccess::setObject(out);
        // Duplicate keys keep the first position and the last value (Python's dict semantics).
        // Small objects are checked linearly; big ones through an index built on demand.
        std::unordered_map<std::string, size_t> index;
        constexpr size_t kIndexThreshold = 16;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            return true;
        }
        members.reserve(8);
        while (true) {
            skipWhitespace();
            if (atEnd() || peek() != '"')
                return fail("expected a string key");
            members.emplace_back();
            Member &member = members.back();
            if (!parseString(member.key))
                return false;
            skipWhitespace();
            if (atEnd() || m_text[m_pos] != ':')
                return fail("expected ':'");
            ++m_pos;
            skipWhitespace();
            if (!parseValue(member.value, depth))
                return false;

            const size_t last = members.size() - 1;
            size_t existing = last;
            if (last < kIndexThreshold) {
                for (size_t i = 0; i < last; ++i) {
                    if (members[i].key == members[last].key) {
                        existing = i;
                        break;
                    }
                }
            } else {
                if (index.empty()) {
                    for (size_t i = 0; i < last; ++i)
                        index.emplace(members[i].key, i);
                }
                auto [it, inserted] = index.emplace(members[last].key, last);
                if (!inserted)
                    existing = it->second;
            }
            if (existing != last) {
                members[existing].value = std::move(members[last].value);
                members.pop_back();
            }

            skipWhitespace();
            if (atEnd())
                return fail("unterminated object");
            const char c = m_text[m_pos++];
            if (c == '}')
                return true;
            if (c != ',')
                return fail("expected ',' or '}'");
        }
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
