#pragma once

#include "CommandContext.h"

namespace si::cli {

// sessionctl cookie decode --cookie-header "..."|- [--cookie-name NAME] [--pretty]
int runCookieDecode(const CommandContext &ctx);

} // namespace si::cli
