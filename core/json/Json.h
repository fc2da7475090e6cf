#pragma once

#include "../Result.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// An order-preserving JSON document model. Written for this project because neither Qt's
// QJsonObject (sorts keys, turns integers above 2^53 into doubles) nor jansson (prints floats with
// %.17g and integers only to 64 bits) can round-trip a session the way its producer wrote it:
// key order, nulls, unknown keys, number spelling and escapes are kept as parsed.
namespace si::json {

class Value;
struct Member;
namespace detail {
struct ValueAccess; // lets the parser build values in place
} // namespace detail
using Array = std::vector<Value>;

// The enumerators share their names with the Array/Object types on purpose (Type::Array).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
enum class Type { Null, Bool, Number, String, Array, Object };
#pragma GCC diagnostic pop

// An object's members in document order. Lookups are linear: session objects are small.
class Object {
public:
    Object();

    qsizetype size() const;
    bool isEmpty() const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    const Value *find(std::string_view key) const;
    Value *find(std::string_view key);
    // Replaces the value in place when `key` exists, else appends.
    void set(std::string_view key, Value value);
    void append(std::string key, Value value);
    bool remove(std::string_view key);

    const std::vector<Member> &members() const;
    std::vector<Member> &members();
    std::vector<Member>::const_iterator begin() const;
    std::vector<Member>::const_iterator end() const;

    bool operator==(const Object &other) const;

private:
    std::vector<Member> m_members;
};

class Value {
public:
    // Constructors are defined below Member: no vector of the incomplete Member may be built here.
    Value(); // null
    Value(std::nullptr_t);
    Value(bool b);
    Value(int v);
    Value(std::int64_t v);
    Value(double v);
    Value(const char *s);
    Value(std::string s);
    Value(std::string_view s);
    Value(const QString &s);
    Value(Array a);
    Value(Object o);

    // A number from its JSON spelling, kept verbatim (caller guarantees the grammar).
    static Value numberFromLiteral(std::string literal);

    Type type() const { return m_type; }
    bool isNull() const { return m_type == Type::Null; }
    bool isBool() const { return m_type == Type::Bool; }
    bool isNumber() const { return m_type == Type::Number; }
    bool isString() const { return m_type == Type::String; }
    bool isArray() const { return m_type == Type::Array; }
    bool isObject() const { return m_type == Type::Object; }

    bool toBool(bool fallback = false) const { return isBool() ? m_bool : fallback; }
    // Integers: exact for literals without fraction/exponent in int64 range; integral doubles
    // (1.0, 1e3) are accepted too. Otherwise nullopt.
    std::optional<std::int64_t> toInt64() const;
    std::optional<double> toDouble() const;
    // UTF-8 text of a string value (lone surrogates kept as WTF-8); empty for other types.
    const std::string &stringUtf8() const;
    QString toQString() const;
    // The number's spelling as written.
    const std::string &numberLiteral() const;

    const Array &array() const;
    Array &array();
    const Object &object() const;
    Object &object();

    // Shorthand for object().find(key) on objects; nullptr otherwise.
    const Value *get(std::string_view key) const;

    bool operator==(const Value &other) const;

private:
    friend struct detail::ValueAccess;
    Type m_type = Type::Null;
    bool m_bool = false;
    std::string m_text; // string contents, or number literal
    Array m_array;
    Object m_object;
};

struct Member {
    std::string key;
    Value value;
    bool operator==(const Member &other) const = default;
};

inline Object::Object() = default;
inline Value::Value() = default;
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b)
    : m_type(Type::Bool)
    , m_bool(b)
{}
inline Value::Value(int v)
    : Value(static_cast<std::int64_t>(v))
{}
inline Value::Value(const char *s)
    : m_type(Type::String)
    , m_text(s)
{}
inline Value::Value(std::string s)
    : m_type(Type::String)
    , m_text(std::move(s))
{}
inline Value::Value(std::string_view s)
    : m_type(Type::String)
    , m_text(s)
{}
inline Value::Value(const QString &s)
    : m_type(Type::String)
    , m_text(s.toStdString())
{}

inline qsizetype Object::size() const
{
    return static_cast<qsizetype>(m_members.size());
}
inline bool Object::isEmpty() const
{
    return m_members.empty();
}
inline const std::vector<Member> &Object::members() const
{
    return m_members;
}
inline std::vector<Member> &Object::members()
{
    return m_members;
}

struct ParseOptions {
    int maxDepth = 256;
    // Python's json module writes NaN/Infinity/-Infinity for non-finite floats; accept them.
    bool allowNonFiniteNumbers = true;
};

// Parses one JSON text (RFC 8259) from UTF-8. Errors carry the byte offset, never the content.
Result<Value> parse(std::string_view utf8, const ParseOptions &options = {});
inline Result<Value> parse(const QByteArray &utf8, const ParseOptions &options = {})
{
    return parse(std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())), options);
}
inline Result<Value> parse(const char *utf8, const ParseOptions &options = {})
{
    return parse(std::string_view(utf8), options);
}

enum class Style {
    Python,  // json.dumps defaults: ", " and ": ", non-ASCII as \uXXXX (lowercase, surrogate pairs)
    Compact, // JSON.stringify: "," and ":", UTF-8 kept
    Pretty,  // 2-space indentation, UTF-8 kept, controls escaped (for people: see Line)
    Line,    // Compact for terminals and pipes: DEL, C1 and the Unicode controls of text::isControl
             // (bidi overrides, line separators) as \uXXXX, so the same JSON cannot drive a terminal
};

std::string serialize(const Value &value, Style style = Style::Python);
void serializeTo(const Value &value, Style style, std::string &out);

} // namespace si::json
