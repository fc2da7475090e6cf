#pragma once

// Private to core/model: reading typed fields out of json::Object with clear errors, and writing
// them back so that a parsed document keeps its key order, nulls and unknown members.

#include "../Result.h"
#include "../json/Json.h"

#include <optional>

namespace si::model {

class FieldReader {
public:
    FieldReader(const json::Object &object, const char *context)
        : m_object(object)
        , m_context(context)
    {}

    // Absent or null -> nullopt. Another type -> error.
    void optionalString(std::string_view key, std::optional<QString> &out);
    // Absent or null -> `out` unchanged.
    void string(std::string_view key, QString &out);
    void integer(std::string_view key, qint64 &out);
    void optionalInteger(std::string_view key, std::optional<qint64> &out);

    const Status &status() const { return m_status; }

private:
    const json::Value *lookup(std::string_view key);
    void wrongType(std::string_view key, const char *expected);

    const json::Object &m_object;
    const char *m_context;
    Status m_status;
};

// Writes `value` under `key`: in place if `out` has the key; appended if `present` or `fresh`
// (a fresh object gets every field, like pydantic's model_dump); otherwise left absent.
void writeField(json::Object &out, std::string_view key, const json::Value &value, bool present, bool fresh);
void writeOptionalString(json::Object &out, std::string_view key, const std::optional<QString> &value, bool fresh);

} // namespace si::model
