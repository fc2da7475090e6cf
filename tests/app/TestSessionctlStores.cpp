// sessionctl's store commands as a user runs them, against a real store (SI_STORE_BACKEND:
// sqlite, postgresql, redis, redis-tls, redis-cluster): exit codes, one-line errors, masking,
// read-only refusals and the audit log. The store is seeded once by `sessionctl seed`; read-only
// checks run first, then each write touches its own users.

#include "core/async/Worker.h"
#include "core/inspector/SessionBackend.h"
#include "core/json/Json.h"
#include "core/model/StateData.h"
#include "core/store/SessionCodec.h"
#include "stores/inspect/Inspection.h"
#include "tests/support/TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace si;
using test::ProcessResult;

// Exit code check that shows what sessionctl said.
// Runs once (the description must not run the process again) and shows a crash's report.
#define QCOMPARE_EXIT(run, code)                                                                                       \
    do {                                                                                                               \
        const si::test::ProcessResult result_ = (run);                                                                 \
        QVERIFY2(result_.exitCode == (code),                                                                           \
                 qPrintable(QStringLiteral("exit %1%2, stderr: %3")                                                    \
                                .arg(result_.exitCode)                                                                 \
                                .arg(result_.exitCode == -1 ? QStringLiteral(" (crashed or timed out)") : QString())   \
                                .arg(QString::fromUtf8(result_.err))));                                                \
    } while (false)

namespace {

constexpr int kSessions = 300;
const char kSecret[] = "sessionctl-store-test-secret";
const QString kIssuer = QStringLiteral("https://login.example.com/");

int lines(const QByteArray &text)
{
    const QByteArray t = text.trimmed();
    return t.isEmpty() ? 0 : int(t.count('\n')) + 1;
}

// Lines of stderr besides the note of which layout was detected (Redis stores are sampled).
int linesBesidesLayout(const QByteArray &text)
{
    int n = 0;
    for (const QByteArray &line : text.trimmed().split('\n'))
        n += !line.isEmpty() && !line.startsWith("sessionctl: layout: ");
    return n;
}

struct Row {
    QString id, sub, sid, email;
    qint64 expires = 0;
};

} // namespace

class TestSessionctlStores : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // Reads.
    void listPagesThroughEverything();
    void listText();
    void showMasksTokensUnlessRevealed();
    void showMissingExits2();
    void findBySubSidAndEmail();
    void statsJson();
    void exportIsRedactedByDefault();
    void wrongSecretSaysSoAndChangesNothing();
    void corruptValueIsOneLineExit3();
    // Writes.
    void readOnlyRefusesEveryWrite();
    void deleteById();
    void bulkDeleteNeedsDryRunOrYes();
    void revokeBySub();
    void expireInAndAt();
    void fsckOnACleanStore();
    void auditShowsTheWrites();
    // Failures.
    void unreachableServerExits5();
    void badUrlsAreUsageErrors_data();
    void badUrlsAreUsageErrors();
    void peerLayoutsThroughTheCli();
    // Untrusted data (last: it adds sessions of its own, in a namespace of its own).
    void hostileSessionIsInertInEveryCommand();
    void hostileConnectRedisSessionIsInert();

private:
    ProcessResult run(const QStringList &args, const QString &secret = QString::fromLatin1(kSecret),
                      const QByteArray &input = {}) const;
    QStringList store() const;
    // Every session through `list --json` pages (empty on any failure, with a warning).
    QList<Row> listAll(int *pages);

    QString m_backend;
    QString m_url;
    QString m_prefix;
    test::ScratchDir m_dir;
    QString m_audit;
    QList<Row> m_rows;
};

ProcessResult TestSessionctlStores::run(const QStringList &args, const QString &secret, const QByteArray &input) const
{
    QHash<QString, QString> env{{QStringLiteral("SI_AUDIT_LOG"), m_audit}};
    if (!secret.isEmpty())
        env.insert(QStringLiteral("SI_SECRET"), secret);
    return test::runSessionctl(args, env, input, 120000);
}

QStringList TestSessionctlStores::store() const
{
    return {QStringLiteral("--store"),  m_url,  QStringLiteral("--prefix"), m_prefix,
            QStringLiteral("--issuer"), kIssuer};
}

void TestSessionctlStores::initTestCase()
{
    m_backend = qEnvironmentVariable("SI_STORE_BACKEND", QStringLiteral("sqlite"));
    m_audit = m_dir.filePath(QStringLiteral("audit.jsonl"));
    if (m_backend == QLatin1String("sqlite")) {
        m_url = QStringLiteral("sqlite:") + m_dir.filePath(QStringLiteral("sessions.db"));
    } else {
        const char *var = m_backend == QLatin1String("postgresql")  ? "SI_TEST_PG_DSN"
                          : m_backend == QLatin1String("redis")     ? "SI_TEST_REDIS_URL"
                          : m_backend == QLatin1String("redis-tls") ? "SI_TEST_REDIS_TLS_URL"
                                                                    : "SI_TEST_REDIS_CLUSTER_URL";
        m_url = qEnvironmentVariable(var);
        if (m_url.isEmpty()) {
            if (test::servicesRequired())
                QFAIL(qPrintable(QStringLiteral("%1 is not set").arg(QLatin1String(var))));
            QSKIP("no server (run under scripts/with-services.sh)");
        }
        if (m_backend == QLatin1String("redis-tls"))
            m_url += QStringLiteral("?cacert=") + qEnvironmentVariable("SI_TEST_REDIS_TLS_CA");
    }
    m_prefix = QStringLiteral("c%1_").arg(QDateTime::currentMSecsSinceEpoch() % 100000000);
    if (m_backend.startsWith(QLatin1String("redis")))
        m_prefix.replace(QLatin1Char('_'), QLatin1Char(':'));

    const ProcessResult seeded =
        run(store() + QStringList{QStringLiteral("seed"), QStringLiteral("--count"), QString::number(kSessions),
                                  QStringLiteral("--users"), QStringLiteral("40")});
    QCOMPARE_EXIT(seeded, 0);
    QVERIFY2(seeded.err.contains("seeded 300 session(s)"), seeded.err.constData());
    // What every test picks its sessions from (so that any one of them can run alone).
    int pages = 0;
    m_rows = listAll(&pages);
    QCOMPARE(m_rows.size(), kSessions);
}

