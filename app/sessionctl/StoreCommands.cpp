#include "StoreCommands.h"

#include "ExitCode.h"
#include "core/async/Worker.h"
#include "core/inspector/Redaction.h"
#include "core/inspector/SeedGenerator.h"
#include "core/inspector/SessionExport.h"
#include "core/text/ControlText.h"
#include "stores/inspect/Inspection.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>
#include <QMutex>
#include <QtConcurrent/QtConcurrentMap>

#include <cstdio>
#include <deque>
#include <numeric>
#include <unistd.h>

namespace si::cli {

using namespace si::inspector;
using stores::OpenedInspector;
using stores::StoreUrl;

namespace {

// "\rscanning: 120,000 sessions…" on a terminal, at most four times a second; nothing otherwise.
class ProgressLine {
public:
    explicit ProgressLine(QString what)
        : m_what(std::move(what))
        , m_enabled(isatty(STDERR_FILENO) == 1)
    {
        m_timer.start();
    }
    ~ProgressLine() { finish(); }
    void update(qint64 done)
    {
        if (!m_enabled)
            return;
        QMutexLocker lock(&m_mutex);
        if (m_timer.elapsed() < 250)
            return;
        m_timer.restart();
        m_shown = true;
        std::fprintf(stderr, "\r%s: %s sessions\u2026", qPrintable(m_what), qPrintable(QLocale::c().toString(done)));
        std::fflush(stderr);
    }
    void finish()
    {
        QMutexLocker lock(&m_mutex);
        if (m_shown)
            std::fputs("\r\033[K", stderr);
        m_shown = false;
    }
    std::function<void(qint64, qint64)> callback()
    {
        return [this](qint64 done, qint64) { update(done); };
    }

private:
    QString m_what;
    bool m_enabled;
    bool m_shown = false;
    QElapsedTimer m_timer;
    QMutex m_mutex;
};

QString timeText(qint64 t)
{
    if (t <= 0)
        return QStringLiteral("-");
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm'Z'"));
}

QString isoTime(qint64 t)
{
    return t > 0 ? QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODate) : QString();
}

QString number(qint64 n)
{
    return QLocale::c().toString(n);
}

void printLine(const QString &text)
{
    CommandContext::printLine(text);
}

void printJson(const json::Value &value, json::Style style = json::Style::Pretty)
{
    const std::string text = json::serialize(value, style);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

QString elided(const QString &text, int width)
{
    return text.size() <= width ? text : text.left(width - 1) + QStringLiteral("\u2026");
}

// A fixed-width table of sessions.
void printRows(const QList<SessionRow> &rows)
{
    struct Column {
        const char *title;
        int max;
        std::function<QString(const SessionRow &)> cell;
    };
    const QList<Column> columns = {
        {"ID", 44, [](const SessionRow &r) { return text::escapeControls(r.id); }},
        {"USER", 34,
         [](const SessionRow &r) {
             return text::escapeControls(r.decoded()
                                             ? (r.summary.sub.isEmpty() ? QStringLiteral("(no user)") : r.summary.sub)
                                             : QStringLiteral("(undecodable: %1)").arg(r.error));
         }},
        {"EMAIL", 34, [](const SessionRow &r) { return text::escapeControls(r.summary.email); }},
        {"CREATED", 17, [](const SessionRow &r) { return timeText(r.createdAt); }},
        {"LAST SEEN", 17, [](const SessionRow &r) { return timeText(r.lastActivity); }},
        {"EXPIRES", 17, [](const SessionRow &r) { return timeText(r.expiresAt); }},
        {"SIZE", 7, [](const SessionRow &r) { return QString::number(r.size); }},
    };
    QList<int> widths;
    for (const Column &c : columns) {
        int w = int(qstrlen(c.title));
        for (const SessionRow &r : rows)
            w = qMax(w, int(qMin<qsizetype>(c.cell(r).size(), c.max)));
        widths << w;
    }
    QString header;
    for (qsizetype i = 0; i < columns.size(); ++i)
        header += QString::fromLatin1(columns[i].title).leftJustified(widths[i] + 2);
    printLine(header.trimmed());
    for (const SessionRow &r : rows) {
        QString line;
        for (qsizetype i = 0; i < columns.size(); ++i)
            line += elided(columns[i].cell(r), columns[i].max).leftJustified(widths[i] + 2);
        printLine(line.trimmed());
    }
}

Result<StoreUrl> storeUrl(const CommandContext &ctx)
{
    auto url = StoreUrl::parse(ctx.args().value(QStringLiteral("store")));
    if (!url)
        return url.error();
    // A password kept out of the command line (ps, shell history).
    if (url->password.isEmpty()) {
        QString password = qEnvironmentVariable("SI_STORE_PASSWORD");
        const QString file = ctx.args().value(QStringLiteral("store-password-file"));
        if (!file.isEmpty()) {
            QFile f(file);
            if (!f.open(QIODevice::ReadOnly))
                return makeError(ErrorCode::Io, QStringLiteral("cannot read the store password file"),
                                 QStringLiteral("%1: %2").arg(file, f.errorString()));
            password = QString::fromUtf8(f.readLine()).trimmed();
        }
        url->password = password;
    }
    return url;
}

// Opens the store named by --store (or the sessions of --cookie-header).
Result<OpenedInspector> openStoreNow(const CommandContext &ctx, ProgressLine *progress);

// Opens the store and keeps it open until the process ends: sessionctl leaves without closing
// stores or joining threads (main() calls _Exit once the output is flushed). A command-line tool
// need not free at exit, and store threads torn down at exit have been seen to abort on heap
// corruption after the command had finished correctly (issue #5 note: not yet explained).
Result<OpenedInspector> openStore(const CommandContext &ctx, ProgressLine *progress = nullptr)
{
    auto opened = openStoreNow(ctx, progress);
    if (opened) {
        static auto *const keptOpen = new QList<OpenedInspector>; // never destroyed, on purpose
        keptOpen->append(*opened);
    }
    return opened;
}

Result<OpenedInspector> openStoreNow(const CommandContext &ctx, ProgressLine *progress)
{
    stores::InspectOptions o;
    const QString layoutName = ctx.args().value(QStringLiteral("layout"));
    if (!layoutName.isEmpty()) {
        auto kind = SessionLayout::kindFromName(layoutName);
        if (!kind)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown layout '%1'").arg(layoutName.left(30)),
                             QStringLiteral("one of: %1").arg(SessionLayout::names().join(QStringLiteral(", "))));
        o.layout = kind;
    }
    auto secrets = ctx.loadSecrets();
    if (secrets)
        o.secrets = std::move(secrets.value());
    else if (secrets.error().message != QLatin1String("no application secret"))
        return secrets.error(); // a secret file that cannot be read is an error; no secret at all is
                                // fine for JSON layouts (native ones say they need it)
    o.prefix = ctx.args().value(QStringLiteral("prefix"));
    o.keyPrefix = ctx.args().value(QStringLiteral("key-prefix")).toUtf8();
    o.issuer = ctx.args().value(QStringLiteral("issuer"), qEnvironmentVariable("SI_ISSUER"));
    o.cookieName = ctx.args().value(QStringLiteral("cookie-name"), QStringLiteral("_a0_session"));
    o.readOnly = ctx.args().isSet(QStringLiteral("read-only"));
    o.audit = std::make_shared<AuditLog>(ctx.args().value(QStringLiteral("audit-log"), AuditLog::defaultPath()));
    if (progress)
        o.progress = progress->callback();
    if (ctx.args().isSet(QStringLiteral("cookie-header"))) {
        QByteArray header = ctx.args().value(QStringLiteral("cookie-header")).toUtf8();
        if (header == "-") {
            QFile in;
            if (!in.open(stdin, QIODevice::ReadOnly))
                return makeError(ErrorCode::Io, QStringLiteral("cannot read standard input"));
            header = in.readAll();
        }
        return stores::openCookieInspector(header, o);
    }
    auto url = storeUrl(ctx);
    if (!url)
        return url.error();
    return stores::openInspector(*url, o);
}

bool hasStore(const CommandContext &ctx)
{
    return ctx.args().isSet(QStringLiteral("store")) || ctx.args().isSet(QStringLiteral("cookie-header"));
}

int needStore(const CommandContext &ctx, const char *command)
{
    return ctx.usage(
        QStringLiteral("%1 needs --store URL (sqlite:PATH, redis://…, postgresql://…)").arg(QLatin1String(command)));
}

void noteLayout(const CommandContext &ctx, const OpenedInspector &opened)
{
    // Only a guess is worth a line (on stderr, so --json output stays clean).
    if (opened.detected)
        ctx.note(QStringLiteral("layout: %1").arg(opened.layoutNote));
}

Result<int> intOption(const CommandContext &ctx, const QString &name, int fallback, int min, int max)
{
    if (!ctx.args().isSet(name))
        return fallback;
    bool ok = false;
    const int v = ctx.args().value(name).toInt(&ok);
    if (!ok || v < min || v > max)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("--%1 takes a number from %2 to %3").arg(name).arg(min).arg(max));
    return v;
}

