// JSON an identity provider (or whoever answers in its place) sends: the discovery document, a
// token endpoint response, userinfo claims.
#include "core/json/Json.h"
#include "core/model/TokenSet.h"
#include "core/model/UserClaims.h"
#include "core/oidc/ProviderMetadata.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto document = si::json::parse(text);
    if (!document)
        return 0;
    if (auto metadata = si::oidc::ProviderMetadata::fromJson(*document, QStringLiteral("https://idp.test/"))) {
        // What is accepted is usable: absolute http(s) endpoints for what the relying party calls.
        for (const QUrl &url : {metadata->authorizationEndpoint, metadata->tokenEndpoint, metadata->jwksUri}) {
            if (!url.isValid() || url.isRelative() ||
                (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
                __builtin_trap();
        }
    }
    (void)si::TokenSet::fromJson(*document);
    if (document->isObject())
        (void)si::UserClaims::fromIdTokenClaims(document->object());
    return 0;
}