QList<Row> TestSessionctlStores::listAll(int *pages)
{
    QList<Row> rows;
    QSet<QString> ids;
    QString cursor;
    *pages = 0;
    do {
        QStringList args = store() + QStringList{QStringLiteral("list"), QStringLiteral("--limit"),
                                                 QStringLiteral("120"), QStringLiteral("--json")};
        if (!cursor.isEmpty())
            args << QStringLiteral("--cursor") << cursor;
        const ProcessResult page = run(args);
        if (page.exitCode != 0) {
            qWarning("list: exit %d: %s", page.exitCode, page.err.constData());
            return {};
        }
        const QJsonObject doc = QJsonDocument::fromJson(page.out).object();
        if (!doc.contains(QStringLiteral("sessions"))) {
            qWarning("list: %s", page.out.left(200).constData());
            return {};
        }
        for (const QJsonValue &v : doc[QStringLiteral("sessions")].toArray()) {
            const QJsonObject o = v.toObject();
            if (!o[QStringLiteral("error")].isNull()) {
                qWarning("list: an undecodable session");
                return {};
            }
            const QString id = o[QStringLiteral("id")].toString();
            if (!ids.contains(id))
                rows.append({id, o[QStringLiteral("sub")].toString(), o[QStringLiteral("sid")].toString(),
                             o[QStringLiteral("email")].toString(), o[QStringLiteral("expires_at")].toInteger()});
            ids.insert(id);
        }
        if (doc[QStringLiteral("total_exact")].toBool() && doc[QStringLiteral("total")].toInt() != kSessions) {
            qWarning("list: total %d", doc[QStringLiteral("total")].toInt());
            return {};
        }
        cursor = doc[QStringLiteral("next_cursor")].toString();
        if (++*pages >= 50)
            return {};
    } while (!cursor.isEmpty());
    return rows;
}

void TestSessionctlStores::listPagesThroughEverything()
{
    int pages = 0;
    const QList<Row> rows = listAll(&pages);
    QCOMPARE(rows.size(), kSessions); // each once, none undecodable, the exact total where known
    if (!m_backend.startsWith(QLatin1String("redis")))
        QCOMPARE(pages, 3);
}

void TestSessionctlStores::listText()
{
    const ProcessResult page =
        run(store() + QStringList{QStringLiteral("list"), QStringLiteral("--limit"), QStringLiteral("5")});
    QCOMPARE_EXIT(page, 0);
    QVERIFY2(lines(page.out) >= 5 && lines(page.out) <= 7, page.out.constData()); // a header, five rows
    QVERIFY2(page.err.contains("session(s) of "), page.err.constData());
    // SQL stores hold the native layout: nothing to say. Redis was sampled: say what was chosen
    // (detected, or — when other tests' keys fill the sample — taken from the given namespace).
    if (m_backend.startsWith(QLatin1String("redis")))
        QVERIFY2(page.err.contains("layout: native ("), page.err.constData());
    else
        QVERIFY(!page.err.contains("layout:"));
}

void TestSessionctlStores::showMasksTokensUnlessRevealed()
{
    QVERIFY(!m_rows.isEmpty());
    const Row &r = m_rows.first();
    const ProcessResult masked = run(store() + QStringList{QStringLiteral("show"), r.id});
    QCOMPARE_EXIT(masked, 0);
    QVERIFY(masked.out.contains(r.sub.toUtf8()));
    QVERIFY(!masked.out.contains("\"v1.M")); // the seed's refresh tokens
    QVERIFY(!masked.out.contains("eyJhbGciOiJSUzI1NiIs"));
    QVERIFY2(masked.err.contains("masked; --reveal shows them"), masked.err.constData());

    const ProcessResult revealed = run(store() + QStringList{QStringLiteral("show"), r.id, QStringLiteral("--reveal")});
    QCOMPARE_EXIT(revealed, 0);
    QVERIFY(revealed.out.contains("\"v1.M"));
    QVERIFY(revealed.out.contains("eyJhbGciOiJSUzI1NiIs"));

    const ProcessResult asJson = run(store() + QStringList{QStringLiteral("show"), r.id, QStringLiteral("--json")});
    QCOMPARE_EXIT(asJson, 0);
    const QJsonObject o = QJsonDocument::fromJson(asJson.out).object();
    QCOMPARE(o[QStringLiteral("sid")].toString(), r.sid);
    QCOMPARE(o[QStringLiteral("layout")].toString(), QStringLiteral("native"));
    QVERIFY(o[QStringLiteral("session")][QStringLiteral("internal")].isObject());
}

void TestSessionctlStores::showMissingExits2()
{
    const ProcessResult missing = run(store() + QStringList{QStringLiteral("show"), QStringLiteral("no-such-id")});
    QCOMPARE_EXIT(missing, 2);
    QCOMPARE(lines(missing.err), 1);
    QVERIFY(missing.out.isEmpty());
    // Ids may start with '-' (base64url): they are not taken for options.
    const ProcessResult dashed = run(store() + QStringList{QStringLiteral("show"), QStringLiteral("-abc")});
    QCOMPARE_EXIT(dashed, 2);
}

