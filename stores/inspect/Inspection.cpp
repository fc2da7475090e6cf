#include "Inspection.h"

#include "MemorySessionSource.h"
#include "RedisSessionSource.h"
#include "SqlSessionSource.h"
#include "core/async/Worker.h"
#include "core/inspector/Redaction.h"
#include "stores/cookie/Auth0CookieChunks.h"
#include "stores/memory/MemoryStateStore.h"
#include "stores/redis/RedisBackend.h"
#include "stores/sql/SqlBackend.h"
#include "stores/sql/SqlConnection.h"

#include <QMap>
#include <QRegularExpression>

namespace si::stores {

using inspector::RawPage;
using inspector::RawSession;
using inspector::SessionCount;
using inspector::SessionLayout;

namespace {

template<typename T>
QFuture<Result<T>> ready(Result<T> value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

// The sessions of one pasted Cookie header; read-only (they live in the browser).
class CookieHeaderSource final : public inspector::SessionSource {
public:
    explicit CookieHeaderSource(QList<RawSession> sessions)
        : m_sessions(std::move(sessions))
    {}
    QString describe() const override { return QStringLiteral("pasted Cookie header"); }
    QString backendName() const override { return QStringLiteral("cookie"); }
    QFuture<Result<SessionCount>> count() override
    {
        return ready(Result<SessionCount>(SessionCount{m_sessions.size(), true}));
    }
    QFuture<Result<RawPage>> page(const QString &cursor, int limit) override
    {
        RawPage out;
        bool ok = true;
        const qsizetype start = cursor.isEmpty() ? 0 : cursor.toLongLong(&ok);
        if (!ok || start < 0)
            return ready(Result<RawPage>(makeError(ErrorCode::InvalidArgument, QStringLiteral("bad cursor"))));
        out.sessions = m_sessions.mid(start, limit);
        if (start + limit < m_sessions.size())
            out.nextCursor = QString::number(start + limit);
        return ready(Result<RawPage>(out));
    }
    QFuture<Result<QList<RawSession>>> loadMany(const QStringList &ids) override
    {
        QList<RawSession> out;
        for (const RawSession &s : m_sessions) {
            if (ids.contains(s.id))
                out.append(s);
        }
        return ready(Result<QList<RawSession>>(out));
    }
    QFuture<Result<qsizetype>> remove(const QStringList &) override { return ready(Result<qsizetype>(inBrowser())); }
    QFuture<Result<bool>> expireAt(const QString &, qint64) override { return ready(Result<bool>(inBrowser())); }
    QFuture<Result<qint64>> scan(Sink sink, int) override
    {
        QList<RawSession> all = m_sessions;
        sink(std::move(all));
        return ready(Result<qint64>(m_sessions.size()));
    }

private:
    static Error inBrowser()
    {
        return makeError(ErrorCode::Unsupported, QStringLiteral("a pasted cookie lives in the browser"),
                         QStringLiteral("revoke its user instead (a deny list reaches stateless sessions)"));
    }
    QList<RawSession> m_sessions;
};

struct Detection {
    SessionLayout::Kind kind = SessionLayout::Kind::Native;
    QString note;
};

// Chooses a layout from key names (and, for auth0-fastapi's free-form keys, values).
// `nativeNamespace`: the caller named a native namespace (--prefix), so a store without any
// recognisable session key is taken as an empty native store rather than an unknown one.
Result<Detection> detectRedisLayout(RedisSessionSource &sampler, const std::shared_ptr<RedisBackend> &backend,
                                    bool nativeNamespace)
{
    auto keys = await(sampler.sampleKeys(500));
    if (!keys)
        return keys.error();
    const QByteArray native = backend->prefix() + "s:";
    QMap<SessionLayout::Kind, int> votes;
    QList<QByteArray> others;
    for (const QByteArray &key : *keys) {
        if (key.startsWith(native))
            ++votes[SessionLayout::Kind::Native];
        else if (key.startsWith("starsessions."))
            ++votes[SessionLayout::Kind::Starsessions];
        else if (key.startsWith("sess:"))
            ++votes[SessionLayout::Kind::ConnectRedis];
        else
            others.append(key);
    }
    if (!others.isEmpty()) {
        // auth0-fastapi keeps compact StateData JSON under keys of the application's choosing.
        RedisSessionSource plain(backend, RedisSessionSource::Mode::Strings, {});
        QStringList ids;
        for (const QByteArray &k : others.mid(0, 50))
            ids << QString::fromUtf8(k);
        auto values = await(plain.loadMany(ids));
        if (values) {
            for (const RawSession &s : *values) {
                if (s.value.startsWith('{') && s.value.contains("\"internal\"") && s.value.contains("\"user\""))
                    ++votes[SessionLayout::Kind::Auth0Fastapi];
            }
        }
    }
    if (keys->isEmpty())
        return Detection{SessionLayout::Kind::Native, QStringLiteral("native (the store is empty)")};
    if (votes.isEmpty() && nativeNamespace)
        return Detection{SessionLayout::Kind::Native,
                         QStringLiteral("native (no session keys among %1 sampled; the namespace %2 was given)")
                             .arg(keys->size())
                             .arg(QString::fromUtf8(backend->prefix()))};
    if (votes.isEmpty())
        return makeError(
            ErrorCode::NotFound, QStringLiteral("cannot tell this store's layout"),
            QStringLiteral("none of %1 sampled keys looks like a session; pass --layout").arg(keys->size()));
    auto best = votes.cbegin();
    for (auto it = votes.cbegin(); it != votes.cend(); ++it) {
        if (it.value() > best.value())
            best = it;
    }
    return Detection{best.key(), QStringLiteral("%1 (detected: %2 of %3 sampled keys)")
                                     .arg(SessionLayout::kindName(best.key()))
                                     .arg(best.value())
                                     .arg(keys->size())};
}

} // namespace

Result<OpenedInspector> openInspector(const StoreUrl &url, const InspectOptions &options)
{
    StoreFactory ownFactory(StoreOptions{options.prefix, options.readOnly});
    StoreFactory &factory = options.factory ? *options.factory : ownFactory;
    OpenedInspector out;
    if (!options.jwksFile.isEmpty()) {
        auto keys = jose::Jwks::fromFile(options.jwksFile);
        if (!keys)
            return keys.error();
        out.tokenKeys = std::move(*keys);
    }
    std::shared_ptr<inspector::SessionSource> source;
    SessionLayout::Kind kind = options.layout.value_or(SessionLayout::Kind::Native);
    out.layoutNote = QStringLiteral("%1 (given)").arg(SessionLayout::kindName(kind));

    SessionCodec::Options codecOptions;
    codecOptions.defaultIssuer = options.issuer;
    codecOptions.clock = options.clock;
    auto nativeCodec = [&]() -> Result<std::shared_ptr<const SessionCodec>> {
        if (options.secrets.isEmpty())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("no application secret"),
                             QStringLiteral("native sessions are encrypted: set SI_SECRET or pass --secret-file"));
        return std::shared_ptr<const SessionCodec>(std::make_shared<SessionCodec>(options.secrets, codecOptions));
    };
    // Our own layout: the codec, and the StateStore on the same connection (revocation, seeding).
    auto openNative = [&]() -> Status {
        auto codec = nativeCodec();
        if (!codec)
            return codec.error();
        out.codec = *codec;
        auto store = factory.stateStore(url, *codec);
        if (!store)
            return store.error();
        out.nativeStore = std::move(store.value());
        return {};
    };

