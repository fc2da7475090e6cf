#include "ServerProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <functional>
#include <unistd.h>

namespace si::test {

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

bool waitForPort(quint16 port, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port);
        if (socket.waitForConnected(200))
            return true;
        QThread::msleep(50);
    }
    return false;
}

RedisServerProcess::RedisServerProcess() = default;

RedisServerProcess::~RedisServerProcess()
{
    kill();
    if (m_process)
        m_process->waitForFinished(3000);
}

QString RedisServerProcess::url() const
{
    return QStringLiteral("redis://127.0.0.1:%1/0?timeout_ms=2000&connect_timeout_ms=1000").arg(m_port);
}

bool RedisServerProcess::start(QString *error)
{
    if (m_process)
        m_process->waitForFinished(3000);
    if (m_port == 0)
        m_port = freeLoopbackPort();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->setStandardOutputFile(m_dir.filePath(QStringLiteral("redis.log")), QIODevice::Append);
    m_process->start(QStringLiteral("redis-server"),
                     QStringList{QStringLiteral("--port"), QString::number(m_port), QStringLiteral("--bind"),
                                 QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                                 QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--appendfsync"),
                                 QStringLiteral("no"), QStringLiteral("--dir"), m_dir.path()} +
                         m_extra);
    if (!m_process->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start redis-server: %1").arg(m_process->errorString());
        return false;
    }
    m_pid = m_process->processId();
    if (!waitForPort(m_port, 10000)) {
        *error = QStringLiteral("redis-server did not listen on %1").arg(m_port);
        return false;
    }
    return true;
}

void RedisServerProcess::kill()
{
    if (m_pid > 0)
        ::kill(static_cast<pid_t>(m_pid), SIGKILL);
    m_pid = 0;
}

namespace {

// Polls `done` (a server's state, read from outside) every 100 ms until it holds or `timeoutMs` passed.
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QThread::msleep(100);
    }
    return true;
}

// "key\nvalue\n…" (redis-cli's rendering of a flat reply such as SENTINEL MASTER) as a map.
QMap<QByteArray, QByteArray> pairsOf(const QByteArray &output)
{
    QMap<QByteArray, QByteArray> out;
    const QList<QByteArray> lines = output.trimmed().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); i += 2)
        out.insert(lines[i].trimmed(), lines[i + 1].trimmed());
    return out;
}

} // namespace

SentinelGroup::SentinelGroup() = default;

SentinelGroup::~SentinelGroup()
{
    for (auto &p : m_sentinels) {
        p->kill();
        p->waitForFinished(3000);
    }
}

QByteArray SentinelGroup::cli(quint16 port, const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-p"), QString::number(port)} + args);
    if (!p.waitForFinished(10000))
        return {};
    return p.readAllStandardOutput();
}

