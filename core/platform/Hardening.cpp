#include "Hardening.h"

#include <sys/resource.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

namespace si::platform {

bool hardenProcess()
{
    bool ok = true;
    struct rlimit none {};
    none.rlim_cur = 0;
    none.rlim_max = 0;
    ok = setrlimit(RLIMIT_CORE, &none) == 0 && ok;
#if defined(__linux__)
    ok = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
#endif
    return ok;
}

} // namespace si::platform
