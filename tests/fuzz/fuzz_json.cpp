// JSON from decrypted sessions: parser, writer round trip and the session model on top.
#include "core/json/Json.h"
#include "core/model/StateData.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto value = si::json::parse(text);
    if (!value)
        return 0;
    // Whatever we write we must read back as the same document, in every style.
    for (auto style : {si::json::Style::Python, si::json::Style::Compact, si::json::Style::Pretty}) {
        const std::string written = si::json::serialize(*value, style);
        auto again = si::json::parse(written);
        if (!again || !(*again == *value))
            __builtin_trap();
    }
    if (auto state = si::StateData::fromJson(*value)) {
        auto reparsed = si::StateData::fromJson(state->toJson());
        if (!reparsed)
            __builtin_trap();
    }
    (void)si::TransactionData::fromJson(*value);
    return 0;
}
