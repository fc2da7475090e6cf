#pragma once

#include <QByteArray>
#include <QNetworkAccessManager>
#include <QString>
#include <QUrl>

namespace si::test {

// A scripted browser for oidc-provider's dev interaction pages: it follows redirects with a
// cookie jar, fills the login form (any login, any password), accepts consent, cancels, and
// confirms RP-initiated logout. Test code only: each request spins a local event loop.
class IdpBrowser {
public:
    struct Page {
        int status = 0;
        QUrl url;
        QUrl location; // for redirects
        QByteArray body;
        QString error; // transport failure
    };

    IdpBrowser();

    // Follows the authorization request through login and consent until the IdP redirects to a
    // URL starting with `redirectPrefix`; returns that callback URL (empty on failure, see error()).
    QUrl login(const QUrl &authorizationUrl, const QString &user, const QString &redirectPrefix);
    // Opens the login page and presses Cancel; returns the callback URL (with error=access_denied).
    QUrl cancel(const QUrl &authorizationUrl, const QString &redirectPrefix);
    // Opens the end-session URL and confirms; returns where the IdP finally redirected.
    QUrl endSession(const QUrl &logoutUrl);

    Page get(const QUrl &url);
    // A GET that sends `cookieHeader` instead of the jar's cookies (a tampered cookie, say).
    Page getWithCookies(const QUrl &url, const QByteArray &cookieHeader);
    Page post(const QUrl &url, const QByteArray &form);
    Page postJson(const QUrl &url, const QByteArray &json);
    QString error() const { return m_error; }
    // The Cookie header this browser would send to `url` ("a=1; b=2").
    QByteArray cookieHeaderFor(const QUrl &url);

private:
    QUrl follow(Page page, const QString &redirectPrefix, const QString &user, bool cancelLogin);
    Page finish(class QNetworkReply *reply);

    QNetworkAccessManager m_network;
    QString m_error;
};

} // namespace si::test
