// Scale run for a session store (docs/benchmarks.md, issue #3):
//   1. seed N realistic sessions (U users, N/U sessions each) with setMany;
//   2. revoke all sessions of K random users through the keyed-hash indexes, timing each call;
//   3. revoke users the naive way peers do it (auth0's delete_by_logout_token: list every key,
//      decrypt every session, compare sub, delete) — same data, same run;
//   4. get+decrypt throughput with getMany (pipelined on Redis).
// Usage: store_scale --store URL [--sessions 1000000] [--users 200000] [--revocations 50]
//                    [--naive-runs 3] [--reads 200000] [--secret S] [--prefix P]
// Prints one Markdown table row per measurement.

#include "core/async/Worker.h"
#include "core/crypto/Base64Url.h"
#include "core/crypto/Random.h"
#include "core/platform/Allocator.h"
#include "core/store/SessionCodec.h"
#include "stores/StoreFactory.h"
#include "stores/redis/RedisClient.h"
#include "stores/sql/SqlBackend.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <cstdio>

using namespace si;
using namespace si::stores;

namespace {

const QString kIssuer = QStringLiteral("https://login.example.com/");

QString fakeJwt(int signatureBytes, const QByteArray &claims)
{
    static const QByteArray header =
        crypto::base64UrlEncode(QByteArray(R"({"alg":"RS256","typ":"JWT","kid":"k-2026"})"));
    return QString::fromLatin1(header + '.' + crypto::base64UrlEncode(claims) + '.' +
                               crypto::base64UrlEncode(crypto::randomBytes(signatureBytes)));
}

QString subOf(int user)
{
    return QStringLiteral("auth0|%1").arg(user, 24, 16, QLatin1Char('0'));
}

// ~1.9 KB of JSON: user claims, an ID token, a refresh token, one API access token.
StateData realisticState(int user, qint64 now)
{
    const QString sub = subOf(user);
    const QString sid = QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(12)));
    json::Object claims;
    claims.append("sub", sub);
    claims.append("name", QStringLiteral("User %1").arg(user));
    claims.append("nickname", QStringLiteral("user%1").arg(user));
    claims.append("picture", QStringLiteral("https://cdn.example.com/avatars/%1.png").arg(user));
    claims.append("email", QStringLiteral("user%1@example.com").arg(user));
    claims.append("email_verified", true);
    claims.append("iss", kIssuer);
    claims.append("aud", "app");
    claims.append("iat", static_cast<std::int64_t>(now));
    claims.append("exp", static_cast<std::int64_t>(now + 36000));
    claims.append("sid", sid);
    StateData state;
    state.user = UserClaims::fromIdTokenClaims(claims);
    const QByteArray idClaims = QStringLiteral(R"({"iss":"%1","aud":"app","sub":"%2","sid":"%3","iat":%4})")
                                    .arg(kIssuer, sub, sid)
                                    .arg(now)
                                    .toUtf8();
    state.idToken = fakeJwt(256, idClaims);
    state.refreshToken = QStringLiteral("v1.M") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(48)));
    TokenSet set;
    set.audience = QStringLiteral("https://api.example.com/");
    set.accessToken =
        fakeJwt(256, QByteArray(R"({"scope":"openid profile read:orders","aud":"https://api.example.com/"})"));
    set.scope = QStringLiteral("openid profile email offline_access read:orders");
    set.expiresAt = now + 86400;
    state.tokenSets << set;
    state.internal.sid = sid;
    state.internal.createdAt = now;
    return state;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[v.size() / 2];
}

double percentile(QList<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v.isEmpty() ? 0 : v[std::min<qsizetype>(v.size() - 1, qsizetype(p * double(v.size())))];
}

void row(const QString &what, const QString &value, const QString &note = {})
{
    std::printf("| %s | %s | %s |\n", qPrintable(what), qPrintable(value), qPrintable(note));
    std::fflush(stdout);
}

// The naive revocation: every session is read, decrypted and compared (decryption on all cores,
// which is more than the Python peers do). Returns how many were deleted.
Result<qsizetype> naiveRevokeRedis(const StoreUrl &url, const QByteArray &prefix, const SessionCodec &codec,
                                   const QString &sub)
{
    auto created = RedisClient::create(url);
    if (!created)
        return created.error();
    RedisClient &client = **created;
    auto nodes = client.primaries();
    if (!nodes)
        return nodes.error();
    qsizetype deleted = 0;
    for (RedisConnection *node : *nodes) {
        QByteArray cursor = "0";
        do {
            auto page = node->command({"SCAN", cursor, "MATCH", prefix + "s:*", "COUNT", "1000"});
            if (!page)
                return page.error();
            cursor = page->elements[0].string;
            QList<QList<QByteArray>> reads;
            QList<QByteArray> keys;
            for (const RedisReply &key : page->elements[1].elements) {
                keys << key.string;
                reads.append({"HMGET", key.string, "v", "c", "a", "e"});
            }
            auto values = node->execute(reads);
            if (!values)
                return values.error();
            QList<qsizetype> idx(keys.size());
            std::iota(idx.begin(), idx.end(), 0);
            const QList<bool> match = QtConcurrent::blockingMapped(idx, [&](qsizetype i) {
                SessionRecord r;
                r.id = QString::fromLatin1(keys[i].mid(prefix.size() + 2));
                r.envelope = (*values)[i].elements[0].string;
                auto state = codec.decode(r);
                return state.ok() && state->user && state->user->sub() == sub;
            });
            QList<QList<QByteArray>> deletes;
            for (qsizetype i = 0; i < keys.size(); ++i) {
                if (match[i])
                    deletes.append({"DEL", keys[i]});
            }
            if (!deletes.isEmpty()) {
                auto done = node->execute(deletes);
                if (!done)
                    return done.error();
                deleted += deletes.size();
            }
        } while (cursor != "0");
    }
    return deleted;
}

Result<qsizetype> naiveRevokeSql(SqlBackend &backend, const SessionCodec &codec, const QString &sub)
{
    return await(backend.run<qsizetype>([&](SqlConnection &db, const CancelToken &) -> Result<qsizetype> {
        QString last = QStringLiteral(""); // not a null QString: that would bind as NULL
        QStringList matches;
        while (true) {
            auto selected = db.query(QStringLiteral("SELECT id, envelope FROM %1 WHERE id > ? ORDER BY id LIMIT 5000")
                                         .arg(db.table("sessions")),
                                     {last});
            if (!selected)
                return selected.error();
            QSqlQuery &q = **selected;
            QList<SessionRecord> page;
            while (q.next()) {
                SessionRecord r;
                r.id = q.value(0).toString();
                r.envelope = q.value(1).toString().toLatin1();
                page.append(std::move(r));
            }
            if (page.isEmpty())
                break;
            last = page.last().id;
            const QList<bool> match = QtConcurrent::blockingMapped(page, [&](const SessionRecord &r) {
                auto state = codec.decode(r);
                return state.ok() && state->user && state->user->sub() == sub;
            });
            for (qsizetype i = 0; i < page.size(); ++i) {
                if (match[i])
                    matches << page[i].id;
            }
        }
        for (const QString &id : std::as_const(matches)) {
            if (auto s = db.exec(QStringLiteral("DELETE FROM %1 WHERE id = ?").arg(db.table("sessions")), {id}); !s)
                return s.error();
        }
        return matches.size();
    }));
}

} // namespace

