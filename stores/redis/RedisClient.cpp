#include "RedisClient.h"
#include "SentinelClient.h"

#include <QMap>
#include <QSet>

#include <algorithm>

namespace si::stores {

namespace {

constexpr std::array<quint16, 256> makeCrcTable()
{
    std::array<quint16, 256> table{};
    for (int i = 0; i < 256; ++i) {
        quint16 crc = static_cast<quint16>(i << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = static_cast<quint16>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
        table[static_cast<size_t>(i)] = crc;
    }
    return table;
}

constexpr auto kCrcTable = makeCrcTable();

} // namespace

RedisEndpoint redisEndpointFor(const StoreUrl &url, const StoreUrl::Host &host)
{
    RedisEndpoint e;
    e.host = host.name;
    e.port = host.port;
    e.tls = url.tls;
    e.caFile = url.options.value(QStringLiteral("cacert"));
    e.peerName = url.options.value(QStringLiteral("sni"));
    e.user = url.user;
    e.password = url.password;
    e.database =
        url.kind == StoreUrl::Kind::Redis || url.kind == StoreUrl::Kind::RedisSentinel ? url.database.toInt() : 0;
    if (url.options.contains(QStringLiteral("timeout_ms")))
        e.commandTimeoutMs = url.options.value(QStringLiteral("timeout_ms")).toInt();
    if (url.options.contains(QStringLiteral("connect_timeout_ms")))
        e.connectTimeoutMs = url.options.value(QStringLiteral("connect_timeout_ms")).toInt();
    return e;
}

QList<QList<QByteArray>> redisArgsOf(const QList<RedisCommand> &commands)
{
    QList<QList<QByteArray>> out;
    out.reserve(commands.size());
    for (const RedisCommand &c : commands)
        out.append(c.args);
    return out;
}

namespace {

class SingleNodeClient : public RedisClient {
public:
    explicit SingleNodeClient(RedisEndpoint endpoint)
        : m_connection(std::move(endpoint))
    {}

    Result<QList<RedisReply>> execute(const QList<RedisCommand> &commands) override
    {
        return m_connection.execute(redisArgsOf(commands));
    }
    Status executeStreaming(const QList<RedisCommand> &commands,
                            const std::function<void(qsizetype, RedisReply &&)> &onReply) override
    {
        auto done = m_connection.execute(redisArgsOf(commands), onReply);
        if (!done)
            return done.error();
        return {};
    }
    Result<QList<RedisConnection *>> primaries() override { return QList<RedisConnection *>{&m_connection}; }
    bool isCluster() const override { return false; }
    QString describe() const override { return m_connection.endpoint().address(); }

private:
    RedisConnection m_connection;
};

class ClusterClient : public RedisClient {
public:
    explicit ClusterClient(const StoreUrl &url)
        : m_url(url)
    {
        for (const StoreUrl::Host &h : url.hosts)
            m_seeds.append(redisEndpointFor(url, h));
        m_slots.fill(-1);
    }

    bool isCluster() const override { return true; }
    QString describe() const override { return QStringLiteral("cluster of %1 seed(s)").arg(m_seeds.size()); }

    Result<QList<RedisConnection *>> primaries() override
    {
        if (m_nodes.isEmpty()) {
            if (auto s = refreshSlots(); !s)
                return s.error();
        }
        QList<RedisConnection *> out;
        for (const auto &node : m_nodes)
            out.append(node.get());
        return out;
    }