void TestSessionctlStores::findBySubSidAndEmail()
{
    const Row &probe = m_rows.at(1);
    QSet<QString> expected;
    for (const Row &r : std::as_const(m_rows)) {
        if (r.sub == probe.sub)
            expected.insert(r.id);
    }
    auto ids = [](const ProcessResult &p) {
        QSet<QString> out;
        for (const QJsonValue &v : QJsonDocument::fromJson(p.out).object()[QStringLiteral("sessions")].toArray())
            out.insert(v.toObject()[QStringLiteral("id")].toString());
        return out;
    };
    const ProcessResult bySub = run(
        store() + QStringList{QStringLiteral("find"), QStringLiteral("--sub"), probe.sub, QStringLiteral("--json")});
    QCOMPARE_EXIT(bySub, 0);
    QVERIFY(QJsonDocument::fromJson(bySub.out).object()[QStringLiteral("used_index")].toBool());
    QCOMPARE(ids(bySub), expected);
    const ProcessResult byEmail = run(store() + QStringList{QStringLiteral("find"), QStringLiteral("--email"),
                                                            probe.email.toUpper(), QStringLiteral("--json")});
    QCOMPARE_EXIT(byEmail, 0);
    QCOMPARE(ids(byEmail), expected);
    const ProcessResult bySid = run(store() + QStringList{QStringLiteral("find"), QStringLiteral("--sid"), probe.sid});
    QCOMPARE_EXIT(bySid, 0);
    QVERIFY(bySid.out.contains(probe.id.toUtf8()));
    QVERIFY2(bySid.err.contains("through the index"), bySid.err.constData());

    const ProcessResult nobody =
        run(store() + QStringList{QStringLiteral("find"), QStringLiteral("--sub"), QStringLiteral("auth0|nobody")});
    QCOMPARE_EXIT(nobody, 2);
    QVERIFY(nobody.err.contains("no sessions found"));
    const ProcessResult otherIdp = run(store() + QStringList{QStringLiteral("find"), QStringLiteral("--sub"), probe.sub,
                                                             QStringLiteral("--iss"), QStringLiteral("https://x/")});
    QCOMPARE_EXIT(otherIdp, 2);
    const ProcessResult neither = run(store() + QStringList{QStringLiteral("find")});
    QCOMPARE_EXIT(neither, 1);
}

void TestSessionctlStores::statsJson()
{
    const ProcessResult stats = run(store() + QStringList{QStringLiteral("stats"), QStringLiteral("--json")});
    QCOMPARE_EXIT(stats, 0);
    const QJsonObject o = QJsonDocument::fromJson(stats.out).object();
    QCOMPARE(o[QStringLiteral("total")].toInt(), kSessions);
    QCOMPARE(o[QStringLiteral("undecodable")].toInt(), 0);
    QMap<QString, int> perUser;
    int most = 0;
    for (const Row &r : std::as_const(m_rows))
        most = qMax(most, ++perUser[r.sub]);
    const QJsonArray top = o[QStringLiteral("top_users")].toArray();
    QVERIFY2(!top.isEmpty(), stats.out.constData());
    QCOMPARE(top.first().toObject()[QStringLiteral("sessions")].toInt(), most);
    QCOMPARE(perUser.value(top.first().toObject()[QStringLiteral("sub")].toString()), most); // named, not a hash
    const ProcessResult text = run(store() + QStringList{QStringLiteral("stats")});
    QCOMPARE_EXIT(text, 0);
    QVERIFY(text.out.contains("300"));
}

void TestSessionctlStores::exportIsRedactedByDefault()
{
    const ProcessResult jsonl = run(store() + QStringList{QStringLiteral("export")});
    QCOMPARE_EXIT(jsonl, 0);
    QCOMPARE(lines(jsonl.out), kSessions);
    for (const QByteArray &line : jsonl.out.trimmed().split('\n'))
        QVERIFY(!QJsonDocument::fromJson(line).isNull());
    QVERIFY(!jsonl.out.contains("\"v1.M"));
    QVERIFY2(jsonl.err.contains("tokens masked"), jsonl.err.constData());

    const ProcessResult clear = run(store() + QStringList{QStringLiteral("export"), QStringLiteral("--no-redact")});
    QCOMPARE_EXIT(clear, 0);
    QCOMPARE(clear.out.count("\"v1.M"), kSessions);

    const ProcessResult csv =
        run(store() + QStringList{QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv")});
    QCOMPARE_EXIT(csv, 0);
    QCOMPARE(lines(csv.out), kSessions + 1);
    QVERIFY(csv.out.startsWith("id,"));

    // A filter narrows the export to the same sessions find returns.
    const Row &probe = m_rows.at(2);
    const ProcessResult one =
        run(store() + QStringList{QStringLiteral("export"), QStringLiteral("--with-sub"), probe.sub});
    QCOMPARE_EXIT(one, 0);
    int mine = 0;
    for (const Row &r : std::as_const(m_rows))
        mine += r.sub == probe.sub;
    QCOMPARE(lines(one.out), mine);
}

void TestSessionctlStores::wrongSecretSaysSoAndChangesNothing()
{
    const QString wrong = QStringLiteral("not-the-application-secret");
    const ProcessResult page = run(store() + QStringList{QStringLiteral("list"), QStringLiteral("--limit"),
                                                         QStringLiteral("10"), QStringLiteral("--json")},
                                   wrong);
    QCOMPARE_EXIT(page, 0); // listing works: the rows say why they cannot be read
    for (const QJsonValue &v : QJsonDocument::fromJson(page.out).object()[QStringLiteral("sessions")].toArray())
        QVERIFY(!v.toObject()[QStringLiteral("error")].toString().isEmpty());
    const ProcessResult show = run(store() + QStringList{QStringLiteral("show"), m_rows.first().id}, wrong);
    QCOMPARE_EXIT(show, 3);
    QCOMPARE(lines(show.err), 1);
    QVERIFY2(show.err.contains("secret"), show.err.constData());
    QVERIFY(!show.err.contains(wrong.toUtf8()));
    // A search finds nothing with the wrong secret — through the index (keyed by the secret) and by
    // scanning (nothing decrypts): one line saying why, exit 3, not "no sessions found".
    const QStringList noIssuer{QStringLiteral("--store"), m_url, QStringLiteral("--prefix"), m_prefix};
    for (const QStringList &find :
         {store() + QStringList{QStringLiteral("find"), QStringLiteral("--email"), m_rows.first().email},
          noIssuer + QStringList{QStringLiteral("find"), QStringLiteral("--sub"), m_rows.first().sub}}) {
        const ProcessResult nothing = run(find, wrong);
        QCOMPARE_EXIT(nothing, 3);
        QCOMPARE(linesBesidesLayout(nothing.err), 1);
        QVERIFY2(nothing.err.contains("decrypts with the given secret"), nothing.err.constData());
    }
    const ProcessResult stats = run(store() + QStringList{QStringLiteral("stats"), QStringLiteral("--json")}, wrong);
    QCOMPARE_EXIT(stats, 0);
    QCOMPARE(QJsonDocument::fromJson(stats.out).object()[QStringLiteral("undecodable")].toInt(), kSessions);
    const ProcessResult still = run(store() + QStringList{QStringLiteral("show"), m_rows.first().id});
    QCOMPARE_EXIT(still, 0);
    // No secret at all: a usage error naming where secrets come from.
    const ProcessResult none = run(store() + QStringList{QStringLiteral("list")}, QString());
    QCOMPARE_EXIT(none, 1);
    QVERIFY(none.err.contains("SI_SECRET"));
}

void TestSessionctlStores::corruptValueIsOneLineExit3()
{
    // A session another program wrote with this application's id format but garbage content: it
    // lists as undecodable and `show` reports it in one line.
    stores::InspectOptions options;
    options.layout = inspector::SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView("some-other-app-secret"))});
    options.prefix = m_prefix;
    options.issuer = kIssuer;
    auto url = stores::StoreUrl::parse(m_url);
    QVERIFY_OK(url);
    auto other = stores::openInspector(*url, options);
    QVERIFY_OK(other);
    StateData state;
    state.internal.sid = QStringLiteral("foreign-sid");
    state.internal.createdAt = QDateTime::currentSecsSinceEpoch();
    QVERIFY_OK(await(other->nativeStore->set(QStringLiteral("foreignSession-0123456789abc"), state)));

    const ProcessResult show =
        run(store() + QStringList{QStringLiteral("show"), QStringLiteral("foreignSession-0123456789abc")});
    QCOMPARE_EXIT(show, 3);
    QCOMPARE(lines(show.err), 1);
    const ProcessResult listed = run(store() + QStringList{QStringLiteral("delete"), QStringLiteral("--undecryptable"),
                                                           QStringLiteral("--dry-run"), QStringLiteral("--json")});
    QCOMPARE_EXIT(listed, 0);
    const QJsonArray matched = QJsonDocument::fromJson(listed.out).object()[QStringLiteral("matched")].toArray();
    QCOMPARE(matched.size(), 1);
    QCOMPARE(matched.first().toObject()[QStringLiteral("id")].toString(),
             QStringLiteral("foreignSession-0123456789abc"));
    const ProcessResult removed = run(
        store() + QStringList{QStringLiteral("delete"), QStringLiteral("--undecryptable"), QStringLiteral("--yes")});
    QCOMPARE_EXIT(removed, 0);
    QVERIFY2(removed.err.contains("deleted 1 session(s)"), removed.err.constData());
}