bool SentinelGroup::start(QString *error)
{
    if (!m_master.start(error))
        return false;
    m_replica.setExtraArguments(
        {QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"), QString::number(m_master.port())});
    if (!m_replica.start(error))
        return false;
    if (!waitUntil(
            [this] {
                return cli(m_replica.port(), {QStringLiteral("INFO"), QStringLiteral("replication")})
                    .contains("master_link_status:up");
            },
            20000)) {
        *error = QStringLiteral("the replica did not sync with the master");
        return false;
    }
    for (int i = 0; i < 3; ++i) {
        const quint16 port = freeLoopbackPort();
        const QString conf = m_dir.filePath(QStringLiteral("sentinel-%1.conf").arg(i));
        QFile file(conf);
        if (!file.open(QIODevice::WriteOnly)) {
            *error = QStringLiteral("cannot write %1").arg(conf);
            return false;
        }
        file.write(QStringLiteral("port %1\nbind 127.0.0.1\ndir %2\n"
                                  "sentinel monitor si-master 127.0.0.1 %3 2\n"
                                  "sentinel down-after-milliseconds si-master 1000\n"
                                  "sentinel failover-timeout si-master 10000\n"
                                  "sentinel parallel-syncs si-master 1\n")
                       .arg(port)
                       .arg(m_dir.path())
                       .arg(m_master.port())
                       .toUtf8());
        file.close();
        auto process = std::make_unique<QProcess>();
        process->setStandardOutputFile(m_dir.filePath(QStringLiteral("sentinel-%1.log").arg(i)));
        process->start(QStringLiteral("redis-server"), {conf, QStringLiteral("--sentinel")});
        if (!process->waitForStarted(5000) || !waitForPort(port, 10000)) {
            *error = QStringLiteral("redis-server --sentinel did not start");
            return false;
        }
        m_sentinels.push_back(std::move(process));
        m_sentinelPorts.append(port);
    }
    const bool ready = waitUntil(
        [this] {
            for (const quint16 port : std::as_const(m_sentinelPorts)) {
                const auto master = pairsOf(
                    cli(port, {QStringLiteral("SENTINEL"), QStringLiteral("MASTER"), QStringLiteral("si-master")}));
                if (master.value("num-other-sentinels") != "2" || master.value("num-slaves") != "1")
                    return false;
            }
            return true;
        },
        30000);
    if (!ready)
        *error = QStringLiteral("the sentinels did not find each other and the replica");
    return ready;
}

void SentinelGroup::killMaster()
{
    m_master.kill();
}

bool SentinelGroup::switchOver(QString *error)
{
    const QByteArray reply = cli(m_sentinelPorts.first(),
                                 {QStringLiteral("SENTINEL"), QStringLiteral("FAILOVER"), QStringLiteral("si-master")});
    if (!reply.startsWith("OK")) {
        *error = QStringLiteral("SENTINEL FAILOVER refused: %1").arg(QString::fromUtf8(reply.trimmed()));
        return false;
    }
    return waitForFailover(30000, error);
}

bool SentinelGroup::waitForFailover(int timeoutMs, QString *error)
{
    const QByteArray replica = QByteArray::number(m_replica.port());
    const bool done = waitUntil(
        [&] {
            for (const quint16 port : std::as_const(m_sentinelPorts)) {
                const QByteArray named =
                    cli(port, {QStringLiteral("SENTINEL"), QStringLiteral("get-master-addr-by-name"),
                               QStringLiteral("si-master")});
                if (!named.trimmed().endsWith(replica))
                    return false;
            }
            return cli(m_replica.port(), {QStringLiteral("ROLE")}).startsWith("master");
        },
        timeoutMs);
    if (!done)
        *error = QStringLiteral("the sentinels did not promote the replica within %1 ms").arg(timeoutMs);
    return done;
}

QString SentinelGroup::url(const QString &options) const
{
    QStringList hosts;
    for (const quint16 port : m_sentinelPorts)
        hosts << QStringLiteral("127.0.0.1:%1").arg(port);
    return QStringLiteral("redis+sentinel://%1/si-master").arg(hosts.join(QLatin1Char(','))) +
           (options.isEmpty() ? QString() : QLatin1Char('?') + options);
}

PostgresProcess::PostgresProcess()
{
    QDir lib(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    if (!versions.isEmpty())
        m_binDir = lib.filePath(versions.last() + QStringLiteral("/bin"));
}

PostgresProcess::~PostgresProcess()
{
    if (m_running)
        crash();
}

bool PostgresProcess::run(const QStringList &command, QString *error)
{
    QStringList args = command;
    QString program = args.takeFirst();
    if (::geteuid() == 0) {
        args.prepend(program);
        args.prepend(QStringLiteral("--"));
        args.prepend(QStringLiteral("postgres"));
        args.prepend(QStringLiteral("-u"));
        program = QStringLiteral("runuser");
    }
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        *error = QStringLiteral("%1 failed: %2").arg(command.first(), QString::fromLocal8Bit(p.readAll()).left(500));
        return false;
    }
    return true;
}

bool PostgresProcess::init(QString *error)
{
    if (m_binDir.isEmpty()) {
        *error = QStringLiteral("PostgreSQL is not installed");
        return false;
    }
    QFile::setPermissions(m_dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup |
                                            QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther);
    const QString data = m_dir.filePath(QStringLiteral("data"));
    QDir().mkpath(data);
    if (::geteuid() == 0 && QProcess::execute(QStringLiteral("chown"), {QStringLiteral("postgres"), data}) != 0) {
        *error = QStringLiteral("cannot chown the data directory");
        return false;
    }
    m_port = freeLoopbackPort();
    return run({m_binDir + QStringLiteral("/initdb"), QStringLiteral("-D"), data, QStringLiteral("-U"),
                QStringLiteral("postgres"), QStringLiteral("--auth=trust"), QStringLiteral("--no-sync"),
                QStringLiteral("-E"), QStringLiteral("UTF8")},
               error);
}

bool PostgresProcess::start(QString *error)
{
    const QString data = m_dir.filePath(QStringLiteral("data"));
    if (!run({m_binDir + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), data, QStringLiteral("-l"),
              data + QStringLiteral("/server.log"), QStringLiteral("-w"), QStringLiteral("-o"),
              QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1").arg(m_port).arg(data),
              QStringLiteral("start")},
             error))
        return false;
    m_running = true;
    return true;
}

void PostgresProcess::crash()
{
    QString ignored;
    if (m_stopped)
        setStopped(false, &ignored); // a stopped postmaster would not act on pg_ctl's signal
    run({m_binDir + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")),
         QStringLiteral("-m"), QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop")},
        &ignored);
    m_running = false;
}

bool PostgresProcess::setStopped(bool stopped, QString *error)
{
    QFile pidFile(m_dir.filePath(QStringLiteral("data/postmaster.pid")));
    if (!pidFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("no postmaster.pid: the server is not running");
        return false;
    }
    const pid_t postmaster = QString::fromLatin1(pidFile.readLine()).trimmed().toInt();
    if (postmaster <= 0) {
        *error = QStringLiteral("postmaster.pid names no process");
        return false;
    }
    // The postmaster first when stopping (it forks no new backend meanwhile), last when resuming.
    QList<pid_t> processes{postmaster};
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const pid_t pid = entry.toInt(&isPid);
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!isPid || !stat.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields.at(1).toInt() == postmaster)
            processes.append(pid);
    }
    if (!stopped)
        std::reverse(processes.begin(), processes.end());
    m_stopped = stopped;
    for (const pid_t pid : std::as_const(processes)) {
        if (::kill(pid, stopped ? SIGSTOP : SIGCONT) != 0 && pid == postmaster) {
            *error = QStringLiteral("cannot signal the postmaster: %1").arg(QString::fromLocal8Bit(strerror(errno)));
            return false;
        }
    }
    return true;
}

QString PostgresProcess::url() const
{
    return QStringLiteral("postgresql://postgres@127.0.0.1:%1/postgres?connect_timeout=2").arg(m_port);
}

} // namespace si::test
