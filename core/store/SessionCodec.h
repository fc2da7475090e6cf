#pragma once

#include "../Result.h"
#include "../envelope/EnvelopeCipher.h"
#include "../model/StateData.h"
#include "IndexKeys.h"
#include "StoreTypes.h"

#include <QFuture>
#include <QList>
#include <QPair>

#include <functional>
#include <memory>

namespace si {

// One session as the native layout stores it: the encrypted envelope plus the clear metadata a
// store needs for expiry, indexing and listing — never a clear-text identifier.
struct SessionRecord {
    QString id;
    QByteArray envelope; // compact JWE with "kid" and the id bound into the header
    QString keyId;       // which secret wrote it (also inside the envelope header)
    qint64 createdAt = 0;
    qint64 lastActivity = 0;
    qint64 absoluteExpiresAt = 0;
    qint64 expiresAt = 0;   // effective deadline: min(absolute, lastActivity + inactivity)
    QByteArray subjectHash; // IndexKeys hash of (iss, sub) under the writing secret; may be empty
    QByteArray sessionHash; // IndexKeys hash of (iss, sid); may be empty
    QByteArray emailHash;   // IndexKeys hash of the lower-cased email (any issuer); may be empty
};

// Who a session belongs to, as revocation sees it.
struct SessionIdentity {
    QString issuer; // the user's "iss" claim, else the codec's default issuer
    QString sub;
    QString sid; // the ID token's sid, else internal.sid
    QString email;
};

// What every native store shares: turning StateData into a SessionRecord and back, expiry rules,
// and the index hashes. Immutable after construction; safe to use from any thread.
class SessionCodec {
public:
    struct Options {
        ExpiryPolicy expiry;
        // Issuer assumed for sessions whose user claims carry no "iss" (logout tokens always
        // name one, so sessions need one to be revocable).
        QString defaultIssuer;
        Clock clock = systemClock;
    };

    SessionCodec(SecretList secrets, Options options);

    // Rejects ids that are not random enough to be a session id: at least 22 characters of
    // [A-Za-z0-9_-]. (auth0-fastapi's stateful store keys every user under "_a0_session".)
    static Status validateId(QStringView id);
    // 128 random bits, base64url (22 characters).
    static QString newSessionId();

    Result<SessionRecord> encode(const QString &id, const StateData &state) const;
    // encode() of every session on the thread pool (a single one at once, on the calling thread),
    // then `write` of the records in order — or the first encoding failure, with nothing written.
    // Stores write batches this way, so that one batch is encrypted while the previous one is
    // being written.
    static QFuture<Status> encodeThenWrite(std::shared_ptr<const SessionCodec> codec,
                                           const QList<QPair<QString, StateData>> &sessions,
                                           std::function<QFuture<Status>(QList<SessionRecord>)> write);
    // `record.lastActivity` is refreshed by the caller (touch) when reads extend the session.
    Result<StateData> decode(const SessionRecord &record) const;

    bool isExpired(const SessionRecord &record) const { return record.expiresAt <= now(); }
    // Moves the inactivity deadline forward; returns false when nothing changes (no rolling expiry).
    bool touch(SessionRecord &record) const;

    SessionIdentity identify(const StateData &state) const;

    // Index hashes under every secret, for revocation lookups.
    QList<QByteArray> subjectHashes(QStringView issuer, QStringView sub) const;
    QList<QByteArray> sessionHashes(QStringView issuer, QStringView sid) const;
    // Email hashes are not issuer-scoped (support staff search by email without knowing the IdP)
    // and ignore case.
    QList<QByteArray> emailHashes(QStringView email) const;

    qint64 now() const { return m_options.clock(); }
    const ExpiryPolicy &expiry() const { return m_options.expiry; }
    const EnvelopeCipher &cipher() const { return *m_cipher; }
    const IndexKeys &indexKeys() const { return m_indexKeys; }

    // The salt of native envelopes (auth0's state identifier; the record id is bound separately).
    static QString envelopeSalt() { return QStringLiteral("_a0_session"); }

private:
    std::shared_ptr<EnvelopeCipher> m_cipher;
    IndexKeys m_indexKeys;
    Options m_options;
};

} // namespace si
