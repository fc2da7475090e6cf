#include "DemoWebApp.h"

#include "core/cookie/CookieHeader.h"
#include "core/text/ControlText.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace si::demo {

namespace {

using Status = QHttpServerResponder::StatusCode;

// The responder outlives the route handler (it is answered from a future's continuation), and
// std::function needs copyable captures.
using SharedResponder = std::shared_ptr<QHttpServerResponder>;

SharedResponder share(QHttpServerResponder &&responder)
{
    return std::make_shared<QHttpServerResponder>(std::move(responder));
}

QByteArray header(const QHttpServerRequest &request, QByteArrayView name)
{
    for (const auto &[key, value] : request.headers()) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray cookieValue(const QHttpServerRequest &request, QByteArrayView name)
{
    // A browser holding the name twice (two paths) sends the most specific first (RFC 6265 §5.4):
    // that one counts.
    for (const Cookie &cookie : parseCookieHeader(header(request, "Cookie"))) {
        if (cookie.name == name)
            return cookie.value;
    }
    return {};
}

// The request's cookies, for stores that keep sessions or login transactions in the browser; they
// add their Set-Cookie headers to it (send() passes them on).
std::shared_ptr<StoreContext> contextOf(const QHttpServerRequest &request)
{
    auto context = std::make_shared<StoreContext>();
    context->requestCookies = parseCookieHeader(header(request, "Cookie"));
    return context;
}

QHttpServerResponse page(const QString &title, const QString &body, Status status = Status::Ok)
{
    const QString html = QStringLiteral("<!doctype html><html><head><meta charset=\"utf-8\"><title>%1</title>"
                                        "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}"
                                        "</style></head><body><h1>%1</h1>%2</body></html>")
                             .arg(title.toHtmlEscaped(), body);
    QHttpServerResponse response(QByteArrayLiteral("text/html; charset=utf-8"), html.toUtf8(), status);
    response.addHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    return response;
}

QHttpServerResponse json(const QJsonObject &object, Status status)
{
    QHttpServerResponse response(QByteArrayLiteral("application/json"),
                                 QJsonDocument(object).toJson(QJsonDocument::Compact), status);
    response.addHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    return response;
}

QHttpServerResponse redirect(const QUrl &to)
{
    QHttpServerResponse response(Status::Found);
    response.addHeader(QByteArrayLiteral("Location"), to.toEncoded());
    response.addHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    return response;
}

// What went wrong, for the user: the error's message (never a token or secret, by the core's rule).
QHttpServerResponse failure(const QString &what, const Error &error, Status status)
{
    return page(what, QStringLiteral("<p>%1</p><p><a href=\"/\">Home</a></p>").arg(error.toString().toHtmlEscaped()),
                status);
}

// A session that cannot be read — a tampered or foreign cookie, a record written with a secret
// since retired — is no session: the request is anonymous (and the reason logged). Only a store
// that cannot be reached is an error page.
Result<std::optional<UserClaims>> unreadableIsAnonymous(Result<std::optional<UserClaims>> user)
{
    if (user || user.error().code == ErrorCode::StoreUnreachable || user.error().code == ErrorCode::Timeout)
        return user;
    qWarning("ignored a session that cannot be read: %s", qPrintable(text::escapeControls(user.error().toString())));
    return std::optional<UserClaims>();
}

void send(const SharedResponder &responder, QHttpServerResponse &&response,
          const std::shared_ptr<StoreContext> &context = {})
{
    if (context) {
        for (const QByteArray &setCookie : std::as_const(context->setCookieHeaders))
            response.addHeader(QByteArrayLiteral("Set-Cookie"), setCookie);
    }
    response.write(std::move(*responder));
}

QByteArray cookie(QByteArrayView name, const QString &value, const QUrl &publicUrl, qint64 maxAge = -1)
{
    QByteArray cookie = name.toByteArray() + '=' + value.toLatin1() + "; Path=/; HttpOnly; SameSite=Lax";
    if (publicUrl.scheme() == QLatin1String("https"))
        cookie += "; Secure";
    if (maxAge >= 0)
        cookie += "; Max-Age=" + QByteArray::number(maxAge);
    return cookie;
}

} // namespace

DemoWebApp::DemoWebApp(std::unique_ptr<oidc::AuthClient> auth, QUrl publicUrl, bool sessionsInCookies, QObject *parent)
    : QObject(parent)
    , m_auth(std::move(auth))
    , m_publicUrl(std::move(publicUrl))
    , m_sessionsInCookies(sessionsInCookies)
{
    using Method = QHttpServerRequest::Method;
    const auto bind = [this](void (DemoWebApp::*handler)(const QHttpServerRequest &, QHttpServerResponder &&)) {
        return [this, handler](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            (this->*handler)(request, std::move(responder));
        };
    };
    m_server.route(QStringLiteral("/"), Method::Get, bind(&DemoWebApp::home));
    m_server.route(QStringLiteral("/login"), Method::Get, bind(&DemoWebApp::login));
    m_server.route(QStringLiteral("/callback"), Method::Get, bind(&DemoWebApp::callback));
    m_server.route(QStringLiteral("/profile"), Method::Get, bind(&DemoWebApp::profile));
    m_server.route(QStringLiteral("/logout"), Method::Get, bind(&DemoWebApp::logout));
    m_server.route(QStringLiteral("/backchannel-logout"), Method::Post, bind(&DemoWebApp::backchannelLogout));
}

DemoWebApp::~DemoWebApp() = default;

void DemoWebApp::bind(QTcpServer *server)
{
    m_server.bind(server);
}

QString DemoWebApp::sessionIdOf(const QHttpServerRequest &request) const
{
    if (!m_sessionsInCookies)
        return QString::fromLatin1(cookieValue(request, kSessionCookie));
    // The session itself is in the browser, under the store's cookie name (chunked: name_0, …).
    const QByteArray name = m_auth->options().stateIdentifier.toLatin1();
    const bool present = !cookieValue(request, name).isEmpty() || !cookieValue(request, name + "_0").isEmpty();
    return present ? m_auth->options().stateIdentifier : QString();
}

void DemoWebApp::home(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const QString sessionId = sessionIdOf(request);
    const auto context = contextOf(request);
    auto out = share(std::move(responder));
    if (sessionId.isEmpty()) {
        send(out, page(QStringLiteral("Session Inspector demo"),
                       QStringLiteral("<p>Not signed in.</p><p><a href=\"/login\">Log in</a></p>")));
        return;
    }
    m_auth->getUser(sessionId, context).then(this, [out, context](Result<std::optional<UserClaims>> read) {
        const auto user = unreadableIsAnonymous(std::move(read));
        if (!user)
            return send(out,
                        failure(QStringLiteral("The session store failed"), user.error(), Status::ServiceUnavailable));
        if (!user->has_value())
            return send(out,
                        page(QStringLiteral("Session Inspector demo"),
                             QStringLiteral("<p>Not signed in (the session has ended).</p>"
                                            "<p><a href=\"/login\">Log in</a></p>")),
                        context);
        const UserClaims &claims = **user;
        send(out,
             page(QStringLiteral("Session Inspector demo"),
                  QStringLiteral("<p>Signed in as <b>%1</b> (%2).</p><p><a href=\"/profile\">Profile (JSON)</a> · "
                                 "<a href=\"/logout\">Log out</a></p>")
                      .arg(claims.name().value_or(claims.sub()).toHtmlEscaped(),
                           claims.email().value_or(QString()).toHtmlEscaped())),
             context);
    });
}

void DemoWebApp::login(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const auto context = contextOf(request);
    auto out = share(std::move(responder));
    m_auth->startLogin({}, context).then(this, [this, out, context](Result<oidc::LoginStart> start) {
        if (!start)
            return send(out, failure(QStringLiteral("Cannot start the login"), start.error(), Status::BadGateway));
        // The login transaction lives in the store, keyed by `state`; this cookie binds it to the
        // browser that started it, so a callback URL from someone else's login is refused here
        // (login CSRF) instead of signing this browser in as them.
        QHttpServerResponse response = redirect(start->authorizationUrl);
        response.addHeader(QByteArrayLiteral("Set-Cookie"),
                           cookie(kTransactionCookie, start->state, m_publicUrl, kTransactionCookieSeconds));
        send(out, std::move(response), context);
    });
}

void DemoWebApp::callback(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    // The redirect URI as the IdP sent the browser to it: our public URL with the request's query.
    QUrl url = m_publicUrl;
    url.setPath(QStringLiteral("/callback"));
    url.setQuery(request.url().query(QUrl::FullyEncoded), QUrl::StrictMode);
    auto out = share(std::move(responder));
    const auto context = contextOf(request);
    const QString state = QUrlQuery(url).queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    if (state.isEmpty() || cookieValue(request, kTransactionCookie) != state.toLatin1()) {
        return send(out, failure(QStringLiteral("The login failed"),
                                 makeError(ErrorCode::InvalidArgument,
                                           QStringLiteral("this login was not started in this browser (or its "
                                                          "cookie expired): start again at /login")),
                                 Status::BadRequest));
    }
    m_auth->completeLogin(url, context).then(this, [this, out, context](Result<oidc::LoginResult> login) {
        if (!login)
            return send(out, failure(QStringLiteral("The login failed"), login.error(), Status::BadRequest), context);
        QUrl profile = m_publicUrl;
        profile.setPath(QStringLiteral("/profile"));
        QHttpServerResponse response = redirect(profile);
        if (!m_sessionsInCookies) // else the store's own cookies carry the session (in `context`)
            response.addHeader(QByteArrayLiteral("Set-Cookie"), cookie(kSessionCookie, login->sessionId, m_publicUrl));
        response.addHeader(QByteArrayLiteral("Set-Cookie"), cookie(kTransactionCookie, QString(), m_publicUrl, 0));
        send(out, std::move(response), context);
    });
}

void DemoWebApp::profile(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const QString sessionId = sessionIdOf(request);
    const auto context = contextOf(request);
    auto out = share(std::move(responder));
    const auto anonymous = [] {
        return json(QJsonObject{{QStringLiteral("error"), QStringLiteral("anonymous")}}, Status::Unauthorized);
    };
    if (sessionId.isEmpty())
        return send(out, anonymous());
    m_auth->getUser(sessionId, context).then(this, [out, anonymous, context](Result<std::optional<UserClaims>> read) {
        const auto user = unreadableIsAnonymous(std::move(read));
        if (!user)
            return send(
                out, json(QJsonObject{{QStringLiteral("error"), user.error().toString()}}, Status::ServiceUnavailable));
        if (!user->has_value())
            return send(out, anonymous(), context);
        QJsonObject claims;
        for (const char *name : {"sub", "sid", "iss", "email", "name"}) {
            if (auto value = (*user)->string(name))
                claims.insert(QLatin1String(name), *value);
        }
        send(out, json(claims, Status::Ok), context);
    });
}

void DemoWebApp::logout(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    const QString sessionId = sessionIdOf(request);
    const auto context = contextOf(request);
    auto out = share(std::move(responder));
    QUrl home = m_publicUrl;
    home.setPath(QStringLiteral("/"));
    if (sessionId.isEmpty())
        return send(out, redirect(home));
    oidc::LogoutOptions options;
    options.returnTo = home.toString();
    m_auth->logout(sessionId, options, context).then(this, [this, out, context](Result<QUrl> to) {
        if (!to)
            return send(out, failure(QStringLiteral("The logout failed"), to.error(), Status::BadGateway), context);
        QHttpServerResponse response = redirect(*to);
        if (!m_sessionsInCookies)
            response.addHeader(QByteArrayLiteral("Set-Cookie"), cookie(kSessionCookie, QString(), m_publicUrl, 0));
        send(out, std::move(response), context);
    });
}

void DemoWebApp::backchannelLogout(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    auto out = share(std::move(responder));
    m_auth->handleBackchannelLogout(request.body(), header(request, "Content-Type"))
        .then(this, [this, out](Result<oidc::BackchannelResult> result) {
            // OIDC Back-Channel Logout 1.0 §2.8: 200 on success, 400 with an error otherwise;
            // never cached. The reason is logged (no token in it), the IdP gets the error code.
            if (!result) {
                qWarning("back-channel logout refused: %s",
                         qPrintable(text::escapeControls(result.error().toString())));
                return send(out, json(QJsonObject{{QStringLiteral("error"), QStringLiteral("invalid_request")},
                                                  {QStringLiteral("error_description"), result.error().message}},
                                      Status::BadRequest));
            }
            const QString who = text::escapeControls(QStringLiteral("sub %1, sid %2")
                                                         .arg(result->target.sub.value_or(QStringLiteral("-")),
                                                              result->target.sid.value_or(QStringLiteral("-"))));
            if (m_sessionsInCookies) // the browsers hold them: refused from now on through the deny list
                qInfo("back-channel logout: cookie sessions of %s are refused from now on", qPrintable(who));
            else
                qInfo("back-channel logout: %lld session(s) removed (%s)", static_cast<long long>(result->removed),
                      qPrintable(who));
            QHttpServerResponse response(Status::Ok);
            response.addHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
            send(out, std::move(response));
        });
}

} // namespace si::demo