// The bulk criteria shared by delete and export.
Result<SessionFilter> filterFrom(const CommandContext &ctx)
{
    SessionFilter f;
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    auto time = [&](const char *name, std::optional<qint64> &target) -> Status {
        if (!ctx.args().isSet(QLatin1String(name)))
            return {};
        auto t = parseTime(ctx.args().value(QLatin1String(name)));
        if (!t)
            return t.error();
        target = *t;
        return {};
    };
    if (auto s = time("created-before", f.createdBefore); !s)
        return s.error();
    if (auto s = time("created-after", f.createdAfter); !s)
        return s.error();
    if (ctx.args().isSet(QStringLiteral("idle-for"))) {
        auto d = parseDuration(ctx.args().value(QStringLiteral("idle-for")));
        if (!d)
            return d.error();
        f.idleSince = now - *d;
    }
    if (ctx.args().isSet(QStringLiteral("expires-within"))) {
        auto d = parseDuration(ctx.args().value(QStringLiteral("expires-within")));
        if (!d)
            return d.error();
        f.expiresBefore = now + *d;
    }
    if (ctx.args().isSet(QStringLiteral("larger-than"))) {
        bool ok = false;
        f.largerThan = ctx.args().value(QStringLiteral("larger-than")).toLongLong(&ok);
        if (!ok)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("--larger-than takes a number of bytes"));
    }
    f.issuer = ctx.args().value(QStringLiteral("with-issuer"));
    f.sub = ctx.args().value(QStringLiteral("with-sub"));
    f.emailDomain = ctx.args().value(QStringLiteral("email-domain"));
    f.undecryptable = ctx.args().isSet(QStringLiteral("undecryptable"));
    return f;
}

