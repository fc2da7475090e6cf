#include "ProviderCache.h"

namespace si::oidc {

namespace {

Result<json::Value> parseJsonResponse(const Result<HttpResponse> &response, const QString &what)
{
    if (!response)
        return response.error();
    if (response->status != 200)
        return makeError(ErrorCode::NetworkError,
                         QStringLiteral("the IdP's %1 could not be fetched (HTTP %2)").arg(what).arg(response->status),
                         QString::fromUtf8(response->body.left(200)).simplified());
    auto value = json::parse(response->body);
    if (!value)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("the IdP's %1 is not JSON").arg(what),
                         value.error().detail);
    return value;
}

} // namespace

ProviderCache::ProviderCache(QString issuer, std::shared_ptr<HttpClient> http, Options options)
    : m_issuer(std::move(issuer))
    , m_options(std::move(options))
    , m_http(std::move(http))
{
    if (!m_options.clock)
        m_options.clock = systemClock;
}

int ProviderCache::jwksFetches() const
{
    QMutexLocker lock(&m_mutex);
    return m_jwksFetches;
}

QFuture<Result<ProviderMetadata>> ProviderCache::metadata()
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_metadata && m_options.clock() - m_metadataFetchedAt < m_options.metadataTtlSeconds)
            return QtFuture::makeReadyFuture(Result<ProviderMetadata>(*m_metadata));
    }
    // OpenID Connect Discovery §4: issuer + "/.well-known/openid-configuration".
    QString base = m_issuer;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    const QUrl url(base + QStringLiteral("/.well-known/openid-configuration"));
    return m_http->get(url).then([this](const Result<HttpResponse> &response) -> Result<ProviderMetadata> {
        auto document = parseJsonResponse(response, QStringLiteral("discovery document"));
        if (!document)
            return document.error();
        auto metadata = ProviderMetadata::fromJson(*document, m_issuer);
        if (!metadata)
            return metadata.error();
        QMutexLocker lock(&m_mutex);
        m_metadata = *metadata;
        m_metadataFetchedAt = m_options.clock();
        return metadata;
    });
}

QFuture<Result<jose::Jwks>> ProviderCache::fetchJwksFrom(const QUrl &uri)
{
    return m_http->get(uri).then([this](const Result<HttpResponse> &response) -> Result<jose::Jwks> {
        auto document = parseJsonResponse(response, QStringLiteral("JWKS"));
        if (!document)
            return document.error();
        auto jwks = jose::Jwks::fromJson(*document);
        if (!jwks)
            return jwks.error();
        QMutexLocker lock(&m_mutex);
        m_jwks = *jwks;
        m_jwksFetchedAt = m_options.clock();
        ++m_jwksFetches;
        return jwks;
    });
}

QFuture<Result<jose::Jwks>> ProviderCache::fetchJwks()
{
    if (!m_options.jwksUri.isEmpty())
        return fetchJwksFrom(m_options.jwksUri);
    return metadata()
        .then([this](const Result<ProviderMetadata> &metadata) -> QFuture<Result<jose::Jwks>> {
            if (!metadata)
                return QtFuture::makeReadyFuture(Result<jose::Jwks>(metadata.error()));
            return fetchJwksFrom(metadata->jwksUri);
        })
        .unwrap();
}

void ProviderCache::preloadJwks(const jose::Jwks &keys)
{
    QMutexLocker lock(&m_mutex);
    m_jwks = keys;
    m_preloaded = true;
}

QFuture<Result<jose::Jwks>> ProviderCache::jwks()
{
    {
        QMutexLocker lock(&m_mutex);
        if (m_jwks && (m_preloaded || m_options.clock() - m_jwksFetchedAt < m_options.jwksTtlSeconds))
            return QtFuture::makeReadyFuture(Result<jose::Jwks>(*m_jwks));
    }
    return fetchJwks();
}

QFuture<Status> ProviderCache::verify(const jose::ParsedJws &jws, const jose::AlgorithmSet &allowed)
{
    return jwks()
        .then([this, jws, allowed](const Result<jose::Jwks> &keys) -> QFuture<Status> {
            if (!keys)
                return QtFuture::makeReadyFuture(Status(keys.error()));
            Status first = jose::Jws::verify(jws, *keys, allowed);
            if (first || first.error().code != ErrorCode::NotFound)
                return QtFuture::makeReadyFuture(first);
            // Unknown kid: the IdP may have rotated its keys. Refetch once, rate-limited.
            {
                QMutexLocker lock(&m_mutex);
                const qint64 now = m_options.clock();
                if (m_preloaded || now - m_lastForcedRefetch < m_options.minRefetchSeconds)
                    return QtFuture::makeReadyFuture(first);
                m_lastForcedRefetch = now;
            }
            return fetchJwks().then([jws, allowed, first](const Result<jose::Jwks> &fresh) -> Status {
                if (!fresh)
                    return fresh.error();
                return jose::Jws::verify(jws, *fresh, allowed);
            });
        })
        .unwrap();
}

} // namespace si::oidc
