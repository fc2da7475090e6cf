#pragma once

#include <QByteArray>
#include <QByteArrayView>

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

} // namespace si::crypto