int finishOpen(const CommandContext &ctx, const Result<OpenedInspector> &opened)
{
    return ctx.fail(QStringLiteral("cannot open the store"), opened.error());
}

} // namespace

QStringList storeValueOptions()
{
    return {QStringLiteral("store"),
            QStringLiteral("layout"),
            QStringLiteral("prefix"),
            QStringLiteral("key-prefix"),
            QStringLiteral("issuer"),
            QStringLiteral("iss"),
            QStringLiteral("audit-log"),
            QStringLiteral("store-password-file"),
            QStringLiteral("limit"),
            QStringLiteral("cursor"),
            QStringLiteral("sub"),
            QStringLiteral("sid"),
            QStringLiteral("email"),
            QStringLiteral("at"),
            QStringLiteral("in"),
            QStringLiteral("format"),
            QStringLiteral("count"),
            QStringLiteral("users"),
            QStringLiteral("seed"),
            QStringLiteral("signing-key"),
            QStringLiteral("since"),
            QStringLiteral("created-before"),
            QStringLiteral("created-after"),
            QStringLiteral("idle-for"),
            QStringLiteral("expires-within"),
            QStringLiteral("larger-than"),
            QStringLiteral("with-issuer"),
            QStringLiteral("with-sub"),
            QStringLiteral("email-domain")};
}

QStringList storeFlags()
{
    return {QStringLiteral("read-only"), QStringLiteral("json"),   QStringLiteral("reveal"),
            QStringLiteral("dry-run"),   QStringLiteral("yes"),    QStringLiteral("no-redact"),
            QStringLiteral("redact"),    QStringLiteral("repair"), QStringLiteral("undecryptable")};
}

int runList(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "list");
    auto limit = intOption(ctx, QStringLiteral("limit"), 50, 1, 10000);
    if (!limit)
        return ctx.usage(limit.error().message);
    auto opened = openStore(ctx);
    if (!opened)
        return finishOpen(ctx, opened);
    noteLayout(ctx, *opened);
    SessionBackend &backend = *opened->backend;
    auto page = await(backend.fetchPage(ctx.args().value(QStringLiteral("cursor")), *limit));
    if (!page)
        return ctx.fail(QStringLiteral("list"), page.error());
    auto total = await(backend.count());
    if (ctx.args().isSet(QStringLiteral("json"))) {
        json::Array rows;
        for (const SessionRow &r : page->rows)
            rows.emplace_back(rowJson(r));
        json::Object doc;
        doc.append("sessions", std::move(rows));
        doc.append("next_cursor", page->nextCursor.isEmpty() ? json::Value() : json::Value(page->nextCursor));
        doc.append("total", total ? json::Value(std::int64_t(total->value)) : json::Value());
        doc.append("total_exact", total ? json::Value(total->exact) : json::Value());
        printJson(json::Value(std::move(doc)));
        return ExitCode::Ok;
    }
    printRows(page->rows);
    QString footer = QStringLiteral("%1 session(s)").arg(page->rows.size());
    if (total)
        footer +=
            QStringLiteral(" of %1%2").arg(total->exact ? QString() : QStringLiteral("about "), number(total->value));
    if (!page->nextCursor.isEmpty())
        footer += QStringLiteral("; next page: --cursor %1").arg(page->nextCursor);
    ctx.note(footer);
    return ExitCode::Ok;
}