    Result<QList<RedisReply>> execute(const QList<RedisCommand> &commands) override
    {
        if (m_nodes.isEmpty()) {
            if (auto s = refreshSlots(); !s)
                return s.error();
        }
        // Units: single commands, or MULTI…EXEC blocks that must stay together.
        QList<QPair<qsizetype, qsizetype>> units; // [first, last]
        for (qsizetype i = 0; i < commands.size(); ++i) {
            if (!commands[i].args.isEmpty() && commands[i].args.first().compare("MULTI", Qt::CaseInsensitive) == 0) {
                qsizetype j = i;
                while (j < commands.size() && !(commands[j].args.first().compare("EXEC", Qt::CaseInsensitive) == 0 ||
                                                commands[j].args.first().compare("DISCARD", Qt::CaseInsensitive) == 0))
                    ++j;
                units.append({i, qMin(j, commands.size() - 1)});
                i = j;
            } else {
                units.append({i, i});
            }
        }
        QList<RedisReply> replies(commands.size());
        QList<qsizetype> pending;
        for (qsizetype u = 0; u < units.size(); ++u)
            pending.append(u);
        QHash<qsizetype, QString> askTarget; // unit -> node address for ASK
        for (int round = 0; round < 5 && !pending.isEmpty(); ++round) {
            // Group the pending units by node, keeping their order.
            QMap<QString, QList<qsizetype>> byNode;
            for (qsizetype u : std::as_const(pending)) {
                const QString node =
                    askTarget.contains(u) ? askTarget.value(u) : nodeFor(commands[units[u].first].routingKey);
                if (node.isEmpty())
                    return makeError(ErrorCode::StoreUnreachable,
                                     QStringLiteral("Redis Cluster: no node serves the key's slot"));
                byNode[node].append(u);
            }
            QList<qsizetype> retry;
            bool refresh = false;
            for (auto it = byNode.cbegin(); it != byNode.cend(); ++it) {
                RedisConnection *connection = connectionFor(it.key());
                QList<QList<QByteArray>> batch;
                QList<qsizetype> replyIndex; // batch position -> command index (-1: ASKING reply)
                for (qsizetype u : it.value()) {
                    for (qsizetype c = units[u].first; c <= units[u].second; ++c) {
                        if (askTarget.contains(u)) {
                            batch.append({"ASKING"});
                            replyIndex.append(-1);
                        }
                        batch.append(commands[c].args);
                        replyIndex.append(c);
                    }
                }
                auto result = connection->execute(batch);
                if (!result) {
                    // The node may be gone: drop the map, retry everything it had once more.
                    refresh = true;
                    m_lastError = result.error();
                    retry.append(it.value());
                    continue;
                }
                for (qsizetype b = 0; b < batch.size(); ++b) {
                    if (replyIndex[b] >= 0)
                        replies[replyIndex[b]] = (*result)[b];
                }
            }
            askTarget.clear();
            for (qsizetype u : std::as_const(pending)) {
                if (retry.contains(u))
                    continue;
                for (qsizetype c = units[u].first; c <= units[u].second; ++c) {
                    const RedisReply &r = replies[c];
                    if (r.isRedirect() || (r.isError() && r.string.startsWith("EXECABORT")) ||
                        (r.isError() && r.string.startsWith("TRYAGAIN"))) {
                        if (r.string.startsWith("ASK ")) {
                            askTarget.insert(u, QString::fromLatin1(r.string.split(' ').value(2)));
                        } else {
                            refresh = true;
                        }
                        retry.append(u);
                        break;
                    }
                }
            }
            if (refresh) {
                if (auto s = refreshSlots(); !s && retry.size() == pending.size())
                    return s.error();
            }
            pending = retry;
        }
        if (!pending.isEmpty())
            return m_lastError.message.isEmpty()
                       ? makeError(ErrorCode::StoreUnreachable, QStringLiteral("Redis Cluster kept redirecting"))
                       : m_lastError;
        return replies;
    }

private:
    QString nodeFor(const QByteArray &key) const
    {
        if (key.isEmpty())
            return m_nodes.isEmpty() ? QString() : m_nodes.firstKey();
        const int index = m_slots[redisKeySlot(key)];
        return index < 0 ? QString() : m_addresses.value(index);
    }

    RedisConnection *connectionFor(const QString &address)
    {
        auto it = m_nodes.find(address);
        if (it != m_nodes.end())
            return it->get();
        const qsizetype colon = address.lastIndexOf(QLatin1Char(':'));
        StoreUrl::Host host{address.left(colon), static_cast<quint16>(address.mid(colon + 1).toUInt())};
        auto connection = std::make_unique<RedisConnection>(redisEndpointFor(m_url, host));
        RedisConnection *raw = connection.get();
        m_nodes.insert(address, std::move(connection));
        return raw;
    }

    Status refreshSlots()
    {
        QList<RedisEndpoint> candidates = m_seeds;
        for (const auto &node : m_nodes)
            candidates.append(node->endpoint());
        Error last = makeError(ErrorCode::StoreUnreachable, QStringLiteral("Redis Cluster unreachable"));
        for (const RedisEndpoint &e : candidates) {
            RedisConnection *connection = connectionFor(e.address());
            auto reply = connection->command({"CLUSTER", "SLOTS"});
            if (!reply) {
                last = reply.error();
                continue;
            }
            if (reply->isError()) {
                last = makeError(ErrorCode::StoreUnreachable,
                                 QStringLiteral("not a Redis Cluster node: %1").arg(e.address()),
                                 QString::fromUtf8(reply->string.left(200)));
                continue;
            }
            auto map = parseClusterSlots(*reply, e.host);
            if (!map) {
                last = map.error();
                continue;
            }
            m_slots = map->slots;
            m_addresses = std::move(map->primaries);
            // Keep only connections to current primaries.
            for (auto it = m_nodes.begin(); it != m_nodes.end();) {
                if (!m_addresses.contains(it.key()))
                    it = m_nodes.erase(it);
                else
                    ++it;
            }
            for (const QString &address : std::as_const(m_addresses))
                connectionFor(address);
            return {};
        }
        return last;
    }

