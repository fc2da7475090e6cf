#pragma once

#include "../Result.h"

#include <QFuture>
#include <QObject>
#include <QPromise>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace si {

// Tells a running job whether its caller canceled (QFuture::cancel) — long jobs check it between
// steps and stop early with ErrorCode::Canceled — and, optionally, lets it report its progress.
class CancelToken {
public:
    CancelToken() = default; // never canceled
    // `seen`, when given, hears how far a scan got (sessions looked at so far): the caller reads
    // it whenever it likes (a GUI on a timer) without a callback crossing threads.
    explicit CancelToken(std::function<bool()> check, std::shared_ptr<std::atomic<qint64>> seen = {})
        : m_check(std::move(check))
        , m_seen(std::move(seen))
    {}
    bool isCanceled() const { return m_check && m_check(); }
    void report(qint64 seen) const
    {
        if (m_seen)
            m_seen->store(seen, std::memory_order_relaxed);
    }

private:
    std::function<bool()> m_check;
    std::shared_ptr<std::atomic<qint64>> m_seen;
};

Error canceledError();

// One thread that owns a store's connection. Jobs run there one after another, in submission
// order, and their results reach the caller through a QFuture. A job may block on I/O: it runs
// on this thread only, never on the caller's. Every future that is not canceled gets exactly one
// result; after QFuture::cancel() Qt keeps none, and await() reports ErrorCode::Canceled.
// Destroying the Worker drops queued jobs (their futures report Canceled at once), lets the
// running job finish and joins the thread.
class Worker {
public:
    explicit Worker(const QString &name);
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    // `job` is called as `Result<T> job(const CancelToken &)` on the worker thread.
    template<typename T, typename F>
    QFuture<Result<T>> submit(F job)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        QFuture<Result<T>> future = promise->future();
        promise->start();
        post([promise, job = std::move(job)](bool dropped) mutable {
            if (dropped || promise->isCanceled()) {
                promise->addResult(Result<T>(canceledError()));
            } else {
                const CancelToken token([p = promise.get()] { return p->isCanceled(); });
                promise->addResult(job(token));
            }
            promise->finish();
        });
        return future;
    }

    // The QObject living on the worker thread (for timers and sockets created by jobs).
    QObject *context() const { return m_context; }
    QThread *thread() const { return m_thread; }

private:
    // Queues `task(false)` on the thread; on shutdown queued tasks get `task(true)` instead.
    void post(std::function<void(bool dropped)> task);

    QThread *m_thread;
    QObject *m_context;
    std::shared_ptr<struct WorkerState> m_state;
};

// Blocks until `future` has its result. For tests, command-line tools and worker threads —
// never for the GUI thread (use QFuture::then with a context object there, and onCanceled).
// A canceled future holds no result (Qt drops results reported after cancel()); for Result<…>
// futures await() then returns ErrorCode::Canceled instead.
template<typename T>
T await(QFuture<T> future)
{
    future.waitForFinished();
    if constexpr (std::is_constructible_v<T, Error>) {
        if (future.resultCount() == 0)
            return T(canceledError());
    }
    return future.result();
}

} // namespace si