int runShow(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "show");
    const QStringList ids = ctx.arguments();
    if (ids.size() != 1)
        return ctx.usage(QStringLiteral("show takes one session id"));
    auto opened = openStore(ctx);
    if (!opened)
        return finishOpen(ctx, opened);
    auto detail = await(opened->backend->load(ids.first()));
    if (!detail)
        return ctx.fail(QStringLiteral("show"), detail.error());
    const bool reveal = ctx.args().isSet(QStringLiteral("reveal"));
    json::Value document = detail->document;
    int masked = 0;
    if (!reveal)
        masked = redact(document);
    const SessionRow &row = detail->row;
    if (ctx.args().isSet(QStringLiteral("json"))) {
        json::Object o = rowJson(row);
        o.append("layout", opened->backend->layout().name());
        o.append("session", std::move(document));
        printJson(json::Value(std::move(o)));
        return row.decoded() ? ExitCode::Ok : ExitCode::DecryptFailed;
    }
    printLine(QStringLiteral("session      %1").arg(row.id));
    printLine(QStringLiteral("layout       %1").arg(opened->backend->layout().name()));
    printLine(QStringLiteral("user         %1%2")
                  .arg(row.summary.sub,
                       row.summary.email.isEmpty() ? QString() : QStringLiteral(" <%1>").arg(row.summary.email)));
    if (!row.summary.sid.isEmpty())
        printLine(QStringLiteral("idp session  %1").arg(row.summary.sid));
    if (!row.summary.issuer.isEmpty())
        printLine(QStringLiteral("issuer       %1").arg(row.summary.issuer));
    printLine(QStringLiteral("created      %1").arg(timeText(row.createdAt)));
    printLine(QStringLiteral("last seen    %1").arg(timeText(row.lastActivity)));
    printLine(QStringLiteral("expires      %1").arg(timeText(row.expiresAt)));
    QString size = QStringLiteral("size         %1 bytes stored").arg(number(row.size));
    if (row.cookieSize > 0)
        size += QStringLiteral(", %1 as a cookie%2")
                    .arg(number(row.cookieSize),
                         exceedsOneCookie(row.cookieSize) ? QStringLiteral(" (more than one 4 KB cookie)") : QString());
    printLine(size);
    if (!row.keyId.isEmpty())
        printLine(
            QStringLiteral("key id       %1%2")
                .arg(row.keyId, detail->secretIndex > 0
                                    ? QStringLiteral(" (secret #%1, not the current one)").arg(detail->secretIndex + 1)
                                    : QString()));
    if (!row.decoded()) {
        printLine(QString());
        return ctx.fail(QStringLiteral("cannot decode this session"), makeError(ErrorCode::DecryptFailed, row.error));
    }
    printLine(QString());
    printJson(document);
    if (masked > 0)
        ctx.note(QStringLiteral("%1 token(s) masked; --reveal shows them").arg(masked));
    return ExitCode::Ok;
}

namespace {

// Why a search that found nothing may have had the wrong secret: every session it scanned failed
// to decode, or (index lookups decrypt nothing) none of the first sessions of the store decodes.
std::optional<QString> wrongSecret(SessionBackend &backend, const SearchResult &found)
{
    if (!found.usedIndex) {
        if (found.scanned > 0 && found.undecodable == found.scanned)
            return QStringLiteral("none of the %1 session(s) in the store decrypts with the given secret")
                .arg(number(found.scanned));
        return std::nullopt;
    }
    constexpr int kSample = 20;
    const auto page = await(backend.fetchPage(QString(), kSample));
    if (!page || page->rows.isEmpty() ||
        std::any_of(page->rows.cbegin(), page->rows.cend(), [](const SessionRow &r) { return r.decoded(); }))
        return std::nullopt;
    return QStringLiteral("none of %1 session(s) sampled from the store decrypts with the given secret, and the"
                          " index is keyed by it")
        .arg(page->rows.size());
}

} // namespace

int runFind(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "find");
    SearchQuery q;
    int given = 0;
    for (auto [name, field] :
         {std::pair{"sub", SearchQuery::Field::Subject}, std::pair{"sid", SearchQuery::Field::Session},
          std::pair{"email", SearchQuery::Field::Email}}) {
        if (ctx.args().isSet(QLatin1String(name))) {
            ++given;
            q.field = field;
            q.value = ctx.args().value(QLatin1String(name));
        }
    }
    if (given != 1)
        return ctx.usage(QStringLiteral("find needs one of --sub, --sid or --email"));
    q.issuer = ctx.args().value(QStringLiteral("iss"));
    ProgressLine progress(QStringLiteral("searching"));
    auto opened = openStore(ctx, &progress);
    if (!opened)
        return finishOpen(ctx, opened);
    noteLayout(ctx, *opened);
    auto found = await(opened->backend->find(q));
    progress.finish();
    if (!found)
        return ctx.fail(QStringLiteral("find"), found.error());
    if (ctx.args().isSet(QStringLiteral("json"))) {
        json::Array rows;
        for (const SessionRow &r : found->rows)
            rows.emplace_back(rowJson(r));
        json::Object doc;
        doc.append("sessions", std::move(rows));
        doc.append("used_index", found->usedIndex);
        doc.append("scanned", std::int64_t(found->scanned));
        doc.append("undecodable", std::int64_t(found->undecodable));
        printJson(json::Value(std::move(doc)));
    } else if (!found->rows.isEmpty()) {
        printRows(found->rows);
    }
    QString how = found->usedIndex ? QStringLiteral("through the index") : QStringLiteral("by scanning the store");
    if (!found->usedIndex && opened->backend->source().hasIndexes() && q.field != SearchQuery::Field::Email)
        how += QStringLiteral("; --iss or SI_ISSUER lets sub/sid searches use the index");
    if (found->rows.isEmpty()) {
        // Finding nothing with the wrong secret is not "not found": index hashes are keyed by the
        // secret, and a scan cannot look into sessions it cannot decrypt.
        if (const std::optional<QString> why = wrongSecret(*opened->backend, *found))
            return ctx.fail(QStringLiteral("find"), makeError(ErrorCode::DecryptFailed, *why));
    }
    if (found->undecodable > 0)
        ctx.note(QStringLiteral("warning: %1 session(s) could not be decrypted and were not searched")
                     .arg(number(found->undecodable)));
    if (found->rows.isEmpty()) {
        ctx.note(QStringLiteral("no sessions found (%1)").arg(how));
        return ExitCode::NotFound;
    }
    if (!ctx.args().isSet(QStringLiteral("json")))
        ctx.note(QStringLiteral("%1 session(s) found %2").arg(found->rows.size()).arg(how));
    return ExitCode::Ok;
}

