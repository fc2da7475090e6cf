#pragma once

#include "../async/Worker.h"
#include "../store/SessionCodec.h"
#include "../store/StateStore.h"
#include "AuditLog.h"
#include "SessionLayout.h"
#include "SessionSource.h"

#include <QMap>

#include <functional>
#include <memory>

namespace si::inspector {

// One line of a listing: store metadata merged with what the content says.
struct SessionRow {
    QString id;
    SessionSummary summary; // empty when the session could not be decoded
    QString error;          // why it could not be decoded (wrong secret, altered, not JSON); empty if it was
    qint64 createdAt = 0;   // the store's, else the content's (0 = unknown)
    qint64 lastActivity = 0;
    qint64 expiresAt = 0;
    qsizetype size = 0;       // stored bytes
    qsizetype cookieSize = 0; // bytes as an auth0 cookie envelope (the cookie form)
    QString keyId;
    bool decoded() const { return error.isEmpty(); }
};

struct SessionPage {
    QList<SessionRow> rows;
    QString nextCursor; // empty at the end
};

struct SessionDetail {
    SessionRow row;
    json::Value document;      // the decrypted content (null when it could not be decoded)
    QByteArray storedValue;    // what the store holds (ciphertext for encrypted layouts)
    qsizetype secretIndex = 0; // which secret opened it
};

struct SearchQuery {
    enum class Field { Subject, Session, Email };
    Field field = Field::Subject;
    QString value;
    QString issuer; // sub and sid are issuer-scoped; empty: the profile's default issuer
};

// Which sessions a bulk action or an export covers. Unset criteria match everything; set ones
// must all hold.
struct SearchResult {
    QList<SessionRow> rows;
    bool usedIndex = false;
    qint64 scanned = 0;     // sessions looked at (scans)
    qint64 undecodable = 0; // scanned sessions that could not be decoded (they might have matched)
};

struct SessionFilter {
    std::optional<qint64> createdBefore;
    std::optional<qint64> createdAfter;
    std::optional<qint64> idleSince; // last activity (else creation) before this time
    std::optional<qint64> expiresBefore;
    std::optional<qsizetype> largerThan; // stored bytes
    QString issuer;
    QString sub;
    QString emailDomain;        // "example.com" matches "ann@example.com" and "@Example.COM"
    bool undecryptable = false; // only sessions that do not decode

    bool isEmpty() const;
    bool needsContent() const; // whether matching needs the decrypted content
    bool matches(const SessionRow &row) const;
    QString describe() const; // "created before 2026-01-01T00:00:00Z, email domain example.com"
};

struct SessionStats {
    qint64 total = 0;
    // Scanned but not decoded (wrong secret, altered, foreign data). Native stores are not
    // decrypted for statistics: there these count values written under a key id this profile's
    // secrets do not have, and decodedSessions the others.
    qint64 undecodable = 0;
    qint64 decodedSessions = 0;
    QMap<qint64, qint64> createdPerHour; // hour start (unix) → sessions, last 48 hours
    QMap<qint64, qint64> createdPerDay;  // day start (UTC) → sessions, last 30 days
    qint64 expiringWithinHour = 0;
    qint64 expiringWithinDay = 0;
    qint64 expiringWithinWeek = 0;
    QList<QPair<QString, qint64>> topUsers; // sub → sessions, most first (10)
    QMap<qsizetype, qint64> sizeBuckets;    // upper bound in bytes (1K, 2K, 4K, 8K, 16K, max) → sessions
    qint64 overOneCookie = 0;               // sessions whose cookie form needs more than one 4 KB cookie
    qint64 bytesTotal = 0;
    qsizetype largest = 0;
};

struct BulkDeleteResult {
    QList<SessionRow> matched; // exactly what goes (or would go, for a dry run)
    qsizetype removed = 0;
    bool dryRun = true;
    qint64 scanned = 0;
    qint64 undecodable = 0; // could not be decoded, so content criteria could not be checked
};

// The inspector engine (DESIGN.md's SessionBackend): browsing, search, statistics and the writes
// support staff perform, over any SessionSource in any SessionLayout.
//
// - Read-only profiles: every write is refused here, before anything reaches the server.
// - Every write (refusals included) is appended to the audit log.
// - Native stores are searched and revoked through their keyed-hash indexes; other layouts are
//   scanned, decrypting on all cores, with progress and cancellation: a scanning operation
//   given a CancelToken checks it between batches and then fails with ErrorCode::Canceled,
//   before anything after the scan (the delete of a bulk delete or a revoke) is sent. Qt 6.4's
//   QFuture::cancel() on a continuation does not reach the scan it continues, hence the token.
//
// Thread-safe. Futures complete on the source's worker thread; keep the backend alive until they
// have finished.
class SessionBackend {
public:
    struct Options {
        bool readOnly = false;
        QString profile; // how audit entries name this store (e.g. the redacted URL)
        std::shared_ptr<AuditLog> audit;
        // Native layout: revocation through the store's indexes, and the index hashes.
        std::shared_ptr<StateStore> nativeStore;
        std::shared_ptr<const SessionCodec> codec;
        QString defaultIssuer;
        Clock clock = systemClock;
        // Called from worker threads during scans: sessions seen so far, and the total when known
        // (else 0).
        std::function<void(qint64 done, qint64 total)> progress;
    };