void TestSessionctlStores::readOnlyRefusesEveryWrite()
{
    QFile::remove(m_audit);
    const Row &r = m_rows.at(3);
    const QStringList ro = store() + QStringList{QStringLiteral("--read-only")};
    const QList<QStringList> writes{
        {QStringLiteral("delete"), r.id},
        {QStringLiteral("delete"), QStringLiteral("--email-domain"), QStringLiteral("example.com"),
         QStringLiteral("--yes")},
        {QStringLiteral("revoke"), QStringLiteral("--sub"), r.sub},
        {QStringLiteral("expire"), r.id, QStringLiteral("--in"), QStringLiteral("1m")},
        {QStringLiteral("seed"), QStringLiteral("--count"), QStringLiteral("5")},
    };
    for (const QStringList &w : writes) {
        const ProcessResult refused = run(ro + w);
        QCOMPARE_EXIT(refused, 6);
        QCOMPARE(lines(refused.err), 1);
        QVERIFY2(refused.err.contains("read-only"), refused.err.constData());
    }
    // A dry run is a read: allowed.
    const ProcessResult preview = run(ro + QStringList{QStringLiteral("delete"), QStringLiteral("--email-domain"),
                                                       QStringLiteral("example.com"), QStringLiteral("--dry-run")});
    QCOMPARE_EXIT(preview, 0);
    const ProcessResult still = run(store() + QStringList{QStringLiteral("show"), r.id});
    QCOMPARE_EXIT(still, 0);
    const ProcessResult audit = run({QStringLiteral("audit"), QStringLiteral("--json")});
    QCOMPARE_EXIT(audit, 0);
    QCOMPARE(lines(audit.out), 5);
    for (const QByteArray &line : audit.out.trimmed().split('\n'))
        QCOMPARE(QJsonDocument::fromJson(line).object()[QStringLiteral("outcome")].toString(),
                 QStringLiteral("refused (read-only)"));

    // Read-only never creates a store: a missing SQLite file or SQL namespace is "not found" (2).
    if (m_backend == QLatin1String("sqlite") || m_backend == QLatin1String("postgresql")) {
        const QString missingFile = m_dir.filePath(QStringLiteral("missing.db"));
        const QStringList missing =
            m_backend == QLatin1String("sqlite")
                ? QStringList{QStringLiteral("--store"), QStringLiteral("sqlite:") + missingFile}
                : QStringList{QStringLiteral("--store"), m_url, QStringLiteral("--prefix"), QStringLiteral("absent_")};
        const ProcessResult none = run(missing + QStringList{QStringLiteral("--read-only"), QStringLiteral("list")});
        QCOMPARE_EXIT(none, 2);
        QCOMPARE(lines(none.err), 1);
        QVERIFY2(none.err.contains("read-only profile does not create"), none.err.constData());
        QVERIFY(!QFile::exists(missingFile));
    }
}

void TestSessionctlStores::deleteById()
{
    Row &r = m_rows[4];
    const ProcessResult removed = run(store() + QStringList{QStringLiteral("delete"), r.id});
    QCOMPARE_EXIT(removed, 0);
    QVERIFY(removed.err.contains("deleted 1 of 1"));
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("show"), r.id}), 2);
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("delete"), r.id}), 2); // nothing left to delete
    r.sub.clear(); // gone: later tests that count a user's sessions must not count it
}

