#pragma once

#include "CookieAttributes.h"
#include "core/store/DenyList.h"
#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"

namespace si::stores {

// Stateless sessions in the browser, in auth0-fastapi's format: the envelope (salt = cookie name)
// split into <name>_0, <name>_1, … chunks that auth0-server-python reads back. Better than the
// original in three ways:
//  - every write and delete also expires the chunks the browser still holds beyond the new
//    count (and a bare <name> cookie), so a shrinking session never leaves a stale tail;
//  - chunks are sized so that each whole Set-Cookie header, attributes included, stays below 4096
//    bytes (auth0's fixed 4075-character chunks can be set with `auth0ChunkSize`);
//  - with a DenyList, back-channel logout works: revocation writes issuer-scoped markers and every
//    read checks them, so a revoked session is refused even though the browser still sends it.
// Timestamps (iat, uat, exp) ride in the protected header, so expiry is enforced on the server too.
// Every call needs a StoreContext (the request's cookies in, Set-Cookie headers out).
class CookieStateStore : public StateStore {
public:
    struct Options {
        CookieAttributes attributes;
        bool auth0ChunkSize = false;
        std::shared_ptr<DenyList> denyList; // null: deleteByLogoutToken is unsupported
    };

    CookieStateStore(std::shared_ptr<const SessionCodec> codec, Options options);

    QString backendName() const override { return QStringLiteral("cookie"); }
    bool isClientSide() const override { return true; }
    QFuture<Status> set(const QString &name, const StateData &state, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<StateData>>> get(const QString &name, std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &name, std::shared_ptr<StoreContext> context) override;
    // Writes deny-list markers; returns 0 (how many browsers hold such a session is unknowable).
    QFuture<Result<qsizetype>> deleteByLogoutToken(const LogoutTarget &target) override;

    // The largest value chunk for `name` so that each Set-Cookie header stays below 4096 bytes.
    qsizetype chunkSize(const QByteArray &name) const;

private:
    Status write(const QByteArray &name, const StateData &state, qint64 createdAt, StoreContext &context) const;
    void expireAll(const QByteArray &name, StoreContext &context, qsizetype keepChunks) const;
    QList<QByteArray> markersFor(const StateData &state) const;

    std::shared_ptr<const SessionCodec> m_codec;
    Options m_options;
};

} // namespace si::stores
