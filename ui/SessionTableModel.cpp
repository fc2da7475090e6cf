#include "SessionTableModel.h"

#include "UntrustedText.h"
#include "core/inspector/SessionLayout.h"

#include <QDateTime>
#include <QGuiApplication>
#include <QHash>
#include <QLocale>
#include <QPalette>

#include <atomic>
#include <limits>
#include <variant>

namespace si::ui {

using inspector::SessionRow;

namespace {

QString timeText(qint64 unix)
{
    if (unix <= 0)
        return QStringLiteral("—");
    return QDateTime::fromSecsSinceEpoch(unix).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

// "in 2 d 03:04:05", "in 04:05", "ended"
QString countdown(qint64 end, qint64 now)
{
    if (end <= 0)
        return QStringLiteral("—");
    qint64 left = end - now;
    if (left <= 0)
        return SessionTableModel::tr("ended");
    const qint64 days = left / 86400;
    left %= 86400;
    const QString clock = QStringLiteral("%1:%2:%3")
                              .arg(left / 3600, 2, 10, QLatin1Char('0'))
                              .arg(left % 3600 / 60, 2, 10, QLatin1Char('0'))
                              .arg(left % 60, 2, 10, QLatin1Char('0'));
    return days > 0 ? SessionTableModel::tr("in %1 d %2").arg(days).arg(clock)
                    : SessionTableModel::tr("in %1").arg(clock);
}

} // namespace

SessionTableModel::SessionTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_issueTimer.setSingleShot(true);
    m_issueTimer.setInterval(0);
    connect(&m_issueTimer, &QTimer::timeout, this, &SessionTableModel::issue);
    m_clock.setInterval(1000);
    connect(&m_clock, &QTimer::timeout, this, [this] {
        if (m_rows > 0)
            Q_EMIT dataChanged(index(0, Expires), index(rowCount() - 1, Expires), {Qt::DisplayRole});
    });
    m_clock.start();
    m_progressTick.setInterval(250);
    connect(&m_progressTick, &QTimer::timeout, this, &SessionTableModel::countChanged);
    m_cursors.insert(0, QString());
}

SessionTableModel::~SessionTableModel()
{
    if (m_stop)
        m_stop->store(true);
}

void SessionTableModel::setBackend(std::shared_ptr<inspector::SessionBackend> backend)
{
    m_backend = std::move(backend);
    m_search.reset();
    m_order = inspector::ListOrder::Store;
    refresh();
}

void SessionTableModel::setSegmentSize(int rows)
{
    m_segmentSize = qBound(10, rows, 10000);
    reset();
}

void SessionTableModel::setCacheSegments(int segments)
{
    m_cacheSegments = qMax(2, segments);
    evict();
}

void SessionTableModel::reset()
{
    beginResetModel();
    ++m_generation;
    if (m_stop)
        m_stop->store(true); // a running search scan stops at its next batch
    m_stop = std::make_shared<std::atomic_bool>(false);
    m_scanned = std::make_shared<std::atomic<qint64>>(0);
    m_cache.clear();
    m_cursors.clear();
    m_cursors.insert(0, QString());
    m_wanted.reset();
    m_results.clear();
    m_rows = 0;
    m_countState = CountState::Unknown;
    endResetModel();
    Q_EMIT countChanged();
}

void SessionTableModel::refresh()
{
    reset();
    if (!m_backend)
        return;
    if (m_search) {
        runSearch();
        return;
    }
    const quint64 generation = m_generation;
    auto backend = m_backend; // alive until the answer arrives
    m_backend->count().then(this, [this, backend, generation](const Result<inspector::SessionCount> &counted) {
        if (generation != m_generation || m_countState == CountState::Exact)
            return; // reset since, or the end of the listing was seen first
        if (!counted) {
            failed(counted.error());
            return;
        }
        setRows(counted->value, counted->exact ? CountState::Exact : CountState::Estimate);
    });
}

void SessionTableModel::setSearch(const inspector::SearchQuery &query)
{
    m_search = query;
    refresh();
}

void SessionTableModel::clearSearch()
{
    if (!m_search)
        return;
    m_search.reset();
    refresh();
}

void SessionTableModel::runSearch()
{
    const quint64 generation = m_generation;
    auto backend = m_backend;
    auto stop = m_stop;
    setPending(true);
    ++m_requests;
    m_backend->find(*m_search, CancelToken([stop] { return stop->load(); }, m_scanned))
        .then(this, [this, backend, generation](const Result<inspector::SearchResult> &found) {
            setPending(false);
            if (generation != m_generation) {
                m_issueTimer.start();
                return;
            }
            if (!found && found.error().code == ErrorCode::Canceled) {
                m_results.clear();
                setRows(0, CountState::Exact);
                Q_EMIT searchCanceled(m_scanned ? m_scanned->load() : 0);
                return;
            }
            if (!found) {
                failed(found.error());
                return;
            }
            m_results = found->rows;
            setRows(m_results.size(), CountState::Exact);
            Q_EMIT searchFinished(found->rows.size(), found->scanned, found->undecodable);
        });
}

void SessionTableModel::cancelSearch()
{
    if (m_search && m_pending && m_stop)
        m_stop->store(true);
}

QString SessionTableModel::countText() const
{
    const QLocale locale;
    if (m_search) {
        if (m_pending && m_countState == CountState::Unknown) {
            const qint64 scanned = m_scanned ? m_scanned->load(std::memory_order_relaxed) : 0;
            return scanned > 0 ? tr("searching… %1 sessions read").arg(locale.toString(scanned)) : tr("searching…");
        }
        return m_rows == 1 ? tr("1 match") : tr("%1 matches").arg(locale.toString(m_rows));
    }
    switch (m_countState) {
    case CountState::Unknown:
        return m_backend ? tr("counting…") : QString();
    case CountState::Estimate:
        return tr("≈ %1 sessions").arg(locale.toString(m_rows));
    case CountState::Exact:
        break;
    }
    return tr("%1 sessions").arg(locale.toString(m_rows));
}

std::optional<SessionRow> SessionTableModel::rowAt(int row) const
{
    if (row < 0 || row >= m_rows)
        return std::nullopt;
    if (m_search)
        return row < m_results.size() ? std::optional<SessionRow>(m_results.at(row)) : std::nullopt;
    const auto it = m_cache.constFind(row / m_segmentSize);
    if (it == m_cache.cend())
        return std::nullopt;
    const qsizetype offset = row % m_segmentSize;
    if (offset >= it->rows.size() || it->rows.at(offset).id.isEmpty())
        return std::nullopt;
    return it->rows.at(offset);
}

int SessionTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(qMin<qint64>(m_rows, std::numeric_limits<int>::max()));
}

int SessionTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows || index.column() >= ColumnCount)
        return {};
    const int row = index.row();
    const SessionRow *found = nullptr;
    if (m_search) {
        if (row < m_results.size())
            found = &m_results.at(row);
    } else {
        const qint64 segment = row / m_segmentSize;
        const auto it = m_cache.constFind(segment);
        if (it == m_cache.cend()) {
            want(segment);
        } else {
            it->lastUse = ++m_tick;
            const qsizetype offset = row % m_segmentSize;
            if (offset < it->rows.size())
                found = &it->rows.at(offset);
        }
    }
    if (!found) {
        switch (role) {
        case Qt::DisplayRole:
            return index.column() == User ? tr("loading…") : QVariant();
        case Qt::ForegroundRole:
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        case LoadedRole:
            return false;
        default:
            return {};
        }
    }
    const SessionRow &r = *found;
    switch (role) {
    case Qt::DisplayRole:
        return display(r, index.column());
    case Qt::ToolTipRole:
        if (!r.decoded())
            return plainToolTip(r.error);
        if (index.column() == Expires || index.column() == Created || index.column() == LastActivity) {
            const qint64 t = index.column() == Expires   ? r.expiresAt
                             : index.column() == Created ? r.createdAt
                                                         : r.lastActivity;
            return t > 0 ? QDateTime::fromSecsSinceEpoch(t).toUTC().toString(Qt::ISODate) : QVariant();
        }
        return plainToolTip(display(r, index.column()).toString());
    case Qt::ForegroundRole:
        if (!r.decoded() || r.id.isEmpty())
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Size)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case IdRole:
        return r.id;
    case LoadedRole:
        return true;
    case SortValueRole:
        return std::visit([](const auto &key) { return QVariant::fromValue(key); }, sortKey(r, index.column()));
    default:
        return {};
    }
}

