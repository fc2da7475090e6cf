#include "RedisConnection.h"

#include "RespReader.h"

#include <QFile>
#include <QScopeGuard>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QThread>

#include <charconv>
#include <iterator>

namespace si::stores {

namespace {

// RESP request encoding — "*<argc>\r\n", then "$<length>\r\n<bytes>\r\n" per argument — written
// straight into the pipeline's buffer, sized up front. hiredis's redisFormatCommandArgv produces
// the same bytes but in an allocation of its own per command, which then has to be copied into the
// pipeline: two more copies of every session envelope, and a growing buffer reallocated on the way
// (a third of sessionctl seed's CPU went there).
qsizetype decimalLength(qsizetype n)
{
    qsizetype digits = 1;
    while (n >= 10) {
        n /= 10;
        ++digits;
    }
    return digits;
}

qsizetype encodedLength(const QList<QByteArray> &args)
{
    qsizetype total = 1 + decimalLength(args.size()) + 2;
    for (const QByteArray &a : args)
        total += 1 + decimalLength(a.size()) + 2 + a.size() + 2;
    return total;
}

void appendHeader(QByteArray &out, char kind, qsizetype n)
{
    char digits[24];
    const auto end = std::to_chars(std::begin(digits), std::end(digits), n).ptr;
    out.append(kind);
    out.append(digits, end - digits);
    out.append("\r\n", 2);
}

void appendCommand(QByteArray &out, const QList<QByteArray> &args)
{
    appendHeader(out, '*', args.size());
    for (const QByteArray &a : args) {
        appendHeader(out, '$', a.size());
        out.append(a);
        out.append("\r\n", 2);
    }
}

} // namespace

RedisConnection::RedisConnection(RedisEndpoint endpoint)
    : m_endpoint(std::move(endpoint))
{}

RedisConnection::~RedisConnection()
{
    close();
}

bool RedisConnection::isConnected() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState && m_reader;
}

void RedisConnection::close()
{
    if (m_socket) {
        m_socket->abort();
        m_socket.reset();
    }
    m_reader.reset();
}

Error RedisConnection::transportError(const QString &what, const QString &detail)
{
    m_failedAfterSending = m_sending;
    close();
    ++m_failures;
    m_sinceFailure.start();
    return makeError(ErrorCode::StoreUnreachable, QStringLiteral("Redis at %1: %2").arg(m_endpoint.address(), what),
                     detail);
}

Status RedisConnection::connect()
{
    // Back off after failures so a dead server is not hammered; the wait happens on the
    // worker thread, never on a GUI thread.
    if (m_failures > 0 && m_sinceFailure.isValid()) {
        const qint64 delay = qMin<qint64>(5000, 100LL << qMin(m_failures - 1, 6));
        const qint64 remaining = delay - m_sinceFailure.elapsed();
        if (remaining > 0)
            QThread::msleep(static_cast<unsigned long>(remaining));
    }
    close();
    if (m_endpoint.tls) {
        auto ssl = std::make_unique<QSslSocket>();
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        if (!m_endpoint.caFile.isEmpty()) {
            const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_endpoint.caFile);
            if (cas.isEmpty())
                return transportError(QStringLiteral("cannot read the CA certificate file"), m_endpoint.caFile);
            config.setCaCertificates(cas);
        }
        config.setPeerVerifyMode(QSslSocket::VerifyPeer);
        ssl->setSslConfiguration(config);
        ssl->setPeerVerifyName(m_endpoint.peerName.isEmpty() ? m_endpoint.host : m_endpoint.peerName);
        ssl->connectToHostEncrypted(m_endpoint.host, m_endpoint.port);
        if (!ssl->waitForEncrypted(m_endpoint.connectTimeoutMs)) {
            QStringList problems;
            for (const QSslError &e : ssl->sslHandshakeErrors())
                problems << e.errorString();
            const QString detail = problems.isEmpty() ? ssl->errorString() : problems.join(QStringLiteral("; "));
            m_socket = std::move(ssl);
            return transportError(QStringLiteral("TLS connection failed"), detail);
        }
        m_socket = std::move(ssl);
    } else {
        m_socket = std::make_unique<QTcpSocket>();
        m_socket->connectToHost(m_endpoint.host, m_endpoint.port);
        if (!m_socket->waitForConnected(m_endpoint.connectTimeoutMs))
            return transportError(QStringLiteral("cannot connect"), m_socket->errorString());
    }
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_reader = std::make_unique<RespReader>();
    m_failures = 0;

    QList<QList<QByteArray>> handshake;
    if (!m_endpoint.password.isEmpty()) {
        if (m_endpoint.user.isEmpty())
            handshake.append({"AUTH", m_endpoint.password.toUtf8()});
        else
            handshake.append({"AUTH", m_endpoint.user.toUtf8(), m_endpoint.password.toUtf8()});
    }
    if (m_endpoint.database != 0)
        handshake.append({"SELECT", QByteArray::number(m_endpoint.database)});
    if (handshake.isEmpty())
        return {};
    auto replies = execute(handshake);
    if (!replies)
        return replies.error();
    for (const RedisReply &reply : *replies) {
        if (reply.isError()) {
            // Never echo what was sent: AUTH carries the password.
            const bool auth = reply.string.startsWith("WRONGPASS") || reply.string.startsWith("NOAUTH") ||
                              reply.string.startsWith("ERR AUTH") || reply.string.contains("password");
            Error e = transportError(auth ? QStringLiteral("authentication failed")
                                          : QStringLiteral("the connection setup was refused"),
                                     QString::fromUtf8(reply.string.left(200)));
            return e;
        }
    }
    return {};
}

