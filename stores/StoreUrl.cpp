#include "StoreUrl.h"

#include <QUrl>
#include <QUrlQuery>

namespace si::stores {

namespace {

Error bad(const QString &why)
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid store URL"), why);
}

Result<StoreUrl::Host> parseHost(const QString &text, quint16 defaultPort)
{
    StoreUrl::Host host;
    QString name = text;
    quint16 port = defaultPort;
    if (name.startsWith(QLatin1Char('['))) { // [::1]:6379
        const qsizetype close = name.indexOf(QLatin1Char(']'));
        if (close < 0)
            return bad(QStringLiteral("unterminated IPv6 address"));
        const QString rest = name.mid(close + 1);
        name = name.mid(1, close - 1);
        if (rest.startsWith(QLatin1Char(':'))) {
            bool ok = false;
            port = rest.mid(1).toUShort(&ok);
            if (!ok)
                return bad(QStringLiteral("invalid port"));
        }
    } else if (const qsizetype colon = name.lastIndexOf(QLatin1Char(':')); colon >= 0) {
        bool ok = false;
        port = name.mid(colon + 1).toUShort(&ok);
        if (!ok || port == 0)
            return bad(QStringLiteral("invalid port"));
        name.truncate(colon);
    }
    if (name.isEmpty())
        return bad(QStringLiteral("missing host"));
    host.name = name;
    host.port = port;
    return host;
}

// Options are checked, not passed through: a misspelt option would otherwise be ignored without a
// word, and no option may turn certificate verification off. PostgreSQL takes sslmode=verify-full
// (TLS, certificate and host name verified) or sslmode=disable (plaintext, said so); the libpq
// modes that encrypt without verifying are refused, and without sslmode the connection is
// plaintext (libpq's own default, "prefer", would be unverified TLS when the server offers it).
Status checkOptions(const StoreUrl &url)
{
    static const QStringList redis{QStringLiteral("cacert"), QStringLiteral("sni"), QStringLiteral("timeout_ms"),
                                   QStringLiteral("connect_timeout_ms")};
    static const QStringList cluster = redis + QStringList{QStringLiteral("tls")};
    static const QStringList sentinel =
        redis + QStringList{QStringLiteral("sentinel_auth"), QStringLiteral("failover_timeout_ms")};
    static const QStringList postgres{QStringLiteral("sslmode"),          QStringLiteral("sslrootcert"),
                                      QStringLiteral("sslcert"),          QStringLiteral("sslkey"),
                                      QStringLiteral("application_name"), QStringLiteral("connect_timeout"),
                                      QStringLiteral("timeout_ms")};
    const QStringList &known = url.kind == StoreUrl::Kind::Postgres        ? postgres
                               : url.kind == StoreUrl::Kind::RedisCluster  ? cluster
                               : url.kind == StoreUrl::Kind::RedisSentinel ? sentinel
                                                                           : redis;
    for (auto it = url.options.cbegin(); it != url.options.cend(); ++it) {
        if (!known.contains(it.key()))
            return bad(QStringLiteral("unknown option \"%1\" for %2 (known: %3)")
                           .arg(it.key().left(32), url.kindName(), known.join(QLatin1String(", "))));
    }
    // Timeouts are whole numbers (connect_timeout: seconds, as libpq's; the others milliseconds).
    for (const char *name : {"timeout_ms", "connect_timeout_ms", "connect_timeout", "failover_timeout_ms"}) {
        const QString key = QLatin1String(name);
        if (!url.options.contains(key))
            continue;
        bool ok = false;
        const qint64 value = url.options.value(key).toLongLong(&ok);
        if (!ok || value < 1 || value > (key == QLatin1String("connect_timeout") ? 3600 : 3600000))
            return bad(QStringLiteral("%1 must be a whole number from 1 to %2")
                           .arg(key, key == QLatin1String("connect_timeout") ? QStringLiteral("3600 (seconds)")
                                                                             : QStringLiteral("3600000 (ms)")));
    }
    if (url.options.contains(QStringLiteral("sentinel_auth")) &&
        url.options.value(QStringLiteral("sentinel_auth")) != QLatin1String("1") &&
        url.options.value(QStringLiteral("sentinel_auth")) != QLatin1String("0"))
        return bad(QStringLiteral("sentinel_auth must be 1 or 0"));
    if (url.kind == StoreUrl::Kind::RedisCluster && url.options.contains(QStringLiteral("tls")) &&
        url.options.value(QStringLiteral("tls")) != QLatin1String("1") &&
        url.options.value(QStringLiteral("tls")) != QLatin1String("0"))
        return bad(QStringLiteral("tls must be 1 or 0"));
    if (url.kind == StoreUrl::Kind::Postgres && url.options.contains(QStringLiteral("sslmode"))) {
        const QString mode = url.options.value(QStringLiteral("sslmode"));
        if (mode != QLatin1String("verify-full") && mode != QLatin1String("disable"))
            return bad(QStringLiteral("sslmode=%1 does not verify the server's certificate and host name; use "
                                      "sslmode=verify-full (with sslrootcert=CA file), or sslmode=disable for "
                                      "plaintext")
                           .arg(mode.left(32)));
    }
    if (url.kind == StoreUrl::Kind::Postgres &&
        url.options.value(QStringLiteral("sslmode")) != QLatin1String("verify-full")) {
        for (const char *name : {"sslrootcert", "sslcert", "sslkey"}) {
            if (url.options.contains(QLatin1String(name)))
                return bad(QStringLiteral("%1 needs sslmode=verify-full").arg(QLatin1String(name)));
        }
    }
    return {};
}

} // namespace

