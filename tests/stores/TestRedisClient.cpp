// The Redis client and the native Redis layout against real servers from with-services.sh.

#include "StoreTestSupport.h"
#include "core/async/Worker.h"
#include "core/crypto/Random.h"
#include "stores/StoreFactory.h"
#include "stores/redis/RedisClient.h"
#include "stores/redis/RedisConnection.h"
#include "stores/redis/RespReader.h"
#include "tests/support/TcpProxy.h"
#include "tests/support/TestSupport.h"

#include <QScopeGuard>
#include <QtTest>

using namespace si;
using namespace si::stores;
using namespace si::test;

#define REQUIRE_URL(var, name)                                                                                         \
    const QString var##Text = qEnvironmentVariable(name);                                                              \
    if (var##Text.isEmpty()) {                                                                                         \
        if (servicesRequired())                                                                                        \
            QFAIL(name " is not set but SI_REQUIRE_SERVICES=1");                                                       \
        QSKIP(name " not set (run under scripts/with-services.sh)");                                                   \
    }                                                                                                                  \
    StoreUrl var = StoreUrl::parse(var##Text).value();                                                                 \
    if (var.tls)                                                                                                       \
        var.options.insert(QStringLiteral("cacert"), qEnvironmentVariable("SI_TEST_REDIS_TLS_CA"));

namespace {

QByteArray randomKey()
{
    return "k:" + crypto::randomString(12, crypto::alphanumericAlphabet()).toLatin1();
}

RedisEndpoint endpointOf(const StoreUrl &url, qsizetype host = 0)
{
    RedisEndpoint e;
    e.host = url.hosts[host].name;
    e.port = url.hosts[host].port;
    e.tls = url.tls;
    e.caFile = url.options.value(QStringLiteral("cacert"));
    e.user = url.user;
    e.password = url.password;
    return e;
}

StateData stateFor(const QString &sub, const QString &sid)
{
    StateData state;
    json::Object claims;
    claims.append("iss", "https://idp.test/");
    claims.append("sub", sub);
    claims.append("sid", sid);
    claims.append("email", sub + QStringLiteral("@example.com"));
    state.user = UserClaims::fromIdTokenClaims(claims);
    state.internal.sid = sid;
    state.internal.createdAt = systemClock();
    return state;
}

std::shared_ptr<const SessionCodec> testCodec()
{
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://idp.test/");
    return std::make_shared<SessionCodec>(secretList({"layout-secret"}), options);
}

} // namespace

class TestRedisClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void keySlotMatchesServer();
    void pipeliningKeepsOrder();
    void wrongPasswordIsClearAndSecretFree();
    void tlsRefusesUnknownCa();
    void connectionRefused();
    void respReaderSplitsAndBoundsReplies();
    void clusterSlotsReplyIsChecked();
    void brokenServerRepliesAreRefused();
    void stalledAndDroppedConnectionsRecover();
    void timeoutThenRecovers();
    void clusterFollowsAskAndMoved();
    void envelopeCopiedToAnotherIdIsRefused();
    void noClearTextIdentifiersInKeysOrFields();
};

void TestRedisClient::keySlotMatchesServer()
{
    // Published values first, then the server as the oracle for random and tagged keys.
    QCOMPARE(redisKeySlot("123456789"), quint16(12739));
    QCOMPARE(redisKeySlot("foo"), quint16(12182));
    QCOMPARE(redisKeySlot("{user1000}.following"), redisKeySlot("{user1000}.followers"));
    QCOMPARE(redisKeySlot("foo{}{bar}"), redisKeySlot("foo{}{bar}"));
    REQUIRE_URL(url, "SI_TEST_REDIS_CLUSTER_URL");
    RedisConnection connection(endpointOf(url));
    QList<QByteArray> keys{
        "", "{", "}", "{}", "a{b}c", "foo{}{bar}", "foo{{bar}}zap", "{user1000}.following", "\xff\x00\x10"};
    for (int i = 0; i < 200; ++i)
        keys << crypto::randomBytes(1 + i % 40);
    for (const QByteArray &key : keys) {
        auto reply = connection.command({"CLUSTER", "KEYSLOT", key});
        QVERIFY2(reply.ok(), reply.ok() ? "" : qPrintable(reply.error().toString()));
        QCOMPARE(redisKeySlot(key), quint16(reply->integer));
    }
}

