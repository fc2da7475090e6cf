#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <memory>

namespace si::crypto {

enum class HashAlgorithm { Sha256, Sha384, Sha512 };

qsizetype digestLength(HashAlgorithm algorithm);

QByteArray hash(HashAlgorithm algorithm, QByteArrayView data);
inline QByteArray sha256(QByteArrayView data)
{
    return hash(HashAlgorithm::Sha256, data);
}
inline QByteArray sha512(QByteArrayView data)
{
    return hash(HashAlgorithm::Sha512, data);
}

// HMAC (RFC 2104) of `data` under `key`.
QByteArray hmac(HashAlgorithm algorithm, QByteArrayView key, QByteArrayView data);

// HMAC under one key, many times: the key is absorbed once (its inner and outer pads hashed), each
// mac() copies that state and hashes only `data` — half the cost of hmac() on short inputs, where
// OpenSSL 3's one-shot HMAC() spends most of its time fetching the digest and keying. Immutable
// after construction; mac() may be called from any number of threads at once. Copies share the key.
class HmacKey {
public:
    HmacKey(HashAlgorithm algorithm, QByteArrayView key);
    QByteArray mac(QByteArrayView data) const;
    qsizetype length() const { return m_length; }

private:
    struct State;
    std::shared_ptr<const State> m_state;
    qsizetype m_length = 0;
};

} // namespace si::crypto