int runDelete(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "delete");
    auto filter = filterFrom(ctx);
    if (!filter)
        return ctx.usage(filter.error().message);
    const QStringList ids = ctx.arguments();
    if (ids.isEmpty() == filter->isEmpty())
        return ctx.usage(QStringLiteral("delete takes session ids, or filter options (--created-before, "
                                        "--idle-for, --email-domain, …) — not both"));
    const bool dryRun = ctx.args().isSet(QStringLiteral("dry-run"));
    if (!ids.isEmpty()) {
        auto opened = openStore(ctx);
        if (!opened)
            return finishOpen(ctx, opened);
        auto removed = await(opened->backend->remove(ids));
        if (!removed)
            return ctx.fail(QStringLiteral("delete"), removed.error());
        ctx.note(QStringLiteral("deleted %1 of %2 session(s)").arg(*removed).arg(ids.size()));
        return *removed == 0 ? ExitCode::NotFound : ExitCode::Ok;
    }
    if (!dryRun && !ctx.args().isSet(QStringLiteral("yes")))
        return ctx.usage(QStringLiteral("a bulk delete needs --dry-run (to see what would go) or --yes"));
    ProgressLine progress(QStringLiteral("scanning"));
    auto opened = openStore(ctx, &progress);
    if (!opened)
        return finishOpen(ctx, opened);
    auto result = await(opened->backend->bulkDelete(*filter, dryRun));
    progress.finish();
    if (!result)
        return ctx.fail(QStringLiteral("delete"), result.error());
    if (ctx.args().isSet(QStringLiteral("json"))) {
        json::Array rows;
        for (const SessionRow &r : result->matched)
            rows.emplace_back(rowJson(r));
        json::Object doc;
        doc.append("dry_run", dryRun);
        doc.append("filter", filter->describe());
        doc.append("matched", std::move(rows));
        doc.append("removed", std::int64_t(result->removed));
        doc.append("scanned", std::int64_t(result->scanned));
        printJson(json::Value(std::move(doc)));
    } else {
        printRows(result->matched);
    }
    if (result->undecodable > 0 && !filter->undecryptable)
        ctx.note(QStringLiteral("warning: %1 session(s) could not be decrypted; content criteria skipped them")
                     .arg(number(result->undecodable)));
    ctx.note(dryRun ? QStringLiteral("dry run: %1 of %2 session(s) would be deleted (%3)")
                          .arg(number(result->matched.size()), number(result->scanned), filter->describe())
                    : QStringLiteral("deleted %1 session(s) (%2)").arg(number(result->removed), filter->describe()));
    return ExitCode::Ok;
}

int runRevoke(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "revoke");
    LogoutTarget target;
    if (ctx.args().isSet(QStringLiteral("sub")))
        target.sub = ctx.args().value(QStringLiteral("sub"));
    if (ctx.args().isSet(QStringLiteral("sid")))
        target.sid = ctx.args().value(QStringLiteral("sid"));
    if (!target.sub && !target.sid)
        return ctx.usage(QStringLiteral("revoke needs --sub, --sid or both"));
    target.issuer = ctx.args().value(QStringLiteral("iss"));
    ProgressLine progress(QStringLiteral("scanning"));
    auto opened = openStore(ctx, &progress);
    if (!opened)
        return finishOpen(ctx, opened);
    auto removed = await(opened->backend->revoke(target));
    progress.finish();
    if (!removed)
        return ctx.fail(QStringLiteral("revoke"), removed.error());
    ctx.note(QStringLiteral("revoked %1 session(s)").arg(*removed));
    return ExitCode::Ok;
}

int runExpire(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "expire");
    const QStringList ids = ctx.arguments();
    const bool at = ctx.args().isSet(QStringLiteral("at")), in = ctx.args().isSet(QStringLiteral("in"));
    if (ids.size() != 1 || at == in)
        return ctx.usage(QStringLiteral("expire takes one session id and --at TIME or --in DURATION"));
    qint64 when = 0;
    if (at) {
        auto t = parseTime(ctx.args().value(QStringLiteral("at")));
        if (!t)
            return ctx.usage(t.error().message + QStringLiteral(" (") + t.error().detail + QLatin1Char(')'));
        when = *t;
    } else {
        auto d = parseDuration(ctx.args().value(QStringLiteral("in")));
        if (!d)
            return ctx.usage(d.error().message + QStringLiteral(" (") + d.error().detail + QLatin1Char(')'));
        when = QDateTime::currentSecsSinceEpoch() + *d;
    }
    auto opened = openStore(ctx);
    if (!opened)
        return finishOpen(ctx, opened);
    auto ends = await(opened->backend->expire(ids.first(), when));
    if (!ends)
        return ctx.fail(QStringLiteral("expire"), ends.error());
    ctx.note(*ends <= QDateTime::currentSecsSinceEpoch()
                 ? QStringLiteral("session ended now")
                 : QStringLiteral("session now ends at %1").arg(isoTime(*ends)));
    return ExitCode::Ok;
}

