#include "IndexKeys.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hash.h"
#include "../crypto/Hkdf.h"

namespace si {

IndexKeys::IndexKeys(const SecretList &secrets)
{
    for (qsizetype i = 0; i < secrets.size(); ++i) {
        auto key = crypto::hkdf(crypto::HashAlgorithm::Sha256, secrets.at(i).view(), "session-inspector",
                                "session-inspector index v1", 32);
        m_keys.append(crypto::HmacKey(crypto::HashAlgorithm::Sha256, key ? key->view() : QByteArrayView()));
    }
}

QByteArray IndexKeys::hash(qsizetype secretIndex, Kind kind, QStringView issuer, QStringView value) const
{
    static const char *const kPrefix[] = {"sub", "sid", "email"};
    QByteArray input(kPrefix[static_cast<int>(kind)]);
    input.append('\0').append(issuer.toUtf8()).append('\0').append(value.toUtf8());
    const QByteArray mac = m_keys.at(secretIndex).mac(input);
    return crypto::base64UrlEncode(QByteArrayView(mac).first(16));
}

QList<QByteArray> IndexKeys::hashes(Kind kind, QStringView issuer, QStringView value) const
{
    QList<QByteArray> out;
    for (qsizetype i = 0; i < m_keys.size(); ++i) {
        QByteArray h = hash(i, kind, issuer, value);
        if (!out.contains(h))
            out.append(std::move(h));
    }
    return out;
}

} // namespace si
