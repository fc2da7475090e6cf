#pragma once

#include <QtGlobal>

namespace si::stores {

// Bounds how long a PostgreSQL connection may wait for its server. libpq blocks in poll() with
// no deadline, and neither TCP keepalives nor tcp_user_timeout notice a server that is stopped
// (SIGSTOP) or a network path that swallows packets while the kernel still acknowledges them. A
// connection arms its socket before each statement; if the statement is still waiting when the
// deadline passes, one watchdog thread shuts the socket down, libpq's read fails at once, and the
// connection reports a timeout and reconnects next time. Thread-safe.
class SqlWatchdog {
public:
    static SqlWatchdog &instance();

    // (Re)arms `token` for socket `fd`: shut down unless disarmed within `timeoutMs`. A token is
    // any number unique to its connection (the connection's address).
    void arm(quintptr token, int fd, int timeoutMs);
    // Disarms `token`; true when its deadline had passed and the socket was shut down.
    bool disarm(quintptr token);

private:
    SqlWatchdog();
    ~SqlWatchdog();
    struct State;
    State *m_state;
};

} // namespace si::stores
