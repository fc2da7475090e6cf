#include "AuthClient.h"

#include "../crypto/Random.h"
#include "../jose/Jwt.h"
#include "../store/SessionCodec.h"
#include "Pkce.h"
#include "TokenValidator.h"

#include <QElapsedTimer>
#include <QUrlQuery>

namespace si::oidc {

struct AuthClient::TokenResponse {
    QString accessToken;
    QString idToken;
    QString refreshToken;
    QString scope;
    qint64 expiresIn = 0;
    json::Object raw;
};

namespace {

template<typename T>
QFuture<Result<T>> ready(Result<T> value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

Error oauthError(const HttpResponse &response, const QString &what)
{
    QString error, description;
    if (auto body = json::parse(response.body); body && body->isObject()) {
        if (const json::Value *e = body->get("error"))
            error = e->toQString().left(100);
        if (const json::Value *d = body->get("error_description"))
            description = d->toQString().left(300);
    }
    if (error == QLatin1String("invalid_client"))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the IdP refused the client's credentials (check the client id and secret)"),
                         description);
    const QString shown = error.isEmpty() ? QStringLiteral("HTTP %1").arg(response.status) : error;
    return makeError(error.isEmpty() ? ErrorCode::NetworkError : ErrorCode::InvalidToken,
                     QStringLiteral("the IdP refused the %1: %2").arg(what, shown), description);
}

QString queryValue(const QUrlQuery &query, const char *name)
{
    return query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
}

// Replaces the token set with the same audience and scope, else appends (auth0-server-python).
void upsertTokenSet(QList<TokenSet> &sets, TokenSet set)
{
    for (TokenSet &existing : sets) {
        if (existing.audience == set.audience && existing.scope == set.scope) {
            set.raw = existing.raw;
            existing = std::move(set);
            return;
        }
    }
    sets.append(std::move(set));
}

} // namespace

AuthClient::AuthClient(AuthClientOptions options, std::shared_ptr<HttpClient> http,
                       std::shared_ptr<StateStore> sessions, std::shared_ptr<TransactionStore> transactions)
    : m_options(std::move(options))
    , m_http(std::move(http))
    , m_sessions(std::move(sessions))
    , m_transactions(std::move(transactions))
    , m_replay(std::make_unique<ReplayCache>())
{
    if (!m_options.clock)
        m_options.clock = systemClock;
    ProviderCache::Options providerOptions = m_options.provider;
    providerOptions.clock = m_options.clock;
    m_provider = std::make_unique<ProviderCache>(m_options.issuer, m_http, providerOptions);
}

AuthClient::~AuthClient() = default;

QString AuthClient::sessionIdFor(bool) const
{
    return m_sessions->isClientSide() ? m_options.stateIdentifier : SessionCodec::newSessionId();
}

HttpRequest AuthClient::authenticated(const QUrl &endpoint, QList<QPair<QString, QString>> form) const
{
    HttpRequest request;
    request.method = HttpRequest::Method::Post;
    request.url = endpoint;
    switch (m_options.authentication) {
    case ClientAuthentication::SecretBasic:
        request.basicUser = m_options.clientId.toUtf8();
        request.basicPassword = m_options.clientSecret.view().toByteArray();
        break;
    case ClientAuthentication::SecretPost:
        form.append({QStringLiteral("client_id"), m_options.clientId});
        form.append({QStringLiteral("client_secret"), QString::fromUtf8(m_options.clientSecret.view().toByteArray())});
        break;
    case ClientAuthentication::None:
        form.append({QStringLiteral("client_id"), m_options.clientId});
        break;
    }
    request.form = std::move(form);
    return request;
}

QFuture<Result<AuthClient::TokenResponse>> AuthClient::tokenRequest(QList<QPair<QString, QString>> form)
{
    return m_provider->metadata()
        .then([this, form](const Result<ProviderMetadata> &metadata) -> QFuture<Result<TokenResponse>> {
            if (!metadata)
                return ready(Result<TokenResponse>(metadata.error()));
            return m_http->send(authenticated(metadata->tokenEndpoint, form))
                .then([](const Result<HttpResponse> &response) -> Result<TokenResponse> {
                    if (!response)
                        return response.error();
                    if (response->status != 200)
                        return oauthError(*response, QStringLiteral("token request"));
                    auto body = json::parse(response->body);
                    if (!body || !body->isObject())
                        return makeError(ErrorCode::MalformedInput, QStringLiteral("the token response is not JSON"));
                    TokenResponse t;
                    t.raw = body->object();
                    auto text = [&](std::string_view k) {
                        const json::Value *v = t.raw.find(k);
                        return v && v->isString() ? v->toQString() : QString();
                    };
                    t.accessToken = text("access_token");
                    t.idToken = text("id_token");
                    t.refreshToken = text("refresh_token");
                    t.scope = text("scope");
                    if (const json::Value *e = t.raw.find("expires_in"))
                        t.expiresIn = e->toInt64().value_or(0);
                    if (t.accessToken.isEmpty())
                        return makeError(ErrorCode::MalformedInput,
                                         QStringLiteral("the token response has no access_token"));
                    return t;
                });
        })
        .unwrap();
}

QFuture<Result<ValidationReport>> AuthClient::validateIdToken(const QString &idToken, const QString &nonce,
                                                              const QString &accessToken)
{
    auto jwt = jose::parseJwt(idToken.toLatin1());
    if (!jwt) {
        ValidationReport report;
        report.fail(QStringLiteral("format"), jwt.error().toString());
        return ready(Result<ValidationReport>(report));
    }
    const jose::Jwt token = std::move(jwt.value());
    return m_provider->verify(token.jws, m_options.allowedAlgorithms)
        .then([this, token, nonce, accessToken](const Status &signature) -> Result<ValidationReport> {
            ValidationReport report;
            if (signature)
                report.pass(QStringLiteral("signature"),
                            QStringLiteral("%1, key %2").arg(token.jws.algorithmName, token.jws.kid.left(64)));
            else if (signature.error().code == ErrorCode::NetworkError ||
                     signature.error().code == ErrorCode::MalformedInput)
                return signature.error(); // could not check at all (IdP unreachable, bad JWKS)
            else
                report.fail(QStringLiteral("signature"), signature.error().toString());
            IdTokenExpectations expected;
            expected.issuer = m_options.issuer;
            expected.clientId = m_options.clientId;
            expected.nonce = nonce;
            expected.accessToken = accessToken;
            expected.leewaySeconds = m_options.leewaySeconds;
            expected.now = m_options.clock();
            checkIdTokenClaims(token, expected, report);
            return report;
        });
}

QFuture<Result<LoginStart>> AuthClient::startLogin(const StartLoginOptions &options,
                                                   std::shared_ptr<StoreContext> context)
{
    return m_provider->metadata()
        .then([this, options, context](const Result<ProviderMetadata> &metadata) -> QFuture<Result<LoginStart>> {
            if (!metadata)
                return ready(Result<LoginStart>(metadata.error()));
            const QString state = crypto::randomString(32, crypto::alphanumericAlphabet());
            const QString nonce = crypto::randomString(32, crypto::alphanumericAlphabet());
            const QString verifier = newCodeVerifier();
            const QString audience = options.audience.isEmpty() ? m_options.audience : options.audience;
            const QString scope = options.scope.isEmpty() ? m_options.scope : options.scope;

            TransactionData tx;
            tx.codeVerifier = verifier;
            tx.redirectUri = m_options.redirectUri;
            if (!audience.isEmpty())
                tx.audience = audience;
            if (options.appState)
                tx.appState = *options.appState;
            tx.raw = json::Object();
            json::Value txJson = tx.toJson();
            txJson.object().append("nonce", nonce); // kept with the transaction, checked in the ID token
            auto withNonce = TransactionData::fromJson(txJson).value();

            QList<QPair<QString, QString>> params{
                {QStringLiteral("response_type"), QStringLiteral("code")},
                {QStringLiteral("client_id"), m_options.clientId},
                {QStringLiteral("redirect_uri"), m_options.redirectUri},
                {QStringLiteral("scope"), scope},
                {QStringLiteral("state"), state},
                {QStringLiteral("nonce"), nonce},
                {QStringLiteral("code_challenge"), codeChallenge(verifier)},
                {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
            };
            if (!audience.isEmpty())
                params.append({QStringLiteral("audience"), audience});
            params += m_options.authorizationParameters;
            params += options.authorizationParameters;
            const bool par = options.pushedAuthorizationRequests.value_or(m_options.pushedAuthorizationRequests);
            const ProviderMetadata md = *metadata;

            return m_transactions->set(state, withNonce, context)
                .then([this, md, params, par, state](const Status &stored) -> QFuture<Result<LoginStart>> {
                    if (!stored)
                        return ready(Result<LoginStart>(stored.error()));
                    if (!par) {
                        QUrl url = md.authorizationEndpoint;
                        QUrlQuery query(url);
                        for (const auto &[k, v] : params)
                            query.addQueryItem(k, QString::fromLatin1(QUrl::toPercentEncoding(v)));
                        url.setQuery(query);
                        return ready(Result<LoginStart>(LoginStart{url, state}));
                    }
                    if (md.pushedAuthorizationEndpoint.isEmpty())
                        return ready(Result<LoginStart>(
                            makeError(ErrorCode::Unsupported, QStringLiteral("the IdP offers no pushed authorization "
                                                                             "request endpoint"))));
                    // The PAR body carries the authorization parameters, client_id included
                    // (RFC 9126 §2.1, required by oidc-provider even with HTTP Basic); client
                    // authentication by POST or as a public client adds its own client_id.
                    QList<QPair<QString, QString>> form = params;
                    if (m_options.authentication != ClientAuthentication::SecretBasic)
                        form.removeIf([](const auto &p) { return p.first == QLatin1String("client_id"); });
                    return m_http->send(authenticated(md.pushedAuthorizationEndpoint, form))
                        .then([this, md, state](const Result<HttpResponse> &response) -> Result<LoginStart> {
                            if (!response)
                                return response.error();
                            if (response->status != 201 && response->status != 200)
                                return oauthError(*response, QStringLiteral("pushed authorization request"));
                            auto body = json::parse(response->body);
                            const json::Value *uri = body ? body->get("request_uri") : nullptr;
                            if (!uri || !uri->isString())
                                return makeError(ErrorCode::MalformedInput,
                                                 QStringLiteral("the PAR response has no request_uri"));
                            QUrl url = md.authorizationEndpoint;
                            QUrlQuery query;
                            query.addQueryItem(QStringLiteral("client_id"),
                                               QString::fromLatin1(QUrl::toPercentEncoding(m_options.clientId)));
                            query.addQueryItem(QStringLiteral("request_uri"),
                                               QString::fromLatin1(QUrl::toPercentEncoding(uri->toQString())));
                            url.setQuery(query);
                            return LoginStart{url, state};
                        });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<LoginResult>> AuthClient::completeLogin(const QUrl &callback, std::shared_ptr<StoreContext> context,
                                                       std::shared_ptr<LoginTrace> trace)
{
    const QUrlQuery query(callback);
    const QString error = queryValue(query, "error");
    const QString state = queryValue(query, "state");
    if (!error.isEmpty()) {
        const QString description = queryValue(query, "error_description");
        if (!state.isEmpty())
            (void)m_transactions->remove(state, context); // the login is over either way
        return ready(Result<LoginResult>(
            makeError(error == QLatin1String("access_denied") ? ErrorCode::Canceled : ErrorCode::InvalidToken,
                      QStringLiteral("the IdP ended the login: %1").arg(error.left(100)), description.left(300))));
    }
    const QString code = queryValue(query, "code");
    if (state.isEmpty() || code.isEmpty())
        return ready(Result<LoginResult>(
            makeError(ErrorCode::MalformedInput, QStringLiteral("the callback has no code and state"))));
    // RFC 9207: an iss parameter must name our issuer (mix-up attacks).
    const QString iss = queryValue(query, "iss");
    if (!iss.isEmpty() && iss != m_options.issuer)
        return ready(Result<LoginResult>(
            makeError(ErrorCode::VerificationFailed, QStringLiteral("the callback comes from another issuer"),
                      QStringLiteral("iss \"%1\", expected \"%2\"").arg(iss.left(200), m_options.issuer))));

    struct Flow {
        QElapsedTimer timer;
        LoginResult result;
        TransactionData tx;
        TokenResponse tokens;
        QString nonce;
        std::shared_ptr<LoginTrace> trace;
        void lap(const char *what)
        {
            result.timingsMs.append({QString::fromLatin1(what), timer.restart()});
            if (trace)
                trace->timingsMs = result.timingsMs;
        }
    };
    auto flow = std::make_shared<Flow>();
    flow->trace = std::move(trace);
    flow->timer.start();

    return m_transactions->get(state, context)
        .then([this, flow, state, code,
               context](const Result<std::optional<TransactionData>> &tx) -> QFuture<Result<TokenResponse>> {
            if (!tx)
                return ready(Result<TokenResponse>(tx.error()));
            if (!tx->has_value())
                return ready(Result<TokenResponse>(
                    makeError(ErrorCode::NotFound, QStringLiteral("no login in progress for this state"),
                              QStringLiteral("it expired, was already completed, or another login replaced it"))));
            flow->tx = **tx;
            if (const json::Value *n = flow->tx.raw.find("nonce"))
                flow->nonce = n->toQString();
            flow->lap("transaction");
            // One use only: remove it before the exchange so a replayed callback finds nothing.
            (void)m_transactions->remove(state, context);
            return tokenRequest({{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                                 {QStringLiteral("code"), code},
                                 {QStringLiteral("redirect_uri"), flow->tx.redirectUri.value_or(m_options.redirectUri)},
                                 {QStringLiteral("code_verifier"), flow->tx.codeVerifier.value_or(QString())}});
        })
        .unwrap()
        .then([this, flow](const Result<TokenResponse> &tokens) -> QFuture<Result<ValidationReport>> {
            if (!tokens)
                return ready(Result<ValidationReport>(tokens.error()));
            flow->tokens = *tokens;
            flow->lap("token exchange");
            if (flow->trace)
                flow->trace->idToken = tokens->idToken;
            if (tokens->idToken.isEmpty())
                return ready(Result<ValidationReport>(makeError(ErrorCode::InvalidToken,
                                                                QStringLiteral("the token response has no ID token"),
                                                                QStringLiteral("was the openid scope requested?"))));
            return validateIdToken(tokens->idToken, flow->nonce, tokens->accessToken);
        })
        .unwrap()
        .then([this, flow, context](const Result<ValidationReport> &report) -> QFuture<Result<LoginResult>> {
            if (!report)
                return ready(Result<LoginResult>(report.error()));
            flow->lap("ID token validation");
            flow->result.idTokenReport = *report;
            if (flow->trace)
                flow->trace->idTokenReport = *report;
            if (!report->ok())
                return ready(Result<LoginResult>(makeError(
                    ErrorCode::InvalidToken, QStringLiteral("the ID token is not valid"), report->firstFailure())));
            const auto claims = jose::parseJwt(flow->tokens.idToken.toLatin1())->claims;
            const qint64 now = m_options.clock();
            StateData session;
            session.user = UserClaims::fromIdTokenClaims(claims);
            session.idToken = flow->tokens.idToken;
            if (!flow->tokens.refreshToken.isEmpty())
                session.refreshToken = flow->tokens.refreshToken;
            TokenSet set;
            set.audience = flow->tx.audience.value_or(QStringLiteral("default"));
            set.accessToken = flow->tokens.accessToken;
            if (!flow->tokens.scope.isEmpty())
                set.scope = flow->tokens.scope;
            set.expiresAt = now + (flow->tokens.expiresIn > 0 ? flow->tokens.expiresIn : 3600);
            session.tokenSets << set;
            const auto sid = session.user->sid();
            session.internal.sid = sid.value_or(crypto::randomString(32, crypto::alphanumericAlphabet()));
            session.internal.createdAt = now;
            flow->result.state = session;
            flow->result.appState = flow->tx.appState;
            flow->result.sessionId = sessionIdFor(true);
            return m_sessions->set(flow->result.sessionId, session, context)
                .then([flow](const Status &stored) -> Result<LoginResult> {
                    if (!stored)
                        return stored.error();
                    flow->lap("store write");
                    return flow->result;
                });
        })
        .unwrap();
}

QFuture<Result<std::optional<StateData>>> AuthClient::getSession(const QString &sessionId,
                                                                 std::shared_ptr<StoreContext> context)
{
    return m_sessions->get(sessionId, context);
}

QFuture<Result<std::optional<UserClaims>>> AuthClient::getUser(const QString &sessionId,
                                                               std::shared_ptr<StoreContext> context)
{
    return m_sessions->get(sessionId, context)
        .then([](const Result<std::optional<StateData>> &state) -> Result<std::optional<UserClaims>> {
            if (!state)
                return state.error();
            if (!state->has_value() || !(*state)->user)
                return std::optional<UserClaims>();
            return std::optional<UserClaims>(*(*state)->user);
        });
}

QFuture<Result<QString>> AuthClient::getAccessToken(const QString &sessionId, const QString &audience,
                                                    const QString &scope, std::shared_ptr<StoreContext> context)
{
    return accessToken(sessionId, audience, scope, std::move(context), false);
}

QFuture<Result<QString>> AuthClient::refreshAccessToken(const QString &sessionId, const QString &audience,
                                                        const QString &scope, std::shared_ptr<StoreContext> context)
{
    return accessToken(sessionId, audience, scope, std::move(context), true);
}

QFuture<Result<QString>> AuthClient::accessToken(const QString &sessionId, const QString &audienceIn,
                                                 const QString &scopeIn, std::shared_ptr<StoreContext> context,
                                                 bool force)
{
    const QString audience = !audienceIn.isEmpty()           ? audienceIn
                             : !m_options.audience.isEmpty() ? m_options.audience
                                                             : QStringLiteral("default");
    return m_sessions->get(sessionId, context)
        .then([this, sessionId, audience, scopeIn, context,
               force](const Result<std::optional<StateData>> &loaded) -> QFuture<Result<QString>> {
            if (!loaded)
                return ready(Result<QString>(loaded.error()));
            if (!loaded->has_value())
                return ready(Result<QString>(makeError(ErrorCode::NotFound, QStringLiteral("no such session"))));
            const StateData state = **loaded;
            const qint64 now = m_options.clock();
            for (const TokenSet &set : state.tokenSets) {
                if (force)
                    break;
                const bool sameScope = scopeIn.isEmpty() || set.scope.value_or(QString()) == scopeIn;
                if (set.audience.value_or(QStringLiteral("default")) == audience && sameScope &&
                    set.expiresAt > now + m_options.leewaySeconds)
                    return ready(Result<QString>(set.accessToken));
            }
            if (!state.refreshToken)
                return ready(
                    Result<QString>(makeError(ErrorCode::InvalidToken,
                                              QStringLiteral("the access token expired and the session has no refresh "
                                                             "token"),
                                              QStringLiteral("request the offline_access scope at login"))));
            QList<QPair<QString, QString>> form{{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                                {QStringLiteral("refresh_token"), *state.refreshToken}};
            if (audience != QLatin1String("default"))
                form.append({QStringLiteral("audience"), audience});
            if (!scopeIn.isEmpty())
                form.append({QStringLiteral("scope"), scopeIn});
            return tokenRequest(form)
                .then([this, sessionId, audience, scopeIn, state,
                       context](const Result<TokenResponse> &tokens) -> QFuture<Result<QString>> {
                    if (!tokens)
                        return ready(Result<QString>(tokens.error()));
                    StateData updated = state;
                    TokenSet set;
                    set.audience = audience;
                    set.accessToken = tokens->accessToken;
                    if (!tokens->scope.isEmpty())
                        set.scope = tokens->scope;
                    else if (!scopeIn.isEmpty())
                        set.scope = scopeIn;
                    set.expiresAt = m_options.clock() + (tokens->expiresIn > 0 ? tokens->expiresIn : 3600);
                    upsertTokenSet(updated.tokenSets, set);
                    if (!tokens->refreshToken.isEmpty()) // rotation: the old one is now spent
                        updated.refreshToken = tokens->refreshToken;
                    if (!tokens->idToken.isEmpty())
                        updated.idToken = tokens->idToken;
                    const QString accessToken = tokens->accessToken;
                    return m_sessions->set(sessionId, updated, context)
                        .then([accessToken](const Status &saved) -> Result<QString> {
                            if (!saved)
                                return saved.error();
                            return accessToken;
                        });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<QUrl>> AuthClient::logout(const QString &sessionId, const LogoutOptions &options,
                                         std::shared_ptr<StoreContext> context)
{
    return m_sessions->get(sessionId, context)
        .then([this, sessionId, options,
               context](const Result<std::optional<StateData>> &loaded) -> QFuture<Result<QUrl>> {
            // A session that does not decrypt is still ended locally.
            const QString idToken = loaded && loaded->has_value() ? (*loaded)->idToken.value_or(QString()) : QString();
            return m_sessions->remove(sessionId, context)
                .then([this, idToken, options](const Status &removed) -> QFuture<Result<QUrl>> {
                    if (!removed)
                        return ready(Result<QUrl>(removed.error()));
                    return m_provider->metadata().then(
                        [this, idToken, options](const Result<ProviderMetadata> &md) -> Result<QUrl> {
                            if (!md)
                                return md.error();
                            if (md->endSessionEndpoint.isEmpty()) {
                                // Auth0 without OIDC RP-initiated logout enabled: its own /v2/logout.
                                QUrl url(m_options.issuer);
                                url.setPath(QStringLiteral("/v2/logout"));
                                QUrlQuery query;
                                query.addQueryItem(QStringLiteral("client_id"), m_options.clientId);
                                if (!options.returnTo.isEmpty())
                                    query.addQueryItem(QStringLiteral("returnTo"),
                                                       QString::fromLatin1(QUrl::toPercentEncoding(options.returnTo)));
                                url.setQuery(query);
                                return url;
                            }
                            QUrl url = md->endSessionEndpoint;
                            QUrlQuery query(url);
                            query.addQueryItem(QStringLiteral("client_id"), m_options.clientId);
                            if (!idToken.isEmpty())
                                query.addQueryItem(QStringLiteral("id_token_hint"), idToken);
                            if (!options.returnTo.isEmpty())
                                query.addQueryItem(QStringLiteral("post_logout_redirect_uri"),
                                                   QString::fromLatin1(QUrl::toPercentEncoding(options.returnTo)));
                            if (!options.logoutState.isEmpty())
                                query.addQueryItem(QStringLiteral("state"),
                                                   QString::fromLatin1(QUrl::toPercentEncoding(options.logoutState)));
                            url.setQuery(query);
                            return url;
                        });
                })
                .unwrap();
        })
        .unwrap();
}

QFuture<Result<BackchannelResult>> AuthClient::verifyLogoutToken(const QByteArray &token)
{
    auto jwt = jose::parseJwt(token.trimmed());
    if (!jwt) {
        return ready(Result<BackchannelResult>(makeError(
            ErrorCode::InvalidToken, QStringLiteral("logout token refused: format"), jwt.error().toString())));
    }
    const jose::Jwt parsed = std::move(jwt.value());
    return m_provider->verify(parsed.jws, m_options.allowedAlgorithms)
        .then([this, parsed](const Status &signature) -> Result<BackchannelResult> {
            BackchannelResult result;
            if (!signature) {
                if (signature.error().code == ErrorCode::NetworkError)
                    return signature.error();
                result.report.fail(QStringLiteral("signature"), signature.error().toString());
                return makeError(ErrorCode::InvalidToken, QStringLiteral("logout token refused: signature"),
                                 signature.error().toString());
            }
            result.report.pass(QStringLiteral("signature"), parsed.jws.algorithmName);
            LogoutTokenExpectations expected;
            expected.issuer = m_options.issuer;
            expected.clientId = m_options.clientId;
            expected.maxAgeSeconds = m_options.logoutTokenMaxAgeSeconds;
            expected.leewaySeconds = m_options.leewaySeconds;
            expected.now = m_options.clock();
            auto valid = checkLogoutTokenClaims(parsed, expected, result.report);
            if (!valid)
                return valid.error();
            if (!m_replay->remember(valid->target.issuer, valid->jti, valid->expiresAt, expected.now)) {
                result.report.fail(QStringLiteral("jti"), QStringLiteral("already used (replay)"));
                return makeError(ErrorCode::InvalidToken, QStringLiteral("logout token refused: jti"),
                                 QStringLiteral("this token was already used (replay)"));
            }
            result.target = valid->target;
            return result;
        });
}

QFuture<Result<BackchannelResult>> AuthClient::handleBackchannelLogout(QByteArrayView body, QByteArrayView contentType)
{
    if (!contentType.trimmed().toByteArray().toLower().startsWith("application/x-www-form-urlencoded"))
        return ready(Result<BackchannelResult>(
            makeError(ErrorCode::InvalidToken, QStringLiteral("logout request refused: expected a form body"),
                      QStringLiteral("Content-Type must be application/x-www-form-urlencoded"))));
    QByteArray token;
    for (const auto &[key, value] : formDecode(body)) {
        if (key == QLatin1String("logout_token")) {
            token = value.toUtf8();
            break;
        }
    }
    if (token.isEmpty())
        return ready(Result<BackchannelResult>(
            makeError(ErrorCode::InvalidToken, QStringLiteral("logout request refused: no logout_token"))));
    return verifyLogoutToken(token)
        .then([this](const Result<BackchannelResult> &verified) -> QFuture<Result<BackchannelResult>> {
            if (!verified)
                return ready(verified);
            BackchannelResult result = *verified;
            return m_sessions->deleteByLogoutToken(result.target)
                .then([result](const Result<qsizetype> &removed) mutable -> Result<BackchannelResult> {
                    if (!removed)
                        return removed.error();
                    result.removed = *removed;
                    return result;
                });
        })
        .unwrap();
}

QFuture<Result<json::Object>> AuthClient::userInfo(const QString &accessToken)
{
    return m_provider->metadata()
        .then([this, accessToken](const Result<ProviderMetadata> &md) -> QFuture<Result<json::Object>> {
            if (!md)
                return ready(Result<json::Object>(md.error()));
            if (md->userinfoEndpoint.isEmpty())
                return ready(Result<json::Object>(
                    makeError(ErrorCode::Unsupported, QStringLiteral("the IdP has no userinfo endpoint"))));
            HttpRequest request;
            request.url = md->userinfoEndpoint;
            request.bearer = accessToken.toUtf8();
            return m_http->send(request).then([](const Result<HttpResponse> &response) -> Result<json::Object> {
                if (!response)
                    return response.error();
                if (response->status != 200)
                    return oauthError(*response, QStringLiteral("userinfo request"));
                auto body = json::parse(response->body);
                if (!body || !body->isObject())
                    return makeError(ErrorCode::MalformedInput, QStringLiteral("the userinfo response is not JSON"));
                return body->object();
            });
        })
        .unwrap();
}

} // namespace si::oidc
