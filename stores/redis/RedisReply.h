#pragma once

#include <QByteArray>
#include <QList>

namespace si::stores {

// One RESP2 reply, copied out of hiredis's reader.
struct RedisReply {
    enum class Type { String, Array, Integer, Nil, Status, Error };

    Type type = Type::Nil;
    QByteArray string; // bulk string, status text or error text
    qint64 integer = 0;
    QList<RedisReply> elements;

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
    // "MOVED 3999 127.0.0.1:6381" and "ASK …" redirections of Redis Cluster.
    bool isRedirect() const { return isError() && (string.startsWith("MOVED ") || string.startsWith("ASK ")); }
};

// A command and the key that decides where it goes in a cluster (empty: any node).
struct RedisCommand {
    QList<QByteArray> args;
    QByteArray routingKey;

    RedisCommand() = default;
    // No initializer_list constructor on purpose: {{"GET", key}, key} must mean (args, key).
    RedisCommand(QList<QByteArray> arguments, QByteArray key = {})
        : args(std::move(arguments))
        , routingKey(std::move(key))
    {}
};

} // namespace si::stores
