#include "Hardening.h"

#include <csignal>
#include <cstring>
#include <initializer_list>
#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <execinfo.h>
#include <sys/prctl.h>
#endif

namespace si::platform {

namespace {

// Without core dumps a crash would leave nothing to go on: write the signal and the raw stack
// (addresses and symbol names, no data) to stderr, then die of the same signal.
void reportCrash(int signal)
{
    const char *name = signal == SIGSEGV   ? "SIGSEGV"
                       : signal == SIGABRT ? "SIGABRT"
                       : signal == SIGBUS  ? "SIGBUS"
                                           : "SIGFPE";
    const char head[] = "\ninternal error: ";
    (void)!write(STDERR_FILENO, head, sizeof head - 1);
    (void)!write(STDERR_FILENO, name, std::strlen(name));
#if defined(__linux__)
    char thread[17] = {}; // which thread died tells a teardown race from a bug in a job
    if (prctl(PR_GET_NAME, thread) == 0) {
        (void)!write(STDERR_FILENO, " in thread ", 11);
        (void)!write(STDERR_FILENO, thread, std::strlen(thread));
    }
    (void)!write(STDERR_FILENO, "\n", 1);
    void *frames[48];
    const int n = backtrace(frames, 48);
    backtrace_symbols_fd(frames, n, STDERR_FILENO);
#else
    (void)!write(STDERR_FILENO, "\n", 1);
#endif
    std::signal(signal, SIG_DFL);
    std::raise(signal);
}

} // namespace

bool hardenProcess()
{
    bool ok = true;
    struct rlimit none {};
    none.rlim_cur = 0;
    none.rlim_max = 0;
    ok = setrlimit(RLIMIT_CORE, &none) == 0 && ok;
#if defined(__linux__)
    ok = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
    void *warmUp[1];
    backtrace(warmUp, 1); // loads libgcc now: the handler must not allocate
#endif
    for (int signal : {SIGSEGV, SIGBUS, SIGFPE, SIGABRT}) {
        struct sigaction action {};
        action.sa_handler = reportCrash;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(signal, &action, nullptr);
    }
    return ok;
}

} // namespace si::platform