void TestSessionctlStores::bulkDeleteNeedsDryRunOrYes()
{
    // The domain of a user nobody else touches in these tests.
    const Row &probe = m_rows.at(10);
    const QString domain = probe.email.section(QLatin1Char('@'), 1);
    QSet<QString> expected;
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).email.endsWith(QLatin1Char('@') + domain) && i != 4)
            expected.insert(m_rows.at(i).id);
    }
    const QStringList filter{QStringLiteral("delete"), QStringLiteral("--email-domain"), domain};
    const ProcessResult bare = run(store() + filter);
    QCOMPARE_EXIT(bare, 1);
    QVERIFY(bare.err.contains("--dry-run"));
    const ProcessResult both = run(store() + filter + QStringList{m_rows.at(0).id, QStringLiteral("--yes")});
    QCOMPARE_EXIT(both, 1);

    const ProcessResult preview =
        run(store() + filter + QStringList{QStringLiteral("--dry-run"), QStringLiteral("--json")});
    QCOMPARE_EXIT(preview, 0);
    QSet<QString> listed;
    for (const QJsonValue &v : QJsonDocument::fromJson(preview.out).object()[QStringLiteral("matched")].toArray())
        listed.insert(v.toObject()[QStringLiteral("id")].toString());
    QCOMPARE(listed, expected);
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("show"), *expected.cbegin()}), 0);

    const ProcessResult done = run(store() + filter + QStringList{QStringLiteral("--yes")});
    QCOMPARE_EXIT(done, 0);
    QVERIFY2(done.err.contains(QStringLiteral("deleted %1 session(s)").arg(expected.size()).toUtf8()),
             done.err.constData());
    for (const QString &id : std::as_const(expected))
        QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("show"), id}), 2);
    for (Row &r : m_rows) { // later tests pick among the survivors
        if (expected.contains(r.id))
            r.sub.clear();
    }
}

void TestSessionctlStores::revokeBySub()
{
    const Row *probe = nullptr;
    for (int i = 20; i < m_rows.size() && !probe; ++i) {
        if (!m_rows.at(i).sub.isEmpty())
            probe = &m_rows.at(i);
    }
    QVERIFY(probe);
    int mine = 0;
    for (const Row &r : std::as_const(m_rows))
        mine += r.sub == probe->sub;
    const ProcessResult revoked =
        run(store() + QStringList{QStringLiteral("revoke"), QStringLiteral("--sub"), probe->sub});
    QCOMPARE_EXIT(revoked, 0);
    QVERIFY2(revoked.err.contains(QStringLiteral("revoked %1 session(s)").arg(mine).toUtf8()),
             qPrintable(QStringLiteral("expected %1; %2").arg(mine).arg(QString::fromUtf8(revoked.err))));
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("find"), QStringLiteral("--sub"), probe->sub}), 2);
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("revoke")}), 1);
    const QString gone = probe->sub;
    for (Row &r : m_rows) {
        if (r.sub == gone)
            r.sub.clear();
    }
}

void TestSessionctlStores::expireInAndAt()
{
    const Row *probe = nullptr; // one that ends more than two hours from now
    for (int i = 30; i < m_rows.size() && !probe; ++i) {
        if (!m_rows.at(i).sub.isEmpty() && m_rows.at(i).expires > QDateTime::currentSecsSinceEpoch() + 7200)
            probe = &m_rows.at(i);
    }
    QVERIFY(probe);
    const ProcessResult soon =
        run(store() + QStringList{QStringLiteral("expire"), probe->id, QStringLiteral("--in"), QStringLiteral("1h")});
    QCOMPARE_EXIT(soon, 0);
    QVERIFY(soon.err.contains("session now ends at"));
    const ProcessResult shown = run(store() + QStringList{QStringLiteral("show"), probe->id, QStringLiteral("--json")});
    const qint64 ends = QJsonDocument::fromJson(shown.out).object()[QStringLiteral("expires_at")].toInteger();
    QVERIFY2(qAbs(ends - (QDateTime::currentSecsSinceEpoch() + 3600)) < 10, shown.out.constData());
    const ProcessResult later =
        run(store() + QStringList{QStringLiteral("expire"), probe->id, QStringLiteral("--in"), QStringLiteral("30d")});
    QCOMPARE_EXIT(later, 1); // extending is refused
    QCOMPARE(lines(later.err), 1);
    QCOMPARE_EXIT(
        run(store() + QStringList{QStringLiteral("expire"), probe->id, QStringLiteral("--in"), QStringLiteral("soon")}),
        1);
    const ProcessResult ended = run(store() + QStringList{QStringLiteral("expire"), probe->id, QStringLiteral("--at"),
                                                          QStringLiteral("2001-01-01")});
    QCOMPARE_EXIT(ended, 0);
    QVERIFY(ended.err.contains("session ended now"));
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("show"), probe->id}), 2);
    QCOMPARE_EXIT(run(store() + QStringList{QStringLiteral("expire"), QStringLiteral("no-such-id"),
                                            QStringLiteral("--in"), QStringLiteral("1m")}),
                  2);
}

void TestSessionctlStores::fsckOnACleanStore()
{
    const ProcessResult checked = run(store() + QStringList{QStringLiteral("fsck"), QStringLiteral("--json")});
    QCOMPARE_EXIT(checked, 0);
    const QJsonObject o = QJsonDocument::fromJson(checked.out).object();
    QVERIFY2(o[QStringLiteral("clean")].toBool(), checked.out.constData());
    const ProcessResult stats = run(store() + QStringList{QStringLiteral("stats"), QStringLiteral("--json")});
    QCOMPARE(o[QStringLiteral("sessions")].toInt(),
             QJsonDocument::fromJson(stats.out).object()[QStringLiteral("total")].toInt());
    QVERIFY(o[QStringLiteral("sessions")].toInt() > 100);
    const ProcessResult text = run(store() + QStringList{QStringLiteral("fsck")});
    QCOMPARE_EXIT(text, 0);
    QVERIFY2(text.err.contains(": clean"), text.err.constData());
    const ProcessResult refused =
        run(store() + QStringList{QStringLiteral("--read-only"), QStringLiteral("fsck"), QStringLiteral("--repair")});
    QCOMPARE_EXIT(refused, 6);
    // Another application's sessions in the namespace: reported, not "repaired".
    const ProcessResult foreign =
        run(store() + QStringList{QStringLiteral("fsck"), QStringLiteral("--json")}, QStringLiteral("wrong-secret"));
    QCOMPARE_EXIT(foreign, 0);
    const QJsonArray findings = QJsonDocument::fromJson(foreign.out).object()[QStringLiteral("findings")].toArray();
    QCOMPARE(findings.size(), 1);
    QVERIFY(findings.first().toObject()[QStringLiteral("what")].toString().contains(QLatin1String("cannot open")));
}

