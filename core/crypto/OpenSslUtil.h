#pragma once

// Private to core: helpers shared by the OpenSSL-backed implementation files. Never include this
// from a public header (it pulls in OpenSSL).

#include "Hash.h"

#include <QString>

#include <openssl/evp.h>

#include <memory>

namespace si::crypto {

// Fetched once per process (EVP_MD_fetch is slow); valid for the program's lifetime.
const EVP_MD *evpDigest(HashAlgorithm algorithm);

// The most recent OpenSSL error queue entry as text, and clears the queue. For `detail` fields.
QString takeOpenSslError();

struct EvpCipherCtxDeleter {
    void operator()(EVP_CIPHER_CTX *ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct EvpMdCtxDeleter {
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EvpPkeyDeleter {
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
struct EvpPkeyCtxDeleter {
    void operator()(EVP_PKEY_CTX *ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, EvpCipherCtxDeleter>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxDeleter>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxDeleter>;

} // namespace si::crypto
