#include "IdpBrowser.h"

#include <QEventLoop>
#include <QNetworkCookie>
#include <QNetworkCookieJar>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTimer>

namespace si::test {

namespace {

QString formAction(const QByteArray &html)
{
    static const QRegularExpression action(QStringLiteral("<form[^>]*action=\"([^\"]+)\""));
    const auto match = action.match(QString::fromUtf8(html));
    return match.hasMatch() ? match.captured(1).replace(QLatin1String("&amp;"), QLatin1String("&")) : QString();
}

QString hiddenValue(const QByteArray &html, const QString &name)
{
    const QRegularExpression input(QStringLiteral("<input[^>]*name=\"%1\"[^>]*value=\"([^\"]*)\"").arg(name));
    const auto match = input.match(QString::fromUtf8(html));
    return match.hasMatch() ? match.captured(1) : QString();
}

} // namespace

IdpBrowser::IdpBrowser()
{
    m_network.setCookieJar(new QNetworkCookieJar(&m_network));
    m_network.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

IdpBrowser::Page IdpBrowser::finish(QNetworkReply *reply)
{
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Page page;
    page.url = reply->url();
    page.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    page.body = reply->readAll();
    const QByteArray location = reply->rawHeader("Location");
    if (!location.isEmpty())
        page.location = reply->url().resolved(QUrl::fromEncoded(location));
    if (page.status == 0)
        page.error = reply->errorString();
    reply->deleteLater();
    return page;
}

IdpBrowser::Page IdpBrowser::get(const QUrl &url)
{
    return finish(m_network.get(QNetworkRequest(url)));
}

IdpBrowser::Page IdpBrowser::getWithCookies(const QUrl &url, const QByteArray &cookieHeader)
{
    QNetworkRequest request(url);
    request.setRawHeader(QByteArrayLiteral("Cookie"), cookieHeader);
    return finish(m_network.get(request));
}

IdpBrowser::Page IdpBrowser::post(const QUrl &url, const QByteArray &form)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    return finish(m_network.post(request, form));
}

IdpBrowser::Page IdpBrowser::postJson(const QUrl &url, const QByteArray &json)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return finish(m_network.post(request, json));
}

QUrl IdpBrowser::follow(Page page, const QString &redirectPrefix, const QString &user, bool cancelLogin)
{
    for (int step = 0; step < 20; ++step) {
        if (!page.error.isEmpty()) {
            m_error = page.error;
            return {};
        }
        if (page.status >= 300 && page.status < 400) {
            if (page.location.toString().startsWith(redirectPrefix))
                return page.location;
            page = get(page.location);
            continue;
        }
        if (page.status != 200) {
            m_error = QStringLiteral("HTTP %1 at %2: %3")
                          .arg(page.status)
                          .arg(page.url.toString(), QString::fromUtf8(page.body.left(300)));
            return {};
        }
        const QString action = formAction(page.body);
        const QString prompt = hiddenValue(page.body, QStringLiteral("prompt"));
        if (prompt == QLatin1String("login") && cancelLogin) {
            page = get(QUrl(action + QStringLiteral("/abort")));
        } else if (prompt == QLatin1String("login")) {
            page = post(QUrl(action), "prompt=login&login=" + QUrl::toPercentEncoding(user) + "&password=any");
        } else if (prompt == QLatin1String("consent")) {
            page = post(QUrl(action), "prompt=consent");
        } else {
            m_error = QStringLiteral("unexpected page at %1").arg(page.url.toString());
            return {};
        }
    }
    m_error = QStringLiteral("too many steps");
    return {};
}

QByteArray IdpBrowser::cookieHeaderFor(const QUrl &url)
{
    QList<QByteArray> pairs;
    for (const QNetworkCookie &cookie : m_network.cookieJar()->cookiesForUrl(url))
        pairs << cookie.name() + '=' + cookie.value();
    return pairs.join("; ");
}

QUrl IdpBrowser::login(const QUrl &authorizationUrl, const QString &user, const QString &redirectPrefix)
{
    return follow(get(authorizationUrl), redirectPrefix, user, false);
}

QUrl IdpBrowser::cancel(const QUrl &authorizationUrl, const QString &redirectPrefix)
{
    return follow(get(authorizationUrl), redirectPrefix, {}, true);
}

QUrl IdpBrowser::endSession(const QUrl &logoutUrl)
{
    Page page = get(logoutUrl);
    for (int step = 0; step < 10; ++step) {
        if (page.status >= 300 && page.status < 400) {
            if (page.location.host() != logoutUrl.host() || page.location.port() != logoutUrl.port())
                return page.location; // left the IdP: the post-logout redirect
            page = get(page.location);
            continue;
        }
        const QString xsrf = hiddenValue(page.body, QStringLiteral("xsrf"));
        if (page.status == 200 && !xsrf.isEmpty()) {
            page = post(QUrl(formAction(page.body)), "xsrf=" + QUrl::toPercentEncoding(xsrf) + "&logout=yes");
            continue;
        }
        return page.url; // the IdP's own "signed out" page
    }
    return {};
}

} // namespace si::test