    StoreUrl m_url;
    QList<RedisEndpoint> m_seeds;
    std::array<int, 16384> m_slots{};
    QStringList m_addresses;
    QMap<QString, std::shared_ptr<RedisConnection>> m_nodes;
    Error m_lastError;
};

} // namespace

Result<ClusterSlotMap> parseClusterSlots(const RedisReply &reply, const QString &fallbackHost)
{
    const auto malformed = [](qsizetype range, const QString &what) {
        return makeError(ErrorCode::MalformedInput, QStringLiteral("malformed CLUSTER SLOTS reply"),
                         range < 0 ? what : QStringLiteral("range %1: %2").arg(range).arg(what));
    };
    if (reply.type != RedisReply::Type::Array)
        return malformed(-1, QStringLiteral("not an array"));
    ClusterSlotMap map;
    map.slots.fill(-1);
    for (qsizetype r = 0; r < reply.elements.size(); ++r) {
        const RedisReply &range = reply.elements[r];
        if (range.type != RedisReply::Type::Array || range.elements.size() < 3)
            return malformed(r, QStringLiteral("not [start, end, primary, …]"));
        const RedisReply &start = range.elements[0];
        const RedisReply &end = range.elements[1];
        if (start.type != RedisReply::Type::Integer || end.type != RedisReply::Type::Integer || start.integer < 0 ||
            end.integer < start.integer || end.integer >= qint64(map.slots.size()))
            return malformed(r, QStringLiteral("slots must be 0 ≤ start ≤ end ≤ 16383"));
        const RedisReply &primary = range.elements[2];
        if (primary.type != RedisReply::Type::Array || primary.elements.size() < 2 ||
            primary.elements[1].type != RedisReply::Type::Integer || primary.elements[1].integer < 1 ||
            primary.elements[1].integer > 65535)
            return malformed(r, QStringLiteral("the primary is not [host, port, …]"));
        // Nodes may announce an empty address (or "?" when they do not know it): the one we used.
        QString host = QString::fromLatin1(primary.elements[0].string);
        if (host.isEmpty() || host == QLatin1String("?"))
            host = fallbackHost;
        const QString address = host + QLatin1Char(':') + QString::number(primary.elements[1].integer);
        qsizetype index = map.primaries.indexOf(address);
        if (index < 0) {
            map.primaries.append(address);
            index = map.primaries.size() - 1;
        }
        std::fill(map.slots.begin() + start.integer, map.slots.begin() + end.integer + 1, static_cast<int>(index));
    }
    return map;
}

quint16 redisKeySlot(QByteArrayView key)
{
    // Only the part inside the first {…} counts, when it is non-empty.
    if (const qsizetype open = key.indexOf('{'); open >= 0) {
        const qsizetype close = key.indexOf('}', open + 1);
        if (close > open + 1)
            key = key.sliced(open + 1, close - open - 1);
    }
    quint16 crc = 0;
    for (char c : key)
        crc = static_cast<quint16>((crc << 8) ^ kCrcTable[((crc >> 8) ^ static_cast<unsigned char>(c)) & 0xff]);
    return crc & 16383;
}

Status RedisClient::executeStreaming(const QList<RedisCommand> &commands,
                                     const std::function<void(qsizetype, RedisReply &&)> &onReply)
{
    auto replies = execute(commands);
    if (!replies)
        return replies.error();
    for (qsizetype i = 0; i < replies->size(); ++i)
        onReply(i, std::move((*replies)[i]));
    return {};
}

Result<RedisReply> RedisClient::command(const RedisCommand &c)
{
    auto replies = execute({c});
    if (!replies)
        return replies.error();
    return replies->first();
}

Result<std::unique_ptr<RedisClient>> RedisClient::create(const StoreUrl &url)
{
    if (url.kind == StoreUrl::Kind::Redis)
        return std::unique_ptr<RedisClient>(
            std::make_unique<SingleNodeClient>(redisEndpointFor(url, url.hosts.first())));
    if (url.kind == StoreUrl::Kind::RedisCluster)
        return std::unique_ptr<RedisClient>(std::make_unique<ClusterClient>(url));
    if (url.kind == StoreUrl::Kind::RedisSentinel)
        return std::unique_ptr<RedisClient>(std::make_unique<SentinelClient>(url));
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a Redis URL"));
}

} // namespace si::stores
