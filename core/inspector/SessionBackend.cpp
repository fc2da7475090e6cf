#include "SessionBackend.h"

#include <QDateTime>
#include <QHash>
#include <QRegularExpression>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <array>
#include <deque>

namespace si::inspector {

namespace {

template<typename T>
QFuture<Result<T>> ready(Result<T> value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

QString isoTime(qint64 t)
{
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODate);
}

// Case-insensitive ASCII search; `lowerNeedle` is already lower case.
// ASCII case-insensitive substring search (Horspool: the skip table folds case, so a scan moves
// by up to the needle's length per step instead of byte by byte). `lowerNeedle` is lower-case.
class CaseFoldSearcher {
public:
    explicit CaseFoldSearcher(QByteArray lowerNeedle)
        : m_needle(std::move(lowerNeedle))
    {
        const qsizetype n = m_needle.size();
        m_skip.fill(n);
        for (qsizetype i = 0; i + 1 < n; ++i) {
            const uchar c = uchar(m_needle[i]);
            m_skip[c] = n - 1 - i;
            m_skip[uchar(upper(char(c)))] = n - 1 - i;
        }
    }
    bool isEmpty() const { return m_needle.isEmpty(); }
    bool foundIn(QByteArrayView haystack) const
    {
        const qsizetype n = m_needle.size();
        if (n == 0)
            return true;
        const char *h = haystack.data();
        for (qsizetype i = 0; i + n <= haystack.size(); i += m_skip[uchar(h[i + n - 1])]) {
            qsizetype j = n - 1;
            while (j >= 0 && lower(h[i + j]) == m_needle[j])
                --j;
            if (j < 0)
                return true;
        }
        return false;
    }

private:
    static char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : c; }
    static char upper(char c) { return (c >= 'a' && c <= 'z') ? char(c - 32) : c; }
    QByteArray m_needle;
    std::array<qsizetype, 256> m_skip{};
};

bool isAscii(const QString &s)
{
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() < 0x80; });
}

bool matchesQuery(const SessionSummary &s, const SearchQuery &q)
{
    switch (q.field) {
    case SearchQuery::Field::Subject:
        return s.sub == q.value && (q.issuer.isEmpty() || s.issuer.isEmpty() || s.issuer == q.issuer);
    case SearchQuery::Field::Session:
        return s.sid == q.value && (q.issuer.isEmpty() || s.issuer.isEmpty() || s.issuer == q.issuer);
    case SearchQuery::Field::Email:
        return !s.email.isEmpty() && s.email.compare(q.value, Qt::CaseInsensitive) == 0;
    }
    return false;
}

} // namespace

bool SessionFilter::isEmpty() const
{
    return !createdBefore && !createdAfter && !idleSince && !expiresBefore && !largerThan && issuer.isEmpty() &&
           sub.isEmpty() && emailDomain.isEmpty() && !undecryptable;
}

bool SessionFilter::needsContent() const
{
    return !issuer.isEmpty() || !sub.isEmpty() || !emailDomain.isEmpty() || undecryptable || createdBefore ||
           createdAfter || idleSince;
}

bool SessionFilter::matches(const SessionRow &row) const
{
    if (undecryptable)
        return !row.decoded();
    const bool contentCriteria = !issuer.isEmpty() || !sub.isEmpty() || !emailDomain.isEmpty();
    if (contentCriteria && !row.decoded())
        return false;
    if (!issuer.isEmpty() && row.summary.issuer != issuer)
        return false;
    if (!sub.isEmpty() && row.summary.sub != sub)
        return false;
    if (!emailDomain.isEmpty()) {
        const QString domain = emailDomain.startsWith(QLatin1Char('@')) ? emailDomain.mid(1) : emailDomain;
        if (!row.summary.email.endsWith(QLatin1Char('@') + domain, Qt::CaseInsensitive))
            return false;
    }
    if ((createdBefore || createdAfter) && row.createdAt == 0)
        return false; // unknown creation time: never swept up by a time criterion
    if (createdBefore && row.createdAt >= *createdBefore)
        return false;
    if (createdAfter && row.createdAt < *createdAfter)
        return false;
    if (idleSince) {
        const qint64 last = row.lastActivity > 0 ? row.lastActivity : row.createdAt;
        if (last == 0 || last >= *idleSince)
            return false;
    }
    if (expiresBefore && (row.expiresAt == 0 || row.expiresAt >= *expiresBefore))
        return false;
    if (largerThan && row.size <= *largerThan)
        return false;
    return true;
}

