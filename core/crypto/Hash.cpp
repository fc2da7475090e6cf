#include "Hash.h"

#include "OpenSslUtil.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace si::crypto {

qsizetype digestLength(HashAlgorithm algorithm)
{
    switch (algorithm) {
    case HashAlgorithm::Sha256:
        return 32;
    case HashAlgorithm::Sha384:
        return 48;
    case HashAlgorithm::Sha512:
        return 64;
    }
    return 0;
}

QByteArray hash(HashAlgorithm algorithm, QByteArrayView data)
{
    QByteArray out(digestLength(algorithm), Qt::Uninitialized);
    unsigned int length = 0;
    if (EVP_Digest(data.data(), static_cast<size_t>(data.size()), reinterpret_cast<unsigned char *>(out.data()),
                   &length, evpDigest(algorithm), nullptr) != 1)
        qFatal("OpenSSL digest failed");
    return out;
}

QByteArray hmac(HashAlgorithm algorithm, QByteArrayView key, QByteArrayView data)
{
    QByteArray out(digestLength(algorithm), Qt::Uninitialized);
    unsigned int length = 0;
    // HMAC() with an empty key needs a non-null pointer.
    static const unsigned char empty = 0;
    const void *keyData = key.isEmpty() ? static_cast<const void *>(&empty) : key.data();
    if (!HMAC(evpDigest(algorithm), keyData, static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char *>(data.data()), static_cast<size_t>(data.size()),
              reinterpret_cast<unsigned char *>(out.data()), &length))
        qFatal("OpenSSL HMAC failed");
    return out;
}

} // namespace si::crypto
