#include "SessionCodec.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Random.h"

#include <QtConcurrent/QtConcurrentMap>
#include <QtConcurrent/QtConcurrentRun>

namespace si {

namespace {

EnvelopeCipher::Options cipherOptions()
{
    EnvelopeCipher::Options options;
    options.withKeyId = true;
    return options;
}

} // namespace

SessionCodec::SessionCodec(SecretList secrets, Options options)
    : m_cipher(std::make_shared<EnvelopeCipher>(secrets, cipherOptions()))
    , m_indexKeys(secrets)
    , m_options(std::move(options))
{
    if (!m_options.clock)
        m_options.clock = systemClock;
}

Status SessionCodec::validateId(QStringView id)
{
    bool ok = id.size() >= 22 && id.size() <= 128;
    for (QChar c : id) {
        const char16_t u = c.unicode();
        ok = ok && ((u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' ||
                    u == u'_');
    }
    if (!ok)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid session id"),
                         QStringLiteral("session ids are 22 to 128 characters of [A-Za-z0-9_-] from a random "
                                        "source (SessionCodec::newSessionId); a fixed key would make users share "
                                        "one record"));
    return {};
}

QString SessionCodec::newSessionId()
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(16)));
}

Result<SessionRecord> SessionCodec::encode(const QString &id, const StateData &state) const
{
    if (auto valid = validateId(id); !valid)
        return valid.error();
    SessionRecord record;
    record.id = id;
    record.keyId = m_cipher->secrets().keyId(0);
    const qint64 t = now();
    record.createdAt = state.internal.createdAt > 0 ? state.internal.createdAt : t;
    record.lastActivity = t;
    record.absoluteExpiresAt = m_options.expiry.absoluteDeadline(record.createdAt);
    if (state.internal.sessionExpiresAt && *state.internal.sessionExpiresAt < record.absoluteExpiresAt)
        record.absoluteExpiresAt = *state.internal.sessionExpiresAt;
    record.expiresAt = m_options.expiry.deadline(record.createdAt, t);
    record.expiresAt = qMin(record.expiresAt, record.absoluteExpiresAt);

    const SessionIdentity who = identify(state);
    if (!who.sub.isEmpty())
        record.subjectHash = m_indexKeys.hash(0, IndexKeys::Kind::Subject, who.issuer, who.sub);
    if (!who.sid.isEmpty())
        record.sessionHash = m_indexKeys.hash(0, IndexKeys::Kind::Session, who.issuer, who.sid);
    if (!who.email.isEmpty())
        record.emailHash = m_indexKeys.hash(0, IndexKeys::Kind::Email, {}, who.email.toLower());
    auto envelope = m_cipher->encryptJson(envelopeSalt(), state.toJson(), id);
    if (!envelope)
        return envelope.error();
    record.envelope = std::move(envelope.value());
    return record;
}

QFuture<Status> SessionCodec::encodeThenWrite(std::shared_ptr<const SessionCodec> codec,
                                              const QList<QPair<QString, StateData>> &sessions,
                                              std::function<QFuture<Status>(QList<SessionRecord>)> write)
{
    auto collect = [](const QList<Result<SessionRecord>> &encoded) -> Result<QList<SessionRecord>> {
        QList<SessionRecord> records;
        records.reserve(encoded.size());
        for (const auto &r : encoded) {
            if (!r)
                return r.error();
            records.append(r.value());
        }
        return records;
    };
    auto thenWrite = [write = std::move(write)](Result<QList<SessionRecord>> records) -> QFuture<Status> {
        if (!records)
            return QtFuture::makeReadyFuture(Status(records.error()));
        return write(std::move(records.value()));
    };
    if (sessions.size() == 1)
        return thenWrite(collect({codec->encode(sessions.first().first, sessions.first().second)}));
    return QtConcurrent::run([codec, sessions, collect] {
               return collect(QtConcurrent::blockingMapped(
                   sessions, [codec](const QPair<QString, StateData> &s) { return codec->encode(s.first, s.second); }));
           })
        .then(thenWrite)
        .unwrap();
}

Result<StateData> SessionCodec::decode(const SessionRecord &record) const
{
    auto value = m_cipher->decryptJson(envelopeSalt(), record.envelope, record.id);
    if (!value)
        return value.error();
    return StateData::fromJson(std::move(value.value()));
}

SessionIdentity SessionCodec::identify(const StateData &state) const
{
    SessionIdentity who;
    who.issuer = m_options.defaultIssuer;
    who.sid = state.internal.sid;
    if (state.user) {
        who.issuer = state.user->issuer().value_or(m_options.defaultIssuer);
        who.sub = state.user->sub();
        // The ID token's sid is what logout tokens carry; internal.sid equals it when the IdP sent one.
        who.sid = state.user->sid().value_or(state.internal.sid);
        who.email = state.user->email().value_or(QString());
    }
    return who;
}

bool SessionCodec::touch(SessionRecord &record) const
{
    if (m_options.expiry.inactivitySeconds <= 0)
        return false;
    record.lastActivity = now();
    record.expiresAt = qMin(record.absoluteExpiresAt, record.lastActivity + m_options.expiry.inactivitySeconds);
    return true;
}

QList<QByteArray> SessionCodec::emailHashes(QStringView email) const
{
    return m_indexKeys.hashes(IndexKeys::Kind::Email, {}, email.toString().toLower());
}

QList<QByteArray> SessionCodec::subjectHashes(QStringView issuer, QStringView sub) const
{
    return m_indexKeys.hashes(IndexKeys::Kind::Subject, issuer, sub);
}

QList<QByteArray> SessionCodec::sessionHashes(QStringView issuer, QStringView sid) const
{
    return m_indexKeys.hashes(IndexKeys::Kind::Session, issuer, sid);
}

} // namespace si
