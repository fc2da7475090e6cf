#include "Hkdf.h"

#include "OpenSslUtil.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

namespace si::crypto {

namespace {

EVP_KDF *hkdfAlgorithm()
{
    static EVP_KDF *const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    return kdf;
}

const char *digestName(HashAlgorithm algorithm)
{
    switch (algorithm) {
    case HashAlgorithm::Sha256:
        return "SHA256";
    case HashAlgorithm::Sha384:
        return "SHA384";
    case HashAlgorithm::Sha512:
        return "SHA512";
    }
    return "SHA256";
}

Result<SecureBytes> derive(int mode, HashAlgorithm algorithm, QByteArrayView key, QByteArrayView salt,
                           QByteArrayView info, qsizetype length)
{
    if (length <= 0 || length > 255 * digestLength(algorithm))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("HKDF output length out of range"),
                         QStringLiteral("requested %1 bytes").arg(length));
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(hkdfAlgorithm());
    if (!ctx)
        return makeError(ErrorCode::Internal, QStringLiteral("HKDF unavailable"), takeOpenSslError());

    // OpenSSL takes non-const pointers in OSSL_PARAM but does not modify these buffers.
    static unsigned char empty = 0;
    auto bytes = [](QByteArrayView v) {
        return v.isEmpty() ? &empty : const_cast<unsigned char *>(reinterpret_cast<const unsigned char *>(v.data()));
    };
    OSSL_PARAM params[6];
    int n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char *>(digestName(algorithm)), 0);
    params[n++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, bytes(key), static_cast<size_t>(key.size()));
    if (mode != EVP_KDF_HKDF_MODE_EXPAND_ONLY)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, bytes(salt), static_cast<size_t>(salt.size()));
    if (mode != EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, bytes(info), static_cast<size_t>(info.size()));
    params[n] = OSSL_PARAM_construct_end();

    SecureBytes out(length);
    const int rc = EVP_KDF_derive(ctx, out.data(), static_cast<size_t>(length), params);
    EVP_KDF_CTX_free(ctx);
    if (rc != 1)
        return makeError(ErrorCode::Internal, QStringLiteral("HKDF derivation failed"), takeOpenSslError());
    return out;
}

} // namespace

Result<SecureBytes> hkdf(HashAlgorithm algorithm, QByteArrayView ikm, QByteArrayView salt, QByteArrayView info,
                         qsizetype length)
{
    return derive(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, algorithm, ikm, salt, info, length);
}

Result<SecureBytes> hkdfExtract(HashAlgorithm algorithm, QByteArrayView ikm, QByteArrayView salt)
{
    return derive(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, algorithm, ikm, salt, {}, digestLength(algorithm));
}

Result<SecureBytes> hkdfExpand(HashAlgorithm algorithm, QByteArrayView prk, QByteArrayView info, qsizetype length)
{
    return derive(EVP_KDF_HKDF_MODE_EXPAND_ONLY, algorithm, prk, {}, info, length);
}

} // namespace si::crypto
