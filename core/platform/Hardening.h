#pragma once

namespace si::platform {

// Called first thing in every executable: no core dumps (they would hold decrypted sessions and
// secrets) and, on Linux, no ptrace attach by other processes of the same user. A fatal signal
// prints the stack (addresses and symbols only) to stderr instead.
// Returns false if the limits could not be set (the program continues).
bool hardenProcess();

} // namespace si::platform