QVariant SessionTableModel::display(const SessionRow &r, int column) const
{
    if (r.id.isEmpty()) // a key that expired between listing and reading
        return column == User ? tr("(ended while loading)") : QVariant();
    switch (column) {
    case User:
        if (!r.decoded())
            return visibleText(tr("(cannot decode: %1)").arg(r.error));
        if (!r.summary.name.isEmpty() && !r.summary.email.isEmpty())
            return visibleText(QStringLiteral("%1 <%2>").arg(r.summary.name, r.summary.email));
        return visibleText(r.summary.email.isEmpty() ? r.summary.name : r.summary.email);
    case Subject:
        return visibleText(r.summary.sub);
    case Sid:
        return visibleText(r.summary.sid);
    case Issuer:
        return visibleText(r.summary.issuer);
    case Created:
        return timeText(r.createdAt);
    case Expires:
        return countdown(r.expiresAt, QDateTime::currentSecsSinceEpoch());
    case LastActivity:
        return timeText(r.lastActivity);
    case Size:
        return QLocale().formattedDataSize(r.size, 1, QLocale::DataSizeTraditionalFormat);
    case Layout:
        return m_backend ? inspector::SessionLayout::kindName(m_backend->layout().kind()) : QString();
    default:
        return {};
    }
}

std::variant<qint64, QString> SessionTableModel::sortKey(const SessionRow &r, int column) const
{
    switch (column) {
    case Created:
        return r.createdAt;
    case Expires:
        return r.expiresAt;
    case LastActivity:
        return r.lastActivity;
    case Size:
        return qint64(r.size);
    default:
        return display(r, column).toString();
    }
}

std::optional<inspector::ListOrder> SessionTableModel::listOrderFor(int column, Qt::SortOrder order)
{
    using inspector::ListOrder;
    const bool ascending = order == Qt::AscendingOrder;
    switch (column) {
    case -1:
        return ListOrder::Store;
    case Created:
        return ascending ? ListOrder::CreatedAscending : ListOrder::CreatedDescending;
    case Expires:
        return ascending ? ListOrder::ExpiresAscending : ListOrder::ExpiresDescending;
    default:
        return std::nullopt;
    }
}

bool SessionTableModel::canSortBy(int column) const
{
    if (m_search)
        return !m_pending;
    const auto order = listOrderFor(column, Qt::AscendingOrder);
    return m_backend && order && m_backend->source().supportsOrder(*order);
}

void SessionTableModel::sort(int column, Qt::SortOrder order)
{
    if (!m_search) {
        const auto listOrder = listOrderFor(column, order);
        if (!canSortBy(column) || !listOrder || *listOrder == m_order)
            return;
        m_order = *listOrder; // the store sorts; the table reloads from the top in that order
        refresh();
        return;
    }
    if (!canSortBy(column) || m_results.size() < 2)
        return;
    const auto key = [this, column](const SessionRow &r) { return sortKey(r, column); };
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QList<QString> ids;
    for (const QModelIndex &index : before)
        ids << (index.row() < m_results.size() ? m_results.at(index.row()).id : QString());
    std::stable_sort(m_results.begin(), m_results.end(), [&](const SessionRow &a, const SessionRow &b) {
        return order == Qt::AscendingOrder ? key(a) < key(b) : key(b) < key(a);
    });
    QHash<QString, int> rowOf;
    for (int i = 0; i < m_results.size(); ++i)
        rowOf.insert(m_results.at(i).id, i);
    QModelIndexList after;
    for (qsizetype i = 0; i < before.size(); ++i) {
        const int row = rowOf.value(ids.at(i), -1);
        after << (row < 0 ? QModelIndex() : index(row, before.at(i).column()));
    }
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

QVariant SessionTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case User:
        return tr("User");
    case Subject:
        return tr("Subject");
    case Sid:
        return tr("Session (sid)");
    case Issuer:
        return tr("Issuer");
    case Created:
        return tr("Created");
    case Expires:
        return tr("Expires");
    case LastActivity:
        return tr("Last activity");
    case Size:
        return tr("Size");
    case Layout:
        return tr("Layout");
    default:
        return {};
    }
}

void SessionTableModel::want(qint64 segment) const
{
    if (m_wanted == segment)
        return;
    m_wanted = segment; // the newest wish supersedes an older one still waiting
    if (!m_pending && !m_issueTimer.isActive())
        m_issueTimer.start();
}

void SessionTableModel::issue()
{
    if (m_pending || !m_backend || !m_wanted || m_search)
        return;
    const qint64 segment = *m_wanted;
    m_wanted.reset();
    if (m_cache.contains(segment) || segment * m_segmentSize >= m_rows)
        return;
    fetchSegment(segment);
}

