#include "Json.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace si::json {

namespace {
const std::string kEmptyString;
const Array kEmptyArray;
const Object kEmptyObject;
} // namespace

// ---- Object

const Value *Object::find(std::string_view key) const
{
    // Last match wins, like Python's dict for duplicate keys (parse() folds duplicates anyway).
    for (auto it = m_members.rbegin(); it != m_members.rend(); ++it) {
        if (it->key == key)
            return &it->value;
    }
    return nullptr;
}

Value *Object::find(std::string_view key)
{
    return const_cast<Value *>(std::as_const(*this).find(key));
}

void Object::set(std::string_view key, Value value)
{
    if (Value *existing = find(key)) {
        *existing = std::move(value);
        return;
    }
    m_members.push_back(Member{std::string(key), std::move(value)});
}

void Object::append(std::string key, Value value)
{
    m_members.push_back(Member{std::move(key), std::move(value)});
}

bool Object::remove(std::string_view key)
{
    const auto before = m_members.size();
    std::erase_if(m_members, [&](const Member &m) { return m.key == key; });
    return m_members.size() != before;
}

std::vector<Member>::const_iterator Object::begin() const
{
    return m_members.begin();
}

std::vector<Member>::const_iterator Object::end() const
{
    return m_members.end();
}

bool Object::operator==(const Object &other) const
{
    return m_members == other.m_members;
}

// ---- Value

Value::Value(std::int64_t v)
    : m_type(Type::Number)
{
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    m_text.assign(buffer, end);
}

Value::Value(double v)
    : m_type(Type::Number)
{
    // Python's repr: shortest round-trip digits, always with '.' or an exponent for finite values.
    if (std::isnan(v)) {
        m_text = "NaN";
        return;
    }
    if (std::isinf(v)) {
        m_text = v > 0 ? "Infinity" : "-Infinity";
        return;
    }
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    m_text.assign(buffer, end);
    if (m_text.find_first_of(".e") == std::string::npos)
        m_text += ".0";
}

Value::Value(Array a)
    : m_type(Type::Array)
    , m_array(std::move(a))
{}

Value::Value(Object o)
    : m_type(Type::Object)
    , m_object(std::move(o))
{}

Value Value::numberFromLiteral(std::string literal)
{
    Value v;
    v.m_type = Type::Number;
    v.m_text = std::move(literal);
    return v;
}

std::optional<std::int64_t> Value::toInt64() const
{
    if (m_type != Type::Number)
        return std::nullopt;
    std::int64_t result = 0;
    const char *first = m_text.data();
    const char *last = first + m_text.size();
    auto [ptr, ec] = std::from_chars(first, last, result);
    if (ec == std::errc() && ptr == last)
        return result;
    const auto d = toDouble();
    if (!d || !std::isfinite(*d) || std::trunc(*d) != *d)
        return std::nullopt;
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (*d >= 9223372036854775808.0 || *d < -9223372036854775808.0)
        return std::nullopt;
    return static_cast<std::int64_t>(*d);
}

std::optional<double> Value::toDouble() const
{
    if (m_type != Type::Number)
        return std::nullopt;
    if (m_text == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    if (m_text == "Infinity")
        return std::numeric_limits<double>::infinity();
    if (m_text == "-Infinity")
        return -std::numeric_limits<double>::infinity();
    double result = 0;
    const char *first = m_text.data();
    const char *last = first + m_text.size();
    auto [ptr, ec] = std::from_chars(first, last, result);
    if (ptr != last || (ec != std::errc() && ec != std::errc::result_out_of_range))
        return std::nullopt;
    return result;
}

const std::string &Value::stringUtf8() const
{
    return m_type == Type::String ? m_text : kEmptyString;
}

QString Value::toQString() const
{
    if (m_type != Type::String)
        return {};
    return QString::fromUtf8(m_text.data(), static_cast<qsizetype>(m_text.size()));
}

const std::string &Value::numberLiteral() const
{
    return m_type == Type::Number ? m_text : kEmptyString;
}

const Array &Value::array() const
{
    return m_type == Type::Array ? m_array : kEmptyArray;
}

Array &Value::array()
{
    if (m_type != Type::Array) {
        *this = Value(Array{});
    }
    return m_array;
}

const Object &Value::object() const
{
    return m_type == Type::Object ? m_object : kEmptyObject;
}

Object &Value::object()
{
    if (m_type != Type::Object) {
        *this = Value(Object{});
    }
    return m_object;
}

const Value *Value::get(std::string_view key) const
{
    return m_type == Type::Object ? m_object.find(key) : nullptr;
}

bool Value::operator==(const Value &other) const
{
    if (m_type != other.m_type)
        return false;
    switch (m_type) {
    case Type::Null:
        return true;
    case Type::Bool:
        return m_bool == other.m_bool;
    case Type::Number:
        if (m_text == other.m_text)
            return true;
        return toDouble() == other.toDouble();
    case Type::String:
        return m_text == other.m_text;
    case Type::Array:
        return m_array == other.m_array;
    case Type::Object:
        return m_object == other.m_object;
    }
    return false;
}

} // namespace si::json