QString SessionFilter::describe() const
{
    QStringList parts;
    if (createdBefore)
        parts << QStringLiteral("created before %1").arg(isoTime(*createdBefore));
    if (createdAfter)
        parts << QStringLiteral("created after %1").arg(isoTime(*createdAfter));
    if (idleSince)
        parts << QStringLiteral("idle since %1").arg(isoTime(*idleSince));
    if (expiresBefore)
        parts << QStringLiteral("expiring before %1").arg(isoTime(*expiresBefore));
    if (largerThan)
        parts << QStringLiteral("larger than %1 bytes").arg(*largerThan);
    if (!issuer.isEmpty())
        parts << QStringLiteral("issuer %1").arg(issuer);
    if (!sub.isEmpty())
        parts << QStringLiteral("sub %1").arg(sub);
    if (!emailDomain.isEmpty())
        parts << QStringLiteral("email domain %1").arg(emailDomain);
    if (undecryptable)
        parts << QStringLiteral("undecryptable");
    return parts.isEmpty() ? QStringLiteral("every session") : parts.join(QStringLiteral(", "));
}

SessionBackend::SessionBackend(std::shared_ptr<SessionSource> source, std::shared_ptr<const SessionLayout> layout,
                               Options options)
    : m_source(std::move(source))
    , m_layout(std::move(layout))
    , m_options(std::move(options))
{
    if (!m_options.clock)
        m_options.clock = systemClock;
    if (m_options.profile.isEmpty())
        m_options.profile = m_source->describe();
}

QString SessionBackend::describe() const
{
    return QStringLiteral("%1, layout %2%3")
        .arg(m_source->describe(), m_layout->name(), m_options.readOnly ? QStringLiteral(", read-only") : QString());
}

QString SessionBackend::issuerOr(const QString &issuer) const
{
    return issuer.isEmpty() ? m_options.defaultIssuer : issuer;
}

SessionRow SessionBackend::rowFor(const RawSession &raw, const Result<DecodedSession> *decoded) const
{
    SessionRow row;
    row.id = raw.id;
    row.size = raw.value.size();
    row.keyId = raw.keyId;
    row.createdAt = raw.createdAt;
    row.lastActivity = raw.lastActivity;
    row.expiresAt = raw.expiresAt;
    if (!decoded)
        return row;
    if (!*decoded) {
        row.error = decoded->error().message;
        return row;
    }
    const DecodedSession &d = decoded->value();
    row.summary = d.summary;
    if (row.createdAt == 0)
        row.createdAt = d.summary.createdAt;
    if (row.lastActivity == 0)
        row.lastActivity = d.summary.lastActivity;
    if (row.expiresAt == 0)
        row.expiresAt = d.summary.expiresAt;
    row.cookieSize = envelopeSizeFor(d.plaintextSize);
    return row;
}

QFuture<Result<SessionCount>> SessionBackend::count()
{
    return m_source->count();
}

QFuture<Result<SessionPage>> SessionBackend::fetchPage(const QString &cursor, int limit, ListOrder order)
{
    if (limit <= 0 || limit > 10000)
        return ready(Result<SessionPage>(
            makeError(ErrorCode::InvalidArgument, QStringLiteral("a page holds 1 to 10,000 sessions"))));
    return m_source->pageInOrder(order, cursor, limit).then([this](const Result<RawPage> &page) -> Result<SessionPage> {
        if (!page)
            return page.error();
        SessionPage out;
        out.nextCursor = page->nextCursor;
        out.rows = QtConcurrent::blockingMapped(page->sessions, [this](const RawSession &raw) {
            const Result<DecodedSession> decoded = m_layout->decode(raw);
            return rowFor(raw, &decoded);
        });
        return out;
    });
}

QFuture<Result<SessionDetail>> SessionBackend::load(const QString &id)
{
    return m_source->loadMany({id}).then([this, id](const Result<QList<RawSession>> &found) -> Result<SessionDetail> {
        if (!found)
            return found.error();
        if (found->isEmpty())
            return makeError(ErrorCode::NotFound, QStringLiteral("no such session"),
                             QStringLiteral("%1 does not exist or has expired").arg(sessionFingerprint(id)));
        const RawSession &raw = found->first();
        const Result<DecodedSession> decoded = m_layout->decode(raw);
        SessionDetail detail;
        detail.row = rowFor(raw, &decoded);
        detail.storedValue = raw.value;
        if (decoded) {
            detail.document = decoded->document;
            detail.secretIndex = decoded->secretIndex;
        }
        return detail;
    });
}

