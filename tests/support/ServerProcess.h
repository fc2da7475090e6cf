#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace si::test {

// A server owned by one test: started on a free loopback port, killed and restarted at will
// (fault tests need servers they can break without disturbing the shared ones).
class RedisServerProcess {
public:
    RedisServerProcess();
    ~RedisServerProcess();
    // Append-only file: Redis writes it before it replies, so every acknowledged write survives a
    // SIGKILL of the server (the kernel keeps what was written; fsync once a second is only about
    // power cuts, which the tests do not simulate — with fsync per write the disk, not the store,
    // set the pace of the load tests).
    bool start(QString *error);
    void kill(); // SIGKILL; safe to call from another thread
    quint16 port() const { return m_port; }
    QString url() const;

private:
    QTemporaryDir m_dir;
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

quint16 freeLoopbackPort();
bool waitForPort(quint16 port, int timeoutMs);

} // namespace si::test
