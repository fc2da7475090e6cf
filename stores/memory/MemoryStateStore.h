#pragma once

#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"

#include <QHash>
#include <QMutex>

namespace si::stores {

// The records of memory stores; several MemoryStateStore objects (say, with different secret
// lists during a rotation) can share one.
struct MemorySessionTable {
    QMutex mutex;
    QHash<QString, SessionRecord> records;
    QMultiHash<QByteArray, QString> bySubject;
    QMultiHash<QByteArray, QString> bySession;
    QMultiHash<QByteArray, QString> byEmail;
    qint64 lastSweep = 0;
};

// Sessions in this process's memory, encrypted like every native store (so secrets, rotation and
// tampering behave the same). For tests, demos and single-process apps. Operations complete
// synchronously; the returned futures are already finished.
class MemoryStateStore : public StateStore {
public:
    explicit MemoryStateStore(std::shared_ptr<const SessionCodec> codec,
                              std::shared_ptr<MemorySessionTable> table = std::make_shared<MemorySessionTable>());

    QString backendName() const override { return QStringLiteral("memory"); }
    QFuture<Status> set(const QString &id, const StateData &state, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<StateData>>> get(const QString &id, std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &id, std::shared_ptr<StoreContext> context) override;
    QFuture<Result<qsizetype>> deleteByLogoutToken(const LogoutTarget &target) override;

    qsizetype size() const;
    // Raw access for tests (e.g. to tamper with a stored envelope).
    std::optional<SessionRecord> record(const QString &id) const;
    void putRecord(const SessionRecord &record);

private:
    void sweepLocked();
    void eraseLocked(QHash<QString, SessionRecord>::iterator it);

    std::shared_ptr<const SessionCodec> m_codec;
    std::shared_ptr<MemorySessionTable> m_table;
};

} // namespace si::stores
