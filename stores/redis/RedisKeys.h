#pragma once

#include "RedisClient.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace si::stores {

// Key names of the native Redis layout (docs/store-layout.md), shared by the state store and the
// inspector's session source.
namespace RedisKeys {
inline QByteArray session(const QByteArray &prefix, const QString &id)
{
    return prefix + "s:" + id.toLatin1();
}
inline QByteArray subjectIndex(const QByteArray &prefix, const QByteArray &hash)
{
    return prefix + "u:" + hash;
}
inline QByteArray sessionIndex(const QByteArray &prefix, const QByteArray &hash)
{
    return prefix + "d:" + hash;
}
inline QByteArray emailIndex(const QByteArray &prefix, const QByteArray &hash)
{
    return prefix + "m:" + hash;
}
// The fields of a session hash, in the order sessionFields() lists them.
enum Field { Envelope, KeyId, Created, LastActivity, Absolute, Deadline, SubjectHash, SessionHash, EmailHash };
inline QList<QByteArray> sessionFields()
{
    return {"v", "k", "c", "l", "a", "e", "u", "d", "m"};
}
} // namespace RedisKeys

// Deletes native sessions and their index entries: on one server in one MULTI block per batch (all
// or nothing), on a cluster sessions first and index entries after (a failure between the two
// leaves only a harmless dangling entry, which fsck --repair removes). Returns how many existed.
Result<qsizetype> removeSessions(RedisClient &client, const QByteArray &prefix, const QStringList &ids);

} // namespace si::stores
