#pragma once

#include "../Result.h"
#include "../json/Json.h"
#include "Algorithms.h"
#include "Jwk.h"

#include <QByteArray>

#include <optional>

namespace si::jose {

// A compact JWS (RFC 7515 §7.1) split and decoded, not yet verified.
struct ParsedJws {
    QByteArray compact;      // the token as given
    QByteArray signingInput; // ASCII(header.payload)
    json::Object header;
    QByteArray payload; // decoded
    QByteArray signature;
    QString algorithmName; // header "alg" verbatim ("none" included)
    std::optional<SignatureAlgorithm> algorithm;
    QString kid;
    QString type; // header "typ"
};

namespace Jws {

// Splits and decodes. The header must be a JSON object with a string "alg".
Result<ParsedJws> parse(QByteArrayView compact);

// Verifies the signature with `key`. Refused before any cryptography: an algorithm outside
// `allowed` (so "none" always), a key whose type, curve, "use" or "alg" does not fit the algorithm,
// RSA keys below 2048 bits and HMAC keys shorter than the hash.
Status verify(const ParsedJws &jws, const Jwk &key, const AlgorithmSet &allowed);

// Picks the key by the header's kid (or, without kid, tries every key that fits the algorithm).
// ErrorCode::NotFound when no key matches, so callers can refetch the JWKS once.
Status verify(const ParsedJws &jws, const Jwks &keys, const AlgorithmSet &allowed);

// Signs `payload` with a private key; `header` gets "alg" (and the key's kid unless present).
Result<QByteArray> sign(SignatureAlgorithm alg, json::Object header, QByteArrayView payload, const Jwk &key);

// Whether `key` can be used with `alg` at all (type and curve).
bool keyFitsAlgorithm(const Jwk &key, SignatureAlgorithm alg);

} // namespace Jws

} // namespace si::jose
