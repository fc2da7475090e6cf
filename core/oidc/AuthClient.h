#pragma once

#include "../crypto/SecureBytes.h"
#include "../jose/Algorithms.h"
#include "../store/StateStore.h"
#include "HttpClient.h"
#include "ProviderCache.h"
#include "ValidationReport.h"

#include <QFuture>
#include <QUrl>

#include <memory>
#include <optional>

namespace si::oidc {

enum class ClientAuthentication {
    SecretBasic, // client_secret_basic (auth0-server-python's default)
    SecretPost,  // client_secret_post
    None,        // public client: PKCE only
};

struct AuthClientOptions {
    QString issuer; // exactly as the IdP names itself
    QString clientId;
    crypto::SecureBytes clientSecret;
    ClientAuthentication authentication = ClientAuthentication::SecretBasic;
    QString redirectUri;
    QString scope = QStringLiteral("openid profile email offline_access");
    QString audience;                                       // Auth0-style API audience, sent when set
    QList<QPair<QString, QString>> authorizationParameters; // added to every authorization request
    bool pushedAuthorizationRequests = false;               // PAR (RFC 9126)
    jose::AlgorithmSet allowedAlgorithms{jose::SignatureAlgorithm::RS256, jose::SignatureAlgorithm::PS256,
                                         jose::SignatureAlgorithm::ES256, jose::SignatureAlgorithm::EdDSA};
    qint64 leewaySeconds = 60;
    qint64 logoutTokenMaxAgeSeconds = 300;
    // The session's id in a client-side (cookie) store: the cookie name.
    QString stateIdentifier = QStringLiteral("_a0_session");
    ProviderCache::Options provider;
    Clock clock = systemClock;
};

struct StartLoginOptions {
    std::optional<json::Value> appState; // returned by completeLogin (e.g. where to go after login)
    QList<QPair<QString, QString>> authorizationParameters;
    QString audience; // overrides the client's
    QString scope;    // overrides the client's
    std::optional<bool> pushedAuthorizationRequests;
};

struct LoginStart {
    QUrl authorizationUrl;
    QString state;
};

struct LoginResult {
    QString sessionId; // the cookie value to set (server-side stores) or the cookie name
    StateData state;
    std::optional<json::Value> appState;
    ValidationReport idTokenReport;
    QList<QPair<QString, qint64>> timingsMs; // "token exchange", "ID token validation", "store write"
};

// What a login did, filled in as it proceeds: a login that fails keeps what happened before the
// failure (the Test Login window shows every check of an ID token it refused, and the timings).
// Written on the AuthClient's threads; read it once the login's future has finished.
struct LoginTrace {
    ValidationReport idTokenReport;
    QList<QPair<QString, qint64>> timingsMs;
    QString idToken; // the ID token the IdP returned, when the login got that far
};

struct LogoutOptions {
    QString returnTo;    // post_logout_redirect_uri
    QString logoutState; // echoed back by the IdP
};

struct BackchannelResult {
    LogoutTarget target;
    qsizetype removed = 0;
    ValidationReport report;
};

// The OpenID Connect relying party: what auth0-server-python's ServerClient does, in C++.
// Login with PKCE (S256), state and nonce (optionally through PAR); the code exchange with
// client_secret_basic, client_secret_post or as a public client; full ID token validation
// (signature against the IdP's JWKS with an algorithm allowlist, iss, aud, azp, exp, iat, nonce,
// at_hash); sessions written to the StateStore with internal.sid from the ID token; access tokens
// refreshed when expired (with refresh-token rotation); RP-initiated logout URLs; and back-channel
// logout with every rule of OIDC Back-Channel Logout 1.0 and a jti replay cache.
//
// Thread-safe; every result completes on the HttpClient's or a store's thread. The AuthClient
// must outlive the futures it returns.
class AuthClient {
public:
    AuthClient(AuthClientOptions options, std::shared_ptr<HttpClient> http, std::shared_ptr<StateStore> sessions,
               std::shared_ptr<TransactionStore> transactions);
    ~AuthClient();

