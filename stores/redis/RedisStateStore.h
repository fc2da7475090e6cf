#pragma once

#include "RedisBackend.h"
#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"
#include "stores/StoreUrl.h"

namespace si::stores {

// Sessions in Redis or Redis Cluster, in the native layout (docs/store-layout.md):
//   <prefix>s:<id>      HASH  v envelope, k key id, c created, l last activity, a absolute
//                             deadline, e effective deadline, u subject hash, d session hash;
//                             PEXPIREAT at e
//   <prefix>u:<hash>    ZSET  session ids of one (issuer, sub), scored by absolute deadline
//   <prefix>d:<hash>    ZSET  session ids of one (issuer, sid)
// Index entries are written before the session and removed after it, so no session is ever
// unreachable by revocation; a dangling entry (a session that expired or whose write failed) is
// harmless and disappears with its score. Revocation checks each candidate's own hashes in a
// single-key script before deleting it, so a stale entry can never remove someone else's session.
class RedisStateStore : public StateStore {
public:
    RedisStateStore(std::shared_ptr<RedisBackend> backend, std::shared_ptr<const SessionCodec> codec);

    QString backendName() const override;
    QFuture<Status> set(const QString &id, const StateData &state, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<StateData>>> get(const QString &id, std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &id, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<qsizetype>> deleteByLogoutToken(const LogoutTarget &target) override;

    // One pipeline (per cluster node) for all sessions; encryption and decryption run on all cores.
    QFuture<Status> setMany(const QList<QPair<QString, StateData>> &sessions) override;
    QFuture<Result<QList<Result<std::optional<StateData>>>>> getMany(const QStringList &ids) override;

private:
    QByteArray sessionKey(const QString &id) const;
    QByteArray subjectKey(const QByteArray &hash) const;
    QByteArray sidKey(const QByteArray &hash) const;
    struct Decoded {
        Result<std::optional<StateData>> state = std::optional<StateData>();
        std::optional<SessionRecord> touched; // a rolling deadline to write back
    };
    Decoded decodeFields(const QString &id, const RedisReply &fields) const;
    RedisCommand touchCommand(const SessionRecord &record) const;
    QFuture<Status> writeRecords(QList<SessionRecord> records);
    // The commands writing `r`: its index entries, then the session hash with its deadline — through
    // kWriteScript (one step on a cluster node), or as plain HSET + PEXPIREAT for a MULTI block.
    void appendWrite(const SessionRecord &r, QList<RedisCommand> &indexes, QList<RedisCommand> &sessions,
                     bool scripted = true) const;
    // The error of a revocation whose deletions failed on the way: how many of `candidates` are
    // gone and how many remain, looked up afterwards.
    Error interruptedRevocation(RedisClient &client, const QList<QByteArray> &candidates, const Error &failure) const;
    static Status checkTransaction(const QList<RedisReply> &replies, const QString &what);
    static Status checkReplies(const QList<RedisReply> &replies, const QString &what);

    std::shared_ptr<RedisBackend> m_backend;
    std::shared_ptr<const SessionCodec> m_codec;
    QByteArray m_prefix;
};

} // namespace si::stores