void TestSessionctlStores::auditShowsTheWrites()
{
    const ProcessResult audit = run({QStringLiteral("audit"), QStringLiteral("--json")});
    QCOMPARE_EXIT(audit, 0);
    QStringList actions;
    for (const QByteArray &line : audit.out.trimmed().split('\n')) {
        const QJsonObject e = QJsonDocument::fromJson(line).object();
        actions << e[QStringLiteral("action")].toString();
        QVERIFY(!e[QStringLiteral("user")].toString().isEmpty());
        QVERIFY(!e[QStringLiteral("time")].toString().isEmpty());
    }
    for (const char *a : {"delete", "bulk-delete", "revoke", "expire", "fsck-repair"})
        QVERIFY2(actions.contains(QLatin1String(a)), qPrintable(actions.join(QLatin1Char(','))));
    // Nothing secret in it: no session id in clear, no secret, no token.
    QFile f(m_audit);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray raw = f.readAll();
    QVERIFY(!raw.contains(m_rows.at(4).id.toUtf8()));
    QVERIFY(!raw.contains(kSecret));
    QVERIFY(!raw.contains("eyJ"));
    const ProcessResult text = run({QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("1h")});
    QCOMPARE_EXIT(text, 0);
    QVERIFY(lines(text.out) >= 4);
    QCOMPARE_EXIT(run({QStringLiteral("audit"), QStringLiteral("--since"), QStringLiteral("whenever")}), 1);
}

void TestSessionctlStores::unreachableServerExits5()
{
    QString dead;
    if (m_backend == QLatin1String("sqlite")) {
        dead = QStringLiteral("sqlite:/proc/version/sessions.db"); // under a file: cannot exist
    } else {
        // The same URL with every port replaced by a closed one.
        dead = m_url;
        static const QRegularExpression port(QStringLiteral(":(\\d{2,5})(?=[/,?]|$)"));
        dead.replace(port, QStringLiteral(":1"));
    }
    const ProcessResult r = run({QStringLiteral("--store"), dead, QStringLiteral("list")});
    QVERIFY2(r.exitCode == 5 || (m_backend == QLatin1String("sqlite") && r.exitCode == 1),
             qPrintable(QStringLiteral("exit %1: %2").arg(r.exitCode).arg(QString::fromUtf8(r.err))));
    QCOMPARE(lines(r.err), 1);
    QVERIFY(r.out.isEmpty());
    // No password in the message.
    const auto url = stores::StoreUrl::parse(m_url);
    if (url && !url->password.isEmpty())
        QVERIFY(!r.err.contains(url->password.toUtf8()));
}

void TestSessionctlStores::badUrlsAreUsageErrors_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("unknown scheme") << QStringLiteral("mongodb://127.0.0.1/sessions");
    QTest::newRow("bad port") << QStringLiteral("redis://127.0.0.1:notaport/0");
    QTest::newRow("bad database") << QStringLiteral("redis://127.0.0.1:6379/x");
    QTest::newRow("empty") << QString();
    QTest::newRow("cluster without hosts") << QStringLiteral("redis+cluster://");
}

void TestSessionctlStores::badUrlsAreUsageErrors()
{
    QFETCH(QString, url);
    const ProcessResult r = run({QStringLiteral("--store"), url, QStringLiteral("list")});
    QCOMPARE_EXIT(r, 1);
    QVERIFY2(lines(r.err) <= 2, r.err.constData()); // the message (and a pointer to --help)
    QVERIFY(r.out.isEmpty());
}

void TestSessionctlStores::peerLayoutsThroughTheCli()
{
    if (m_backend != QLatin1String("redis")) {
        // Peer layouts live in Redis (exercised on the plain Redis run); SQL stores say so.
        // Cookies live in browsers, not in Redis; SQL stores hold our layout only: one line each.
        const bool redis = m_backend.startsWith(QLatin1String("redis"));
        const ProcessResult refused =
            run(store() + QStringList{QStringLiteral("--layout"),
                                      redis ? QStringLiteral("auth0-cookie") : QStringLiteral("starsessions"),
                                      QStringLiteral("list")});
        QCOMPARE_EXIT(refused, 3);
        QVERIFY2(refused.err.contains(redis ? "browsers" : "native layout only"), refused.err.constData());
        QCOMPARE(lines(refused.err), 1);
        return;
    }
    // A Redis database of its own per layout, so detection sees only that layout.
    const QString base = m_url.left(m_url.lastIndexOf(QLatin1Char('/')) + 1);
    const QString fernetKey =
        QString::fromLatin1(QByteArray("0123456789abcdef0123456789abcdef").toBase64(QByteArray::Base64UrlEncoding));
    struct Case {
        const char *layout;
        int db;
        QString secret;
    };
    for (const Case &c : {Case{"starsessions", 12, fernetKey}, Case{"connect-redis", 13, QString()},
                          Case{"auth0-fastapi", 14, QString()}}) {
        const QString url = base + QString::number(c.db);
        // A rerun on the same server starts from nothing.
        const ProcessResult cleared = run(
            {QStringLiteral("--store"), url, QStringLiteral("--layout"), QLatin1String(c.layout),
             QStringLiteral("delete"), QStringLiteral("--created-after"), QStringLiteral("0"), QStringLiteral("--yes")},
            c.secret);
        QCOMPARE_EXIT(cleared, 0);
        const ProcessResult seeded = run({QStringLiteral("--store"), url, QStringLiteral("--layout"),
                                          QLatin1String(c.layout), QStringLiteral("seed"), QStringLiteral("--count"),
                                          QStringLiteral("60"), QStringLiteral("--users"), QStringLiteral("6")},
                                         c.secret);
        QCOMPARE_EXIT(seeded, 0);
        // Detected without --layout.
        const ProcessResult listed = run({QStringLiteral("--store"), url, QStringLiteral("list"),
                                          QStringLiteral("--limit"), QStringLiteral("100"), QStringLiteral("--json")},
                                         c.secret);
        QCOMPARE_EXIT(listed, 0);
        QVERIFY2(listed.err.contains(QByteArray(c.layout) + " (detected"), listed.err.constData());
        const QJsonArray rows = QJsonDocument::fromJson(listed.out).object()[QStringLiteral("sessions")].toArray();
        QCOMPARE(rows.size(), 60);
        const QJsonObject first = rows.first().toObject();
        QVERIFY(first[QStringLiteral("error")].isNull());
        const QString sub = first[QStringLiteral("sub")].toString();
        const ProcessResult found = run({QStringLiteral("--store"), url, QStringLiteral("find"),
                                         QStringLiteral("--sub"), sub, QStringLiteral("--json")},
                                        c.secret);
        QCOMPARE_EXIT(found, 0);
        const QJsonObject f = QJsonDocument::fromJson(found.out).object();
        QVERIFY(!f[QStringLiteral("used_index")].toBool());
        QCOMPARE(f[QStringLiteral("scanned")].toInt(), 60);
        const ProcessResult revoked =
            run({QStringLiteral("--store"), url, QStringLiteral("revoke"), QStringLiteral("--sub"), sub}, c.secret);
        QCOMPARE_EXIT(revoked, 0);
        QVERIFY2(
            revoked.err.contains(
                QStringLiteral("revoked %1 session(s)").arg(f[QStringLiteral("sessions")].toArray().size()).toUtf8()),
            revoked.err.constData());
        if (!c.secret.isEmpty()) { // the wrong key on a session still there: one line, exit 3
            QString kept;
            for (const QJsonValue &row : rows) {
                if (row.toObject()[QStringLiteral("sub")].toString() != sub)
                    kept = row.toObject()[QStringLiteral("id")].toString();
            }
            QVERIFY(!kept.isEmpty());
            const ProcessResult wrong =
                run({QStringLiteral("--store"), url, QStringLiteral("show"), kept},
                    QString::fromLatin1(QByteArray(32, 'x').toBase64(QByteArray::Base64UrlEncoding)));
            QCOMPARE_EXIT(wrong, 3);
            QCOMPARE(lines(wrong.err), 1);
        }
    }
}