int runStats(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "stats");
    ProgressLine progress(QStringLiteral("counting"));
    auto opened = openStore(ctx, &progress);
    if (!opened)
        return finishOpen(ctx, opened);
    noteLayout(ctx, *opened);
    auto stats = await(opened->backend->stats());
    progress.finish();
    if (!stats)
        return ctx.fail(QStringLiteral("stats"), stats.error());
    const SessionStats &s = *stats;
    auto histogram = [](const QMap<qint64, qint64> &m) {
        json::Object o;
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            o.append(isoTime(it.key()).toStdString(), std::int64_t(it.value()));
        return o;
    };
    auto sizeLabel = [](qsizetype bound) {
        return bound == std::numeric_limits<qsizetype>::max() ? QStringLiteral("larger")
                                                              : QStringLiteral("<=%1").arg(bound);
    };
    if (ctx.args().isSet(QStringLiteral("json"))) {
        json::Object o;
        o.append("total", std::int64_t(s.total));
        o.append("undecodable", std::int64_t(s.undecodable));
        o.append("created_per_hour", histogram(s.createdPerHour));
        o.append("created_per_day", histogram(s.createdPerDay));
        json::Object expiring;
        expiring.append("hour", std::int64_t(s.expiringWithinHour));
        expiring.append("day", std::int64_t(s.expiringWithinDay));
        expiring.append("week", std::int64_t(s.expiringWithinWeek));
        o.append("expiring_within", std::move(expiring));
        json::Array top;
        for (const auto &[sub, n] : s.topUsers) {
            json::Object u;
            u.append("sub", sub);
            u.append("sessions", std::int64_t(n));
            top.emplace_back(std::move(u));
        }
        o.append("top_users", std::move(top));
        json::Object sizes;
        for (auto it = s.sizeBuckets.cbegin(); it != s.sizeBuckets.cend(); ++it)
            sizes.append(sizeLabel(it.key()).toStdString(), std::int64_t(it.value()));
        o.append("size_buckets", std::move(sizes));
        o.append("over_one_cookie", std::int64_t(s.overOneCookie));
        o.append("bytes_total", std::int64_t(s.bytesTotal));
        o.append("largest", std::int64_t(s.largest));
        printJson(json::Value(std::move(o)));
        return ExitCode::Ok;
    }
    printLine(QStringLiteral("sessions            %1").arg(number(s.total)));
    if (s.undecodable > 0)
        printLine(QStringLiteral("  undecodable       %1").arg(number(s.undecodable)));
    printLine(QStringLiteral("expiring within     1 h: %1   1 d: %2   7 d: %3")
                  .arg(number(s.expiringWithinHour), number(s.expiringWithinDay), number(s.expiringWithinWeek)));
    printLine(QStringLiteral("stored bytes        %1 (largest %2)").arg(number(s.bytesTotal), number(s.largest)));
    printLine(QStringLiteral("over one 4 KB cookie %1").arg(number(s.overOneCookie)));
    printLine(QStringLiteral("size distribution"));
    for (auto it = s.sizeBuckets.cbegin(); it != s.sizeBuckets.cend(); ++it)
        printLine(QStringLiteral("  %1  %2").arg(sizeLabel(it.key()).leftJustified(8), number(it.value())));
    printLine(QStringLiteral("created per day (last 30 days, UTC)"));
    for (auto it = s.createdPerDay.cbegin(); it != s.createdPerDay.cend(); ++it)
        printLine(QStringLiteral("  %1  %2").arg(isoTime(it.key()).left(10), number(it.value())));
    printLine(QStringLiteral("top users"));
    for (const auto &[sub, n] : s.topUsers)
        printLine(QStringLiteral("  %1  %2").arg(number(n).rightJustified(6), sub));
    return ExitCode::Ok;
}

int runExport(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "export");
    const QString format = ctx.args().value(QStringLiteral("format"), QStringLiteral("jsonl"));
    if (format != QLatin1String("jsonl") && format != QLatin1String("csv"))
        return ctx.usage(QStringLiteral("--format is jsonl or csv"));
    auto filter = filterFrom(ctx);
    if (!filter)
        return ctx.usage(filter.error().message);
    const bool redacted = !ctx.args().isSet(QStringLiteral("no-redact"));
    ProgressLine progress(QStringLiteral("exporting"));
    auto opened = openStore(ctx, &progress);
    if (!opened)
        return finishOpen(ctx, opened);
    const inspector::SessionExporter exporter(format == QLatin1String("csv")
                                                  ? inspector::SessionExporter::Format::Csv
                                                  : inspector::SessionExporter::Format::JsonLines,
                                              redacted);
    std::string line = exporter.header();
    std::fwrite(line.data(), 1, line.size(), stdout);
    auto exported = await(opened->backend->forEach(*filter, [&](const SessionRow &row, const json::Value *document) {
        line.clear();
        exporter.append(row, document, line);
        std::fwrite(line.data(), 1, line.size(), stdout);
        return true;
    }));
    progress.finish();
    std::fflush(stdout);
    if (!exported)
        return ctx.fail(QStringLiteral("export"), exported.error());
    ctx.note(QStringLiteral("exported %1 session(s)%2")
                 .arg(number(*exported),
                      redacted ? QStringLiteral(", tokens masked") : QStringLiteral(", tokens in clear")));
    return ExitCode::Ok;
}

