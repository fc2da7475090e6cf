// Scale run for the inspector engine (docs/benchmarks.md, issue #5), on a store that
// `sessionctl seed` filled (bench/inspector-scale.sh does both):
//   1. the first page of 100 rows, and a page deep in the listing (SQL: keyset from the middle of
//      the id space; Redis: a SCAN cursor in the middle of the table), each the median of 9;
//   2. search by email without an index: the engine with no index hashes scans and decrypts
//      every session on all cores (the path every peer layout takes), against the native index
//      lookup in the same run.
// Usage: inspector_scale --store URL [--prefix P] [--email E] (secret from SI_SECRET)
// Prints Markdown table rows.

#include "core/async/Worker.h"
#include "core/platform/Allocator.h"
#include "stores/inspect/Inspection.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QThreadPool>

#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

using namespace si;
using namespace si::inspector;

namespace {

double medianMs(QList<double> samples)
{
    std::sort(samples.begin(), samples.end());
    return samples.at(samples.size() / 2);
}

template<typename F>
double timeMs(F &&f)
{
    QElapsedTimer t;
    t.start();
    f();
    return double(t.nsecsElapsed()) / 1e6;
}

double processCpuSeconds()
{
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    si::platform::tuneAllocatorForBulkWork(); // as sessionctl and the inspector do
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("store"), QStringLiteral("store URL"), QStringLiteral("url")});
    parser.addOption({QStringLiteral("prefix"), QStringLiteral("native namespace"), QStringLiteral("p")});
    parser.addOption({QStringLiteral("email"), QStringLiteral("address to search"), QStringLiteral("e")});
    parser.process(app);
    auto url = stores::StoreUrl::parse(parser.value(QStringLiteral("store")));
    if (!url)
        qFatal("bad --store: %s", qPrintable(url.error().toString()));
    stores::InspectOptions options;
    options.layout = SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView(qgetenv("SI_SECRET")))});
    options.prefix = parser.value(QStringLiteral("prefix"));
    options.issuer = QStringLiteral("https://login.example.com/");
    auto opened = stores::openInspector(*url, options);
    if (!opened)
        qFatal("cannot open: %s", qPrintable(opened.error().toString()));
    SessionBackend &backend = *opened->backend;
    const QString store = url->kind == stores::StoreUrl::Kind::Postgres ? QStringLiteral("PostgreSQL")
                          : url->kind == stores::StoreUrl::Kind::Sqlite ? QStringLiteral("SQLite")
                                                                        : QStringLiteral("Redis");

    // 1. Pages.
    QList<double> first, deep;
    const bool redis = url->kind != stores::StoreUrl::Kind::Postgres && url->kind != stores::StoreUrl::Kind::Sqlite;
    // SQL cursors are ids: "M" sits in the middle of the base64url id space (half the table before
    // it). Redis: a SCAN cursor halfway through a 2^20-bucket table.
    const QString deepCursor = redis ? QStringLiteral("0:%1").arg(1 << 19) : QStringLiteral("M");
    int firstRows = 0, deepRows = 0;
    for (int i = 0; i < 9; ++i) {
        first.append(timeMs([&] {
            auto page = await(backend.fetchPage({}, 100));
            if (!page)
                qFatal("page: %s", qPrintable(page.error().toString()));
            firstRows = int(page->rows.size());
        }));
        deep.append(timeMs([&] {
            auto page = await(backend.fetchPage(deepCursor, 100));
            if (!page)
                qFatal("deep page: %s", qPrintable(page.error().toString()));
            deepRows = int(page->rows.size());
        }));
    }
    std::printf("| %s | first page of 100 (decrypted rows) | %.1f ms | %d rows |\n", qPrintable(store), medianMs(first),
                firstRows);
    std::printf("| %s | page of 100 deep in the listing (cursor %s) | %.1f ms | %d rows |\n", qPrintable(store),
                qPrintable(deepCursor), medianMs(deep), deepRows);

    // 2. Email search: index vs scan, same store, same run.
    const QString email = parser.value(QStringLiteral("email"));
    double indexMs = 0;
    qsizetype indexHits = 0;
    indexMs = timeMs([&] {
        auto found = await(backend.find({SearchQuery::Field::Email, email, {}}));
        if (!found)
            qFatal("find: %s", qPrintable(found.error().toString()));
        indexHits = found->rows.size();
    });
    SessionBackend::Options scanOptions; // no codec: no index hashes, the peers' path
    scanOptions.defaultIssuer = options.issuer;
    SessionBackend scanning(std::shared_ptr<SessionSource>(opened->backend, &opened->backend->source()),
                            std::shared_ptr<const SessionLayout>(opened->backend, &opened->backend->layout()),
                            scanOptions);
    SearchResult scanned;
    const double cpuBefore = processCpuSeconds();
    const double scanMs = timeMs([&] {
        auto found = await(scanning.find({SearchQuery::Field::Email, email, {}}));
        if (!found)
            qFatal("scan: %s", qPrintable(found.error().toString()));
        scanned = *found;
    });
    // This process's CPU (all its threads) per session: what the engine costs apart from the
    // server, which shares the cores on this machine.
    const double cpuPerSession = (processCpuSeconds() - cpuBefore) * 1e6 / double(qMax<qint64>(1, scanned.scanned));
    std::printf("| %s | find by email through the index | %.1f ms | %lld sessions |\n", qPrintable(store), indexMs,
                qint64(indexHits));
    std::printf("| %s | find by email scanning and decrypting (%d threads) | %.1f s | %lld found of %lld scanned: "
                "**%.0f sessions/s**; client CPU %.1f us/session |\n",
                qPrintable(store), QThreadPool::globalInstance()->maxThreadCount(), scanMs / 1000,
                qint64(scanned.rows.size()), scanned.scanned, double(scanned.scanned) / (scanMs / 1000), cpuPerSession);
    std::fflush(stdout);
    QThreadPool::globalInstance()->waitForDone();
    return 0;
}
