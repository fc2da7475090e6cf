#pragma once

#include "core/oidc/AuthClient.h"

#include <QHttpServer>
#include <QObject>
#include <QUrl>

#include <memory>

class QHttpServerRequest;
class QTcpServer;
class QHttpServerResponder;

namespace si::demo {

// A small web application on Qt HttpServer built only on the core library (and a store from
// si_stores): the OpenID Connect relying party the README describes, serving
//
//   GET  /                     who is signed in, with links
//   GET  /login                302 to the IdP (PKCE, state, nonce; the transaction in the store)
//   GET  /callback             completes the login, sets the session cookie, 302 to /profile
//   GET  /profile              the signed-in user's claims as JSON; 401 when anonymous
//   GET  /logout               ends the session, 302 to the IdP's end-session endpoint
//   POST /backchannel-logout   OIDC Back-Channel Logout 1.0 (form-encoded logout_token)
//
// Every route is asynchronous: the AuthClient's futures continue on this object's thread and
// answer through the request's responder, so a slow IdP or store never blocks other requests.
// With a server-side store the session cookie carries only the store's random session id; with
// stateless cookie sessions the encrypted session itself is in the browser (chunked). A
// short-lived login cookie binds each login to the browser that started it.
class DemoWebApp : public QObject {
    Q_OBJECT
public:
    static constexpr char kSessionCookie[] = "si_demo_session";
    static constexpr char kTransactionCookie[] = "si_demo_login";
    static constexpr qint64 kTransactionCookieSeconds = 600;

    // `publicUrl` is where browsers reach this application (the redirect URI is publicUrl/callback).
    // `sessionsInCookies`: the AuthClient's state store keeps sessions in the browser (stateless
    // cookies, auth0-fastapi's format) instead of behind a session-id cookie.
    DemoWebApp(std::unique_ptr<oidc::AuthClient> auth, QUrl publicUrl, bool sessionsInCookies = false,
               QObject *parent = nullptr);
    ~DemoWebApp() override;

    // Serves on `server`, which listens already (the public URL depends on its port).
    void bind(QTcpServer *server);

    oidc::AuthClient &auth() { return *m_auth; }

private:
    QString sessionIdOf(const QHttpServerRequest &request) const;
    void home(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void login(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void callback(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void profile(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void logout(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    void backchannelLogout(const QHttpServerRequest &request, QHttpServerResponder &&responder);

    std::unique_ptr<oidc::AuthClient> m_auth;
    QUrl m_publicUrl;
    bool m_sessionsInCookies;
    QHttpServer m_server;
};

} // namespace si::demo
