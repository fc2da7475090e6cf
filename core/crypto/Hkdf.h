#pragma once

#include "../Result.h"
#include "Hash.h"
#include "SecureBytes.h"

namespace si::crypto {

// HKDF (RFC 5869) through OpenSSL's EVP_KDF. Fails for a length above 255 * HashLen or 0.
Result<SecureBytes> hkdf(HashAlgorithm algorithm, QByteArrayView ikm, QByteArrayView salt, QByteArrayView info,
                         qsizetype length);
// The two halves, for tests against the published PRK values.
Result<SecureBytes> hkdfExtract(HashAlgorithm algorithm, QByteArrayView ikm, QByteArrayView salt);
Result<SecureBytes> hkdfExpand(HashAlgorithm algorithm, QByteArrayView prk, QByteArrayView info, qsizetype length);

} // namespace si::crypto