QFuture<Result<qint64>> SessionBackend::scanDecoded(Decoder decode, RowSink sink, const CancelToken &cancel)
{
    // Rows are built on the pool next to the decoding; only rows and documents travel back.
    struct Item {
        SessionRow row;
        std::optional<json::Value> document;
    };
    struct State {
        std::deque<QFuture<QList<Item>>> inflight;
        bool stopped = false;
        bool canceled = false;
        qint64 seen = 0; // rows the decoders kept, delivered to the sink
        qint64 read = 0; // sessions read from the store (the progress a CancelToken hears)
    };
    auto state = std::make_shared<State>();
    auto drainOne = [this, state, sink] {
        QList<Item> items = state->inflight.front().result();
        state->inflight.pop_front();
        for (const Item &item : items) {
            ++state->seen;
            if (state->stopped)
                continue;

            if (!sink(item.row, item.document ? &*item.document : nullptr))
                state->stopped = true;
        }
        if (m_options.progress)
            m_options.progress(state->seen, 0);
        // Free the batch's rows and documents on the pool, not here: this runs on the store's
        // worker, which also reads the replies, and a full scan waits on it (1M sessions from
        // Redis streamed in 34 s with the frees here, 21 s without).
        QThreadPool::globalInstance()->start([items = std::move(items)]() mutable { items.clear(); });
    };
    constexpr int kBatch = 256;
    constexpr size_t kInFlight = 4; // batches being decoded while the next one is read
    auto scanned = m_source->scan(
        [this, state, decode, drainOne, cancel](QList<RawSession> &&batch) -> bool {
            if (cancel.isCanceled()) {
                state->stopped = state->canceled = true;
                return false;
            }
            state->read += batch.size();
            cancel.report(state->read);
            state->inflight.push_back(QtConcurrent::run([this, decode, batch = std::move(batch)] {
                QList<Item> items;
                items.reserve(batch.size());
                for (const RawSession &raw : batch) {
                    Decoding d = decode(raw);
                    if (!d.keep)
                        continue;
                    Item item;
                    item.row = rowFor(raw, d.decoded ? &*d.decoded : nullptr);
                    if (d.decoded && *d.decoded)
                        item.document = std::move(d.decoded->value().document);
                    items.append(std::move(item));
                }
                return items;
            }));
            while (state->inflight.size() > kInFlight && !state->stopped)
                drainOne();
            return !state->stopped;
        },
        kBatch);
    return scanned.then([state, drainOne](const Result<qint64> &result) -> Result<qint64> {
        while (!state->inflight.empty()) {
            if (!result) { // the scan failed: let the running batches finish, deliver nothing more
                state->inflight.front().waitForFinished();
                state->inflight.pop_front();
                continue;
            }
            drainOne();
        }
        if (!result)
            return result.error();
        if (state->canceled)
            return canceledError();
        return *result; // sessions read from the store (decoders may have dropped some)
    });
}

