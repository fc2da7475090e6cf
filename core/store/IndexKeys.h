#pragma once

#include "../crypto/Hash.h"
#include "../envelope/SecretList.h"

#include <QByteArray>
#include <QList>

namespace si {

// Keyed hashes that stand in for user identifiers in store keys and index columns, so that the
// store never holds `sub`, `sid` or an email in clear text. One HMAC key per application secret
// (HKDF-SHA256 of the secret, info "session-inspector index v1"): writes use the current secret,
// lookups try every secret so that sessions indexed before a rotation stay findable.
// Hashes are issuer-scoped and domain-separated (a sub never collides with a sid or an email).
class IndexKeys {
public:
    enum class Kind { Subject, Session, Email };

    explicit IndexKeys(const SecretList &secrets);

    qsizetype secretCount() const { return m_keys.size(); }
    // 22 base64url characters (128 bits of HMAC-SHA256).
    QByteArray hash(qsizetype secretIndex, Kind kind, QStringView issuer, QStringView value) const;
    // The hash under every secret, current first, without duplicates.
    QList<QByteArray> hashes(Kind kind, QStringView issuer, QStringView value) const;

private:
    QList<crypto::HmacKey> m_keys;
};

} // namespace si
