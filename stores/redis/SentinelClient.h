#pragma once

#include "RedisClient.h"

#include <QElapsedTimer>

#include <memory>
#include <vector>

namespace si::stores {

// A Redis master found through Sentinel (redis+sentinel://s1:26379,s2:26379/mastername[/db]).
// The sentinels are asked for the master's address (SENTINEL get-master-addr-by-name, each in turn
// from the one that answered last), and the server there must say ROLE master before it is used:
// a sentinel may still name the old master during a failover. One sentinel connection stays
// subscribed to +switch-master; its messages are read before each batch, so the client moves to a
// new master as soon as the sentinels announce it, also when the old one still answers (demoted,
// it would refuse writes with READONLY and serve stale reads).
//
// When the master fails under a batch the client finds the new one (waiting up to
// failover_timeout_ms, default 30 s, for the sentinels to promote a replica) and then
//  - runs the batch again if it only reads, or if none of it had been sent;
//  - otherwise fails it with "may or may not have been applied": a write is never repeated behind
//    the caller's back (a counter increment or a script run twice is not harmless).
// A batch whose every write was refused with READONLY (sent to a master just demoted) changed
// nothing and runs again on the new master.
class SentinelClient : public RedisClient {
public:
    explicit SentinelClient(const StoreUrl &url);
    ~SentinelClient() override;

    Result<QList<RedisReply>> execute(const QList<RedisCommand> &commands) override;
    Result<QList<RedisConnection *>> primaries() override;
    bool isCluster() const override { return false; }
    QString describe() const override;
    bool followsFailovers() const override { return true; }
    quint64 topologyEpoch() const override { return m_epoch; }

    // Whether a command only reads (it may run again on another server without changing anything).
    static bool isReadOnly(const QList<QByteArray> &args);

private:
    Status ensureMaster();
    Status discover();
    // The address the sentinel at `index` names for the master; empty when it knows none.
    Result<RedisEndpoint> askSentinel(qsizetype index);
    void readAnnouncements();
    void subscribe(qsizetype index);
    void dropMaster();

    StoreUrl m_url;
    QList<RedisEndpoint> m_sentinels;
    qsizetype m_lastGood = 0; // the sentinel that answered last
    std::unique_ptr<RedisConnection> m_master;
    std::vector<std::unique_ptr<RedisConnection>> m_retired; // old masters' (see dropMaster)
    std::unique_ptr<RedisConnection> m_announcements;        // subscribed to +switch-master
    QElapsedTimer m_sinceSubscribeAttempt;
    int m_failoverTimeoutMs = 30000;
    quint64 m_epoch = 0; // bumped whenever the master connection is given up
};

} // namespace si::stores
