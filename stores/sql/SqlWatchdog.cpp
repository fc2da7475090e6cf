#include "SqlWatchdog.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <sys/socket.h>

namespace si::stores {

namespace {

using Clock = std::chrono::steady_clock;

struct Armed {
    int fd = -1;
    Clock::time_point deadline;
    bool fired = false;
};

} // namespace

struct SqlWatchdog::State {
    std::mutex mutex;
    std::condition_variable changed;
    std::unordered_map<quintptr, Armed> armed;
    // When the thread wakes next: arming later than that needs no wake-up (a streamed result
    // re-arms per batch, mostly to a later deadline).
    Clock::time_point wakeAt = Clock::time_point::max();
    bool stopping = false;
    std::thread thread;

    void run()
    {
        std::unique_lock lock(mutex);
        while (!stopping) {
            auto next = Clock::time_point::max();
            const auto now = Clock::now();
            for (auto &[token, a] : armed) {
                if (a.fired)
                    continue;
                if (a.deadline <= now) {
                    // The owner is blocked in libpq on this socket (it disarms under this mutex
                    // before it closes the socket, so the descriptor is still its own).
                    ::shutdown(a.fd, SHUT_RDWR);
                    a.fired = true;
                } else {
                    next = std::min(next, a.deadline);
                }
            }
            wakeAt = next;
            if (next == Clock::time_point::max())
                changed.wait(lock);
            else
                changed.wait_until(lock, next);
        }
    }
};

SqlWatchdog &SqlWatchdog::instance()
{
    static SqlWatchdog watchdog;
    return watchdog;
}

SqlWatchdog::SqlWatchdog()
    : m_state(new State)
{
    m_state->thread = std::thread([state = m_state] { state->run(); });
}

SqlWatchdog::~SqlWatchdog()
{
    {
        std::lock_guard lock(m_state->mutex);
        m_state->stopping = true;
    }
    m_state->changed.notify_all();
    m_state->thread.join();
    delete m_state;
}

void SqlWatchdog::arm(quintptr token, int fd, int timeoutMs)
{
    bool wake = false;
    {
        std::lock_guard lock(m_state->mutex);
        Armed &a = m_state->armed[token];
        if (a.fired && a.fd == fd)
            return; // already shut down: the statement will fail, and disarm() reports it
        a = Armed{fd, Clock::now() + std::chrono::milliseconds(timeoutMs), false};
        wake = a.deadline < m_state->wakeAt;
    }
    if (wake)
        m_state->changed.notify_all();
}

bool SqlWatchdog::disarm(quintptr token)
{
    std::lock_guard lock(m_state->mutex);
    const auto it = m_state->armed.find(token);
    if (it == m_state->armed.end())
        return false;
    const bool fired = it->second.fired;
    m_state->armed.erase(it);
    return fired;
}

} // namespace si::stores
