#pragma once

#include "core/inspector/SessionBackend.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QMap>
#include <QTimer>

#include <atomic>
#include <memory>
#include <optional>
#include <variant>

namespace si::ui {

// The session table over a store of any size (DB Browser's lazy model, with keyset cursors):
//
// - Rows live in a cache of fixed-size segments with least-recently-used eviction; data() never
//   blocks and never locks: a row not in the cache shows "loading…" and asks for its segment.
// - One request at a time runs on the store's worker thread; a newer wish supersedes the one
//   waiting (scrolling fast fetches where the user stopped, not every page on the way).
// - A segment deep in the listing is reached by skipping from the nearest cursor the model has
//   seen (SessionSource::skip: keys only), then one page; cursors of segment starts are kept.
// - Row count in stages: unknown, then the store's count (an estimate on Redis), then exact once
//   the end of the listing has been seen. A generation counter drops answers that arrive after a
//   reset (refresh, search, another store).
// - Search is pushed down to the engine (index lookups, or a scan on all cores): the table then
//   shows the finite result.
//
// GUI thread only. Results arrive through queued continuations with this model as context.
class SessionTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { User, Subject, Sid, Issuer, Created, Expires, LastActivity, Size, Layout, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1, // the session id (empty while loading)
        LoadedRole,                // whether the row is in the cache
        SortValueRole,             // the raw number behind a time or size column
    };
    enum class CountState { Unknown, Estimate, Exact };

    explicit SessionTableModel(QObject *parent = nullptr);
    ~SessionTableModel() override;

    // Shows `backend`'s sessions (null: nothing). Starts counting; rows load as they are shown.
    void setBackend(std::shared_ptr<inspector::SessionBackend> backend);
    std::shared_ptr<inspector::SessionBackend> backend() const { return m_backend; }
    // Forgets every cached row and cursor and starts again (F5; after a write).
    void refresh();
    // Shows only the sessions matching `query` (index lookup or scan, by the engine).
    void setSearch(const inspector::SearchQuery &query);
    void clearSearch();
    bool isSearching() const { return m_search.has_value(); }
    // Stops a running search scan at its next batch (searchCanceled follows).
    void cancelSearch();

    CountState countState() const { return m_countState; }
    // "12,345 sessions", "≈ 1,000,000 sessions", "counting…", "3 matches"
    QString countText() const;
    std::optional<inspector::SessionRow> rowAt(int row) const;

    int segmentSize() const { return m_segmentSize; }
    void setSegmentSize(int rows); // before setBackend
    void setCacheSegments(int segments);
    int cachedSegments() const { return int(m_cache.size()); }
    bool isBusy() const { return m_pending; }
    qint64 requestsIssued() const { return m_requests; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Search results (all in memory) sort by any column. The full listing sorts where the store
    // keeps the order itself with keyset paging (SessionSource::supportsOrder: SQL by Created and
    // Expires) and reloads in that order; elsewhere it keeps the store's order (sorting would mean
    // reading every row) and sort() does nothing. Column -1: back to the store's order.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    bool canSortBy(int column) const;
    // Forgets the listing's order without reloading (a new search or store reloads anyway).
    void clearOrder() { m_order = inspector::ListOrder::Store; }

Q_SIGNALS:
    void countChanged();
    void busyChanged(bool busy);
    // One line for the message banner; `connectionLost`: the store could not be reached (retry).
    void loadFailed(const QString &message, bool connectionLost);
    void segmentLoaded(int firstRow, int lastRow);
    void searchFinished(qint64 matches, qint64 scanned, qint64 undecodable);
    // A search canceled by cancelSearch() after reading `scanned` sessions (no results shown).
    void searchCanceled(qint64 scanned);

private:
    struct Segment {
        QList<inspector::SessionRow> rows; // up to m_segmentSize; fewer only at the end
        mutable quint64 lastUse = 0;
    };

    void reset();
    void runSearch();
    void want(qint64 segment) const;
    void issue();
    void fetchSegment(qint64 segment);
    void pageLoaded(quint64 generation, qint64 segment, const Result<inspector::SessionPage> &page);
    void skipped(quint64 generation, qint64 segment, qint64 from, const Result<inspector::SkipResult> &skip);
    void failed(const Error &error);
    void setRows(qint64 rows, CountState state);
    void setPending(bool pending);
    void evict();
    QVariant display(const inspector::SessionRow &row, int column) const;
    // What a column sorts by: times and sizes as numbers, the rest as shown.
    std::variant<qint64, QString> sortKey(const inspector::SessionRow &row, int column) const;
    static std::optional<inspector::ListOrder> listOrderFor(int column, Qt::SortOrder order);

    std::shared_ptr<inspector::SessionBackend> m_backend;
    int m_segmentSize = 200;
    int m_cacheSegments = 64;
    quint64 m_generation = 0;
    qint64 m_rows = 0;
    CountState m_countState = CountState::Unknown;
    QHash<qint64, Segment> m_cache;
    QMap<qint64, QString> m_cursors; // segment → the cursor its first row follows ("" for 0)
    mutable quint64 m_tick = 0;
    mutable std::optional<qint64> m_wanted; // the newest segment asked for and not cached
    mutable QTimer m_issueTimer;
    bool m_pending = false;
    qint64 m_requests = 0;
    std::optional<inspector::SearchQuery> m_search;
    inspector::ListOrder m_order = inspector::ListOrder::Store; // the full listing's order
    std::shared_ptr<std::atomic_bool> m_stop;                   // set when this generation's search must stop
    std::shared_ptr<std::atomic<qint64>> m_scanned;             // sessions the running search scan has read
    QList<inspector::SessionRow> m_results;                     // search mode: every match
    QTimer m_clock;                                             // ticks the "expires" countdowns
    QTimer m_progressTick;                                      // while a search scans: countText() moves on
};

} // namespace si::ui
