#pragma once

#include "SecureBytes.h"

#include <QByteArray>
#include <QString>

namespace si::crypto {

// Cryptographically secure random bytes from OpenSSL's DRBG. A failing DRBG is fatal: nothing
// in this program may continue with predictable randomness.
QByteArray randomBytes(qsizetype count);
SecureBytes randomSecret(qsizetype count);

// A string of `length` characters drawn uniformly (rejection sampling) from `alphabet`.
// Used for OAuth state, PKCE verifiers and session ids.
QString randomString(qsizetype length, QStringView alphabet);

// The alphabet auth0-server-python uses for state and PKCE verifiers: [A-Za-z0-9].
QStringView alphanumericAlphabet();

} // namespace si::crypto