void TestRedisClient::pipeliningKeepsOrder()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_URL");
    auto client = RedisClient::create(url).value();
    const QByteArray key = randomKey();
    QList<RedisCommand> commands;
    for (int i = 0; i < 1000; ++i)
        commands.append({{"INCR", key}, key});
    commands.append({{"GET", "missing:" + key}, "missing:" + key});
    commands.append({{"HGET", key, "f"}, key}); // a type error in the middle of a pipeline
    commands.append({{"DEL", key}, key});
    auto replies = client->execute(commands);
    QVERIFY(replies.ok());
    QCOMPARE(replies->size(), 1003);
    for (int i = 0; i < 1000; ++i)
        QCOMPARE((*replies)[i].integer, qint64(i + 1));
    QVERIFY((*replies)[1000].isNil());
    QVERIFY((*replies)[1001].isError());
    QVERIFY((*replies)[1001].string.startsWith("WRONGTYPE"));
    QCOMPARE((*replies)[1002].integer, 1);
}

void TestRedisClient::wrongPasswordIsClearAndSecretFree()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_URL");
    url.password = QStringLiteral("definitely-not-the-password-5f3a");
    auto client = RedisClient::create(url).value();
    auto reply = client->command({{"PING"}});
    QVERIFY(!reply.ok());
    QCOMPARE(reply.error().code, ErrorCode::StoreUnreachable);
    QVERIFY2(reply.error().message.contains(QLatin1String("authentication failed")),
             qPrintable(reply.error().toString()));
    QVERIFY(!reply.error().toString().contains(url.password));
}

void TestRedisClient::tlsRefusesUnknownCa()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_TLS_URL");
    url.options.remove(QStringLiteral("cacert")); // system CAs do not know the test CA
    auto client = RedisClient::create(url).value();
    auto reply = client->command({{"PING"}});
    QVERIFY(!reply.ok());
    QCOMPARE(reply.error().code, ErrorCode::StoreUnreachable);
    QVERIFY2(reply.error().message.contains(QLatin1String("TLS")), qPrintable(reply.error().toString()));
    QVERIFY2(reply.error().detail.contains(QLatin1String("certificate"), Qt::CaseInsensitive),
             qPrintable(reply.error().toString()));
    // With the CA and the wrong name in the certificate check, it is refused as well.
    REQUIRE_URL(good, "SI_TEST_REDIS_TLS_URL");
    good.options.insert(QStringLiteral("sni"), QStringLiteral("someone-else.example"));
    auto misnamed = RedisClient::create(good).value()->command({{"PING"}});
    QVERIFY(!misnamed.ok());
}

void TestRedisClient::connectionRefused()
{
    const QString text = QStringLiteral("redis://127.0.0.1:1/0"); // nothing listens on port 1
    auto client = RedisClient::create(StoreUrl::parse(text).value()).value();
    auto reply = client->command({{"PING"}});
    QVERIFY(!reply.ok());
    QCOMPARE(reply.error().code, ErrorCode::StoreUnreachable);
    QVERIFY2(reply.error().message.contains(QLatin1String("127.0.0.1:1")), qPrintable(reply.error().toString()));
}

namespace {

// Every reply in `bytes`, fed to a reader `slice` bytes at a time.
Result<QList<RedisReply>> readAll(const QByteArray &bytes, qsizetype slice)
{
    RespReader reader;
    QList<RedisReply> out;
    for (qsizetype at = 0; at <= bytes.size(); at += slice) {
        reader.append(bytes.mid(at, slice));
        while (true) {
            auto next = reader.next();
            if (!next)
                return next.error();
            if (!*next)
                break;
            out.append(std::move(**next));
        }
    }
    return out;
}

RedisReply integer(qint64 value)
{
    RedisReply r;
    r.type = RedisReply::Type::Integer;
    r.integer = value;
    return r;
}

RedisReply bulk(const QByteArray &value)
{
    RedisReply r;
    r.type = RedisReply::Type::String;
    r.string = value;
    return r;
}

RedisReply array(QList<RedisReply> elements)
{
    RedisReply r;
    r.type = RedisReply::Type::Array;
    r.elements = std::move(elements);
    return r;
}

// One CLUSTER SLOTS range: [start, end, [host, port, id]].
RedisReply slotRange(qint64 start, qint64 end, const QByteArray &host, qint64 port)
{
    return array({integer(start), integer(end), array({bulk(host), integer(port), bulk("node-id")})});
}

} // namespace