    switch (url.kind) {
    case StoreUrl::Kind::Memory:
    case StoreUrl::Kind::Sqlite:
    case StoreUrl::Kind::Postgres: {
        if (kind != SessionLayout::Kind::Native)
            return makeError(ErrorCode::Unsupported,
                             QStringLiteral("%1 stores hold the native layout only").arg(url.kindName()));
        if (!options.layout)
            out.layoutNote = QStringLiteral("native (%1 stores hold the native layout)").arg(url.kindName());
        if (auto opened = openNative(); !opened)
            return opened.error();
        if (url.kind == StoreUrl::Kind::Memory) {
            source = std::make_shared<MemorySessionSource>(
                factory.memoryTable(), std::static_pointer_cast<MemoryStateStore>(out.nativeStore), options.clock);
            break;
        }
        auto backend = factory.sqlBackend(url);
        if (!backend)
            return backend.error();
        // Connect and migrate now: an unreachable server or a wrong password is reported here.
        auto opened = await((*backend)->run<bool>([](SqlConnection &db, const CancelToken &) -> Result<bool> {
            if (auto s = db.ensureOpen(); !s)
                return s.error();
            return true;
        }));
        if (!opened)
            return opened.error();
        source = std::make_shared<SqlSessionSource>(*backend, options.clock);
        break;
    }
    case StoreUrl::Kind::Redis:
    case StoreUrl::Kind::RedisCluster:
    case StoreUrl::Kind::RedisSentinel: {
        auto backend = factory.redisBackend(url);
        if (!options.layout) {
            RedisSessionSource sampler(backend, RedisSessionSource::Mode::Native, {});
            auto detected = detectRedisLayout(sampler, backend, !options.prefix.isEmpty());
            if (!detected)
                return detected.error();
            kind = detected->kind;
            out.layoutNote = detected->note;
            out.detected = true;
        }
        if (kind == SessionLayout::Kind::Native) {
            if (auto opened = openNative(); !opened)
                return opened.error();
            source = std::make_shared<RedisSessionSource>(backend, RedisSessionSource::Mode::Native, QByteArray());
        } else if (kind == SessionLayout::Kind::Auth0Cookie) {
            return makeError(ErrorCode::Unsupported, QStringLiteral("auth0 cookies live in browsers, not in Redis"),
                             QStringLiteral("paste the Cookie header instead"));
        } else {
            auto layout = inspector::makeLayout(kind, options.secrets);
            if (!layout)
                return layout.error();
            const QByteArray prefix = options.keyPrefix.isEmpty() ? (*layout)->defaultKeyPrefix() : options.keyPrefix;
            source = std::make_shared<RedisSessionSource>(backend, RedisSessionSource::Mode::Strings, prefix);
        }
        if (options.layout) { // not sampled yet: make sure the server answers
            auto counted = await(source->count());
            if (!counted)
                return counted.error();
        }
        break;
    }
    }
    auto layout = inspector::makeLayout(kind, options.secrets, options.cookieName);
    if (!layout)
        return layout.error();
    inspector::SessionBackend::Options backendOptions;
    backendOptions.readOnly = options.readOnly;
    backendOptions.profile = options.profile.isEmpty() ? url.redacted() : options.profile;
    backendOptions.audit = options.audit;
    backendOptions.nativeStore = out.nativeStore;
    backendOptions.codec = out.codec;
    backendOptions.defaultIssuer = options.issuer;
    backendOptions.clock = options.clock;
    backendOptions.progress = options.progress;
    out.backend = std::make_shared<inspector::SessionBackend>(source, *layout, backendOptions);
    return out;
}

Result<OpenedInspector> openCookieInspector(const QByteArray &cookieHeader, const InspectOptions &options)
{
    const QList<Cookie> cookies = parseCookieHeader(cookieHeader);
    static const QRegularExpression chunk(QStringLiteral("^(.+)_(0|[1-9][0-9]*)$"));
    QStringList names;
    for (const Cookie &c : cookies) {
        const auto m = chunk.match(c.name);
        const QString base = m.hasMatch() ? m.captured(1) : c.name;
        const bool jwe = inspector::looksLikeJose(QString::fromLatin1(c.value)) && c.value.count('.') == 4;
        if ((m.hasMatch() || jwe) && !names.contains(base))
            names << base;
    }
    if (!names.contains(options.cookieName) && names.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no session cookie in this header"),
                         QStringLiteral("expected %1_0, %1_1, … (or another <name>_N)").arg(options.cookieName));
    QList<RawSession> sessions;
    for (const QString &name : std::as_const(names)) {
        auto value = Auth0CookieChunks::assemble(cookies, name);
        RawSession s;
        s.id = name;
        if (value) {
            s.value = *value;
        } else {
            for (const Cookie &c : cookies) { // a bare <name> cookie still opens here
                if (c.name == name)
                    s.value = c.value;
            }
            if (s.value.isEmpty())
                continue;
        }
        sessions.append(std::move(s));
    }
    if (sessions.isEmpty())
        return makeError(ErrorCode::MalformedInput,
                         QStringLiteral("the session cookies in this header are incomplete"));
    OpenedInspector out;
    out.layoutNote = QStringLiteral("auth0-cookie (a pasted Cookie header)");
    // Each cookie name is its own salt; the first session's name decides (normally _a0_session).
    auto layout = inspector::makeLayout(SessionLayout::Kind::Auth0Cookie, options.secrets, sessions.first().id);
    if (!layout)
        return layout.error();
    inspector::SessionBackend::Options backendOptions;
    backendOptions.readOnly = true;
    backendOptions.profile = QStringLiteral("cookie");
    backendOptions.audit = options.audit;
    backendOptions.defaultIssuer = options.issuer;
    backendOptions.clock = options.clock;
    out.backend = std::make_shared<inspector::SessionBackend>(std::make_shared<CookieHeaderSource>(sessions), *layout,
                                                              backendOptions);
    return out;
}

} // namespace si::stores