int main(int argc, char **argv)
{
    si::platform::tuneAllocatorForBulkWork(); // as sessionctl and the inspector do
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
        {{QStringLiteral("store"), QStringLiteral("Store URL"), QStringLiteral("url")},
         {QStringLiteral("sessions"), QStringLiteral("Sessions to seed"), QStringLiteral("n"),
          QStringLiteral("1000000")},
         {QStringLiteral("users"), QStringLiteral("Distinct users"), QStringLiteral("n"), QStringLiteral("200000")},
         {QStringLiteral("revocations"), QStringLiteral("Indexed revocations to time"), QStringLiteral("n"),
          QStringLiteral("50")},
         {QStringLiteral("naive-runs"), QStringLiteral("Naive revocations to time"), QStringLiteral("n"),
          QStringLiteral("3")},
         {QStringLiteral("reads"), QStringLiteral("Sessions to read for throughput"), QStringLiteral("n"),
          QStringLiteral("200000")},
         {QStringLiteral("prefix"), QStringLiteral("Key/table prefix"), QStringLiteral("p"),
          QStringLiteral("scale_")}});
    parser.process(app);
    auto url = StoreUrl::parse(parser.value(QStringLiteral("store")));
    if (!url) {
        std::fprintf(stderr, "%s\n", qPrintable(url.error().toString()));
        return 1;
    }
    const int sessions = parser.value(QStringLiteral("sessions")).toInt();
    const int users = parser.value(QStringLiteral("users")).toInt();
    const int revocations = parser.value(QStringLiteral("revocations")).toInt();
    const int naiveRuns = parser.value(QStringLiteral("naive-runs")).toInt();
    const int reads = parser.value(QStringLiteral("reads")).toInt();
    const QString prefix = parser.value(QStringLiteral("prefix"));

    SessionCodec::Options options;
    options.defaultIssuer = kIssuer;
    auto codec = std::make_shared<SessionCodec>(
        SecretList(QList<crypto::SecureBytes>{crypto::SecureBytes(QByteArrayView("scale-benchmark-secret"))}), options);
    StoreFactory factory(StoreOptions{prefix});
    auto store = factory.stateStore(*url, codec);
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error().toString()));
        return 1;
    }
    std::printf("\n%s — %d sessions, %d users, %d cores\n\n| measurement | result | note |\n|---|---|---|\n",
                qPrintable(url->redacted()), sessions, users, QThread::idealThreadCount());

    // 1. Seed.
    QStringList ids;
    ids.reserve(sessions);
    QElapsedTimer seedTimer;
    seedTimer.start();
    const qint64 now = systemClock();
    constexpr int kBatch = 5000;
    // Batches are generated on all cores and up to three writes are in flight, so generation,
    // encryption and the store's own work overlap.
    QList<QFuture<Status>> inFlight;
    for (int start = 0; start < sessions; start += kBatch) {
        QList<int> indexes;
        for (int i = start; i < std::min(sessions, start + kBatch); ++i)
            indexes << i;
        const QList<QPair<QString, StateData>> batch = QtConcurrent::blockingMapped(indexes, [&](int i) {
            return QPair<QString, StateData>(SessionCodec::newSessionId(), realisticState(i % users, now));
        });
        for (const auto &s : batch)
            ids << s.first;
        inFlight.append((*store)->setMany(batch));
        while (inFlight.size() > 2 || (start + kBatch >= sessions && !inFlight.isEmpty())) {
            if (Status s = await(inFlight.takeFirst()); !s) {
                std::fprintf(stderr, "seeding failed: %s\n", qPrintable(s.error().toString()));
                return 1;
            }
        }
    }
    const double seedSeconds = double(seedTimer.elapsed()) / 1000.0;
    row(QStringLiteral("seed %1 sessions").arg(sessions), QStringLiteral("%1 s").arg(seedSeconds, 0, 'f', 1),
        QStringLiteral("%1 sessions/s incl. encryption").arg(qRound(sessions / seedSeconds)));

    // 4 first (before revocations thin the data out): get+decrypt throughput.
    {
        QElapsedTimer t;
        t.start();
        qsizetype found = 0;
        for (int done = 0; done < reads; done += 1000) {
            QStringList batch;
            for (int i = 0; i < 1000; ++i)
                batch << ids[QRandomGenerator::global()->bounded(ids.size())];
            auto result = await((*store)->getMany(batch));
            if (!result) {
                std::fprintf(stderr, "read failed: %s\n", qPrintable(result.error().toString()));
                return 1;
            }
            for (const auto &item : *result)
                found += item.ok() && item->has_value();
        }
        const double seconds = double(t.elapsed()) / 1000.0;
        row(QStringLiteral("get+decrypt, batches of 1,000"),
            QStringLiteral("%1 sessions/s").arg(qRound(reads / seconds)),
            QStringLiteral("%1 reads on one connection, %2 found").arg(reads).arg(found));
    }

    // 2. Indexed revocation of K distinct users.
    QList<double> indexedMs;
    QSet<int> used;
    for (int k = 0; k < revocations; ++k) {
        int user = QRandomGenerator::global()->bounded(users);
        while (used.contains(user))
            user = QRandomGenerator::global()->bounded(users);
        used.insert(user);
        QElapsedTimer t;
        t.start();
        auto removed = await((*store)->deleteByLogoutToken({kIssuer, subOf(user), std::nullopt}));
        indexedMs << double(t.nsecsElapsed()) / 1e6;
        if (!removed || *removed != sessions / users) {
            std::fprintf(stderr, "indexed revocation removed %lld, expected %d\n", removed ? qlonglong(*removed) : -1LL,
                         sessions / users);
            return 1;
        }
    }
    row(QStringLiteral("revoke one user (%1 sessions), indexed").arg(sessions / users),
        QStringLiteral("median %1 ms").arg(median(indexedMs), 0, 'f', 2),
        QStringLiteral("p95 %1 ms, %2 runs").arg(percentile(indexedMs, 0.95), 0, 'f', 2).arg(revocations));

    // 3. The naive approach on the same data.
    QList<double> naiveMs;
    std::shared_ptr<SqlBackend> sql;
    if (url->kind == StoreUrl::Kind::Sqlite || url->kind == StoreUrl::Kind::Postgres)
        sql = std::make_shared<SqlBackend>(*url, prefix);
    for (int k = 0; k < naiveRuns; ++k) {
        int user = QRandomGenerator::global()->bounded(users);
        while (used.contains(user))
            user = QRandomGenerator::global()->bounded(users);
        used.insert(user);
        QElapsedTimer t;
        t.start();
        auto removed = sql ? naiveRevokeSql(*sql, *codec, subOf(user))
                           : naiveRevokeRedis(*url, prefix.toUtf8(), *codec, subOf(user));
        naiveMs << double(t.nsecsElapsed()) / 1e6;
        if (!removed || *removed != sessions / users) {
            std::fprintf(stderr, "naive revocation removed %lld: %s\n", removed ? qlonglong(*removed) : -1LL,
                         removed ? "" : qPrintable(removed.error().toString()));
            return 1;
        }
    }
    if (naiveRuns > 0) {
        row(QStringLiteral("revoke one user, naive (list all, decrypt all, match)"),
            QStringLiteral("median %1 ms").arg(median(naiveMs), 0, 'f', 0),
            QStringLiteral("%1 runs, decryption on all cores").arg(naiveRuns));
        row(QStringLiteral("ratio naive / indexed"),
            QStringLiteral("%1×").arg(qRound(median(naiveMs) / median(indexedMs))));
    }
    return 0;
}