void TestRedisClient::respReaderSplitsAndBoundsReplies()
{
    const QByteArray big(100000, 'x');
    const QByteArray stream =
        "+OK\r\n:-42\r\n$-1\r\n-ERR no\r\n*2\r\n$3\r\nabc\r\n*1\r\n:7\r\n$100000\r\n" + big + "\r\n";
    for (qsizetype slice : {qsizetype(1), qsizetype(7), qsizetype(1 << 20)}) {
        auto replies = readAll(stream, slice);
        QVERIFY_OK(replies);
        QCOMPARE(replies->size(), 6);
        QCOMPARE((*replies)[0].type, RedisReply::Type::Status);
        QCOMPARE((*replies)[1].integer, -42);
        QVERIFY((*replies)[2].isNil());
        QCOMPARE((*replies)[3].string, QByteArray("ERR no"));
        QCOMPARE((*replies)[4].elements.size(), 2);
        QCOMPARE((*replies)[4].elements[1].elements[0].integer, 7);
        QCOMPARE((*replies)[5].string, big);
    }
    // An array header is refused before hiredis allocates its element table (16 GB here).
    auto huge = readAll("*2000000000\r\n", 64);
    QVERIFY(!huge.ok());
    QCOMPARE(huge.error().code, ErrorCode::MalformedInput);
    QVERIFY2(huge.error().detail.contains(QLatin1String("array of 2000000000 elements")),
             qPrintable(huge.error().toString()));
    // One element more than the limit is refused; a large array under it is read.
    auto over = readAll("*" + QByteArray::number(RespReader::kMaxArrayElements + 1) + "\r\n", 64);
    QVERIFY(!over.ok());
    QByteArray wide = "*100000\r\n";
    for (int i = 0; i < 100000; ++i)
        wide += ":1\r\n";
    auto accepted = readAll(wide, 1 << 20);
    QVERIFY_OK(accepted);
    QCOMPARE(accepted->first().elements.size(), 100000);
    // Not RESP at all, and nesting deeper than hiredis reads.
    for (const QByteArray &bad :
         {QByteArray("HTTP/1.1 400 Bad Request\r\n"), QByteArray(9, '*').replace("*", "*1\r\n")}) {
        auto r = readAll(bad, 3);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::MalformedInput);
    }
}

void TestRedisClient::clusterSlotsReplyIsChecked()
{
    auto map = parseClusterSlots(array({slotRange(0, 99, "10.0.0.1", 7000), slotRange(100, 16383, "", 7001),
                                        slotRange(200, 300, "10.0.0.1", 7000)}),
                                 QStringLiteral("seed.example"));
    QVERIFY_OK(map);
    QCOMPARE(map->primaries, QStringList({"10.0.0.1:7000", "seed.example:7001"}));
    QCOMPARE(map->slots[0], 0);
    QCOMPARE(map->slots[99], 0);
    QCOMPARE(map->slots[100], 1);
    QCOMPARE(map->slots[250], 0); // later ranges win, as the server lists them
    QCOMPARE(map->slots[16383], 1);
    // Replies that would index outside the slot table or name no port are refused, not applied.
    const QList<RedisReply> bad{slotRange(-5, 10, "h", 7000),
                                slotRange(10, 16384, "h", 7000),
                                slotRange(20, 10, "h", 7000),
                                slotRange(0, 10, "h", 0),
                                slotRange(0, 10, "h", 70000),
                                array({integer(0), integer(10)}),
                                array({bulk("0"), integer(10), array({bulk("h"), integer(7000)})}),
                                bulk("OK")};
    for (const RedisReply &range : bad) {
        auto refused = parseClusterSlots(range.type == RedisReply::Type::String ? range : array({range}), {});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::MalformedInput);
    }
}

