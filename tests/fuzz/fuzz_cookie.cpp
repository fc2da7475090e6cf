// Request Cookie headers: parsing and auth0-fastapi chunk reassembly.
#include "core/cookie/CookieHeader.h"
#include "stores/cookie/Auth0CookieChunks.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView header(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    const QList<si::Cookie> cookies = si::parseCookieHeader(header);
    auto assembled = si::stores::Auth0CookieChunks::assemble(cookies, QStringLiteral("_a0_session"));
    if (assembled) {
        // Split and reassemble must give the same value back.
        const auto chunks = si::stores::Auth0CookieChunks::split(*assembled, QStringLiteral("_a0_session"), 7);
        if (!assembled->isEmpty() &&
            si::stores::Auth0CookieChunks::assemble(chunks, QStringLiteral("_a0_session")).value() != *assembled)
            __builtin_trap();
    }
    return 0;
}