namespace {

// Neither stdout nor stderr holds a byte a terminal would act on.
bool inert(const ProcessResult &r, const char *what)
{
    for (const QByteArray *stream : {&r.out, &r.err}) {
        const qsizetype at = test::firstTerminalControl(*stream);
        if (at >= 0) {
            qWarning("%s: a terminal control at byte %lld of %s: %s", what, static_cast<long long>(at),
                     stream == &r.out ? "stdout" : "stderr",
                     stream->mid(qMax<qsizetype>(0, at - 40), 80).toHex().constData());
            return false;
        }
    }
    return true;
}

} // namespace

void TestSessionctlStores::hostileSessionIsInertInEveryCommand()
{
    const QString prefix =
        m_prefix + (m_backend.startsWith(QLatin1String("redis")) ? QStringLiteral("h:") : QStringLiteral("h_"));
    const QString id = SessionCodec::newSessionId();
    {
        auto url = stores::StoreUrl::parse(m_url);
        QVERIFY_OK(url);
        stores::InspectOptions o;
        o.layout = inspector::SessionLayout::Kind::Native;
        o.secrets = SecretList({crypto::SecureBytes(QByteArrayView(kSecret))});
        o.prefix = prefix;
        o.issuer = kIssuer;
        auto opened = stores::openInspector(*url, o);
        QVERIFY_OK(opened);
        QVERIFY_OK(
            await(opened->backend->write(id, test::hostileSession(kIssuer, QDateTime::currentSecsSinceEpoch()))));
    }
    const QStringList store{QStringLiteral("--store"),  m_url,  QStringLiteral("--prefix"), prefix,
                            QStringLiteral("--issuer"), kIssuer};
    const QByteArray escapedEmail = "\\x1b[2J\\x1b]0;title\\x07\\x9b31m@example.test";
    const QByteArray escapedSub = "auth0|\\u202e<b>gnp.exe</b>";

    // Human output: every command, escaped.
    const ProcessResult list = run(store + QStringList{QStringLiteral("list")});
    QCOMPARE_EXIT(list, 0);
    QVERIFY(inert(list, "list"));
    QVERIFY2(list.out.contains(escapedEmail.left(30)) && list.out.contains(escapedSub), list.out.constData());
    const ProcessResult show = run(store + QStringList{QStringLiteral("show"), id});
    QCOMPARE_EXIT(show, 0);
    QVERIFY(inert(show, "show"));
    QVERIFY2(show.out.contains("user         " + escapedSub + " <" + escapedEmail + ">"), show.out.constData());
    QVERIFY(show.out.contains("idp session  sid-\\x9b2J\\u2028next"));
    QVERIFY(show.out.contains(test::kHostileName.toUtf8())); // the document, as JSON text: markup stays text
    const ProcessResult revealed = run(store + QStringList{QStringLiteral("show"), id, QStringLiteral("--reveal")});
    QCOMPARE_EXIT(revealed, 0);
    QVERIFY(inert(revealed, "show --reveal"));
    QVERIFY(revealed.out.contains(R"("refresh_token": "rt-\u001b]0;owned\u0007")"));
    for (const QStringList &find : {QStringList{QStringLiteral("--sub"), test::kHostileSub},
                                    QStringList{QStringLiteral("--email"), test::kHostileEmail},
                                    QStringList{QStringLiteral("--sid"), test::kHostileSid}}) {
        const ProcessResult found = run(store + QStringList{QStringLiteral("find")} + find);
        QCOMPARE_EXIT(found, 0);
        QVERIFY(inert(found, "find"));
        QVERIFY2(found.out.contains(id.toUtf8()), found.err.constData());
    }
    const ProcessResult stats = run(store + QStringList{QStringLiteral("stats")});
    QCOMPARE_EXIT(stats, 0);
    QVERIFY(inert(stats, "stats"));
    QVERIFY2(stats.out.contains("1  " + escapedSub), stats.out.constData()); // top users
    const ProcessResult dryRun = run(store + QStringList{QStringLiteral("delete"), QStringLiteral("--with-sub"),
                                                         test::kHostileSub, QStringLiteral("--dry-run")});
    QCOMPARE_EXIT(dryRun, 0);
    QVERIFY(inert(dryRun, "delete --dry-run"));
    QVERIFY2(dryRun.err.contains("1 of 1 session(s) would be deleted"), dryRun.err.constData());
    const ProcessResult fsck = run(store + QStringList{QStringLiteral("fsck")});
    QCOMPARE_EXIT(fsck, 0);
    QVERIFY(inert(fsck, "fsck"));
    // A search for a user who is not there echoes the query: escaped too.
    const ProcessResult missing =
        run(store + QStringList{QStringLiteral("find"), QStringLiteral("--email"), QStringLiteral("\x1b]0;x\x07@x")});
    QCOMPARE_EXIT(missing, 2);
    QVERIFY(inert(missing, "find (none)"));

    // Machine output: exact JSON, the same values, still nothing a terminal acts on.
    const ProcessResult json = run(store + QStringList{QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE_EXIT(json, 0);
    QVERIFY(inert(json, "list --json"));
    const QJsonObject row =
        QJsonDocument::fromJson(json.out).object()[QStringLiteral("sessions")].toArray()[0].toObject();
    QCOMPARE(row[QStringLiteral("sub")].toString(), test::kHostileSub);
    QCOMPARE(row[QStringLiteral("email")].toString(), test::kHostileEmail);
    QCOMPARE(row[QStringLiteral("name")].toString(), test::kHostileName);
    QCOMPARE(row[QStringLiteral("sid")].toString(), test::kHostileSid);
    const ProcessResult shown = run(store + QStringList{QStringLiteral("show"), id, QStringLiteral("--json")});
    QCOMPARE_EXIT(shown, 0);
    QVERIFY(inert(shown, "show --json"));
    QCOMPARE(QJsonDocument::fromJson(shown.out)
                 .object()[QStringLiteral("session")]
                 .toObject()[QStringLiteral("user")]
                 .toObject()[QStringLiteral("email")]
                 .toString(),
             test::kHostileEmail);
    const ProcessResult jsonl = run(store + QStringList{QStringLiteral("export"), QStringLiteral("--no-redact")});
    QCOMPARE_EXIT(jsonl, 0);
    QVERIFY(inert(jsonl, "export jsonl"));
    QCOMPARE(QJsonDocument::fromJson(jsonl.out.trimmed()).object()[QStringLiteral("sid")].toString(),
             test::kHostileSid);
    const ProcessResult csv =
        run(store + QStringList{QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv")});
    QCOMPARE_EXIT(csv, 0);
    QVERIFY(inert(csv, "export csv"));
    QVERIFY2(csv.out.contains(escapedEmail), csv.out.constData());

    // The write commands' notes, and the audit trail they leave.
    const ProcessResult revoked =
        run(store + QStringList{QStringLiteral("revoke"), QStringLiteral("--sub"), test::kHostileSub});
    QCOMPARE_EXIT(revoked, 0);
    QVERIFY(inert(revoked, "revoke"));
    QVERIFY2(revoked.err.contains("revoked 1 session(s)"), revoked.err.constData());
    const ProcessResult audit = run({QStringLiteral("audit"), QStringLiteral("--audit-log"), m_audit});
    QCOMPARE_EXIT(audit, 0);
    QVERIFY(inert(audit, "audit"));
}

void TestSessionctlStores::hostileConnectRedisSessionIsInert()
{
    // The report that started this: a connect-redis session (written by the real connect-redis)
    // whose user name is markup and whose email holds terminal escapes.
    if (m_backend != QLatin1String("redis"))
        return; // Redis layouts are exercised on the plain Redis run
    const QString url = m_url.left(m_url.lastIndexOf(QLatin1Char('/')) + 1) + QStringLiteral("11");
    const ProcessResult cleared = run(
        {QStringLiteral("--store"), url, QStringLiteral("--layout"), QStringLiteral("connect-redis"),
         QStringLiteral("delete"), QStringLiteral("--created-after"), QStringLiteral("0"), QStringLiteral("--yes")});
    QCOMPARE_EXIT(cleared, 0);
    QJsonObject user{{QStringLiteral("sub"), test::kHostileSub},
                     {QStringLiteral("name"), test::kHostileName},
                     {QStringLiteral("email"), test::kHostileEmail},
                     {QStringLiteral("sid"), test::kHostileSid},
                     {QStringLiteral("iss"), kIssuer}};
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDIS_URL"), url);
    node.setProcessEnvironment(env);
    node.setWorkingDirectory(test::sourcePath(QStringLiteral("tests/peers")));
    node.start(QStringLiteral("node"),
               {test::sourcePath(QStringLiteral("tests/peers/connect_redis_peer.mjs")), QStringLiteral("write-user")});
    QVERIFY(node.waitForStarted());
    node.write(QJsonDocument(user).toJson(QJsonDocument::Compact));
    node.closeWriteChannel();
    QVERIFY(node.waitForFinished(60000));
    QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
    const QString id = QString::fromUtf8(node.readAllStandardOutput().trimmed());
    QVERIFY(!id.isEmpty());
    const QStringList store{QStringLiteral("--store"), url, QStringLiteral("--layout"),
                            QStringLiteral("connect-redis")};
    const ProcessResult list = run(store + QStringList{QStringLiteral("list")});
    QCOMPARE_EXIT(list, 0);
    QVERIFY(inert(list, "connect-redis list"));
    QVERIFY2(list.out.contains("\\x1b[2J\\x1b]0;title\\x07"), list.out.constData());
    const ProcessResult show = run(store + QStringList{QStringLiteral("show"), id});
    QCOMPARE_EXIT(show, 0);
    QVERIFY(inert(show, "connect-redis show"));
    QVERIFY2(show.out.contains(test::kHostileName.toUtf8()), show.out.constData());
}

QTEST_GUILESS_MAIN(TestSessionctlStores)
#include "TestSessionctlStores.moc"
