#pragma once

// Private to core/jose: the imported key material behind a Jwk.

#include "Jwk.h"

#include <cjose/header.h>
#include <cjose/jwk.h>
#include <openssl/evp.h>

namespace si::jose {

struct JwkData {
    Jwk::KeyType type = Jwk::KeyType::Oct;
    json::Object json;
    int bits = 0;
    bool hasPrivate = false;
    cjose_jwk_t *cjose = nullptr; // RSA, EC, oct
    EVP_PKEY *pkey = nullptr;     // OKP (public key only)

    JwkData() = default;
    JwkData(const JwkData &) = delete;
    JwkData &operator=(const JwkData &) = delete;
    ~JwkData();
};

QString cjoseErrorText(const cjose_err &err);

// Builds a cjose header from our object. cjose (through jansson) takes strings, objects and arrays
// only; other member types are refused with InvalidArgument. The caller releases the header.
Result<cjose_header_t *> makeCjoseHeader(const json::Object &header);

} // namespace si::jose
