#include "ValidationReport.h"

namespace si::oidc {

bool ValidationReport::ok() const
{
    for (const Check &c : checks) {
        if (!c.passed)
            return false;
    }
    return !checks.isEmpty();
}

QString ValidationReport::firstFailure() const
{
    for (const Check &c : checks) {
        if (!c.passed)
            return c.name + QStringLiteral(": ") + c.detail;
    }
    return {};
}

} // namespace si::oidc