void TestRedisClient::brokenServerRepliesAreRefused()
{
    // A "server" that answers every command with the same bytes (nothing behind the proxy).
    TcpProxy server(QStringLiteral("127.0.0.1"), 1);
    RedisEndpoint e;
    e.host = QStringLiteral("127.0.0.1");
    e.port = server.port();
    e.commandTimeoutMs = 2000;
    const struct {
        QByteArray reply;
        const char *expected;
    } cases[] = {{"*2000000000\r\n", "array of 2000000000 elements"},
                 {"HTTP/1.1 400 Bad Request\r\n\r\n", "protocol error"},
                 {"$5\r\nab", "no reply within 2000 ms"}};
    for (const auto &c : cases) {
        server.setCannedReply(c.reply);
        RedisConnection connection(e);
        auto reply = connection.command({"PING"});
        QVERIFY(!reply.ok());
        QVERIFY2(reply.error().toString().contains(QLatin1String(c.expected)), qPrintable(reply.error().toString()));
        QVERIFY(!connection.isConnected()); // the stream is out of step: never reused
    }
}

void TestRedisClient::stalledAndDroppedConnectionsRecover()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_URL");
    // The proxy passes bytes, so a TLS server works through it as well (the name checked is still
    // 127.0.0.1).
    TcpProxy proxy(url.hosts[0].name, url.hosts[0].port);
    StoreUrl viaProxy = url;
    viaProxy.hosts[0] = {QStringLiteral("127.0.0.1"), proxy.port()};
    viaProxy.options.insert(QStringLiteral("timeout_ms"), QStringLiteral("300"));
    auto client = RedisClient::create(viaProxy).value();
    const QByteArray key = randomKey();
    QVERIFY_OK(client->command({{"SET", key, "1"}, key}));

    proxy.setStalled(true);
    auto stalled = client->command({{"INCR", key}, key});
    QVERIFY(!stalled.ok());
    QCOMPARE(stalled.error().code, ErrorCode::Timeout);
    proxy.setStalled(false);
    // No wait here: the client closed the timed-out connection, and its next command reconnects
    // (after its own backoff, on its own thread).
    auto afterStall = client->command({{"GET", key}, key});
    QVERIFY_OK(afterStall);
    // The INCR was held by the proxy and never reached the server: the timeout was honest.
    QCOMPARE(afterStall->string, QByteArray("1"));

    // Returns once every proxied connection is reset: the next INCR cannot reach the server on the
    // old connection, so a failure is reported, and retried once, without counting twice.
    proxy.dropConnections();
    auto dropped = client->command({{"INCR", key}, key});
    if (!dropped.ok()) {
        QCOMPARE(dropped.error().code, ErrorCode::StoreUnreachable);
        dropped = client->command({{"INCR", key}, key});
    }
    QVERIFY_OK(dropped);
    QCOMPARE(dropped->integer, 2);
    QVERIFY(proxy.accepted() >= 2);
    RedisConnection direct(endpointOf(url));
    QVERIFY_OK(direct.command({"DEL", key}));
}

void TestRedisClient::timeoutThenRecovers()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_URL");
    url.options.insert(QStringLiteral("timeout_ms"), QStringLiteral("300"));
    auto client = RedisClient::create(url).value();
    QVERIFY(client->command({{"PING"}}).ok());
    RedisConnection admin(endpointOf(url));
    // Writes paused far longer than the test takes, and let go explicitly once the timeout was seen
    // (WRITE, not ALL: under ALL the server would hold the UNPAUSE too).
    const QByteArray key = randomKey();
    QVERIFY(admin.command({"CLIENT", "PAUSE", "20000", "WRITE"}).ok());
    auto unpause = qScopeGuard([&admin] { (void)admin.command({"CLIENT", "UNPAUSE"}); });
    auto stalled = client->command({{"SET", key, "1"}, key});
    QVERIFY(!stalled.ok());
    QCOMPARE(stalled.error().code, ErrorCode::Timeout);
    QVERIFY(admin.command({"CLIENT", "UNPAUSE"}).ok());
    unpause.dismiss();
    auto again = client->command({{"PING"}});
    QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().toString()));
    QCOMPARE(again->string, QByteArray("PONG"));
    QVERIFY(admin.command({"DEL", key}).ok()); // the held SET may have run once let go
}