QFuture<Result<SearchResult>> SessionBackend::find(const SearchQuery &query, const CancelToken &cancel)
{
    if (query.value.isEmpty())
        return ready(
            Result<SearchResult>(makeError(ErrorCode::InvalidArgument, QStringLiteral("nothing to search for"))));
    SearchQuery q = query;
    q.issuer = issuerOr(query.issuer);
    const bool scoped = q.field != SearchQuery::Field::Email;
    if (m_source->hasIndexes() && m_options.codec && (!scoped || !q.issuer.isEmpty())) {
        IndexKeys::Kind kind = IndexKeys::Kind::Email;
        QList<QByteArray> hashes;
        switch (q.field) {
        case SearchQuery::Field::Subject:
            kind = IndexKeys::Kind::Subject;
            hashes = m_options.codec->subjectHashes(q.issuer, q.value);
            break;
        case SearchQuery::Field::Session:
            kind = IndexKeys::Kind::Session;
            hashes = m_options.codec->sessionHashes(q.issuer, q.value);
            break;
        case SearchQuery::Field::Email:
            hashes = m_options.codec->emailHashes(q.value);
            break;
        }
        // Not a shared_ptr: continuations run on the store's worker thread, and dropping the last
        // reference there would destroy that thread from within.
        SessionSource *source = m_source.get();
        return m_source->lookup(kind, hashes)
            .then([source](const Result<QStringList> &ids) -> QFuture<Result<QList<RawSession>>> {
                if (!ids)
                    return ready(Result<QList<RawSession>>(ids.error()));
                if (ids->isEmpty())
                    return ready(Result<QList<RawSession>>(QList<RawSession>()));
                return source->loadMany(*ids);
            })
            .unwrap()
            .then([this, q](const Result<QList<RawSession>> &found) -> Result<SearchResult> {
                if (!found)
                    return found.error();
                SearchResult out;
                out.usedIndex = true;
                for (const RawSession &raw : *found) {
                    const Result<DecodedSession> decoded = m_layout->decode(raw);
                    SessionRow row = rowFor(raw, &decoded);
                    // The index points at candidates; the content decides (a stale entry never matches).
                    if (row.decoded() && matchesQuery(row.summary, q))
                        out.rows.append(std::move(row));
                    else if (!row.decoded())
                        ++out.undecodable;
                }
                return out;
            });
    }
    // No index: decrypt everything, on all cores. An ASCII value is looked for in the plaintext
    // first, so only sessions that mention it are parsed.
    auto layout = m_layout;
    auto needle =
        std::make_shared<const CaseFoldSearcher>(isAscii(q.value) ? q.value.toLatin1().toLower() : QByteArray());
    auto result = std::make_shared<SearchResult>();
    auto counters = std::make_shared<QAtomicInteger<qint64>>(0);
    Decoder decode = [layout, needle, counters](const RawSession &raw) -> Decoding {
        auto opened = layout->open(raw);
        if (!opened) {
            counters->fetchAndAddRelaxed(1);
            return {true, Result<DecodedSession>(opened.error())};
        }
        if (!needle->isEmpty() && !needle->foundIn(opened->plaintext))
            return {false, std::nullopt};
        return {true, layout->decodeOpened(std::move(opened.value()))};
    };
    RowSink sink = [result, q](const SessionRow &row, const json::Value *) {
        if (!row.decoded())
            ++result->undecodable;
        else if (matchesQuery(row.summary, q))
            result->rows.append(row);
        return true;
    };
    return scanDecoded(decode, sink, cancel).then([result](const Result<qint64> &scanned) -> Result<SearchResult> {
        if (!scanned)
            return scanned.error();
        result->scanned = *scanned; // every session read, matching or not
        return *result;
    });
}

QFuture<Result<qint64>> SessionBackend::forEach(const SessionFilter &filter, RowSink sink, const CancelToken &cancel)
{
    auto layout = m_layout;
    Decoder decode = [layout](const RawSession &raw) -> Decoding { return {true, layout->decode(raw)}; };
    auto delivered = std::make_shared<qint64>(0);
    return scanDecoded(
               decode,
               [filter, sink, delivered](const SessionRow &row, const json::Value *document) {
                   if (!filter.matches(row))
                       return true;
                   ++*delivered;
                   return sink(row, document);
               },
               cancel)
        .then([delivered](const Result<qint64> &scanned) -> Result<qint64> {
            if (!scanned)
                return scanned.error();
            return *delivered;
        });
}

