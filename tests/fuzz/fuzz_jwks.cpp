// JWKS documents and single JWKs as an IdP (or an attacker in its place) might serve them.
#include "core/jose/Jwk.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto jwks = si::jose::Jwks::parse(text);
    if (jwks) {
        for (const auto &key : jwks->keys()) {
            (void)key.publicJson();
            (void)key.keyBits();
            (void)jwks->findByKid(key.kid());
        }
    }
    (void)si::jose::Jwk::parse(text);
    return 0;
}
