#include "Worker.h"

#include <QMutex>

#include <deque>

namespace si {

struct WorkerState {
    QMutex mutex;
    bool stopping = false;
    std::deque<std::function<void(bool)>> pending; // tasks posted but not yet started
};

Error canceledError()
{
    return makeError(ErrorCode::Canceled, QStringLiteral("canceled"));
}

Worker::Worker(const QString &name)
    : m_thread(new QThread)
    , m_context(new QObject)
    , m_state(std::make_shared<WorkerState>())
{
    m_thread->setObjectName(name);
    m_context->moveToThread(m_thread);
    m_thread->start();
}

Worker::~Worker()
{
    std::deque<std::function<void(bool)>> dropped;
    {
        QMutexLocker lock(&m_state->mutex);
        m_state->stopping = true;
        dropped.swap(m_state->pending);
    }
    if (QThread::currentThread() == m_thread) {
        // The last owner let go inside one of this worker's own jobs: a thread cannot join itself.
        // It stops after this job returns; the context is deleted as the thread finishes, the
        // QThread object by the owner thread's event loop (or at exit).
        m_context->deleteLater();
        m_thread->quit();
        QObject::connect(m_thread, &QThread::finished, m_thread, &QObject::deleteLater);
        for (auto &task : dropped)
            task(true);
        return;
    }
    // Jobs that never started are answered now (Canceled), not after the running one ends: whoever
    // waits for them learns at once.
    for (auto &task : dropped)
        task(true);
    m_thread->quit();
    m_thread->wait();
    delete m_context; // its thread has finished: safe to delete from here
    delete m_thread;
}

void Worker::post(std::function<void(bool)> task)
{
    {
        QMutexLocker lock(&m_state->mutex);
        if (m_state->stopping) {
            lock.unlock();
            task(true);
            return;
        }
        m_state->pending.push_back(std::move(task));
    }
    // Each post queues one "run the oldest pending task" event, so order is kept.
    QMetaObject::invokeMethod(
        m_context,
        [state = m_state] {
            std::function<void(bool)> next;
            {
                QMutexLocker lock(&state->mutex);
                if (state->pending.empty())
                    return; // dropped by the destructor
                next = std::move(state->pending.front());
                state->pending.pop_front();
            }
            next(false);
        },
        Qt::QueuedConnection);
}

} // namespace si