QFuture<Result<SessionStats>> SessionBackend::stats(const CancelToken &cancel)
{
    struct Acc {
        SessionStats stats;
        QHash<QString, QPair<qint64, QString>> bySubjectHash; // hash → (sessions, one id)
        QHash<QString, qint64> bySub;
        qint64 now = 0;
    };
    auto acc = std::make_shared<Acc>();
    acc->now = m_options.clock();
    // The native layout counts users by their index hash: nothing is decrypted but one session
    // per top user, to name them.
    const bool byHash = m_layout->kind() == SessionLayout::Kind::Native;
    auto layout = m_layout;
    Decoder decode = [layout, byHash](const RawSession &raw) -> Decoding {
        if (byHash)
            return {true, std::nullopt};
        return {true, layout->decode(raw)};
    };
    // Not a shared_ptr: continuations run on the store's worker thread, and dropping the last
    // reference there would destroy that thread from within.
    SessionSource *source = m_source.get();
    RowSink sink = [acc, byHash, layout](const SessionRow &row, const json::Value *) {
        SessionStats &s = acc->stats;
        ++s.total;
        if (!byHash) {
            if (row.decoded()) {
                ++s.decodedSessions;
                if (!row.summary.sub.isEmpty())
                    ++acc->bySub[row.summary.sub];
                if (exceedsOneCookie(row.cookieSize))
                    ++s.overOneCookie;
            } else {
                ++s.undecodable;
            }
        } else {
            // Native: nothing is decrypted; the key id beside each value tells whether this
            // profile's secrets can open it.
            if (layout->knowsKeyId(row.keyId))
                ++s.decodedSessions;
            else
                ++s.undecodable;
            if (exceedsOneCookie(row.size))
                ++s.overOneCookie;
        }
        if (row.createdAt > 0) {
            if (row.createdAt >= acc->now - 48 * 3600)
                ++s.createdPerHour[row.createdAt / 3600 * 3600];
            if (row.createdAt >= acc->now - 30 * 86400)
                ++s.createdPerDay[row.createdAt / 86400 * 86400];
        }
        if (row.expiresAt > 0) {
            const qint64 left = row.expiresAt - acc->now;
            if (left <= 3600)
                ++s.expiringWithinHour;
            if (left <= 86400)
                ++s.expiringWithinDay;
            if (left <= 7 * 86400)
                ++s.expiringWithinWeek;
        }
        static const qsizetype kBounds[] = {1024, 2048, 4096, 8192, 16384};
        qsizetype bucket = std::numeric_limits<qsizetype>::max();
        for (qsizetype b : kBounds) {
            if (row.size <= b) {
                bucket = b;
                break;
            }
        }
        ++s.sizeBuckets[bucket];
        s.bytesTotal += row.size;
        s.largest = qMax(s.largest, row.size);
        return true;
    };
    // Native rows need their subject hash, which rows do not carry: count them from the raw
    // records in the decoder (on the pool), under a lock.
    auto mutex = std::make_shared<QMutex>();
    Decoder counting = [decode, acc, mutex, byHash](const RawSession &raw) -> Decoding {
        if (byHash && !raw.subjectHash.isEmpty()) {
            QMutexLocker lock(mutex.get());
            auto &entry = acc->bySubjectHash[QString::fromLatin1(raw.subjectHash)];
            if (entry.first++ == 0)
                entry.second = raw.id;
        }
        return decode(raw);
    };
    return scanDecoded(counting, sink, cancel)
        .then([this, acc, byHash, source](const Result<qint64> &scanned) -> QFuture<Result<SessionStats>> {
            if (!scanned)
                return ready(Result<SessionStats>(scanned.error()));
            if (!byHash) {
                QList<QPair<QString, qint64>> top;
                for (auto it = acc->bySub.cbegin(); it != acc->bySub.cend(); ++it)
                    top.append({it.key(), it.value()});
                std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
                    return a.second != b.second ? a.second > b.second : a.first < b.first;
                });
                acc->stats.topUsers = top.mid(0, 10);
                return ready(Result<SessionStats>(acc->stats));
            }
            QList<QPair<QString, QPair<qint64, QString>>> top;
            for (auto it = acc->bySubjectHash.cbegin(); it != acc->bySubjectHash.cend(); ++it)
                top.append({it.key(), it.value()});
            std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
                return a.second.first != b.second.first ? a.second.first > b.second.first : a.first < b.first;
            });
            top = top.mid(0, 10);
            QStringList sampleIds;
            for (const auto &t : top)
                sampleIds << t.second.second;
            return source->loadMany(sampleIds).then(
                [this, acc, top](const Result<QList<RawSession>> &samples) -> Result<SessionStats> {
                    QHash<QString, QString> names; // id → sub
                    if (samples) {
                        for (const RawSession &raw : *samples) {
                            if (auto d = m_layout->decode(raw))
                                names.insert(raw.id, d->summary.sub);
                        }
                    }
                    for (const auto &t : top) {
                        const QString name = names.value(t.second.second);
                        acc->stats.topUsers.append(
                            {name.isEmpty() ? QStringLiteral("(index %1…)").arg(t.first.left(8)) : name,
                             t.second.first});
                    }
                    return acc->stats;
                });
        })
        .unwrap();
}

Status SessionBackend::refuseIfReadOnly(const QString &action, const QStringList &targets)
{
    if (!m_options.readOnly)
        return {};
    audit({action, targets, 0, QStringLiteral("refused (read-only)")});
    return makeError(ErrorCode::ReadOnly, QStringLiteral("refused: this profile is read-only"),
                     QStringLiteral("%1 was not sent to the store").arg(action));
}

