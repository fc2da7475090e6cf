#pragma once

#include "RedisReply.h"
#include "core/Result.h"

#include <QElapsedTimer>
#include <QString>

#include <functional>

#include <memory>

class QTcpSocket;

namespace si::stores {

class RespReader;

struct RedisEndpoint {
    QString host;
    quint16 port = 6379;
    bool tls = false;
    QString caFile;   // PEM bundle to trust; system CAs when empty. Verification is always on.
    QString peerName; // name to verify in the certificate; `host` when empty
    QString user;     // ACL user (Redis 6+); "default" when only a password is set
    QString password;
    int database = 0;
    int connectTimeoutMs = 5000;
    int commandTimeoutMs = 5000;

    QString address() const { return host + QLatin1Char(':') + QString::number(port); }
};

// One connection to one Redis server, speaking RESP through hiredis's reader and command
// formatter over a Qt socket (QSslSocket for TLS: Debian's hiredis has no TLS). Blocking: it is
// owned and used by one worker thread. execute() pipelines: all commands go out in one write, the
// replies come back in order. A transport failure or timeout fails the batch, closes the socket
// and the next call reconnects after a backoff (0.1 s doubling up to 5 s). Redis error replies are
// returned as replies, not as failures.
class RedisConnection {
public:
    explicit RedisConnection(RedisEndpoint endpoint);
    ~RedisConnection();
    RedisConnection(const RedisConnection &) = delete;
    RedisConnection &operator=(const RedisConnection &) = delete;

    Result<QList<RedisReply>> execute(const QList<QList<QByteArray>> &commands);
    // Hands each reply to `onReply` as soon as it is parsed (so callers can work on early replies
    // while later ones are still arriving); the returned list is then empty.
    Result<QList<RedisReply>> execute(const QList<QList<QByteArray>> &commands,
                                      const std::function<void(qsizetype, RedisReply &&)> &onReply);
    Result<RedisReply> command(const QList<QByteArray> &args);

    // Messages that came without a command (a subscriber's), as far as they have arrived: never
    // waits. Fails when the connection is closed or breaks.
    Result<QList<RedisReply>> pushed();
    // Whether the last execute() that failed had sent any of its commands: when not, none of them
    // can have run, and a write may go to another server without running twice.
    bool failedAfterSending() const { return m_failedAfterSending; }

    bool isConnected() const;
    void close();
    const RedisEndpoint &endpoint() const { return m_endpoint; }

private:
    Status connect();
    Status writeAll(const QByteArray &bytes);
    Result<RedisReply> readReply(QElapsedTimer &timer);
    Error transportError(const QString &what, const QString &detail = {});

    RedisEndpoint m_endpoint;
    std::unique_ptr<QTcpSocket> m_socket;
    std::unique_ptr<RespReader> m_reader;
    int m_failures = 0;
    QElapsedTimer m_sinceFailure;
    bool m_sending = false; // inside execute(), once the first byte went out
    bool m_failedAfterSending = false;
};

} // namespace si::stores
