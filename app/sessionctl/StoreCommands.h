#pragma once

#include "CommandContext.h"

namespace si::cli {

// sessionctl --store URL [--layout L] [--read-only] … COMMAND (DESIGN.md's contract).
int runList(const CommandContext &ctx);
int runShow(const CommandContext &ctx);
int runFind(const CommandContext &ctx);
int runDelete(const CommandContext &ctx);
int runRevoke(const CommandContext &ctx);
int runExpire(const CommandContext &ctx);
int runStats(const CommandContext &ctx);
int runExport(const CommandContext &ctx);
int runSeed(const CommandContext &ctx);
int runFsck(const CommandContext &ctx);
int runAudit(const CommandContext &ctx);

// The options these commands take (value options, flags), for the parser.
QStringList storeValueOptions();
QStringList storeFlags();

} // namespace si::cli
