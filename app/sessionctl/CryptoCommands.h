#pragma once

#include "CommandContext.h"

namespace si::cli {

// sessionctl crypto encrypt --salt ID [JSON|-] [--as-is]
int runCryptoEncrypt(const CommandContext &ctx);
// sessionctl crypto decrypt --salt ID [TOKEN|-] [--pretty]
int runCryptoDecrypt(const CommandContext &ctx);

// Shared by decrypt and cookie decode: decrypts `token` with `salt` and prints the JSON.
int decryptAndPrint(const CommandContext &ctx, const QString &salt, QByteArrayView token);

} // namespace si::cli
