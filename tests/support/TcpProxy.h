#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

class QThread;

namespace si::test {

class TcpProxyWorker;

// A TCP proxy on 127.0.0.1 for fault tests, running on a thread of its own (the clients under test
// block on their sockets). It forwards to `targetHost:targetPort` until told otherwise: stall (keep
// every connection open and pass nothing either way), drop (abort every connection), or answer
// every request with fixed bytes itself (a broken or hostile server).
class TcpProxy {
public:
    TcpProxy(const QString &targetHost, quint16 targetPort);
    ~TcpProxy();
    TcpProxy(const TcpProxy &) = delete;
    TcpProxy &operator=(const TcpProxy &) = delete;

    quint16 port() const { return m_port; }
    // Holds bytes in both directions (held bytes are dropped, not delivered later) / passes again.
    void setStalled(bool stalled);
    // Aborts every open connection (new ones are accepted).
    void dropConnections();
    // Non-empty: each read from a client is answered with `reply` and nothing is forwarded.
    void setCannedReply(const QByteArray &reply);
    // Connections accepted so far.
    int accepted() const;

private:
    std::unique_ptr<QThread> m_thread;
    TcpProxyWorker *m_worker = nullptr; // lives on m_thread
    quint16 m_port = 0;
};

} // namespace si::test