    ProviderCache &provider() { return *m_provider; }
    const AuthClientOptions &options() const { return m_options; }

    QFuture<Result<LoginStart>> startLogin(const StartLoginOptions &options = {},
                                           std::shared_ptr<StoreContext> context = {});
    // `callback` is the full redirect URI the IdP sent the browser to (code, state, iss or error).
    // `trace`, when given, records the steps even if the login fails.
    QFuture<Result<LoginResult>> completeLogin(const QUrl &callback, std::shared_ptr<StoreContext> context = {},
                                               std::shared_ptr<LoginTrace> trace = {});

    QFuture<Result<std::optional<StateData>>> getSession(const QString &sessionId,
                                                         std::shared_ptr<StoreContext> context = {});
    QFuture<Result<std::optional<UserClaims>>> getUser(const QString &sessionId,
                                                       std::shared_ptr<StoreContext> context = {});
    // The access token for `audience`/`scope` (the client's defaults when empty), refreshed with
    // the session's refresh token when it has expired; the session is updated.
    QFuture<Result<QString>> getAccessToken(const QString &sessionId, const QString &audience = {},
                                            const QString &scope = {}, std::shared_ptr<StoreContext> context = {});
    // The same, refreshed now whether or not it has expired (the Test Login window's button).
    QFuture<Result<QString>> refreshAccessToken(const QString &sessionId, const QString &audience = {},
                                                const QString &scope = {}, std::shared_ptr<StoreContext> context = {});
    // Ends the session locally and returns where to send the browser: the IdP's end_session_endpoint
    // (with id_token_hint), or Auth0's /v2/logout when the IdP offers no end-session endpoint.
    QFuture<Result<QUrl>> logout(const QString &sessionId, const LogoutOptions &options = {},
                                 std::shared_ptr<StoreContext> context = {});
    // A back-channel logout request: the raw body (application/x-www-form-urlencoded with
    // logout_token). Answer 200 when it succeeds, 400 otherwise, with Cache-Control: no-store.
    QFuture<Result<BackchannelResult>> handleBackchannelLogout(QByteArrayView body, QByteArrayView contentType);
    // Validates a logout token without deleting anything (sessionctl token verify-logout).
    QFuture<Result<BackchannelResult>> verifyLogoutToken(const QByteArray &token);

    // Every check of an ID token (signature against the IdP's keys with the algorithm allowlist,
    // then the claims), one report entry each: what completeLogin applies, and what the test
    // login shows. `nonce` and `accessToken` may be empty (then no nonce / no at_hash expected).
    // An error only when the token could not be checked at all (IdP unreachable, malformed JWKS).
    QFuture<Result<ValidationReport>> validateIdToken(const QString &idToken, const QString &nonce = {},
                                                      const QString &accessToken = {});

    // The userinfo endpoint's claims for an access token.
    QFuture<Result<json::Object>> userInfo(const QString &accessToken);

private:
    struct TokenResponse;
    QFuture<Result<TokenResponse>> tokenRequest(QList<QPair<QString, QString>> form);
    HttpRequest authenticated(const QUrl &endpoint, QList<QPair<QString, QString>> form) const;
    QString sessionIdFor(bool newSession) const;
    QFuture<Result<QString>> accessToken(const QString &sessionId, const QString &audience, const QString &scope,
                                         std::shared_ptr<StoreContext> context, bool force);

    AuthClientOptions m_options;
    std::shared_ptr<HttpClient> m_http;
    std::shared_ptr<StateStore> m_sessions;
    std::shared_ptr<TransactionStore> m_transactions;
    std::unique_ptr<ProviderCache> m_provider;
    std::unique_ptr<class ReplayCache> m_replay;
};

} // namespace si::oidc