void SessionBackend::audit(const AuditEntry &entry)
{
    if (m_options.audit)
        (void)m_options.audit->append(m_options.profile, entry); // a full disk must not block a logout
}

template<typename T>
QFuture<Result<T>> SessionBackend::audited(QFuture<Result<T>> future, QString action, QStringList targets,
                                           std::function<qint64(const T &)> count)
{
    return future.then([this, action, targets, count](const Result<T> &result) {
        audit({action, targets, result ? count(*result) : 0, result ? QStringLiteral("ok") : result.error().message});
        return result;
    });
}

QFuture<Result<qsizetype>> SessionBackend::remove(const QStringList &ids)
{
    QStringList targets;
    for (const QString &id : ids)
        targets << sessionFingerprint(id);
    if (auto refused = refuseIfReadOnly(QStringLiteral("delete"), targets); !refused)
        return ready(Result<qsizetype>(refused.error()));
    return audited<qsizetype>(m_source->remove(ids), QStringLiteral("delete"), targets,
                              [](const qsizetype &n) { return qint64(n); });
}

QFuture<Result<qint64>> SessionBackend::expire(const QString &id, qint64 at)
{
    const QStringList targets{sessionFingerprint(id), QStringLiteral("at %1").arg(isoTime(at))};
    if (auto refused = refuseIfReadOnly(QStringLiteral("expire"), targets); !refused)
        return ready(Result<qint64>(refused.error()));
    // Not a shared_ptr: continuations run on the store's worker thread, and dropping the last
    // reference there would destroy that thread from within.
    SessionSource *source = m_source.get();
    const qint64 now = m_options.clock();
    auto work =
        m_source->loadMany({id})
            .then([source, id, at, now](const Result<QList<RawSession>> &found) -> QFuture<Result<qint64>> {
                if (!found)
                    return ready(Result<qint64>(found.error()));
                if (found->isEmpty())
                    return ready(Result<qint64>(
                        makeError(ErrorCode::NotFound, QStringLiteral("no such session"), sessionFingerprint(id))));
                const qint64 end = found->first().expiresAt;
                if (end > 0 && at >= end)
                    return ready(Result<qint64>(makeError(ErrorCode::InvalidArgument,
                                                          QStringLiteral("expire only brings a session's end forward"),
                                                          QStringLiteral("it ends at %1 already").arg(isoTime(end)))));
                if (at <= now) // ending now: delete, so that its index entries go too
                    return source->remove({id}).then([now](const Result<qsizetype> &r) -> Result<qint64> {
                        if (!r)
                            return r.error();
                        return now;
                    });
                return source->expireAt(id, at).then([id, at](const Result<bool> &r) -> Result<qint64> {
                    if (!r)
                        return r.error();
                    if (!*r)
                        return makeError(ErrorCode::NotFound, QStringLiteral("no such session"),
                                         sessionFingerprint(id));
                    return at;
                });
            })
            .unwrap();
    return audited<qint64>(std::move(work), QStringLiteral("expire"), targets, [](const qint64 &) { return 1; });
}

QFuture<Result<qsizetype>> SessionBackend::write(const QString &id, const StateData &state)
{
    const QStringList targets{sessionFingerprint(id)};
    if (auto refused = refuseIfReadOnly(QStringLiteral("write"), targets); !refused)
        return ready(Result<qsizetype>(refused.error()));
    if (m_layout->kind() != SessionLayout::Kind::Native || !m_options.nativeStore)
        return ready(Result<qsizetype>(
            makeError(ErrorCode::Unsupported, QStringLiteral("sessions can be written to native stores only"),
                      QStringLiteral("this store holds the %1 layout").arg(m_layout->name()))));
    return audited<qsizetype>(m_options.nativeStore->set(id, state).then([](const Status &stored) -> Result<qsizetype> {
        if (!stored)
            return stored.error();
        return qsizetype(1);
    }),
                              QStringLiteral("write"), targets, [](const qsizetype &n) { return qint64(n); });
}