Result<StoreUrl> StoreUrl::parse(const QString &text)
{
    StoreUrl url;
    if (text == QLatin1String("memory:") || text == QLatin1String("memory")) {
        url.kind = Kind::Memory;
        return url;
    }
    if (text.startsWith(QLatin1String("sqlite:"))) {
        url.kind = Kind::Sqlite;
        url.path = text.mid(7);
        if (url.path.startsWith(QLatin1String("//")))
            url.path = QUrl(text).path();
        if (url.path.isEmpty())
            return bad(QStringLiteral("sqlite: needs a file path (or :memory:)"));
        return url;
    }
    const qsizetype schemeEnd = text.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return bad(QStringLiteral("expected memory:, sqlite:PATH, redis://, rediss://, redis+cluster://, "
                                  "redis+sentinel:// or postgresql://"));
    const QString scheme = text.left(schemeEnd).toLower();
    QString rest = text.mid(schemeEnd + 3);
    QString query;
    if (const qsizetype q = rest.indexOf(QLatin1Char('?')); q >= 0) {
        query = rest.mid(q + 1);
        rest.truncate(q);
    }
    for (const auto &[key, value] : QUrlQuery(query).queryItems(QUrl::FullyDecoded))
        url.options.insert(key, value);
    QString path;
    if (const qsizetype slash = rest.indexOf(QLatin1Char('/')); slash >= 0) {
        path = rest.mid(slash + 1);
        rest.truncate(slash);
    }
    if (const qsizetype at = rest.lastIndexOf(QLatin1Char('@')); at >= 0) {
        const QString credentials = rest.left(at);
        rest = rest.mid(at + 1);
        const qsizetype colon = credentials.indexOf(QLatin1Char(':'));
        url.user = QUrl::fromPercentEncoding(credentials.left(colon).toUtf8());
        if (colon >= 0)
            url.password = QUrl::fromPercentEncoding(credentials.mid(colon + 1).toUtf8());
    }

    quint16 defaultPort = 0;
    if (scheme == QLatin1String("redis") || scheme == QLatin1String("rediss")) {
        url.kind = Kind::Redis;
        url.tls = scheme == QLatin1String("rediss");
        defaultPort = 6379;
    } else if (scheme == QLatin1String("redis+cluster") || scheme == QLatin1String("rediss+cluster")) {
        url.kind = Kind::RedisCluster;
        url.tls =
            scheme == QLatin1String("rediss+cluster") || url.options.value(QStringLiteral("tls")) == QLatin1String("1");
        defaultPort = 6379;
    } else if (scheme == QLatin1String("redis+sentinel") || scheme == QLatin1String("rediss+sentinel")) {
        url.kind = Kind::RedisSentinel;
        url.tls = scheme == QLatin1String("rediss+sentinel");
        defaultPort = 26379;
    } else if (scheme == QLatin1String("postgresql") || scheme == QLatin1String("postgres")) {
        url.kind = Kind::Postgres;
        defaultPort = 5432;
    } else {
        return bad(QStringLiteral("unknown scheme \"%1\"").arg(scheme.left(32)));
    }
    for (const QString &part : rest.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        auto host = parseHost(part, defaultPort);
        if (!host)
            return host.error();
        url.hosts.append(*host);
    }
    if (url.hosts.isEmpty())
        return bad(QStringLiteral("missing host"));
    if (url.kind != Kind::RedisCluster && url.kind != Kind::RedisSentinel && url.hosts.size() > 1)
        return bad(QStringLiteral("several hosts are only allowed for redis+cluster:// and redis+sentinel://"));
    if (url.kind == Kind::RedisSentinel) {
        // "/mastername[/db]"
        const QStringList parts = path.split(QLatin1Char('/'));
        url.masterName = QUrl::fromPercentEncoding(parts.value(0).toUtf8());
        if (url.masterName.isEmpty() || parts.size() > 2)
            return bad(QStringLiteral("redis+sentinel:// needs the master's name: "
                                      "redis+sentinel://host:26379,host:26379/mastername[/db]"));
        // Sentinel answers with the master's address; the name is an argument, never a command.
        for (const QChar c : url.masterName) {
            if (c.unicode() <= 0x20 || c.unicode() >= 0x7f)
                return bad(QStringLiteral("the master name must be printable ASCII without spaces"));
        }
        path = parts.value(1);
    }
    url.database = QUrl::fromPercentEncoding(path.toUtf8());
    if ((url.kind == Kind::Redis || url.kind == Kind::RedisSentinel) && !url.database.isEmpty()) {
        bool ok = false;
        const int db = url.database.toInt(&ok);
        if (!ok || db < 0)
            return bad(QStringLiteral("the Redis database must be a number"));
    }
    if (url.kind == Kind::Postgres && url.database.isEmpty())
        return bad(QStringLiteral("postgresql:// needs a database name"));
    if (auto checked = checkOptions(url); !checked)
        return checked.error();
    return url;
}