int runSeed(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "seed");
    bool ok = false;
    const qint64 count = ctx.args().value(QStringLiteral("count")).toLongLong(&ok);
    if (!ok || count < 1 || count > 100000000)
        return ctx.usage(QStringLiteral("seed needs --count N (1 to 100,000,000)"));
    SeedGenerator::Options options;
    options.count = count;
    options.users = ctx.args().isSet(QStringLiteral("users")) ? ctx.args().value(QStringLiteral("users")).toLongLong()
                                                              : qMax<qint64>(1, count / 5);
    if (options.users < 1)
        return ctx.usage(QStringLiteral("--users takes a positive number"));
    if (ctx.args().isSet(QStringLiteral("seed")))
        options.seed = ctx.args().value(QStringLiteral("seed")).toUInt();
    const QString issuer = ctx.args().value(QStringLiteral("issuer"), qEnvironmentVariable("SI_ISSUER"));
    if (!issuer.isEmpty())
        options.issuer = issuer;
    if (ctx.args().isSet(QStringLiteral("signing-key"))) {
        auto key = jose::Jwk::fromFile(ctx.args().value(QStringLiteral("signing-key")));
        if (!key)
            return ctx.fail(QStringLiteral("the signing key is not usable"), key.error());
        if (!key->hasPrivateKey() || key->keyType() == jose::Jwk::KeyType::Oct)
            return ctx.usage(QStringLiteral("--signing-key needs a private RSA, EC or OKP key (a JWK with \"d\")"));
        options.signingKey = *key;
    }
    ProgressLine progress(QStringLiteral("seeding"));
    auto opened = openStore(ctx);
    if (!opened)
        return finishOpen(ctx, opened);
    SessionBackend &backend = *opened->backend;
    const QString target = QStringLiteral("%1 synthetic sessions").arg(count);
    if (backend.isReadOnly()) {
        backend.audit({QStringLiteral("seed"), {target}, 0, QStringLiteral("refused (read-only)")});
        return ctx.fail(QStringLiteral("seed"),
                        makeError(ErrorCode::ReadOnly, QStringLiteral("refused: this profile is read-only")));
    }
    noteLayout(ctx, *opened);
    const SeedGenerator generator(options);
    const SessionLayout::Kind kind = backend.layout().kind();
    constexpr qint64 kBatch = 1000;
    qint64 written = 0;
    Status status;
    // Batches overlap: while one is written by the store's worker, the next ones are generated and
    // encrypted on the pool. Up to kInFlight batches are queued on the store, so that the worker
    // never waits for the encoders (sessions are independent; their order does not matter).
    constexpr size_t kInFlight = 3;
    std::deque<std::pair<QFuture<Status>, qint64>> inflight; // (write, its session count)
    auto settleOne = [&] {
        const Status done = await(inflight.front().first);
        if (done) {
            written += inflight.front().second;
            progress.update(written);
        } else if (status) {
            status = done; // the first error wins
        }
        inflight.pop_front();
    };
    for (qint64 start = 0; start < count && status; start += kBatch) {
        const qint64 end = qMin(count, start + kBatch);
        QList<qint64> indexes(end - start);
        std::iota(indexes.begin(), indexes.end(), start);
        QList<SeedGenerator::Session> sessions =
            QtConcurrent::blockingMapped(indexes, [&generator, kind](qint64 i) { return generator.session(i, kind); });
        QFuture<Status> next;
        if (kind == SessionLayout::Kind::Native) {
            QList<QPair<QString, StateData>> batch;
            batch.reserve(sessions.size());
            for (SeedGenerator::Session &s : sessions)
                batch.append({std::move(s.id), std::move(s.state)});
            next = opened->nativeStore->setMany(batch);
        } else {
            QList<RawSession> batch;
            batch.reserve(sessions.size());
            for (const SeedGenerator::Session &s : sessions) {
                auto value = backend.layout().encode(s.id, generator.document(s, kind));
                if (!value) {
                    status = value.error();
                    break;
                }
                RawSession raw;
                raw.id = s.id;
                raw.value = std::move(value.value());
                raw.expiresAt = s.expiresAt;
                batch.append(std::move(raw));
            }
            if (!status)
                break;
            next = backend.source().write(batch);
        }
        inflight.emplace_back(next, end - start);
        while (inflight.size() >= kInFlight || (!inflight.empty() && inflight.front().first.isFinished()))
            settleOne();
    }
    // Every batch in flight finishes (and counts) before reporting; the first error wins.
    while (!inflight.empty())
        settleOne();
    progress.finish();
    backend.audit({QStringLiteral("seed"), {target}, written, status ? QStringLiteral("ok") : status.error().message});
    if (!status)
        return ctx.fail(QStringLiteral("seed (after %1 sessions)").arg(written), status.error());
    ctx.note(QStringLiteral("seeded %1 session(s) for %2 user(s) (%3 layout)")
                 .arg(number(written), number(options.users), backend.layout().name()));
    return ExitCode::Ok;
}

