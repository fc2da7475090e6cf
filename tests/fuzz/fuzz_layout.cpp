// Session values as a store holds them, in every layout the inspector opens: native and auth0
// envelopes, auth0-fastapi JSON, starsessions (plain, Fernet, AES-GCM), connect-redis. Values that
// parse as JSON are also summarized by every layout (who the session belongs to, when it lives).
#include "core/inspector/SessionLayout.h"

#include <cstddef>
#include <cstdint>

namespace {

using si::inspector::SessionLayout;

QList<std::shared_ptr<const SessionLayout>> layouts()
{
    static const QList<std::shared_ptr<const SessionLayout>> all = [] {
        const auto secrets = [](QByteArrayView s) { return si::SecretList({si::crypto::SecureBytes(s)}); };
        using K = SessionLayout::Kind;
        return QList<std::shared_ptr<const SessionLayout>>{
            si::inspector::makeLayout(K::Native, secrets("fuzz-secret")).value(),
            si::inspector::makeLayout(K::Auth0Cookie, secrets("fuzz-secret")).value(),
            si::inspector::makeLayout(K::Auth0Fastapi, {}).value(),
            si::inspector::makeLayout(K::ConnectRedis, {}).value(),
            si::inspector::makeLayout(K::Starsessions, {}).value(),
            si::inspector::makeLayout(K::Starsessions, secrets("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=")).value(),
            si::inspector::makeLayout(K::Starsessions, secrets("MDEyMzQ1Njc4OWFiY2RlZg==")).value()};
    }();
    return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    si::inspector::RawSession raw;
    raw.id = QStringLiteral("fuzz");
    raw.value = QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    raw.keyId = QStringLiteral("k1");
    for (const auto &layout : layouts())
        (void)layout->decode(raw);
    auto document = si::json::parse(std::string_view(raw.value.constData(), size));
    if (!document)
        return 0;
    (void)si::inspector::findClaims(*document);
    for (const auto &layout : layouts()) {
        (void)layout->summarize(*document);
        // Whatever a layout writes, it reads back.
        if (auto encoded = layout->encode(raw.id, *document)) {
            si::inspector::RawSession again = raw;
            again.value = *encoded;
            if (!layout->decode(again))
                __builtin_trap();
        }
    }
    return 0;
}
