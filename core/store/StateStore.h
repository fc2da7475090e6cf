#pragma once

#include "../Result.h"
#include "../model/StateData.h"
#include "StoreTypes.h"

#include <QFuture>

#include <memory>
#include <optional>

namespace si {

// Where an application keeps its users' login sessions (auth0-server-python's StateStore).
// Every operation is asynchronous: it runs on the store's own worker thread, which owns the
// connection, and completes its QFuture there. A future carries exactly one result unless the
// caller canceled it (QFuture::cancel: queued work is skipped, long work stops early; await()
// then reports ErrorCode::Canceled). Implementations are thread-safe.
//
// `context` carries the request's cookies for stores that live in the browser (cookie stores); a
// server-side store ignores it. It must stay alive until the future finishes.
class StateStore {
public:
    virtual ~StateStore() = default;

    // Short name of the backend ("memory", "sqlite", "redis", "postgresql", "cookie").
    virtual QString backendName() const = 0;
    // True when sessions live in the browser (cookie stores): the id is then the cookie name and
    // every call needs the request's StoreContext.
    virtual bool isClientSide() const { return false; }

    // Creates or replaces the session `id` (see SessionCodec::newSessionId; cookie stores use the
    // cookie name). Encrypted with the current secret.
    virtual QFuture<Status> set(const QString &id, const StateData &state,
                                std::shared_ptr<StoreContext> context = {}) = 0;

    // The session, or nullopt when it does not exist, has expired or was revoked. With inactivity
    // expiry configured, a successful get moves the deadline forward. A value that does not
    // decrypt (wrong secret, altered) is an error and is left untouched.
    virtual QFuture<Result<std::optional<StateData>>> get(const QString &id,
                                                          std::shared_ptr<StoreContext> context = {}) = 0;

    // Deletes the session; deleting one that does not exist succeeds.
    virtual QFuture<Status> remove(const QString &id, std::shared_ptr<StoreContext> context = {}) = 0;

    // Back-channel logout: deletes every session that matches `target` (issuer-scoped `sub`,
    // `sid` or both) and returns how many went. Touches only those sessions.
    virtual QFuture<Result<qsizetype>> deleteByLogoutToken(const LogoutTarget &target) = 0;

    // Bulk forms for imports, seeding and listings. Server stores override them with pipelined
    // or multi-row implementations; the defaults call the single-item operations in turn.
    // setMany writes all or reports the first failure (earlier items may have been written).
    virtual QFuture<Status> setMany(const QList<QPair<QString, StateData>> &sessions);
    // One result per id, in order: nullopt for missing/expired, an error for a value that does
    // not decrypt. The outer error is for the store itself being unreachable.
    virtual QFuture<Result<QList<Result<std::optional<StateData>>>>> getMany(const QStringList &ids);
};

// Login transactions in progress (auth0-server-python's TransactionStore), keyed by the OAuth
// `state`. Short-lived; same threading and context rules as StateStore.
class TransactionStore {
public:
    virtual ~TransactionStore() = default;

    virtual QString backendName() const = 0;
    virtual QFuture<Status> set(const QString &state, const TransactionData &transaction,
                                std::shared_ptr<StoreContext> context = {}) = 0;
    virtual QFuture<Result<std::optional<TransactionData>>> get(const QString &state,
                                                                std::shared_ptr<StoreContext> context = {}) = 0;
    virtual QFuture<Status> remove(const QString &state, std::shared_ptr<StoreContext> context = {}) = 0;
};

} // namespace si
