#pragma once

#include "../Result.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QPair>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;
class QThread;

namespace si::oidc {

struct HttpResponse {
    int status = 0;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray header(const QByteArray &name) const;
};

struct HttpRequest {
    enum class Method { Get, Post };
    Method method = Method::Get;
    QUrl url;
    QList<QPair<QString, QString>> form; // POST application/x-www-form-urlencoded
    QByteArray basicUser;                // HTTP Basic client authentication when non-empty
    QByteArray basicPassword;
    QByteArray bearer; // Authorization: Bearer when non-empty
    QByteArray accept = "application/json";
};

// HTTP for the OIDC client: every request runs on the thread of a QNetworkAccessManager and
// completes a QFuture there. Either give it your application's manager (proxy, TLS settings;
// then do not block its thread waiting for a result) or let it own one on a private thread.
// Redirects are not followed (IdP endpoints answer directly). Non-2xx answers are responses, not
// errors; transport failures and timeouts are ErrorCode::NetworkError.
class HttpClient {
public:
    explicit HttpClient(int timeoutMs = 10000); // owns a manager on its own thread
    HttpClient(QNetworkAccessManager *manager, int timeoutMs = 10000);
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    QFuture<Result<HttpResponse>> send(const HttpRequest &request);
    QFuture<Result<HttpResponse>> get(const QUrl &url);

private:
    QNetworkAccessManager *m_manager = nullptr;
    std::unique_ptr<QNetworkAccessManager> m_owned;
    QThread *m_thread = nullptr;
    int m_timeoutMs;
};

// Form encoding as RFC 6749 §B requires (application/x-www-form-urlencoded, UTF-8).
QByteArray formEncode(const QList<QPair<QString, QString>> &fields);
// And its inverse, for receivers (back-channel logout bodies).
QList<QPair<QString, QString>> formDecode(QByteArrayView body);

} // namespace si::oidc
