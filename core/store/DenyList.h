#pragma once

#include "../Result.h"

#include <QByteArray>
#include <QFuture>
#include <QList>

#include <optional>

namespace si {

// Revocation markers for stateless (cookie) sessions, kept in a shared store: "every session of
// this (issuer, sub) — or this (issuer, sid) — created at or before `since` is revoked".
// Markers are IndexKeys hashes, never clear-text identifiers, and expire after `ttlSeconds`
// (the longest a session could still live). Thread-safe; asynchronous like the stores.
class DenyList {
public:
    virtual ~DenyList() = default;
    virtual QFuture<Status> add(const QByteArray &marker, qint64 since, qint64 ttlSeconds) = 0;
    // The latest `since` among the given markers, or nullopt when none is present.
    virtual QFuture<Result<std::optional<qint64>>> latest(const QList<QByteArray> &markers) = 0;
};

} // namespace si