Status RedisConnection::writeAll(const QByteArray &bytes)
{
    qsizetype written = 0;
    while (written < bytes.size()) {
        const qint64 n = m_socket->write(bytes.constData() + written, bytes.size() - written);
        if (n < 0)
            return transportError(QStringLiteral("write failed"), m_socket->errorString());
        written += n;
    }
    while (m_socket->bytesToWrite() > 0) {
        if (!m_socket->waitForBytesWritten(m_endpoint.commandTimeoutMs))
            return transportError(QStringLiteral("write timed out or failed"), m_socket->errorString());
    }
    return {};
}

Result<RedisReply> RedisConnection::readReply(QElapsedTimer &timer)
{
    while (true) {
        auto reply = m_reader->next();
        if (!reply)
            return transportError(QStringLiteral("protocol error"), reply.error().detail);
        if (*reply)
            return std::move(**reply);
        const qint64 left = m_endpoint.commandTimeoutMs - timer.elapsed();
        if (left <= 0 || (!m_socket->bytesAvailable() && !m_socket->waitForReadyRead(static_cast<int>(left)))) {
            if (m_socket->state() != QAbstractSocket::ConnectedState)
                return transportError(QStringLiteral("connection lost"), m_socket->errorString());
            Error e = transportError(QStringLiteral("no reply within %1 ms").arg(m_endpoint.commandTimeoutMs));
            e.code = ErrorCode::Timeout;
            return e;
        }
        m_reader->append(m_socket->readAll());
    }
}

Result<QList<RedisReply>> RedisConnection::execute(const QList<QList<QByteArray>> &commands)
{
    return execute(commands, {});
}

Result<QList<RedisReply>> RedisConnection::execute(const QList<QList<QByteArray>> &commands,
                                                   const std::function<void(qsizetype, RedisReply &&)> &onReply)
{
    m_sending = false;
    m_failedAfterSending = false;
    if (!isConnected()) {
        if (auto connected = connect(); !connected)
            return connected.error();
    }
    qsizetype total = 0;
    for (const auto &args : commands) {
        if (args.isEmpty())
            return makeError(ErrorCode::Internal, QStringLiteral("an empty Redis command"));
        total += encodedLength(args);
    }
    QByteArray batch;
    batch.reserve(total);
    for (const auto &args : commands)
        appendCommand(batch, args);
    m_sending = true; // (a write that fails may still have delivered some of the bytes)
    const auto sent = qScopeGuard([this] { m_sending = false; });
    if (auto written = writeAll(batch); !written)
        return written.error();
    QElapsedTimer timer;
    timer.start();
    QList<RedisReply> replies;
    if (!onReply)
        replies.reserve(commands.size());
    for (qsizetype i = 0; i < commands.size(); ++i) {
        auto reply = readReply(timer);
        if (!reply)
            return reply.error();
        if (onReply)
            onReply(i, std::move(reply.value()));
        else
            replies.append(std::move(reply.value()));
    }
    return replies;
}

Result<QList<RedisReply>> RedisConnection::pushed()
{
    if (!isConnected())
        return makeError(ErrorCode::StoreUnreachable,
                         QStringLiteral("Redis at %1: not connected").arg(m_endpoint.address()));
    QList<RedisReply> out;
    // Without an event loop a Qt socket reads from the system only inside waitFor…(): a zero wait
    // takes what is there (and notices a closed connection).
    while (m_socket->bytesAvailable() > 0 || m_socket->waitForReadyRead(0))
        m_reader->append(m_socket->readAll());
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return transportError(QStringLiteral("connection lost"), m_socket->errorString());
    while (true) {
        auto reply = m_reader->next();
        if (!reply)
            return transportError(QStringLiteral("protocol error"), reply.error().detail);
        if (!*reply)
            return out;
        out.append(std::move(**reply));
    }
}

Result<RedisReply> RedisConnection::command(const QList<QByteArray> &args)
{
    auto replies = execute({args});
    if (!replies)
        return replies.error();
    return replies->first();
}

} // namespace si::stores
