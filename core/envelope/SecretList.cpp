#include "SecretList.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hash.h"

#include <QFile>

namespace si {

SecretList::SecretList(QList<crypto::SecureBytes> secrets)
    : m_secrets(std::move(secrets))
{
    for (const auto &secret : m_secrets) {
        const QByteArray mac =
            crypto::hmac(crypto::HashAlgorithm::Sha256, secret.view(), "session-inspector key id v1");
        m_keyIds << QString::fromLatin1(crypto::base64UrlEncode(QByteArrayView(mac).first(8)));
    }
}

Result<SecretList> SecretList::fromDelimited(QByteArray &value)
{
    QList<crypto::SecureBytes> secrets;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= value.size(); ++i) {
        if (i == value.size() || value[i] == ',') {
            if (i > start)
                secrets.append(crypto::SecureBytes(value.constData() + start, i - start));
            start = i + 1;
        }
    }
    crypto::secureWipe(value);
    if (secrets.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no secret given"),
                         QStringLiteral("the secret list is empty"));
    return SecretList(std::move(secrets));
}

Result<SecretList> SecretList::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, QStringLiteral("cannot read the secret file"),
                         QStringLiteral("%1: %2").arg(path, file.errorString()));
    QByteArray content = file.readAll();
    QList<crypto::SecureBytes> secrets;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= content.size(); ++i) {
        if (i == content.size() || content[i] == '\n') {
            qsizetype end = i;
            if (end > start && content[end - 1] == '\r')
                --end;
            if (end > start && content[start] != '#')
                secrets.append(crypto::SecureBytes(content.constData() + start, end - start));
            start = i + 1;
        }
    }
    crypto::secureWipe(content);
    if (secrets.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the secret file holds no secret"), path);
    return SecretList(std::move(secrets));
}

QString SecretList::keyId(qsizetype index) const
{
    return m_keyIds.value(index);
}

qsizetype SecretList::indexOfKeyId(QStringView id) const
{
    for (qsizetype i = 0; i < m_keyIds.size(); ++i) {
        if (m_keyIds.at(i) == id)
            return i;
    }
    return -1;
}

} // namespace si
