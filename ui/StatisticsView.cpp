#include "StatisticsView.h"
#include "UntrustedText.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

namespace si::ui {

namespace {

QChartView *makeChartView(QWidget *parent, const char *name, const QString &title)
{
    auto *chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation);
    auto *view = new QChartView(chart, parent);
    view->setObjectName(QLatin1String(name));
    view->setAccessibleName(title);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

// Replaces the chart's content by one bar set over `categories`.
void setBars(QChartView *view, const QStringList &categories, const QList<qreal> &values, const QColor &color,
             bool horizontal = false)
{
    QChart *chart = view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    auto *set = new QBarSet(QString());
    set->append(values);
    set->setColor(color);
    auto *categoryAxis = new QBarCategoryAxis;
    categoryAxis->append(categories);
    auto *valueAxis = new QValueAxis;
    valueAxis->setLabelFormat(QStringLiteral("%d"));
    qreal top = 1;
    for (qreal v : values)
        top = qMax(top, v);
    valueAxis->setRange(0, top * 1.1);
    valueAxis->applyNiceNumbers();
    QAbstractBarSeries *series = nullptr;
    if (horizontal) {
        series = new QHorizontalBarSeries;
        series->append(set);
        chart->addSeries(series);
        chart->addAxis(categoryAxis, Qt::AlignLeft);
        chart->addAxis(valueAxis, Qt::AlignBottom);
    } else {
        series = new QBarSeries;
        series->append(set);
        chart->addSeries(series);
        chart->addAxis(categoryAxis, Qt::AlignBottom);
        chart->addAxis(valueAxis, Qt::AlignLeft);
    }
    series->attachAxis(categoryAxis);
    series->attachAxis(valueAxis);
    series->setLabelsVisible(categories.size() <= 12);
}

} // namespace

StatisticsView::StatisticsView(QWidget *parent)
    : QWidget(parent)
    , m_summary(new QLabel(this))
    , m_compute(new QPushButton(tr("&Compute statistics"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new QProgressBar(this))
    , m_created(makeChartView(this, "createdChartView", tr("Sessions created per day (last 30 days)")))
    , m_expiring(makeChartView(this, "expiringChartView", tr("Sessions ending within…")))
    , m_topUsers(makeChartView(this, "topUsersChartView", tr("Users with the most sessions")))
    , m_sizes(makeChartView(this, "sizesChartView", tr("Stored size (one cookie holds 4 KB)")))
    , m_progressTick(new QTimer(this))
{
    setObjectName(QStringLiteral("statisticsView"));
    m_summary->setObjectName(QStringLiteral("statisticsSummaryLabel"));
    m_summary->setWordWrap(true);
    makePlain(m_summary);
    m_compute->setObjectName(QStringLiteral("computeStatisticsButton"));
    m_cancel->setObjectName(QStringLiteral("cancelStatisticsButton"));
    m_progress->setObjectName(QStringLiteral("statisticsProgressBar"));
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(160);
    auto *top = new QHBoxLayout;
    top->addWidget(m_compute);
    top->addWidget(m_cancel);
    top->addWidget(m_progress);
    top->addWidget(m_summary, 1);
    auto *grid = new QGridLayout;
    grid->addWidget(m_created, 0, 0);
    grid->addWidget(m_expiring, 0, 1);
    grid->addWidget(m_topUsers, 1, 0);
    grid->addWidget(m_sizes, 1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(grid, 1);
    connect(m_compute, &QPushButton::clicked, this, &StatisticsView::compute);
    connect(m_cancel, &QPushButton::clicked, this, &StatisticsView::cancel);
    m_progressTick->setInterval(250);
    connect(m_progressTick, &QTimer::timeout, this, [this] {
        if (const qint64 read = m_read ? m_read->load(std::memory_order_relaxed) : 0; read > 0)
            m_summary->setText(tr("Reading every session… %1 so far").arg(QLocale().toString(read)));
    });
    setComputing(false);
    m_summary->setText(tr("Statistics read every session of the store once; press Compute."));
}

StatisticsView::~StatisticsView()
{
    cancel();
}

void StatisticsView::setBackend(std::shared_ptr<inspector::SessionBackend> backend)
{
    cancel();
    ++m_generation;
    m_backend = std::move(backend);
    for (QChartView *view : {m_created, m_expiring, m_topUsers, m_sizes})
        view->chart()->removeAllSeries();
    m_summary->setText(tr("Statistics read every session of the store once; press Compute."));
    m_compute->setEnabled(bool(m_backend));
}

void StatisticsView::setComputing(bool computing)
{
    m_compute->setEnabled(!computing && m_backend);
    m_cancel->setVisible(computing);
    m_progress->setVisible(computing);
    if (computing)
        m_progressTick->start();
    else
        m_progressTick->stop();
}

void StatisticsView::cancel()
{
    if (m_stop)
        m_stop->store(true); // the scan stops at its next batch and reports Canceled
}

void StatisticsView::compute()
{
    if (!m_backend || m_stop)
        return;
    auto stop = std::make_shared<std::atomic_bool>(false);
    m_stop = stop;
    m_read = std::make_shared<std::atomic<qint64>>(0);
    setComputing(true);
    m_summary->setText(tr("Reading every session…"));
    const quint64 generation = m_generation;
    auto backend = m_backend;
    backend->stats(CancelToken([stop] { return stop->load(); }, m_read))
        .then(this, [this, backend, generation](const Result<inspector::SessionStats> &stats) {
            m_stop.reset();
            setComputing(false);
            if (generation != m_generation)
                return;
            if (!stats) {
                m_summary->setText(stats.error().code == ErrorCode::Canceled ? tr("Canceled.")
                                                                             : visibleText(stats.error().toString()));
                if (stats.error().code != ErrorCode::Canceled)
                    Q_EMIT failed(stats.error().toString());
                return;
            }
            show(*stats);
            Q_EMIT computed(*stats);
        });
}

void StatisticsView::show(const inspector::SessionStats &stats)
{
    const QLocale locale;
    m_summary->setText(tr("%1 sessions, %2 stored (largest %3); %4 would need more than one 4 KB cookie; %5 cannot "
                          "be decoded with this profile's secrets.")
                           .arg(locale.toString(stats.total), locale.formattedDataSize(stats.bytesTotal),
                                locale.formattedDataSize(stats.largest), locale.toString(stats.overOneCookie),
                                locale.toString(stats.undecodable)));
    const QColor accent = palette().color(QPalette::Highlight);

    QStringList days;
    QList<qreal> created;
    for (auto it = stats.createdPerDay.cbegin(); it != stats.createdPerDay.cend(); ++it) {
        days << QDateTime::fromSecsSinceEpoch(it.key(), Qt::UTC).toString(QStringLiteral("MM-dd"));
        created << qreal(it.value());
    }
    setBars(m_created, days, created, accent);
    setBars(m_expiring, {tr("1 hour"), tr("1 day"), tr("7 days")},
            {qreal(stats.expiringWithinHour), qreal(stats.expiringWithinDay), qreal(stats.expiringWithinWeek)},
            accent.darker(120));

    QStringList users;
    QList<qreal> counts;
    for (auto it = stats.topUsers.crbegin(); it != stats.topUsers.crend(); ++it) { // largest on top
        // Subjects often share a long prefix ("auth0|6561…"): keep both ends. Qt Charts draws
        // labels as HTML, so the store's text is escaped.
        const QString user = visibleText(it->first);
        users << chartText(user.size() > 28 ? user.left(12) + QStringLiteral("…") + user.right(14) : user);
        counts << qreal(it->second);
    }
    setBars(m_topUsers, users, counts, accent.lighter(120), true);

    QStringList buckets;
    QList<qreal> sizes;
    for (auto it = stats.sizeBuckets.cbegin(); it != stats.sizeBuckets.cend(); ++it) {
        buckets << (it.key() == std::numeric_limits<qsizetype>::max()
                        ? tr("> 16 KB")
                        : tr("≤ %1").arg(locale.formattedDataSize(it.key(), 0)));
        sizes << qreal(it.value());
    }
    setBars(m_sizes, buckets, sizes, QColor(0xda, 0x44, 0x53));
}

} // namespace si::ui
