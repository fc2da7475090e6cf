#pragma once

#include "../jose/Jws.h"
#include "../store/StoreTypes.h"
#include "HttpClient.h"
#include "ProviderMetadata.h"

#include <QFuture>
#include <QMutex>

#include <memory>
#include <optional>

namespace si::oidc {

// The IdP's discovery document and JWKS, fetched on demand and cached with a TTL. A token signed
// with a key id the cache does not know triggers one JWKS refetch (at most one per
// `minRefetchSeconds`), which is how key rotation at the IdP is picked up without letting tokens
// with made-up kids hammer it. Thread-safe; results complete on the HttpClient's thread.
class ProviderCache {
public:
    struct Options {
        qint64 metadataTtlSeconds = 3600;
        qint64 jwksTtlSeconds = 600;
        qint64 minRefetchSeconds = 30;
        // Fetch the JWKS from here instead of the discovery document's jwks_uri (no discovery is
        // needed to verify tokens then).
        QUrl jwksUri;
        Clock clock = systemClock;
    };

    ProviderCache(QString issuer, std::shared_ptr<HttpClient> http, Options options);

    const QString &issuer() const { return m_issuer; }
    QFuture<Result<ProviderMetadata>> metadata();
    QFuture<Result<jose::Jwks>> jwks();
    // Verifies `jws` with the IdP's keys (refetching once for an unknown kid).
    QFuture<Status> verify(const jose::ParsedJws &jws, const jose::AlgorithmSet &allowed);

    // Uses `keys` instead of fetching the JWKS (and never refetches): for verifying tokens offline
    // against a saved key set (sessionctl token verify-logout --jwks FILE).
    void preloadJwks(const jose::Jwks &keys);

    // How many JWKS documents were fetched (for tests and diagnostics).
    int jwksFetches() const;

private:
    QFuture<Result<jose::Jwks>> fetchJwks();
    QFuture<Result<jose::Jwks>> fetchJwksFrom(const QUrl &uri);

    QString m_issuer;
    Options m_options;
    mutable QMutex m_mutex;
    std::optional<ProviderMetadata> m_metadata;
    qint64 m_metadataFetchedAt = 0;
    std::optional<jose::Jwks> m_jwks;
    qint64 m_jwksFetchedAt = 0;
    qint64 m_lastForcedRefetch = -1000000;
    bool m_preloaded = false;
    int m_jwksFetches = 0;
    // Last, so destroyed first: when this holds the last reference, the client's teardown aborts
    // requests whose continuations still find every other member alive.
    std::shared_ptr<HttpClient> m_http;
};

} // namespace si::oidc
