#pragma once

#include "CommandContext.h"

namespace si::cli {

// sessionctl token verify-logout --issuer I --client-id C --jwks FILE|URL [TOKEN|@FILE|-]
int runTokenVerifyLogout(const CommandContext &ctx);

} // namespace si::cli
