#pragma once

#include "../Result.h"
#include "../crypto/SecureBytes.h"

#include <QList>
#include <QString>

namespace si {

// The application's secrets in rotation order: the first encrypts, every one decrypts.
// Secrets are used as given (their UTF-8 bytes), exactly as auth0-server-python does.
class SecretList {
public:
    SecretList() = default;
    explicit SecretList(QList<crypto::SecureBytes> secrets);

    // "s1,s2,…" as in the SI_SECRET environment variable. The source array is wiped.
    static Result<SecretList> fromDelimited(QByteArray &value);
    // One secret per line; empty lines and lines starting with '#' are ignored; a trailing CR is
    // dropped. The file content is wiped from memory after parsing.
    static Result<SecretList> fromFile(const QString &path);

    bool isEmpty() const { return m_secrets.isEmpty(); }
    qsizetype size() const { return m_secrets.size(); }
    const crypto::SecureBytes &at(qsizetype index) const { return m_secrets.at(index); }
    const crypto::SecureBytes &primary() const { return m_secrets.first(); }

    // A short public identifier of secret `index` (11 base64url characters of
    // HMAC-SHA256(secret, "session-inspector key id v1")). Safe to show and to store.
    QString keyId(qsizetype index) const;
    // The index whose keyId() equals `id`, or -1.
    qsizetype indexOfKeyId(QStringView id) const;

private:
    QList<crypto::SecureBytes> m_secrets;
    QStringList m_keyIds;
};

} // namespace si
