#include "Hash.h"

#include "OpenSslUtil.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

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

struct HmacKey::State {
    EVP_MAC_CTX *keyed = nullptr;
    ~State() { EVP_MAC_CTX_free(keyed); }
};

HmacKey::HmacKey(HashAlgorithm algorithm, QByteArrayView key)
    : m_length(digestLength(algorithm))
{
    static EVP_MAC *const kHmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    auto state = std::make_shared<State>();
    state->keyed = EVP_MAC_CTX_new(kHmac);
    static const unsigned char empty = 0;
    const auto *keyData = key.isEmpty() ? &empty : reinterpret_cast<const unsigned char *>(key.data());
    char *digestName = const_cast<char *>(EVP_MD_get0_name(evpDigest(algorithm)));
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
                                 OSSL_PARAM_construct_end()};
    if (!state->keyed || EVP_MAC_init(state->keyed, keyData, static_cast<size_t>(key.size()), params) != 1)
        qFatal("OpenSSL HMAC keying failed");
    m_state = std::move(state);
}

QByteArray HmacKey::mac(QByteArrayView data) const
{
    // The keyed context is only ever read (duplicated), never updated: safe across threads.
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(m_state->keyed);
    QByteArray out(m_length, Qt::Uninitialized);
    size_t length = 0;
    const bool ok = ctx &&
                    EVP_MAC_update(ctx, reinterpret_cast<const unsigned char *>(data.data()),
                                   static_cast<size_t>(data.size())) == 1 &&
                    EVP_MAC_final(ctx, reinterpret_cast<unsigned char *>(out.data()), &length,
                                  static_cast<size_t>(out.size())) == 1;
    EVP_MAC_CTX_free(ctx);
    if (!ok || qsizetype(length) != m_length)
        qFatal("OpenSSL HMAC failed");
    return out;
}

} // namespace si::crypto