void SessionTableModel::fetchSegment(qint64 segment)
{
    setPending(true);
    ++m_requests;
    const quint64 generation = m_generation;
    auto backend = m_backend;
    auto known = m_cursors.upperBound(segment);
    --known; // segment 0's cursor is always known
    const qint64 from = known.key();
    if (from == segment) {
        m_backend->fetchPage(known.value(), m_segmentSize, m_order)
            .then(this, [this, backend, generation, segment](const Result<inspector::SessionPage> &page) {
                pageLoaded(generation, segment, page);
            });
        return;
    }
    m_backend->skip(known.value(), (segment - from) * m_segmentSize, m_order)
        .then(this, [this, backend, generation, segment, from](const Result<inspector::SkipResult> &skip) {
            skipped(generation, segment, from, skip);
        });
}

void SessionTableModel::skipped(quint64 generation, qint64 segment, qint64 from,
                                const Result<inspector::SkipResult> &skip)
{
    if (generation != m_generation) {
        setPending(false);
        m_issueTimer.start();
        return;
    }
    if (!skip) {
        failed(skip.error());
        return;
    }
    if (skip->atEnd && skip->cursor.isEmpty()) {
        // The listing is shorter than the count said: it ends here.
        setPending(false);
        setRows(from * m_segmentSize + skip->skipped, CountState::Exact);
        m_issueTimer.start();
        return;
    }
    m_cursors.insert(segment, skip->cursor);
    auto backend = m_backend;
    m_backend->fetchPage(skip->cursor, m_segmentSize, m_order)
        .then(this, [this, backend, generation, segment](const Result<inspector::SessionPage> &page) {
            pageLoaded(generation, segment, page);
        });
}

void SessionTableModel::pageLoaded(quint64 generation, qint64 segment, const Result<inspector::SessionPage> &page)
{
    setPending(false);
    if (generation != m_generation) {
        m_issueTimer.start();
        return;
    }
    if (!page) {
        failed(page.error());
        return;
    }
    const qint64 first = segment * m_segmentSize;
    Segment loaded;
    loaded.rows = page->rows;
    loaded.lastUse = ++m_tick;
    const bool end = page->nextCursor.isEmpty();
    if (!end) {
        m_cursors.insert(segment + 1, page->nextCursor);
        // Redis: a key listed but expired before it was read leaves a gap; keep positions.
        while (loaded.rows.size() < m_segmentSize)
            loaded.rows.append(SessionRow{});
    }
    const qsizetype size = loaded.rows.size();
    m_cache.insert(segment, std::move(loaded));
    evict();
    if (end)
        setRows(first + size, CountState::Exact);
    else if (first + size >= m_rows) // more than counted: one more row shows there is more
        setRows(first + size + 1, CountState::Estimate);
    if (size > 0 && first < m_rows) {
        const int last = int(qMin<qint64>(first + size, m_rows) - 1);
        Q_EMIT dataChanged(index(int(first), 0), index(last, ColumnCount - 1));
        Q_EMIT segmentLoaded(int(first), last);
    }
    m_issueTimer.start();
}

void SessionTableModel::failed(const Error &error)
{
    setPending(false);
    Q_EMIT loadFailed(error.toString(), error.code == ErrorCode::StoreUnreachable || error.code == ErrorCode::Timeout);
}

void SessionTableModel::setRows(qint64 rows, CountState state)
{
    rows = qMax<qint64>(0, rows);
    if (rows > m_rows) {
        beginInsertRows({}, rowCount(), int(qMin<qint64>(rows, std::numeric_limits<int>::max()) - 1));
        m_rows = rows;
        endInsertRows();
    } else if (rows < m_rows) {
        beginRemoveRows({}, int(rows), rowCount() - 1);
        m_rows = rows;
        for (auto it = m_cache.begin(); it != m_cache.end();) {
            if (it.key() * m_segmentSize >= rows)
                it = m_cache.erase(it);
            else
                ++it;
        }
        endRemoveRows();
    }
    m_countState = state;
    Q_EMIT countChanged();
}

void SessionTableModel::setPending(bool pending)
{
    if (m_pending == pending)
        return;
    m_pending = pending;
    if (pending && m_search)
        m_progressTick.start();
    else
        m_progressTick.stop();
    Q_EMIT busyChanged(pending);
}

void SessionTableModel::evict()
{
    while (m_cache.size() > m_cacheSegments) {
        auto oldest = m_cache.begin();
        for (auto it = m_cache.begin(); it != m_cache.end(); ++it) {
            if (it->lastUse < oldest->lastUse)
                oldest = it;
        }
        m_cache.erase(oldest);
    }
}

} // namespace si::ui
