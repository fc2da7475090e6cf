#pragma once

#include "../Result.h"
#include "../store/IndexKeys.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace si::inspector {

// One stored session as the store holds it, before any decoding.
struct RawSession {
    QString id;       // the session id: the key without the layout's prefix, or the row id
    QByteArray value; // as stored: an envelope, JSON, or a peer's ciphertext
    // What the store knows besides the value (0 = unknown or none).
    qint64 createdAt = 0;
    qint64 lastActivity = 0;
    qint64 expiresAt = 0;   // when the store drops it (Redis TTL, SQL expires_at)
    QString keyId;          // native: which secret wrote it
    QByteArray subjectHash; // native: the keyed hash of (iss, sub), for statistics without decrypting
};

struct RawPage {
    QList<RawSession> sessions;
    QString nextCursor; // empty when the listing is complete
};

// Where a listing stands after skipping sessions (SessionSource::skip).
struct SkipResult {
    QString cursor;     // continues the listing after the skipped sessions
    bool atEnd = false; // nothing follows: the listing ended within (or right after) the skip
    qint64 skipped = 0; // sessions passed; fewer than asked only at the end
};

struct SessionCount {
    qint64 value = 0;
    bool exact = true; // false: an estimate (Redis: keyspace size times the sampled share)
};

// Orders a listing can take besides the store's own. Sources that can keep one with keyset paging
// (SQL: by creation and by expiry, each way, from indexes) say so in supportsOrder(); the rest
// list in their own order only — sorting them would mean reading every session first.
enum class ListOrder { Store, CreatedAscending, CreatedDescending, ExpiresAscending, ExpiresDescending };

// One kind of inconsistency an integrity check looked for and found.
struct IntegrityFinding {
    QString what; // "index entries pointing at no session"
    qint64 found = 0;
    qint64 repaired = 0;
    QString advice; // what --repair does about it, or what to do instead
};

struct IntegrityReport {
    qint64 sessions = 0;              // sessions checked
    qint64 indexEntries = 0;          // index entries checked
    QList<IntegrityFinding> findings; // only kinds that were found
};

// What a support tool needs from a session store, whatever its layout: raw records, paged and
// streamed, and the few writes an inspector performs. Implementations live in stores/ (Redis,
// SQL, memory, a pasted cookie) and run on the store's worker thread.
//
// Writes here do not check read-only profiles or write audit entries: SessionBackend does, and
// it is the only caller meant for user actions.
class SessionSource {
public:
    virtual ~SessionSource() = default;

    // "redis://127.0.0.1:6379/0 (keys starsessions.*)" — never a password.
    virtual QString describe() const = 0;
    virtual QString backendName() const = 0;

    virtual QFuture<Result<SessionCount>> count() = 0;
    // At most `limit` sessions after `cursor` (empty: the start), in the store's own order (SQL: by
    // id, keyset — a page deep in the listing costs what the first does; Redis: SCAN order over
    // every primary, which may repeat a key that moved during the scan). Expired sessions are left out.
    virtual QFuture<Result<RawPage>> page(const QString &cursor, int limit) = 0;
    // Moves `n` sessions past `cursor` without reading their values: the cursor a page starting
    // there would need. A table scrolled far down costs one skip from the nearest known cursor,
    // not a page per screen. The default pages through; stores override it with a key-only walk.
    virtual QFuture<Result<SkipResult>> skip(const QString &cursor, qint64 n);
    // page() and skip() in `order`. Cursors belong to the order they came from. The default serves
    // ListOrder::Store and answers Unsupported for the others.
    virtual bool supportsOrder(ListOrder order) const { return order == ListOrder::Store; }
    virtual QFuture<Result<RawPage>> pageInOrder(ListOrder order, const QString &cursor, int limit);
    virtual QFuture<Result<SkipResult>> skipInOrder(ListOrder order, const QString &cursor, qint64 n);
    // The sessions that exist among `ids`, in no particular order (missing and expired ones left out).
    virtual QFuture<Result<QList<RawSession>>> loadMany(const QStringList &ids) = 0;
    // Deletes the sessions (and, natively, their index entries); returns how many existed.
    virtual QFuture<Result<qsizetype>> remove(const QStringList &ids) = 0;
    // Moves the session's end to `at` (unix seconds); false when it does not exist.
    virtual QFuture<Result<bool>> expireAt(const QString &id, qint64 at) = 0;

    // Native layout: the ids indexed under any of `hashes` (IndexKeys) — no scan, no decryption.
    virtual bool hasIndexes() const { return false; }
    virtual QFuture<Result<QStringList>> lookup(IndexKeys::Kind kind, const QList<QByteArray> &hashes);

    // Calls `sink` with every session, `batchSize` at a time, on the source's worker thread, until
    // the end or until `sink` returns false. Returns how many sessions were delivered.
    // Canceling the future stops the scan between batches.
    using Sink = std::function<bool(QList<RawSession> &&batch)>;
    virtual QFuture<Result<qint64>> scan(Sink sink, int batchSize) = 0;

    // Looks for what the store's own structure can get wrong (dangling or missing index entries,
    // sessions without a deadline, expired rows not yet swept) and, with `repair`, fixes what can
    // be fixed safely. The default has nothing to check.
    virtual QFuture<Result<IntegrityReport>> checkIntegrity(bool repair);

    // Stores sessions as given (seeding, imports in a peer's layout). Native stores are written
    // through their StateStore instead, which maintains the indexes.
    virtual QFuture<Status> write(const QList<RawSession> &sessions);
};

} // namespace si::inspector
