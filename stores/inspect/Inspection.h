#pragma once

#include "core/inspector/SessionBackend.h"
#include "core/jose/Jwk.h"
#include "stores/StoreFactory.h"
#include "stores/StoreUrl.h"

#include <memory>
#include <optional>

namespace si::stores {

// What the inspector needs to open a store.
struct InspectOptions {
    std::optional<inspector::SessionLayout::Kind> layout; // nullopt: detect from a sample of keys
    SecretList secrets;   // the application's secrets (or the starsessions key); may be empty for JSON layouts
    QString prefix;       // the native namespace (StoreOptions::prefix: "si:" / "si_" when empty)
    QByteArray keyPrefix; // string layouts: what precedes the id (empty: the layout's default)
    QString issuer;       // the profile's default issuer (sub/sid searches, revocation)
    QString jwksFile;     // read into OpenedInspector::tokenKeys ("": none; a bad file fails the open)
    QString cookieName = QStringLiteral("_a0_session");
    bool readOnly = false;
    QString profile; // the audit log's name for this store (default: the redacted URL)
    std::shared_ptr<inspector::AuditLog> audit;
    std::function<void(qint64, qint64)> progress;
    Clock clock = systemClock;
    // Where connections come from; by default a private factory. Give the application's own to
    // share its connections (and, for memory:, its in-process table).
    StoreFactory *factory = nullptr;
};

struct OpenedInspector {
    std::shared_ptr<inspector::SessionBackend> backend;
    // How the layout was chosen: "native (given)", "starsessions (detected: 180 of 200 sampled
    // keys start with starsessions.)".
    QString layoutNote;
    bool detected = false; // the layout was chosen from sampled keys (no --layout)
    // Native stores: the StateStore on the same connection (seeding writes through it).
    std::shared_ptr<StateStore> nativeStore;
    std::shared_ptr<const SessionCodec> codec;
    // Keys to check token signatures with instead of the issuer's published JWKS
    // (InspectOptions::jwksFile: the demo store, whose issuer does not exist; an IdP out of reach).
    std::optional<jose::Jwks> tokenKeys;
};

// Opens `url` for inspection. Connects (and, for Redis without --layout, samples keys) before
// returning, so an unreachable server is reported here.
Result<OpenedInspector> openInspector(const StoreUrl &url, const InspectOptions &options);

// A pasted Cookie header as a read-only store of the sessions it carries (auth0 cookies, chunked
// or not), one per cookie name.
Result<OpenedInspector> openCookieInspector(const QByteArray &cookieHeader, const InspectOptions &options);

} // namespace si::stores
