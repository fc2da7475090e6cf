#pragma once

#include <QByteArrayView>

namespace si::crypto {

// Compares two byte strings in time that depends only on their lengths (CRYPTO_memcmp).
// Different lengths compare unequal immediately: lengths are not treated as secret.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace si::crypto
