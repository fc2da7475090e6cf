#include "core/async/Worker.h"

#include <QSemaphore>
#include <QThread>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace si;

class TestWorker : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runsInOrderOnItsOwnThread();
    void canceledBeforeStartNeverRuns();
    void runningJobSeesCancellation();
    void destructionCancelsQueuedJobs();
    void destructionInsideItsOwnJob();
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
    QSemaphore started, gate;
    auto blocker = worker.submit<int>([&](const CancelToken &) -> Result<int> {
        started.release();
        gate.acquire(); // held until the second job is canceled
        return 1;
    });
    auto queued = worker.submit<int>([&ran](const CancelToken &) -> Result<int> {
        ran = true;
        return 2;
    });
    started.acquire();
    queued.cancel();
    gate.release();
    QCOMPARE(await(blocker).value(), 1);
    QVERIFY(queued.isCanceled());
    QCOMPARE(await(queued).error().code, ErrorCode::Canceled);
    QVERIFY(!ran);
}

void TestWorker::runningJobSeesCancellation()
{
    Worker worker(QStringLiteral("test"));
    std::atomic<int> steps{0};
    QSemaphore started;
    auto job = worker.submit<int>([&](const CancelToken &cancel) -> Result<int> {
        while (!cancel.isCanceled()) {
            if (steps++ == 0)
                started.release();
            QThread::yieldCurrentThread();
        }
        return canceledError();
    });
    started.acquire(); // running, and looking at its token
    job.cancel();
    QCOMPARE(await(job).error().code, ErrorCode::Canceled);
    QVERIFY(steps > 0);
}

void TestWorker::destructionCancelsQueuedJobs()
{
    QFuture<Result<int>> running, queued;
    std::atomic<bool> ran{false};
    QSemaphore started, gate;
    auto worker = std::make_unique<Worker>(QStringLiteral("test"));
    running = worker->submit<int>([&](const CancelToken &) -> Result<int> {
        started.release();
        gate.acquire();
        return 1;
    });
    queued = worker->submit<int>([&ran](const CancelToken &) -> Result<int> {
        ran = true;
        return 2;
    });
    started.acquire();
    // The destructor runs on another thread: it answers the queued job, then waits for the running
    // one, which is let go only once the queued one has its answer.
    std::thread destroying([&worker] { worker.reset(); });
    queued.waitForFinished();
    QCOMPARE(await(queued).error().code, ErrorCode::Canceled); // reported by the worker, not canceled
    QVERIFY(!running.isFinished());
    gate.release();
    destroying.join();
    QCOMPARE(await(running).value(), 1);
    QVERIFY(!ran);
}

void TestWorker::destructionInsideItsOwnJob()
{
    // The last owner lets go inside a job: the thread cannot join itself; queued jobs are dropped.
    auto worker = std::make_shared<Worker>(QStringLiteral("test"));
    std::atomic<bool> ran{false};
    QSemaphore gate;
    auto holder = std::make_shared<std::shared_ptr<Worker>>(worker);
    auto last = worker->submit<int>([holder, &gate](const CancelToken &) -> Result<int> {
        gate.acquire(); // the next job is queued by now
        holder->reset();
        return 1;
    });
    auto queued = worker->submit<int>([&ran](const CancelToken &) -> Result<int> {
        ran = true;
        return 2;
    });
    worker.reset(); // the job's copy is the last
    holder.reset();
    gate.release();
    QCOMPARE(await(last).value(), 1);
    QCOMPARE(await(queued).error().code, ErrorCode::Canceled);
    QVERIFY(!ran);
}

QTEST_GUILESS_MAIN(TestWorker)
#include "TestWorker.moc"
