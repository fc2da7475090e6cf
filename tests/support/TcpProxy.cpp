#include "TcpProxy.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <atomic>

namespace si::test {

class TcpProxyWorker : public QObject {
public:
    TcpProxyWorker(QString host, quint16 port)
        : m_host(std::move(host))
        , m_port(port)
    {}

    quint16 listen()
    {
        m_server = new QTcpServer(this);
        connect(m_server, &QTcpServer::newConnection, this, &TcpProxyWorker::accept);
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

    void setStalled(bool stalled) { m_stalled = stalled; }
    void setCannedReply(const QByteArray &reply) { m_canned = reply; }
    void dropConnections()
    {
        const auto sockets = findChildren<QTcpSocket *>();
        for (QTcpSocket *s : sockets) {
            s->abort();
            s->deleteLater();
        }
    }
    std::atomic<int> accepted{0};

private:
    void accept()
    {
        while (QTcpSocket *client = m_server->nextPendingConnection()) {
            ++accepted;
            client->setParent(this);
            auto *upstream = new QTcpSocket(this);
            const QPointer<QTcpSocket> c(client), u(upstream);
            connect(client, &QTcpSocket::readyRead, this, [this, c, u] {
                const QByteArray bytes = c->readAll();
                if (m_stalled)
                    return;
                if (!m_canned.isEmpty())
                    c->write(m_canned);
                else if (u)
                    u->write(bytes);
            });
            connect(upstream, &QTcpSocket::readyRead, this, [this, c, u] {
                const QByteArray bytes = u->readAll();
                if (!m_stalled && c)
                    c->write(bytes);
            });
            const auto closeBoth = [c, u] {
                if (c) {
                    c->disconnectFromHost();
                    c->deleteLater();
                }
                if (u) {
                    u->disconnectFromHost();
                    u->deleteLater();
                }
            };
            connect(client, &QTcpSocket::disconnected, this, closeBoth);
            // While answering itself the proxy needs no upstream (there may be none).
            connect(upstream, &QTcpSocket::disconnected, this, [this, closeBoth] {
                if (m_canned.isEmpty())
                    closeBoth();
            });
            connect(upstream, &QTcpSocket::errorOccurred, this, [this, closeBoth] {
                if (m_canned.isEmpty())
                    closeBoth();
            });
            // No Nagle on either side: a proxy that holds small writes back 40 ms would set the pace.
            client->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            connect(upstream, &QTcpSocket::connected, this,
                    [u] { u->setSocketOption(QAbstractSocket::LowDelayOption, 1); });
            upstream->connectToHost(m_host, m_port);
        }
    }

    QString m_host;
    quint16 m_port;
    QTcpServer *m_server = nullptr;
    bool m_stalled = false;
    QByteArray m_canned;
};

namespace {

template<typename F>
void runOn(QObject *worker, F &&f)
{
    QMetaObject::invokeMethod(worker, std::forward<F>(f), Qt::BlockingQueuedConnection);
}

} // namespace

TcpProxy::TcpProxy(const QString &targetHost, quint16 targetPort)
    : m_thread(std::make_unique<QThread>())
    , m_worker(new TcpProxyWorker(targetHost, targetPort))
{
    m_worker->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    runOn(m_worker, [this] { m_port = m_worker->listen(); });
}

TcpProxy::~TcpProxy()
{
    m_thread->quit();
    m_thread->wait();
}

void TcpProxy::setStalled(bool stalled)
{
    runOn(m_worker, [this, stalled] { m_worker->setStalled(stalled); });
}

void TcpProxy::dropConnections()
{
    runOn(m_worker, [this] { m_worker->dropConnections(); });
}

void TcpProxy::setCannedReply(const QByteArray &reply)
{
    runOn(m_worker, [this, reply] { m_worker->setCannedReply(reply); });
}

int TcpProxy::accepted() const
{
    return m_worker->accepted.load();
}

} // namespace si::test