QString StoreUrl::kindName() const
{
    switch (kind) {
    case Kind::Memory:
        return QStringLiteral("memory");
    case Kind::Sqlite:
        return QStringLiteral("sqlite");
    case Kind::Redis:
        return tls ? QStringLiteral("redis-tls") : QStringLiteral("redis");
    case Kind::RedisCluster:
        return QStringLiteral("redis-cluster");
    case Kind::RedisSentinel:
        return tls ? QStringLiteral("redis-sentinel-tls") : QStringLiteral("redis-sentinel");
    case Kind::Postgres:
        return QStringLiteral("postgresql");
    }
    return {};
}

QString StoreUrl::withoutPassword() const
{
    if (kind == Kind::Memory || kind == Kind::Sqlite)
        return redacted();
    StoreUrl copy = *this;
    copy.password.clear();
    copy.user = QString::fromLatin1(QUrl::toPercentEncoding(user));
    copy.database = QString::fromLatin1(QUrl::toPercentEncoding(database));
    copy.masterName = QString::fromLatin1(QUrl::toPercentEncoding(masterName));
    QString out = copy.redacted();
    if (kind == Kind::RedisCluster && tls && !options.contains(QStringLiteral("tls")))
        copy.options.insert(QStringLiteral("tls"), QStringLiteral("1"));
    QStringList query;
    for (auto it = copy.options.cbegin(); it != copy.options.cend(); ++it)
        query << QString::fromLatin1(QUrl::toPercentEncoding(it.key())) + QLatin1Char('=') +
                     QString::fromLatin1(QUrl::toPercentEncoding(it.value(), "/"));
    if (!query.isEmpty())
        out += QLatin1Char('?') + query.join(QLatin1Char('&'));
    return out;
}

QString StoreUrl::redacted() const
{
    switch (kind) {
    case Kind::Memory:
        return QStringLiteral("memory:");
    case Kind::Sqlite:
        return QStringLiteral("sqlite:") + path;
    default:
        break;
    }
    QString out = kind == Kind::Postgres       ? QStringLiteral("postgresql://")
                  : kind == Kind::RedisCluster ? QStringLiteral("redis+cluster://")
                  : kind == Kind::RedisSentinel
                      ? (tls ? QStringLiteral("rediss+sentinel://") : QStringLiteral("redis+sentinel://"))
                  : tls ? QStringLiteral("rediss://")
                        : QStringLiteral("redis://");
    if (!user.isEmpty() || !password.isEmpty())
        out += user + (password.isEmpty() ? QString() : QStringLiteral(":***")) + QLatin1Char('@');
    QStringList hostList;
    for (const Host &h : hosts)
        hostList << (h.name.contains(QLatin1Char(':')) ? QLatin1Char('[') + h.name + QLatin1Char(']') : h.name) +
                        QLatin1Char(':') + QString::number(h.port);
    out += hostList.join(QLatin1Char(','));
    if (kind == Kind::RedisSentinel)
        out += QLatin1Char('/') + masterName;
    if (!database.isEmpty())
        out += QLatin1Char('/') + database;
    return out;
}

} // namespace si::stores
