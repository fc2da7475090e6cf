#include "OpenSslUtil.h"

#include <openssl/err.h>

namespace si::crypto {

const EVP_MD *evpDigest(HashAlgorithm algorithm)
{
    static EVP_MD *const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    static EVP_MD *const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
    static EVP_MD *const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
    switch (algorithm) {
    case HashAlgorithm::Sha256:
        return sha256;
    case HashAlgorithm::Sha384:
        return sha384;
    case HashAlgorithm::Sha512:
        return sha512;
    }
    return nullptr;
}

QString takeOpenSslError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("no OpenSSL error recorded");
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return QString::fromLatin1(buffer);
}

} // namespace si::crypto
