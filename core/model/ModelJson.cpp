#include "ModelJson.h"

namespace si::model {

const json::Value *FieldReader::lookup(std::string_view key)
{
    const json::Value *v = m_object.find(key);
    return v && !v->isNull() ? v : nullptr;
}

void FieldReader::wrongType(std::string_view key, const char *expected)
{
    if (!m_status)
        return; // keep the first error
    m_status =
        makeError(ErrorCode::MalformedInput, QStringLiteral("unexpected session data"),
                  QStringLiteral("%1.%2 must be %3")
                      .arg(QLatin1String(m_context), QString::fromUtf8(key.data(), static_cast<qsizetype>(key.size())),
                           QLatin1String(expected)));
}

void FieldReader::optionalString(std::string_view key, std::optional<QString> &out)
{
    out.reset();
    if (const json::Value *v = lookup(key)) {
        if (v->isString())
            out = v->toQString();
        else
            wrongType(key, "a string");
    }
}

void FieldReader::string(std::string_view key, QString &out)
{
    if (const json::Value *v = lookup(key)) {
        if (v->isString())
            out = v->toQString();
        else
            wrongType(key, "a string");
    }
}

void FieldReader::integer(std::string_view key, qint64 &out)
{
    if (const json::Value *v = lookup(key)) {
        if (auto n = v->toInt64())
            out = *n;
        else
            wrongType(key, "an integer");
    }
}

void FieldReader::optionalInteger(std::string_view key, std::optional<qint64> &out)
{
    out.reset();
    if (const json::Value *v = lookup(key)) {
        if (auto n = v->toInt64())
            out = *n;
        else
            wrongType(key, "an integer");
    }
}

void writeField(json::Object &out, std::string_view key, const json::Value &value, bool present, bool fresh)
{
    if (json::Value *existing = out.find(key)) {
        // Keep the document's own spelling when the value did not change (e.g. 1.0e9 vs 1000000000).
        const json::Value wanted = present ? value : json::Value();
        if (!(*existing == wanted))
            *existing = wanted;
        return;
    }
    if (present || fresh)
        out.append(std::string(key), present ? value : json::Value());
}

void writeOptionalString(json::Object &out, std::string_view key, const std::optional<QString> &value, bool fresh)
{
    writeField(out, key, value ? json::Value(*value) : json::Value(), value.has_value(), fresh);
}

} // namespace si::model