    SessionBackend(std::shared_ptr<SessionSource> source, std::shared_ptr<const SessionLayout> layout, Options options);

    const SessionLayout &layout() const { return *m_layout; }
    SessionSource &source() const { return *m_source; }
    bool isReadOnly() const { return m_options.readOnly; }
    const QString &defaultIssuer() const { return m_options.defaultIssuer; }
    QString describe() const;

    QFuture<Result<SessionCount>> count();
    QFuture<Result<SessionPage>> fetchPage(const QString &cursor, int limit, ListOrder order = ListOrder::Store);
    // The cursor `n` sessions further on, without reading them (SessionSource::skip).
    QFuture<Result<SkipResult>> skip(const QString &cursor, qint64 n, ListOrder order = ListOrder::Store)
    {
        return m_source->skipInOrder(order, cursor, n);
    }
    // NotFound when the session does not exist (or has expired).
    QFuture<Result<SessionDetail>> load(const QString &id);
    // A user's sessions: through the indexes for the native layout, else by scanning.
    QFuture<Result<SearchResult>> find(const SearchQuery &query, const CancelToken &cancel = {});
    QFuture<Result<SessionStats>> stats(const CancelToken &cancel = {});
    // Every session matching `filter`, decoded when the layout allows, in store order. `sink`
    // returns false to stop. Streams: memory stays flat whatever the store's size. Returns how
    // many sessions reached `sink`.
    using RowSink = std::function<bool(const SessionRow &row, const json::Value *document)>;
    QFuture<Result<qint64>> forEach(const SessionFilter &filter, RowSink sink, const CancelToken &cancel = {});

    // Writes (refused on read-only profiles, audited).
    QFuture<Result<qsizetype>> remove(const QStringList &ids);
    // Moves a session's end to `at` (the past ends it now). Only brings it forward: extending a
    // session past its current end is refused. NotFound when it does not exist.
    QFuture<Result<qint64>> expire(const QString &id, qint64 at);
    // Logs a user out everywhere (sub), ends one IdP session (sid), or both.
    QFuture<Result<qsizetype>> revoke(const LogoutTarget &target, const CancelToken &cancel = {});
    QFuture<Result<BulkDeleteResult>> bulkDelete(const SessionFilter &filter, bool dryRun,
                                                 const CancelToken &cancel = {});
    // Stores a session under `id` (the Test Login window's "write to store"): the native layout
    // only, encrypted with the profile's secrets as the application would.
    QFuture<Result<qsizetype>> write(const QString &id, const StateData &state);

    // The store's integrity check (SessionSource::checkIntegrity), plus the sessions this
    // profile's secrets cannot open. `repair` is a write: refused on read-only profiles, audited.
    QFuture<Result<IntegrityReport>> fsck(bool repair, const CancelToken &cancel = {});

    // Records a write performed outside the engine (seeding) in the audit log.
    void audit(const AuditEntry &entry);

private:
    SessionRow rowFor(const RawSession &raw, const Result<DecodedSession> *decoded) const;
    Status refuseIfReadOnly(const QString &action, const QStringList &targets);
    template<typename T>
    QFuture<Result<T>> audited(QFuture<Result<T>> future, QString action, QStringList targets,
                               std::function<qint64(const T &)> count);
    // Scans everything. `decode` runs on the thread pool, several batches at once: it drops a
    // session (keep = false), decodes it, or leaves it undecoded (metadata-only rows). `sink` gets
    // the rows on the worker thread in store order. Returns how many sessions the store delivered.
    struct Decoding {
        bool keep = true;
        std::optional<Result<DecodedSession>> decoded;
    };
    using Decoder = std::function<Decoding(const RawSession &)>;
    QFuture<Result<qint64>> scanDecoded(Decoder decode, RowSink sink, const CancelToken &cancel);
    QString issuerOr(const QString &issuer) const;

    std::shared_ptr<SessionSource> m_source;
    std::shared_ptr<const SessionLayout> m_layout;
    Options m_options;
};

// "2026-05-01", "2026-05-01T10:00:00Z", or unix seconds.
Result<qint64> parseTime(const QString &text);
// "90s", "15m", "2h", "7d", "1w".
Result<qint64> parseDuration(const QString &text);

} // namespace si::inspector