void TestRedisClient::clusterFollowsAskAndMoved()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_CLUSTER_URL");
    auto client = RedisClient::create(url).value();
    // A key, its slot, its owner and another primary.
    const QByteArray tag = crypto::randomString(10, crypto::alphanumericAlphabet()).toLatin1();
    const QByteArray keyA = "{" + tag + "}:a", keyB = "{" + tag + "}:b";
    QVERIFY(client->execute({{{"SET", keyA, "1"}, keyA}, {{"SET", keyB, "2"}, keyB}}).ok()); // loads the slot map
    const quint16 slot = redisKeySlot(keyA);

    QHash<QString, QByteArray> ids; // address -> node id
    QString owner;
    for (qsizetype i = 0; i < url.hosts.size(); ++i) {
        RedisConnection node(endpointOf(url, i));
        const QString address = node.endpoint().address();
        ids.insert(address, node.command({"CLUSTER", "MYID"})->string);
        auto slots = node.command({"CLUSTER", "SLOTS"});
        for (const RedisReply &range : slots->elements) {
            if (slot >= range.elements[0].integer && slot <= range.elements[1].integer &&
                range.elements[2].elements[1].integer == node.endpoint().port)
                owner = address;
        }
    }
    QVERIFY(!owner.isEmpty());
    QString target;
    for (auto it = ids.cbegin(); it != ids.cend(); ++it) {
        if (it.key() != owner)
            target = it.key();
    }
    auto endpointFor = [&](const QString &address) {
        RedisEndpoint e = endpointOf(url);
        e.host = address.section(QLatin1Char(':'), 0, 0);
        e.port = address.section(QLatin1Char(':'), 1).toUShort();
        return e;
    };
    RedisConnection source(endpointFor(owner)), destination(endpointFor(target));
    const QByteArray s = QByteArray::number(slot);
    QVERIFY(destination.command({"CLUSTER", "SETSLOT", s, "IMPORTING", ids.value(owner)})->type ==
            RedisReply::Type::Status);
    QVERIFY(source.command({"CLUSTER", "SETSLOT", s, "MIGRATING", ids.value(target)})->type ==
            RedisReply::Type::Status);
    // Move one of the two keys: the slot is now split between the nodes.
    auto migrated = source.command({"MIGRATE", destination.endpoint().host.toLatin1(),
                                    QByteArray::number(destination.endpoint().port), "", "0", "5000", "AUTH2",
                                    url.user.toLatin1(), url.password.toLatin1(), "KEYS", keyA});
    QVERIFY2(migrated.ok() && !migrated->isError(), migrated.ok() ? migrated->string.constData() : "");

    // keyA answers with ASK from the owner; the client must follow it.
    auto during = client->execute({{{"GET", keyA}, keyA}, {{"GET", keyB}, keyB}});
    QVERIFY2(during.ok(), during.ok() ? "" : qPrintable(during.error().toString()));
    QCOMPARE((*during)[0].string, QByteArray("1"));
    QCOMPARE((*during)[1].string, QByteArray("2"));

    // Finish the move; the client's map is now stale and MOVED must send it to the new owner.
    QVERIFY(source
                .command({"MIGRATE", destination.endpoint().host.toLatin1(),
                          QByteArray::number(destination.endpoint().port), "", "0", "5000", "AUTH2",
                          url.user.toLatin1(), url.password.toLatin1(), "KEYS", keyB})
                .ok());
    for (const QString &address : ids.keys()) {
        RedisConnection node(endpointFor(address));
        QVERIFY(node.command({"CLUSTER", "SETSLOT", s, "NODE", ids.value(target)}).ok());
    }
    auto after = client->execute({{{"GET", keyA}, keyA}, {{"INCR", keyB}, keyB}, {{"DEL", keyA, keyB}, keyA}});
    QVERIFY2(after.ok(), after.ok() ? "" : qPrintable(after.error().toString()));
    QCOMPARE((*after)[0].string, QByteArray("1"));
    QCOMPARE((*after)[1].integer, 3);
    QCOMPARE((*after)[2].integer, 2);
}

