#include "SentinelClient.h"

#include <QSet>
#include <QThread>

#include <algorithm>

namespace si::stores {

namespace {

// Commands that only read: running one again, on the old master or the new, changes nothing.
// (SCRIPT LOAD and SCRIPT EXISTS are here too: loading the same script twice is harmless.)
const QSet<QByteArray> &readOnlyCommands()
{
    static const QSet<QByteArray> names{"GET",
                                        "MGET",
                                        "EXISTS",
                                        "TTL",
                                        "PTTL",
                                        "TYPE",
                                        "STRLEN",
                                        "GETRANGE",
                                        "SCAN",
                                        "SSCAN",
                                        "HSCAN",
                                        "ZSCAN",
                                        "SMEMBERS",
                                        "SISMEMBER",
                                        "SMISMEMBER",
                                        "SCARD",
                                        "HGET",
                                        "HMGET",
                                        "HGETALL",
                                        "HEXISTS",
                                        "HLEN",
                                        "HKEYS",
                                        "HVALS",
                                        "ZRANGE",
                                        "ZCARD",
                                        "ZSCORE",
                                        "ZMSCORE",
                                        "ZCOUNT",
                                        "ZRANK",
                                        "ZRANGEBYSCORE",
                                        "ZREVRANGEBYSCORE",
                                        "ZREVRANGE",
                                        "LRANGE",
                                        "LLEN",
                                        "LINDEX",
                                        "DBSIZE",
                                        "INFO",
                                        "PING",
                                        "ROLE",
                                        "TIME",
                                        "ECHO",
                                        "MEMORY",
                                        "OBJECT",
                                        "EXPIRETIME",
                                        "PEXPIRETIME",
                                        "EVALSHA_RO",
                                        "EVAL_RO",
                                        "SCRIPT",
                                        "KEYS",
                                        "RANDOMKEY"};
    return names;
}

bool isTransactionControl(const QByteArray &name)
{
    return name == "MULTI" || name == "EXEC" || name == "DISCARD" || name == "WATCH" || name == "UNWATCH";
}

// Every write of the batch was refused because the server is a replica now (a master just
// demoted): nothing was applied, so the batch may run on the new master.
bool everyWriteRefusedAsReplica(const QList<RedisCommand> &commands, const QList<RedisReply> &replies)
{
    bool anyWrite = false;
    for (qsizetype i = 0; i < commands.size() && i < replies.size(); ++i) {
        const QByteArray name = commands[i].args.value(0).toUpper();
        if (isTransactionControl(name)) {
            if (name == "EXEC" && !(replies[i].isError() && replies[i].string.startsWith("EXECABORT")))
                return false; // a transaction ran
            continue;
        }
        if (SentinelClient::isReadOnly(commands[i].args))
            continue;
        anyWrite = true;
        if (!replies[i].isError() || !replies[i].string.startsWith("READONLY"))
            return false;
    }
    return anyWrite;
}

} // namespace

SentinelClient::SentinelClient(const StoreUrl &url)
    : m_url(url)
{
    const bool auth = url.options.value(QStringLiteral("sentinel_auth")) == QLatin1String("1");
    for (const StoreUrl::Host &host : url.hosts) {
        RedisEndpoint e = redisEndpointFor(url, host);
        e.database = 0;
        if (!auth) {
            e.user.clear();
            e.password.clear();
        }
        m_sentinels.append(e);
    }
    if (url.options.contains(QStringLiteral("failover_timeout_ms")))
        m_failoverTimeoutMs = url.options.value(QStringLiteral("failover_timeout_ms")).toInt();
}

SentinelClient::~SentinelClient() = default;

bool SentinelClient::isReadOnly(const QList<QByteArray> &args)
{
    return !args.isEmpty() && readOnlyCommands().contains(args.first().toUpper());
}

QString SentinelClient::describe() const
{
    return m_master
               ? QStringLiteral("master %1 at %2 (Sentinel)").arg(m_url.masterName, m_master->endpoint().address())
               : QStringLiteral("master %1 (Sentinel, %2 sentinel(s))").arg(m_url.masterName).arg(m_sentinels.size());
}

void SentinelClient::dropMaster()
{
    if (!m_master)
        return;
    m_master->close();
    // Kept, closed, not destroyed: a caller may still hold it from primaries() (a SCAN in
    // progress); using it again reconnects to the old address, and the epoch tells the caller to
    // start over. One per failover.
    m_retired.push_back(std::move(m_master));
    ++m_epoch;
}

Result<RedisEndpoint> SentinelClient::askSentinel(qsizetype index)
{
    const RedisEndpoint &sentinel = m_sentinels[index];
    RedisConnection connection(sentinel);
    auto reply = connection.command({"SENTINEL", "get-master-addr-by-name", m_url.masterName.toUtf8()});
    if (!reply)
        return reply.error();
    if (reply->isError())
        return makeError(ErrorCode::StoreUnreachable,
                         QStringLiteral("the sentinel at %1 refused to name the master").arg(sentinel.address()),
                         QString::fromUtf8(reply->string.left(200)));
    if (reply->isNil() || reply->type != RedisReply::Type::Array)
        return makeError(ErrorCode::NotFound, QStringLiteral("the sentinel at %1 knows no master named \"%2\"")
                                                  .arg(sentinel.address(), m_url.masterName));
    bool ok = false;
    const uint port = reply->elements.size() == 2 ? reply->elements[1].string.toUInt(&ok) : 0;
    const QString host = reply->elements.value(0).type == RedisReply::Type::String
                             ? QString::fromUtf8(reply->elements[0].string)
                             : QString();
    if (!ok || port == 0 || port > 65535 || host.isEmpty() || host.size() > 255)
        return makeError(ErrorCode::MalformedInput,
                         QStringLiteral("the sentinel at %1 gave no usable master address").arg(sentinel.address()));
    return redisEndpointFor(m_url, StoreUrl::Host{host, static_cast<quint16>(port)});
}

void SentinelClient::subscribe(qsizetype index)
{
    m_sinceSubscribeAttempt.start();
    auto connection = std::make_unique<RedisConnection>(m_sentinels[index]);
    auto reply = connection->command({"SUBSCRIBE", "+switch-master"});
    if (reply && reply->type == RedisReply::Type::Array)
        m_announcements = std::move(connection);
}

void SentinelClient::readAnnouncements()
{
    if (!m_announcements) {
        if (!m_sentinels.isEmpty() && (!m_sinceSubscribeAttempt.isValid() || m_sinceSubscribeAttempt.elapsed() > 5000))
            subscribe(m_lastGood);
        return;
    }
    auto messages = m_announcements->pushed();
    if (!messages) {
        m_announcements.reset(); // resubscribed on a later call, maybe to another sentinel
        return;
    }
    for (const RedisReply &m : *messages) {
        // ["message", "+switch-master", "<name> <old-ip> <old-port> <new-ip> <new-port>"]
        if (m.type != RedisReply::Type::Array || m.elements.size() != 3 || m.elements[0].string != "message")
            continue;
        const QList<QByteArray> fields = m.elements[2].string.split(' ');
        if (fields.size() != 5 || fields[0] != m_url.masterName.toUtf8())
            continue;
        const QString announced = QString::fromUtf8(fields[3]) + QLatin1Char(':') + QString::fromUtf8(fields[4]);
        if (m_master && m_master->endpoint().address() != announced)
            dropMaster(); // the next batch asks the sentinels and checks the new master's ROLE
    }
}

Status SentinelClient::discover()
{
    QElapsedTimer waited;
    waited.start();
    Error last = makeError(ErrorCode::StoreUnreachable, QStringLiteral("no sentinel answered"));
    for (int round = 0;; ++round) {
        for (qsizetype i = 0; i < m_sentinels.size(); ++i) {
            const qsizetype index = (m_lastGood + i) % m_sentinels.size();
            auto endpoint = askSentinel(index);
            if (!endpoint) {
                if (endpoint.error().code == ErrorCode::NotFound)
                    return endpoint.error(); // a misspelt name is not an outage
                last = endpoint.error();
                continue;
            }
            auto candidate = std::make_unique<RedisConnection>(*endpoint);
            auto role = candidate->command({"ROLE"});
            if (!role) {
                last = role.error();
                continue;
            }
            const bool master = !role->isError() && role->type == RedisReply::Type::Array &&
                                !role->elements.isEmpty() && role->elements[0].string == "master";
            if (!master) {
                last = makeError(ErrorCode::StoreUnreachable,
                                 QStringLiteral("the sentinels name %1 as master \"%2\", but it is not one (yet)")
                                     .arg(endpoint->address(), m_url.masterName),
                                 role->isError() ? QString::fromUtf8(role->string.left(200)) : QString());
                continue;
            }
            m_master = std::move(candidate);
            m_lastGood = index;
            if (!m_announcements)
                subscribe(index);
            return {};
        }
        if (waited.elapsed() >= m_failoverTimeoutMs) {
            last.message = QStringLiteral("no Redis master \"%1\" within %2 ms: %3")
                               .arg(m_url.masterName)
                               .arg(m_failoverTimeoutMs)
                               .arg(last.message);
            return last;
        }
        // The sentinels are electing a new master (seconds): ask again soon, then less often.
        QThread::msleep(static_cast<unsigned long>(std::min(1000, 100 << std::min(round, 3))));
    }
}

Status SentinelClient::ensureMaster()
{
    if (m_master)
        return {};
    return discover();
}

Result<QList<RedisConnection *>> SentinelClient::primaries()
{
    readAnnouncements();
    if (auto found = ensureMaster(); !found)
        return found.error();
    return QList<RedisConnection *>{m_master.get()};
}

Result<QList<RedisReply>> SentinelClient::execute(const QList<RedisCommand> &commands)
{
    readAnnouncements();
    const bool readOnly =
        std::all_of(commands.cbegin(), commands.cend(), [](const RedisCommand &c) { return isReadOnly(c.args); });
    constexpr int kAttempts = 4;
    for (int attempt = 1;; ++attempt) {
        if (auto found = ensureMaster(); !found)
            return found.error();
        auto replies = m_master->execute(redisArgsOf(commands));
        if (replies) {
            if (readOnly || attempt == kAttempts || !everyWriteRefusedAsReplica(commands, *replies))
                return replies;
            dropMaster(); // demoted: nothing was written; the sentinels know the new master
            continue;
        }
        const bool sent = m_master->failedAfterSending();
        const QString address = m_master->endpoint().address();
        dropMaster();
        if (attempt == kAttempts)
            return replies.error();
        if (readOnly || !sent)
            continue;
        return makeError(replies.error().code == ErrorCode::Timeout ? ErrorCode::Timeout : ErrorCode::StoreUnreachable,
                         QStringLiteral("the Redis master %1 failed during a write, which may or may not have been "
                                        "applied and was not repeated")
                             .arg(address),
                         replies.error().message);
    }
}

} // namespace si::stores
