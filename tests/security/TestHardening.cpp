// Process hardening as the programs ship it: no core dumps (they would hold decrypted sessions and
// secrets) and no ptrace attach by same-user processes, from the first line of every executable.

#include "core/platform/Hardening.h"
#include "tests/support/TestSupport.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <sys/prctl.h>
#include <sys/resource.h>

using namespace si;

namespace {

// "Max core file size  <soft>  <hard>  bytes" of a running process; empty when unreadable.
QString coreLimitOf(qint64 pid)
{
    QFile limits(QStringLiteral("/proc/%1/limits").arg(pid));
    if (!limits.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression line(QStringLiteral("^Max core file size\\s+(\\S+)\\s+(\\S+)"),
                                         QRegularExpression::MultilineOption);
    const auto m = line.match(QString::fromLatin1(limits.readAll()));
    return m.hasMatch() ? m.captured(1) + QLatin1Char(' ') + m.captured(2) : QString();
}

} // namespace

class TestHardening : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyProgramTurnsCoreDumpsOffAtStart_data();
    void everyProgramTurnsCoreDumpsOffAtStart();
    void hardenedProcessIsNotDumpable();
};

void TestHardening::everyProgramTurnsCoreDumpsOffAtStart_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    // Each waits (for stdin, for requests, for the user) so that its limits can be read.
    QTest::newRow("sessionctl") << "sessionctl" << QStringList{"crypto", "decrypt", "--salt", "_a0_session", "-"};
    QTest::newRow("si-demo-webapp") << "si-demo-webapp"
                                    << QStringList{"--listen", "127.0.0.1:0",        "--store",     "memory:",
                                                   "--issuer", "http://127.0.0.1:1", "--client-id", "c"};
    QTest::newRow("session-inspector") << "session-inspector" << QStringList{"--store", "memory:"};
}

void TestHardening::everyProgramTurnsCoreDumpsOffAtStart()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    // The programs must do it themselves: start them with core dumps allowed.
    struct rlimit allowed {};
    allowed.rlim_cur = RLIM_INFINITY;
    allowed.rlim_max = RLIM_INFINITY;
    if (setrlimit(RLIMIT_CORE, &allowed) != 0) {
        getrlimit(RLIMIT_CORE, &allowed);
        allowed.rlim_cur = allowed.rlim_max;
        setrlimit(RLIMIT_CORE, &allowed);
    }
    getrlimit(RLIMIT_CORE, &allowed);
    if (allowed.rlim_cur == 0) {
        // CI runs as root, where the limit can always be raised: there this is a failure.
        if (test::servicesRequired())
            QFAIL("cannot allow core dumps for the programs under test (hard limit 0)");
        QSKIP("core dumps are off for this test already (hard limit 0): nothing to tell apart");
    }

    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SI_SECRET"), QStringLiteral("hardening-test-secret"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.start(test::binaryPath(QStringLiteral("bin/") + program), arguments);
    QVERIFY2(process.waitForStarted(10000), qPrintable(process.errorString()));
    QString limit;
    QTRY_VERIFY_WITH_TIMEOUT((limit = coreLimitOf(process.processId())) == QLatin1String("0 0") ||
                                 process.state() == QProcess::NotRunning,
                             20000);
    const bool stillRunning = process.state() == QProcess::Running;
    process.kill();
    process.waitForFinished(5000);
    QVERIFY2(stillRunning, qPrintable(program + QLatin1String(" exited early: ") +
                                      QString::fromUtf8(process.readAllStandardError().left(300))));
    QCOMPARE(limit, QStringLiteral("0 0"));
}

void TestHardening::hardenedProcessIsNotDumpable()
{
    QVERIFY(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1); // a test process starts dumpable
    QVERIFY(platform::hardenProcess());
    QCOMPARE(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    struct rlimit core {};
    QCOMPARE(getrlimit(RLIMIT_CORE, &core), 0);
    QCOMPARE(core.rlim_cur, rlim_t(0));
    QCOMPARE(core.rlim_max, rlim_t(0)); // and cannot be raised again by the process
}

QTEST_GUILESS_MAIN(TestHardening)
#include "TestHardening.moc"