int runFsck(const CommandContext &ctx)
{
    if (!hasStore(ctx))
        return needStore(ctx, "fsck");
    const bool repair = ctx.args().isSet(QStringLiteral("repair"));
    ProgressLine progress(QStringLiteral("checking"));
    auto opened = openStore(ctx, &progress);
    if (!opened)
        return finishOpen(ctx, opened);
    noteLayout(ctx, *opened);
    auto report = await(opened->backend->fsck(repair));
    progress.finish();
    if (!report)
        return ctx.fail(repair ? QStringLiteral("fsck --repair") : QStringLiteral("fsck"), report.error());
    qint64 open = 0;
    for (const IntegrityFinding &f : report->findings)
        open += f.found - f.repaired;
    if (ctx.args().isSet(QStringLiteral("json"))) {
        json::Array findings;
        for (const IntegrityFinding &f : report->findings) {
            json::Object o;
            o.append("what", f.what);
            o.append("found", std::int64_t(f.found));
            o.append("repaired", std::int64_t(f.repaired));
            o.append("advice", f.advice);
            findings.emplace_back(std::move(o));
        }
        json::Object doc;
        doc.append("sessions", std::int64_t(report->sessions));
        doc.append("index_entries", std::int64_t(report->indexEntries));
        doc.append("findings", std::move(findings));
        doc.append("clean", open == 0);
        printJson(json::Value(std::move(doc)));
    } else {
        for (const IntegrityFinding &f : report->findings) {
            printLine(QStringLiteral("%1  %2%3")
                          .arg(number(f.found).rightJustified(8), f.what,
                               repair ? QStringLiteral(" (repaired %1)").arg(number(f.repaired)) : QString()));
            printLine(QStringLiteral("          %1").arg(f.advice));
        }
    }
    ctx.note(QStringLiteral("checked %1 session(s) and %2 index entr%3: %4")
                 .arg(number(report->sessions), number(report->indexEntries),
                      report->indexEntries == 1 ? QStringLiteral("y") : QStringLiteral("ies"),
                      report->findings.isEmpty() ? QStringLiteral("clean")
                      : open == 0                ? QStringLiteral("everything found was repaired")
                                                 : QStringLiteral("%1 problem(s) left%2")
                                        .arg(number(open), repair ? QString() : QStringLiteral(" (see --repair)"))));
    return ExitCode::Ok;
}

int runAudit(const CommandContext &ctx)
{
    qint64 since = 0;
    if (ctx.args().isSet(QStringLiteral("since"))) {
        const QString text = ctx.args().value(QStringLiteral("since"));
        auto asDuration = parseDuration(text);
        auto asTime = parseTime(text);
        if (asDuration)
            since = QDateTime::currentSecsSinceEpoch() - *asDuration;
        else if (asTime)
            since = *asTime;
        else
            return ctx.usage(QStringLiteral("--since takes a time (2026-05-01) or a duration (7d)"));
    }
    AuditLog log(ctx.args().value(QStringLiteral("audit-log"), AuditLog::defaultPath()));
    int skipped = 0;
    auto entries = log.read(since, &skipped);
    if (!entries)
        return ctx.fail(QStringLiteral("audit"), entries.error());
    for (const json::Object &e : *entries) {
        const json::Value v(e);
        if (ctx.args().isSet(QStringLiteral("json"))) {
            printJson(v, json::Style::Line);
            continue;
        }
        auto s = [&v](const char *k) {
            const json::Value *x = v.get(k);
            return x && x->isString() ? x->toQString() : QString();
        };
        QStringList targets;
        if (const json::Value *t = v.get("targets"); t && t->isArray()) {
            for (const json::Value &x : t->array())
                targets << x.toQString();
        }
        const json::Value *count = v.get("count");
        printLine(QStringLiteral("%1  %2@%3  %4  %5 %6  %7  %8")
                      .arg(s("time"), s("user"), s("host"), s("profile"), s("action"), targets.join(QLatin1Char(' ')),
                           QString::number(count ? count->toInt64().value_or(0) : 0), s("outcome")));
    }
    if (skipped > 0)
        ctx.note(QStringLiteral("warning: %1 line(s) of %2 are not audit entries").arg(skipped).arg(log.path()));
    if (entries->isEmpty() && !ctx.args().isSet(QStringLiteral("json")))
        ctx.note(QStringLiteral("no audit entries%1 in %2")
                     .arg(since > 0 ? QStringLiteral(" since %1").arg(isoTime(since)) : QString(), log.path()));
    return ExitCode::Ok;
}

} // namespace si::cli