void TestRedisClient::envelopeCopiedToAnotherIdIsRefused()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_URL");
    const QString prefix =
        QStringLiteral("b") + crypto::randomString(8, u"abcdefghijklmnopqrstuvwxyz") + QLatin1Char(':');
    StoreFactory factory(StoreOptions{prefix});
    auto store = factory.stateStore(url, testCodec()).value();
    const QString victim = SessionCodec::newSessionId(), attacker = SessionCodec::newSessionId();
    QVERIFY(await(store->set(victim, stateFor(QStringLiteral("admin"), QStringLiteral("s1")))).ok());
    QVERIFY(await(store->set(attacker, stateFor(QStringLiteral("mallory"), QStringLiteral("s2")))).ok());
    // Someone with write access to Redis (but not the secret) copies the admin's value over theirs.
    RedisConnection raw(endpointOf(url));
    const QByteArray victimValue =
        raw.command({"HGET", (prefix + QStringLiteral("s:") + victim).toLatin1(), "v"})->string;
    QVERIFY(!victimValue.isEmpty());
    QVERIFY(raw.command({"HSET", (prefix + QStringLiteral("s:") + attacker).toLatin1(), "v", victimValue}).ok());
    auto stolen = await(store->get(attacker));
    QVERIFY(!stolen.ok());
    QCOMPARE(stolen.error().code, ErrorCode::DecryptFailed);
    QCOMPARE(stolen.error().message, QStringLiteral("the stored value belongs to another session"));
    QVERIFY(await(store->get(victim))->has_value());
}

void TestRedisClient::noClearTextIdentifiersInKeysOrFields()
{
    REQUIRE_URL(url, "SI_TEST_REDIS_URL");
    const QString prefix =
        QStringLiteral("c") + crypto::randomString(8, u"abcdefghijklmnopqrstuvwxyz") + QLatin1Char(':');
    StoreFactory factory(StoreOptions{prefix});
    auto store = factory.stateStore(url, testCodec()).value();
    const QString sub = QStringLiteral("auth0|clear-text-probe");
    const QString sid = QStringLiteral("sid-clear-text-probe");
    QVERIFY(await(store->set(SessionCodec::newSessionId(), stateFor(sub, sid))).ok());
    RedisConnection raw(endpointOf(url));
    auto keys = raw.command({"KEYS", (prefix + QStringLiteral("*")).toLatin1()});
    QVERIFY(keys.ok());
    QCOMPARE(keys->elements.size(), 4); // session, sub index, sid index, email index
    QStringList dump;
    for (const RedisReply &key : keys->elements) {
        dump << QString::fromLatin1(key.string);
        auto type = raw.command({"TYPE", key.string});
        if (type->string == "hash") {
            auto fields = raw.command({"HGETALL", key.string});
            for (qsizetype i = 0; i + 1 < fields->elements.size(); i += 2) {
                if (fields->elements[i].string != "v")
                    dump << QString::fromLatin1(fields->elements[i + 1].string);
            }
        } else {
            auto members = raw.command({"ZRANGE", key.string, "0", "-1"});
            for (const RedisReply &m : members->elements)
                dump << QString::fromLatin1(m.string);
        }
    }
    const QString all = dump.join(QLatin1Char('\n'));
    for (const QString &secret : {sub, sid, QStringLiteral("clear-text-probe"), QStringLiteral("example.com")})
        QVERIFY2(!all.contains(secret), qPrintable(all));
}

QTEST_GUILESS_MAIN(TestRedisClient)
#include "TestRedisClient.moc"
