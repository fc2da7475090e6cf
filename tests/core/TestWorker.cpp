#include "core/async/Worker.h"

#include <QThread>
#include <QtTest>

#include <atomic>

using namespace si;

class TestWorker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsInOrderOnItsOwnThread();
    void canceledBeforeStartNeverRuns();
    void runningJobSeesCancellation();
    void destructionCancelsQueuedJobs();
};

void TestWorker::runsInOrderOnItsOwnThread()
{
    Worker worker(QStringLiteral("test"));
    QList<int> order;
    QList<QFuture<Result<QThread *>>> futures;
    for (int i = 0; i < 50; ++i) {
        futures.append(worker.submit<QThread *>([&order, i](const CancelToken &) -> Result<QThread *> {
            order.append(i); // only the worker thread touches it
            return QThread::currentThread();
        }));
    }
    QThread *seen = nullptr;
    for (auto &f : futures) {
        auto r = await(f);
        QVERIFY(r.ok());
        QVERIFY(*r != QThread::currentThread());
        QVERIFY(seen == nullptr || *r == seen);
        seen = *r;
    }
    QCOMPARE(seen, worker.thread());
    for (int i = 0; i < 50; ++i)
        QCOMPARE(order[i], i);
}

void TestWorker::canceledBeforeStartNeverRuns()
{
    Worker worker(QStringLiteral("test"));
    std::atomic<bool> ran{false};
    auto blocker = worker.submit<int>([](const CancelToken &) -> Result<int> {
        QThread::msleep(200);
        return 1;
    });
    auto queued = worker.submit<int>([&ran](const CancelToken &) -> Result<int> {
        ran = true;
        return 2;
    });
    queued.cancel();
    QCOMPARE(await(blocker).value(), 1);
    QVERIFY(queued.isCanceled());
    QCOMPARE(await(queued).error().code, ErrorCode::Canceled);
    QVERIFY(!ran);
}

void TestWorker::runningJobSeesCancellation()
{
    Worker worker(QStringLiteral("test"));
    std::atomic<int> steps{0};
    auto job = worker.submit<int>([&steps](const CancelToken &cancel) -> Result<int> {
        for (int i = 0; i < 1000; ++i) {
            if (cancel.isCanceled())
                return canceledError();
            ++steps;
            QThread::msleep(5);
        }
        return 1000;
    });
    QThread::msleep(50);
    job.cancel();
    QCOMPARE(await(job).error().code, ErrorCode::Canceled);
    QVERIFY(steps > 0 && steps < 1000);
}

void TestWorker::destructionCancelsQueuedJobs()
{
    QFuture<Result<int>> queued;
    std::atomic<bool> ran{false};
    {
        Worker worker(QStringLiteral("test"));
        (void)worker.submit<int>([](const CancelToken &) -> Result<int> {
            QThread::msleep(100);
            return 1;
        });
        queued = worker.submit<int>([&ran](const CancelToken &) -> Result<int> {
            ran = true;
            return 2;
        });
    }
    QVERIFY(queued.isFinished());
    QCOMPARE(await(queued).error().code, ErrorCode::Canceled); // reported by the worker, not canceled
    QVERIFY(!ran);
}

QTEST_GUILESS_MAIN(TestWorker)
#include "TestWorker.moc"