QFuture<Result<qsizetype>> SessionBackend::revoke(const LogoutTarget &given, const CancelToken &cancel)
{
    LogoutTarget target = given;
    target.issuer = issuerOr(given.issuer);
    QStringList targets;
    if (target.sub)
        targets << QStringLiteral("sub=%1").arg(*target.sub);
    if (target.sid)
        targets << QStringLiteral("sid=%1").arg(*target.sid);
    if (!target.issuer.isEmpty())
        targets << QStringLiteral("iss=%1").arg(target.issuer);
    if (!target.sub && !target.sid)
        return ready(
            Result<qsizetype>(makeError(ErrorCode::InvalidArgument, QStringLiteral("revoke needs a sub or a sid"))));
    if (auto refused = refuseIfReadOnly(QStringLiteral("revoke"), targets); !refused)
        return ready(Result<qsizetype>(refused.error()));
    if (m_layout->kind() == SessionLayout::Kind::Native && m_options.nativeStore) {
        if (target.issuer.isEmpty())
            return ready(Result<qsizetype>(makeError(
                ErrorCode::InvalidArgument, QStringLiteral("revoke needs the issuer"),
                QStringLiteral("native sessions are indexed per issuer: give --iss or set the profile's issuer"))));
        return audited<qsizetype>(m_options.nativeStore->deleteByLogoutToken(target), QStringLiteral("revoke"), targets,
                                  [](const qsizetype &n) { return qint64(n); });
    }
    // Other layouts: find the user's sessions by scanning, then delete exactly those.
    SessionFilter filter;
    auto matched = std::make_shared<QStringList>();
    auto layout = m_layout;
    Decoder decode = [layout](const RawSession &raw) -> Decoding { return {true, layout->decode(raw)}; };
    RowSink sink = [matched, target](const SessionRow &row, const json::Value *) {
        if (!row.decoded())
            return true;
        const SessionSummary &s = row.summary;
        if (target.sub && s.sub != *target.sub)
            return true;
        if (target.sid && s.sid != *target.sid)
            return true;
        if (!target.issuer.isEmpty() && !s.issuer.isEmpty() && s.issuer != target.issuer)
            return true;
        matched->append(row.id);
        return true;
    };
    // Not a shared_ptr: continuations run on the store's worker thread, and dropping the last
    // reference there would destroy that thread from within.
    SessionSource *source = m_source.get();
    auto work = scanDecoded(decode, sink, cancel)
                    .then([source, matched](const Result<qint64> &scanned) -> QFuture<Result<qsizetype>> {
                        if (!scanned)
                            return ready(Result<qsizetype>(scanned.error()));
                        if (matched->isEmpty())
                            return ready(Result<qsizetype>(qsizetype(0)));
                        return source->remove(*matched);
                    })
                    .unwrap();
    return audited<qsizetype>(std::move(work), QStringLiteral("revoke"), targets,
                              [](const qsizetype &n) { return qint64(n); });
}

QFuture<Result<BulkDeleteResult>> SessionBackend::bulkDelete(const SessionFilter &filter, bool dryRun,
                                                             const CancelToken &cancel)
{
    const QStringList targets{filter.describe()};
    if (filter.isEmpty())
        return ready(Result<BulkDeleteResult>(
            makeError(ErrorCode::InvalidArgument, QStringLiteral("a bulk delete needs at least one criterion"),
                      QStringLiteral("to delete every session, say so: --created-before with a future date"))));
    if (!dryRun) {
        if (auto refused = refuseIfReadOnly(QStringLiteral("bulk-delete"), targets); !refused)
            return ready(Result<BulkDeleteResult>(refused.error()));
    }
    auto result = std::make_shared<BulkDeleteResult>();
    result->dryRun = dryRun;
    auto layout = m_layout;
    // Every session is decoded, also when only metadata criteria are set: the preview shows who
    // is affected.
    Decoder decode = [layout](const RawSession &raw) -> Decoding { return {true, layout->decode(raw)}; };
    RowSink sink = [result, filter](const SessionRow &row, const json::Value *) {
        ++result->scanned;
        if (!row.decoded())
            ++result->undecodable;
        if (filter.matches(row))
            result->matched.append(row);
        return true;
    };
    // Not a shared_ptr: continuations run on the store's worker thread, and dropping the last
    // reference there would destroy that thread from within.
    SessionSource *source = m_source.get();
    auto work = scanDecoded(decode, sink, cancel)
                    .then([source, result, dryRun](const Result<qint64> &scanned) -> QFuture<Result<BulkDeleteResult>> {
                        if (!scanned)
                            return ready(Result<BulkDeleteResult>(scanned.error()));
                        if (dryRun || result->matched.isEmpty())
                            return ready(Result<BulkDeleteResult>(*result));
                        QStringList ids;
                        for (const SessionRow &row : std::as_const(result->matched))
                            ids << row.id;
                        return source->remove(ids).then([result](const Result<qsizetype> &removed) {
                            if (!removed)
                                return Result<BulkDeleteResult>(removed.error());
                            result->removed = *removed;
                            return Result<BulkDeleteResult>(*result);
                        });
                    })
                    .unwrap();
    if (dryRun)
        return work;
    return audited<BulkDeleteResult>(std::move(work), QStringLiteral("bulk-delete"), targets,
                                     [](const BulkDeleteResult &r) { return qint64(r.removed); });
}

