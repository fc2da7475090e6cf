#pragma once

#include "../Result.h"
#include "../json/Json.h"
#include "Jwk.h"

#include <QByteArray>

namespace si::jose {

// General compact JWE through cjose: every key management and content encryption cjose knows
// (dir, RSA-OAEP, RSA1_5, A*KW, ECDH-ES; A*CBC-HS*, A*GCM). The session-envelope hot path uses
// ContentCipher instead; tests check the two agree byte for byte.
namespace Jwe {

// `header` must name "alg" and "enc"; other members are copied into the protected header.
Result<QByteArray> encrypt(const Jwk &key, const json::Object &header, QByteArrayView plaintext);

// Decrypts with `key`; every failure (malformed, wrong key, altered) is an error value.
Result<QByteArray> decrypt(QByteArrayView compact, const Jwk &key);

} // namespace Jwe

} // namespace si::jose
