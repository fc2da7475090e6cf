#include "HttpClient.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPromise>
#include <QThread>
#include <QUrlQuery>

namespace si::oidc {

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QByteArray formEncode(const QList<QPair<QString, QString>> &fields)
{
    QByteArray out;
    for (const auto &[key, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        // application/x-www-form-urlencoded: unreserved characters stay, space is '+'.
        out += QUrl::toPercentEncoding(key, " ").replace(' ', '+') + '=' +
               QUrl::toPercentEncoding(value, " ").replace(' ', '+');
    }
    return out;
}

QList<QPair<QString, QString>> formDecode(QByteArrayView body)
{
    QList<QPair<QString, QString>> out;
    for (const QByteArray &pair : body.toByteArray().split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        QByteArray key = eq < 0 ? pair : pair.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : pair.mid(eq + 1);
        key.replace('+', ' ');
        value.replace('+', ' ');
        out.append({QUrl::fromPercentEncoding(key), QUrl::fromPercentEncoding(value)});
    }
    return out;
}

HttpClient::HttpClient(int timeoutMs)
    : m_thread(new QThread)
    , m_timeoutMs(timeoutMs)
{
    m_thread->setObjectName(QStringLiteral("si-http"));
    m_owned = std::make_unique<QNetworkAccessManager>();
    m_owned->moveToThread(m_thread);
    m_manager = m_owned.get();
    m_thread->start();
}

HttpClient::HttpClient(QNetworkAccessManager *manager, int timeoutMs)
    : m_manager(manager)
    , m_timeoutMs(timeoutMs)
{}

HttpClient::~HttpClient()
{
    if (!m_thread)
        return;
    if (QThread::currentThread() == m_thread) {
        // Released by a continuation running on our own thread, inside a reply's signal: the
        // manager cannot be torn down under itself, nor the thread wait for itself. Both are
        // finished by the thread's end (deferred deletes run as it finishes) and its owner's loop.
        m_owned.release()->deleteLater();
        QObject::connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
        m_thread->quit();
        return;
    }
    // The owned manager (and its replies) must die on its own thread.
    QMetaObject::invokeMethod(
        m_manager, [this] { m_owned.reset(); }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

QFuture<Result<HttpResponse>> HttpClient::get(const QUrl &url)
{
    HttpRequest request;
    request.url = url;
    return send(request);
}

QFuture<Result<HttpResponse>> HttpClient::send(const HttpRequest &request)
{
    auto promise = std::make_shared<QPromise<Result<HttpResponse>>>();
    promise->start();
    QFuture<Result<HttpResponse>> future = promise->future();
    const int timeout = m_timeoutMs;
    QMetaObject::invokeMethod(
        m_manager,
        [manager = m_manager, request, promise, timeout] {
            QNetworkRequest r(request.url);
            r.setRawHeader("Accept", request.accept);
            r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
            r.setTransferTimeout(timeout);
            if (!request.basicUser.isEmpty()) {
                // RFC 6749 §2.3.1: client id and secret are form-encoded before Basic encoding.
                const QByteArray credentials = QUrl::toPercentEncoding(QString::fromUtf8(request.basicUser)) + ':' +
                                               QUrl::toPercentEncoding(QString::fromUtf8(request.basicPassword));
                r.setRawHeader("Authorization", "Basic " + credentials.toBase64());
            } else if (!request.bearer.isEmpty()) {
                r.setRawHeader("Authorization", "Bearer " + request.bearer);
            }
            QNetworkReply *reply = nullptr;
            if (request.method == HttpRequest::Method::Post) {
                r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
                reply = manager->post(r, formEncode(request.form));
            } else {
                reply = manager->get(r);
            }
            QObject::connect(reply, &QNetworkReply::finished, reply, [reply, promise, url = request.url] {
                reply->deleteLater();
                const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
                if (!status.isValid()) {
                    promise->addResult(Result<HttpResponse>(makeError(
                        ErrorCode::NetworkError,
                        QStringLiteral("cannot reach %1").arg(url.toString(QUrl::RemoveQuery | QUrl::RemoveUserInfo)),
                        reply->errorString())));
                    promise->finish();
                    return;
                }
                HttpResponse response;
                response.status = status.toInt();
                response.body = reply->readAll();
                for (const auto &pair : reply->rawHeaderPairs())
                    response.headers.append(pair);
                promise->addResult(Result<HttpResponse>(std::move(response)));
                promise->finish();
            });
        },
        Qt::QueuedConnection);
    return future;
}

} // namespace si::oidc
