// Request Cookie headers: parsing, auth0-fastapi chunk reassembly, and the cookie state store's
// read path (decrypt, header timestamps, expiry) on whatever the browser sent.
#include "core/async/Worker.h"
#include "core/cookie/CookieHeader.h"
#include "stores/cookie/Auth0CookieChunks.h"
#include "stores/cookie/CookieStateStore.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static si::stores::CookieStateStore store = [] {
        si::SessionCodec::Options options;
        options.defaultIssuer = QStringLiteral("https://idp.test/");
        auto codec = std::make_shared<si::SessionCodec>(
            si::SecretList({si::crypto::SecureBytes(QByteArrayView("fuzz-secret"))}), options);
        return si::stores::CookieStateStore(codec, {});
    }();
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
    auto context = std::make_shared<si::StoreContext>();
    context->requestCookies = cookies;
    (void)si::await(store.get(QStringLiteral("_a0_session"), context));
    return 0;
}
