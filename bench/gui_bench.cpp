// The desktop inspector's responsiveness (bench/gui-bench.sh runs it; docs/benchmarks.md):
//
//   gui_bench --store URL [--secret-file FILE] [--steps N]
//
// 1. start → first painted window with rows: from main() to the first paint of the table's
//    viewport after the first segment arrived (the store is opened in between, as the app does);
// 2. scrolling top to bottom: the vertical scrollbar is moved in N even steps, each followed by
//    80 ms of event processing (a user dragging the thumb); an event-loop latency probe — a 2 ms
//    timer that records how late it fires — gives the longest stall of the GUI thread and the
//    99th percentile;
// 3. peak RSS (VmHWM) at the end.
#include "stores/StoreUrl.h"
#include "stores/inspect/Inspection.h"
#include "ui/MainWindow.h"
#include "ui/SessionTableModel.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QScrollBar>
#include <QTableView>
#include <QTimer>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QElapsedTimer g_sinceStart;

long peakRssKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

// Milliseconds since this process was started by the kernel (/proc/self/stat field 22 against
// /proc/uptime): includes loading the shared libraries, which main()-based timing misses.
double sinceProcessStartMs()
{
    QFile stat(QStringLiteral("/proc/self/stat"));
    QFile uptime(QStringLiteral("/proc/uptime"));
    if (!stat.open(QIODevice::ReadOnly) || !uptime.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    const double startTicks = fields.value(19).toDouble(); // field 22 overall
    const double up = uptime.readAll().split(' ').value(0).toDouble();
    return (up - startTicks / double(sysconf(_SC_CLK_TCK))) * 1000.0;
}

// Records how late a 2 ms timer fires: the GUI thread's stalls.
class LatencyProbe : public QObject {
public:
    LatencyProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(2);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_gaps.push_back(double(now - m_last) / 1e6 - 2.0);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_gaps.clear();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double worst() const { return m_gaps.empty() ? 0 : *std::max_element(m_gaps.begin(), m_gaps.end()); }
    double percentile(double p) const
    {
        if (m_gaps.empty())
            return 0;
        std::vector<double> sorted = m_gaps;
        std::sort(sorted.begin(), sorted.end());
        return sorted[size_t(p * double(sorted.size() - 1))];
    }
    size_t samples() const { return m_gaps.size(); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_gaps;
};

// Notes the first paint of the table after rows arrived.
class PaintWatch : public QObject {
public:
    PaintWatch(si::ui::SessionTableModel *model)
        : m_model(model)
    {}
    qint64 firstRowsPaintedMs = -1;
    double sinceProcessStart = -1;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && firstRowsPaintedMs < 0 && m_model->rowCount() > 0 &&
            m_model->data(m_model->index(0, 0), si::ui::SessionTableModel::LoadedRole).toBool()) {
            firstRowsPaintedMs = g_sinceStart.elapsed();
            sinceProcessStart = sinceProcessStartMs();
        }
        return QObject::eventFilter(watched, event);
    }

private:
    si::ui::SessionTableModel *m_model;
};

void pump(int ms)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

} // namespace

int main(int argc, char *argv[])
{
    g_sinceStart.start();
    QApplication app(argc, argv);
    QCommandLineParser args;
    args.addOptions(
        {{QStringLiteral("store"), QStringLiteral("store URL"), QStringLiteral("URL")},
         {QStringLiteral("secret-file"), QStringLiteral("secrets"), QStringLiteral("FILE")},
         {QStringLiteral("steps"), QStringLiteral("scroll steps"), QStringLiteral("N"), QStringLiteral("100")},
         {QStringLiteral("sort-by-expiry"), QStringLiteral("list sorted by expiry (SQL stores)")}});
    args.process(app);

    si::ui::MainWindow window;
    auto *table = window.table();
    PaintWatch watch(window.model());
    table->viewport()->installEventFilter(&watch);
    window.resize(1600, 900);
    window.show();

    auto url = si::stores::StoreUrl::parse(args.value(QStringLiteral("store")));
    if (!url) {
        std::fprintf(stderr, "gui_bench: %s\n", qPrintable(url.error().toString()));
        return 1;
    }
    si::stores::InspectOptions options;
    options.readOnly = true;
    options.layout = si::inspector::SessionLayout::Kind::Native;
    auto secrets = si::SecretList::fromFile(args.value(QStringLiteral("secret-file")));
    if (!secrets) {
        std::fprintf(stderr, "gui_bench: %s\n", qPrintable(secrets.error().toString()));
        return 1;
    }
    options.secrets = *secrets;
    auto opened = si::stores::openInspector(*url, options);
    if (!opened) {
        std::fprintf(stderr, "gui_bench: %s\n", qPrintable(opened.error().toString()));
        return 1;
    }
    window.openStore(QStringLiteral("bench"), *opened);
    if (args.isSet(QStringLiteral("sort-by-expiry")))
        window.model()->sort(si::ui::SessionTableModel::Expires, Qt::AscendingOrder);

    QElapsedTimer waited;
    waited.start();
    while (watch.firstRowsPaintedMs < 0 && waited.elapsed() < 30000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const qint64 firstPaint = watch.firstRowsPaintedMs;
    const int rows = window.model()->rowCount();

    LatencyProbe probe;
    probe.start();
    QScrollBar *bar = table->verticalScrollBar();
    const int steps = args.value(QStringLiteral("steps")).toInt();
    QElapsedTimer scrolling;
    scrolling.start();
    for (int i = 0; i <= steps; ++i) {
        bar->setValue(int(qint64(bar->maximum()) * i / steps));
        pump(80);
    }
    // Let the last position fill in, then check it did. (The row count may shrink meanwhile:
    // seeded sessions keep expiring.)
    const auto bottomLoaded = [&] {
        const int last = window.model()->rowCount() - 1;
        return window.model()->data(window.model()->index(last, 0), si::ui::SessionTableModel::LoadedRole).toBool();
    };
    QElapsedTimer settle;
    settle.start();
    while (!bottomLoaded() && settle.elapsed() < 30000) {
        bar->setValue(bar->maximum());
        pump(10);
    }
    probe.stop();
    const bool lastLoaded = bottomLoaded();

    std::printf("rows                          %d (%s)\n", rows, qPrintable(window.model()->countText()));
    std::printf("start to first painted rows   %lld ms from main(), %.0f ms from process start (10 ms clock)\n",
                static_cast<long long>(firstPaint), watch.sinceProcessStart);
    std::printf(
        "scroll top to bottom          %d steps in %lld ms; bottom row loaded %lld ms after the last step: %s\n", steps,
        static_cast<long long>(scrolling.elapsed()), static_cast<long long>(settle.elapsed()),
        lastLoaded ? "yes" : "NO");
    std::printf("GUI thread stalls             worst %.1f ms, p99 %.1f ms, p50 %.2f ms (%zu probe samples)\n",
                probe.worst(), probe.percentile(0.99), probe.percentile(0.5), probe.samples());
    std::printf("store requests                %lld\n", static_cast<long long>(window.model()->requestsIssued()));
    std::printf("peak RSS                      %ld KB\n", peakRssKb());
    return lastLoaded && firstPaint >= 0 ? 0 : 2;
}
