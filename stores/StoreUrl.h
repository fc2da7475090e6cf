#pragma once

#include "core/Result.h"

#include <QList>
#include <QMap>
#include <QString>

namespace si::stores {

// A store address as users write it (DESIGN.md):
//   memory:                                  sqlite:PATH (":memory:" allowed)
//   redis://[user:pass@]host:port/db         rediss://…  (TLS; ?cacert=PATH&sni=NAME)
//   redis+cluster://[user:pass@]host:port,host:port[?tls=1&cacert=PATH]
//   redis+sentinel://[user:pass@]sentinel:port,sentinel:port/mastername[/db]   rediss+sentinel://…
//     (the credentials are the data nodes'; sentinel_auth=1 sends them to the sentinels too)
//   postgresql://user[:pass]@host:port/db?sslmode=…&sslrootcert=…&connect_timeout=…
// Passwords may be in the URL (tests, scripts) or supplied separately (keychain, environment);
// redacted() never shows them.
struct StoreUrl {
    enum class Kind { Memory, Sqlite, Redis, RedisCluster, RedisSentinel, Postgres };
    struct Host {
        QString name;
        quint16 port = 0;
    };

    Kind kind = Kind::Memory;
    bool tls = false;
    QString path; // sqlite file
    QList<Host> hosts;
    QString user;
    QString password;
    QString database;   // postgres database name, or the redis db number
    QString masterName; // redis+sentinel: the name the sentinels monitor the master by
    QMap<QString, QString> options;

    static Result<StoreUrl> parse(const QString &text);
    QString redacted() const;
    // The URL as parse() reads it, options included, without the password: what a saved
    // profile keeps (the password goes to the keychain).
    QString withoutPassword() const;
    QString kindName() const;
    bool isRedis() const { return kind == Kind::Redis || kind == Kind::RedisCluster || kind == Kind::RedisSentinel; }
};

} // namespace si::stores