QFuture<Result<IntegrityReport>> SessionBackend::fsck(bool repair, const CancelToken &cancel)
{
    if (repair) {
        if (auto refused = refuseIfReadOnly(QStringLiteral("fsck-repair"), {describe()}); !refused)
            return ready(Result<IntegrityReport>(refused.error()));
    }
    // The store's structure first, then what this profile cannot read (native: by key id, without
    // decrypting; other layouts: decoded).
    SessionSource *source = m_source.get(); // see find(): never the last reference on the worker
    auto layout = m_layout;
    const bool native = layout->kind() == SessionLayout::Kind::Native;
    auto unreadable = std::make_shared<QAtomicInteger<qint64>>(0);
    Decoder decode = [layout, native, unreadable](const RawSession &raw) -> Decoding {
        const bool ok = native ? layout->knowsKeyId(raw.keyId) : layout->decode(raw).ok();
        if (!ok)
            unreadable->fetchAndAddRelaxed(1);
        return {false, std::nullopt};
    };
    auto work =
        source->checkIntegrity(repair)
            .then([this, decode, unreadable,
                   cancel](const Result<IntegrityReport> &checked) -> QFuture<Result<IntegrityReport>> {
                if (!checked)
                    return ready(checked);
                auto report = std::make_shared<IntegrityReport>(*checked);
                return scanDecoded(
                           decode, [](const SessionRow &, const json::Value *) { return true; }, cancel)
                    .then([report, unreadable](const Result<qint64> &scanned) -> Result<IntegrityReport> {
                        if (!scanned)
                            return scanned.error();
                        report->sessions = qMax(report->sessions, *scanned);
                        if (const qint64 n = unreadable->loadRelaxed(); n > 0)
                            report->findings.append(
                                {QStringLiteral("sessions this profile's secrets cannot open"), n, 0,
                                 QStringLiteral("check the secret (and its rotation list); `delete --undecryptable "
                                                "--dry-run` lists them")});
                        return *report;
                    });
            })
            .unwrap();
    if (!repair)
        return work;
    return audited<IntegrityReport>(std::move(work), QStringLiteral("fsck-repair"), {describe()},
                                    [](const IntegrityReport &r) {
                                        qint64 n = 0;
                                        for (const IntegrityFinding &f : r.findings)
                                            n += f.repaired;
                                        return n;
                                    });
}

Result<qint64> parseTime(const QString &text)
{
    bool isNumber = false;
    const qint64 seconds = text.toLongLong(&isNumber);
    if (isNumber)
        return seconds;
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (d.isValid())
            t = d.startOfDay(Qt::UTC);
    }
    if (!t.isValid())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a time: '%1'").arg(text.left(40)),
                         QStringLiteral("use 2026-05-01, 2026-05-01T10:00:00Z or unix seconds"));
    if (t.timeSpec() == Qt::LocalTime && !text.contains(QLatin1Char('Z')) && !text.contains(QLatin1Char('+')))
        t.setTimeSpec(Qt::UTC); // times without a zone are UTC, as everywhere else in this tool
    return t.toSecsSinceEpoch();
}

Result<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)\\s*([smhdw]?)$"));
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a duration: '%1'").arg(text.left(40)),
                         QStringLiteral("use 90s, 15m, 2h, 7d or 1w"));
    const qint64 n = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    const qint64 factor = unit == QLatin1String("m")   ? 60
                          : unit == QLatin1String("h") ? 3600
                          : unit == QLatin1String("d") ? 86400
                          : unit == QLatin1String("w") ? 7 * 86400
                                                       : 1;
    return n * factor;
}

} // namespace si::inspector
