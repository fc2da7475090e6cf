#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace si::test {

// A server owned by one test: started on a free loopback port, killed and restarted at will
// (fault tests need servers they can break without disturbing the shared ones).
class RedisServerProcess {
public:
    RedisServerProcess();
    ~RedisServerProcess();
    // Append-only file, fsync left to the kernel: Redis then writes each command to the file
    // before it replies, so every acknowledged write survives a SIGKILL of the server (the kernel
    // keeps what was written). With fsync once a second Redis postpones that write (up to 2 s,
    // replying meanwhile) while the previous fsync is still running: on a loaded disk an
    // acknowledged write was lost with the process (test_store_faults redisKilledDuringWrites,
    // 1 in 10 runs under stress-ng). Power cuts are not simulated.
    bool start(QString *error);
    void kill(); // SIGKILL; safe to call from another thread
    quint16 port() const { return m_port; }
    QString url() const;
    // More redis-server arguments for the next start() (e.g. --replicaof HOST PORT).
    void setExtraArguments(const QStringList &arguments) { m_extra = arguments; }

private:
    QTemporaryDir m_dir;
    QStringList m_extra;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
    qint64 m_pid = 0;
};

// A PostgreSQL cluster in a temporary directory (initdb), trust authentication on loopback.
// As root it runs as the postgres user, like scripts/with-services.sh.
class PostgresProcess {
public:
    PostgresProcess();
    ~PostgresProcess();
    bool init(QString *error);
    bool start(QString *error);
    void crash(); // pg_ctl stop -m immediate: no shutdown checkpoint, like a power cut
    // SIGSTOP (true) or SIGCONT (false) to the postmaster and every backend: a server that hangs
    // with its sockets open (the kernel still accepts connections and buffers what is sent).
    bool setStopped(bool stopped, QString *error);
    quint16 port() const { return m_port; }
    QString url() const;

private:
    bool run(const QStringList &command, QString *error);
    QTemporaryDir m_dir;
    QString m_binDir;
    quint16 m_port = 0;
    bool m_running = false;
    bool m_stopped = false;
};

// A Redis master, one replica and three sentinels watching the master as "si-master" (quorum 2,
// down after 1 s), each on a free loopback port: the failover tests' own, killed at will.
class SentinelGroup {
public:
    SentinelGroup();
    ~SentinelGroup();
    // Starts them all and waits until the replica is in sync and every sentinel knows the
    // replica and the other two sentinels (so that a failover can happen).
    bool start(QString *error);
    // SIGKILL of the master (the sentinels then promote the replica); safe from another thread.
    void killMaster();
    // SENTINEL FAILOVER: the replica is promoted while the master still runs (and is demoted).
    bool switchOver(QString *error);
    // Waits until the sentinels name the replica as master and it says so itself.
    bool waitForFailover(int timeoutMs, QString *error);
    // redis+sentinel://…/si-master with `options` ("timeout_ms=…&…").
    QString url(const QString &options = {}) const;
    QList<quint16> sentinelPorts() const { return m_sentinelPorts; }
    quint16 masterPort() const { return m_master.port(); }
    quint16 replicaPort() const { return m_replica.port(); }
    // `redis-cli -p port args…` (raw output), for looking at a server from outside the client.
    static QByteArray cli(quint16 port, const QStringList &args);

private:
    RedisServerProcess m_master;
    RedisServerProcess m_replica;
    QTemporaryDir m_dir;
    QList<quint16> m_sentinelPorts;
    std::vector<std::unique_ptr<QProcess>> m_sentinels;
};

quint16 freeLoopbackPort();
bool waitForPort(quint16 port, int timeoutMs);

} // namespace si::test
