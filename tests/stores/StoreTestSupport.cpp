#include "StoreTestSupport.h"

#include "core/crypto/Random.h"
#include "stores/StoreFactory.h"
#include "stores/cookie/CookieStateStore.h"
#include "stores/cookie/CookieTransactionStore.h"
#include "stores/memory/MemoryStateStore.h"
#include "stores/memory/MemoryTransactionStore.h"

namespace si::test {

qint64 TestClock::now() const
{
    return systemClock() + offset.load();
}

StateData loginState(const QString &sub, int i)
{
    StateData state;
    json::Object claims;
    claims.append("iss", "https://idp.test/");
    claims.append("sub", sub);
    claims.append("sid", QStringLiteral("sid-%1").arg(i));
    state.user = UserClaims::fromIdTokenClaims(claims);
    state.refreshToken = QStringLiteral("rt-%1").arg(i);
    state.internal.sid = QStringLiteral("sid-%1").arg(i);
    state.internal.createdAt = systemClock();
    return state;
}

SecretList secretList(std::initializer_list<const char *> secrets)
{
    QList<crypto::SecureBytes> list;
    for (const char *s : secrets)
        list.append(crypto::SecureBytes(QByteArrayView(s)));
    return SecretList(std::move(list));
}

std::shared_ptr<const SessionCodec> StoreLocation::codec(const SecretList &secrets, const ExpiryPolicy &expiry) const
{
    SessionCodec::Options options;
    options.expiry = expiry;
    options.defaultIssuer = issuer;
    options.clock = [c = clock] { return c->now(); };
    return std::make_shared<SessionCodec>(secrets, options);
}

std::shared_ptr<const TransactionCodec> StoreLocation::transactionCodec(const SecretList &secrets,
                                                                        qint64 lifetimeSeconds) const
{
    TransactionCodec::Options options;
    options.lifetimeSeconds = lifetimeSeconds;
    options.clock = [c = clock] { return c->now(); };
    return std::make_shared<TransactionCodec>(secrets, options);
}

namespace {

QString uniquePrefix()
{
    return QStringLiteral("t") + crypto::randomString(10, u"abcdefghijklmnopqrstuvwxyz0123456789") + QLatin1Char('_');
}

class MemoryLocation : public StoreLocation {
public:
    QString backend() const override { return QStringLiteral("memory"); }
    std::unique_ptr<StateStore> open(const SecretList &secrets, const ExpiryPolicy &expiry) override
    {
        return std::make_unique<stores::MemoryStateStore>(codec(secrets, expiry), m_table);
    }
    std::unique_ptr<TransactionStore> openTransactions(const SecretList &secrets, qint64 lifetime) override
    {
        return std::make_unique<stores::MemoryTransactionStore>(transactionCodec(secrets, lifetime), m_transactions);
    }

private:
    std::shared_ptr<stores::MemorySessionTable> m_table = std::make_shared<stores::MemorySessionTable>();
    std::shared_ptr<stores::MemoryTransactionTable> m_transactions = std::make_shared<stores::MemoryTransactionTable>();
};

class UrlLocation : public StoreLocation {
public:
    UrlLocation(QString name, stores::StoreUrl url)
        : m_name(std::move(name))
        , m_url(std::move(url))
    {}
    QString backend() const override { return m_name; }
    std::unique_ptr<StateStore> open(const SecretList &secrets, const ExpiryPolicy &expiry) override
    {
        auto store = m_factory.stateStore(m_url, codec(secrets, expiry));
        if (!store)
            qFatal("cannot create the %s store: %s", qPrintable(m_name), qPrintable(store.error().toString()));
        return std::move(store.value());
    }
    std::unique_ptr<TransactionStore> openTransactions(const SecretList &secrets, qint64 lifetime) override
    {
        auto store = m_factory.transactionStore(m_url, transactionCodec(secrets, lifetime));
        if (!store)
            qFatal("cannot create the %s transaction store: %s", qPrintable(m_name),
                   qPrintable(store.error().toString()));
        return std::move(store.value());
    }

private:
    QString m_name;
    stores::StoreUrl m_url;
    stores::StoreFactory m_factory{stores::StoreOptions{uniquePrefix()}};
};

// Stateless sessions: the data lives in each client's cookie jar; revocation markers go to a
// deny list in memory.
class CookieLocation : public StoreLocation {
public:
    QString backend() const override { return QStringLiteral("cookie"); }
    bool isClientSide() const override { return true; }
    std::unique_ptr<StateStore> open(const SecretList &secrets, const ExpiryPolicy &expiry) override
    {
        stores::CookieStateStore::Options options;
        options.denyList = m_denyList;
        return std::make_unique<stores::CookieStateStore>(codec(secrets, expiry), options);
    }
    std::unique_ptr<TransactionStore> openTransactions(const SecretList &secrets, qint64 lifetime) override
    {
        stores::CookieTransactionStore::Options options;
        options.mode = qEnvironmentVariable("SI_COOKIE_TX_MODE") == QLatin1String("auth0")
                           ? stores::CookieTransactionStore::Mode::Auth0
                           : stores::CookieTransactionStore::Mode::PerState;
        return std::make_unique<stores::CookieTransactionStore>(transactionCodec(secrets, lifetime), options);
    }

private:
    std::shared_ptr<stores::MemoryDenyList> m_denyList =
        std::make_shared<stores::MemoryDenyList>([c = clock] { return c->now(); });
};

class SqliteLocation : public UrlLocation {
public:
    SqliteLocation()
        : UrlLocation(QStringLiteral("sqlite"), url())
    {}

private:
    static stores::StoreUrl url()
    {
        static QTemporaryDir dir; // one file per test process; tables are per test
        return stores::StoreUrl::parse(QStringLiteral("sqlite:") + dir.filePath(QStringLiteral("sessions.db"))).value();
    }
};

} // namespace

std::unique_ptr<StoreLocation> makeLocation(QString *error)
{
    const QString backend = qEnvironmentVariable("SI_STORE_BACKEND", QStringLiteral("memory"));
    auto fromEnv = [&](const char *var) -> std::unique_ptr<StoreLocation> {
        const QString text = qEnvironmentVariable(var);
        if (text.isEmpty()) {
            *error = QStringLiteral("%1 is not set (run under scripts/with-services.sh)").arg(QLatin1String(var));
            return nullptr;
        }
        auto url = stores::StoreUrl::parse(text);
        if (!url) {
            *error = url.error().toString();
            return nullptr;
        }
        if (const QString ca = qEnvironmentVariable("SI_TEST_REDIS_TLS_CA");
            !ca.isEmpty() && url->tls && !url->options.contains(QStringLiteral("cacert")))
            url->options.insert(QStringLiteral("cacert"), ca);
        return std::make_unique<UrlLocation>(backend, *url);
    };
    if (backend == QLatin1String("memory"))
        return std::make_unique<MemoryLocation>();
    if (backend == QLatin1String("sqlite"))
        return std::make_unique<SqliteLocation>();
    if (backend == QLatin1String("cookie"))
        return std::make_unique<CookieLocation>();
    if (backend == QLatin1String("postgresql"))
        return fromEnv("SI_TEST_PG_DSN");
    if (backend == QLatin1String("redis"))
        return fromEnv("SI_TEST_REDIS_URL");
    if (backend == QLatin1String("redis-tls"))
        return fromEnv("SI_TEST_REDIS_TLS_URL");
    if (backend == QLatin1String("redis-cluster"))
        return fromEnv("SI_TEST_REDIS_CLUSTER_URL");
    *error = QStringLiteral("unknown SI_STORE_BACKEND \"%1\"").arg(backend);
    return nullptr;
}

} // namespace si::test
