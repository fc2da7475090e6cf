#include "StateStore.h"

#include "../async/Worker.h"

#include <QtConcurrent/QtConcurrentRun>

namespace si {

QFuture<Status> StateStore::setMany(const QList<QPair<QString, StateData>> &sessions)
{
    // Sequential on a pool thread: the single-item futures are awaited there, never on the
    // caller's thread.
    return QtConcurrent::run([this, sessions]() -> Status {
        for (const auto &[id, state] : sessions) {
            if (Status s = await(set(id, state)); !s)
                return s;
        }
        return {};
    });
}

QFuture<Result<QList<Result<std::optional<StateData>>>>> StateStore::getMany(const QStringList &ids)
{
    using Item = Result<std::optional<StateData>>;
    return QtConcurrent::run([this, ids]() -> Result<QList<Item>> {
        QList<Item> out;
        out.reserve(ids.size());
        for (const QString &id : ids) {
            Item item = await(get(id));
            if (!item && (item.error().code == ErrorCode::StoreUnreachable || item.error().code == ErrorCode::Timeout))
                return item.error();
            out.append(std::move(item));
        }
        return out;
    });
}

} // namespace si
