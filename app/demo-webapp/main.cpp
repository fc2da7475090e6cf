// si-demo-webapp: a small OpenID Connect web application on the core library (README, "The demo
// web application"). A realistic producer of sessions for the inspector, and the end-to-end
// tests' relying party.

#include "DemoWebApp.h"

#include "core/crypto/SecureBytes.h"
#include "core/envelope/SecretList.h"
#include "core/platform/Hardening.h"
#include "stores/StoreFactory.h"
#include "stores/cookie/CookieStateStore.h"
#include "stores/cookie/CookieTransactionStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QTcpServer>

#include <cstdio>

using namespace si;

namespace {

constexpr char kDescription[] = R"(A small OpenID Connect web application on Session Inspector's core library.

Routes: GET / · GET /login · GET /callback · GET /profile (JSON, 401 when anonymous) ·
GET /logout · POST /backchannel-logout (register PUBLIC_URL/backchannel-logout at the IdP).
The redirect URI is PUBLIC_URL/callback.

Secrets (never on the command line):
  OIDC_CLIENT_SECRET_FILE / --client-secret-file, or OIDC_CLIENT_SECRET: the client secret
                        (none: a public client, PKCE only)
  SI_SECRET_FILE / --secret-file (one per line), or SI_SECRET (comma-separated): the
                        application's secrets; the first encrypts sessions
  SI_STORE_PASSWORD     the store's password when the URL has none)";

int fail(const QString &message)
{
    std::fprintf(stderr, "si-demo-webapp: %s\n", qPrintable(message));
    return 1;
}

// The first line of a file, or the environment variable; wiped from the intermediate buffers.
Result<crypto::SecureBytes> readSecret(const QString &file, const char *variable)
{
    if (!file.isEmpty()) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Io, QStringLiteral("cannot read %1: %2").arg(file, f.errorString()));
        QByteArray line = f.readLine();
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);
        return crypto::SecureBytes::takeFrom(line);
    }
    QByteArray value = qgetenv(variable);
    return crypto::SecureBytes::takeFrom(value);
}

Result<SecretList> appSecrets(const QString &file)
{
    const QString path = file.isEmpty() ? qEnvironmentVariable("SI_SECRET_FILE") : file;
    if (!path.isEmpty())
        return SecretList::fromFile(path);
    QByteArray value = qgetenv("SI_SECRET");
    if (value.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("set SI_SECRET (several: s1,s2 — the first encrypts) or pass --secret-file"));
    return SecretList::fromDelimited(value);
}

} // namespace

int main(int argc, char *argv[])
{
    platform::hardenProcess();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("si-demo-webapp"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QString::fromUtf8(kDescription));
    parser.addHelpOption();
    const QCommandLineOption listenOption(QStringLiteral("listen"),
                                          QStringLiteral("Address and port to serve on (port 0: any free port)."),
                                          QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8080"));
    const QCommandLineOption publicUrlOption(QStringLiteral("public-url"),
                                             QStringLiteral("Where browsers reach this application (default: "
                                                            "http://HOST:PORT)."),
                                             QStringLiteral("URL"));
    const QCommandLineOption storeOption(
        QStringLiteral("store"),
        QStringLiteral("Session store URL: memory:, sqlite:PATH, redis://…, "
                       "rediss://…, redis+cluster://…, redis+sentinel://…, postgresql://…"),
        QStringLiteral("URL"), QStringLiteral("memory:"));
    const QCommandLineOption cookieSessionsOption(
        QStringLiteral("cookie-sessions"),
        QStringLiteral("Keep sessions (and login transactions) in the browser as encrypted cookies, "
                       "auth0-fastapi's stateless format, instead of in --store."));
    const QCommandLineOption denyListOption(
        QStringLiteral("deny-list"),
        QStringLiteral("With --cookie-sessions: the store URL where back-channel logouts are remembered (without "
                       "it, back-channel logout is refused)."),
        QStringLiteral("URL"));
    const QCommandLineOption prefixOption(QStringLiteral("prefix"),
                                          QStringLiteral("Namespace in the store (si: for Redis, si_ for SQL)."),
                                          QStringLiteral("P"));
    const QCommandLineOption issuerOption(
        QStringLiteral("issuer"), QStringLiteral("The IdP's issuer, exactly (or OIDC_ISSUER)."), QStringLiteral("URL"));
    const QCommandLineOption clientIdOption(QStringLiteral("client-id"),
                                            QStringLiteral("The client id (or OIDC_CLIENT_ID)."), QStringLiteral("ID"));
    const QCommandLineOption clientSecretFileOption(QStringLiteral("client-secret-file"),
                                                    QStringLiteral("File holding the client secret."),
                                                    QStringLiteral("FILE"));
    const QCommandLineOption authOption(QStringLiteral("client-auth"),
                                        QStringLiteral("client_secret_basic (default) or client_secret_post."),
                                        QStringLiteral("METHOD"), QStringLiteral("client_secret_basic"));
    const QCommandLineOption secretFileOption(QStringLiteral("secret-file"),
                                              QStringLiteral("The application's secrets, one per line."),
                                              QStringLiteral("FILE"));
    const QCommandLineOption scopeOption(QStringLiteral("scope"), QStringLiteral("Scopes to request."),
                                         QStringLiteral("SCOPES"),
                                         QStringLiteral("openid profile email offline_access"));
    const QCommandLineOption audienceOption(QStringLiteral("audience"),
                                            QStringLiteral("API audience to request (Auth0)."), QStringLiteral("AUD"));
    parser.addOptions({listenOption, publicUrlOption, storeOption, cookieSessionsOption, denyListOption, prefixOption,
                       issuerOption, clientIdOption, clientSecretFileOption, authOption, secretFileOption, scopeOption,
                       audienceOption});
    parser.process(app);

    // Where to listen.
    const QString listen = parser.value(listenOption);
    const qsizetype colon = listen.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint port = colon > 0 ? listen.mid(colon + 1).toUInt(&portOk) : 0;
    const QHostAddress address(colon > 0 ? listen.left(colon) : QString());
    if (!portOk || port > 65535 || address.isNull())
        return fail(QStringLiteral("--listen wants HOST:PORT with a numeric address, e.g. 127.0.0.1:8080"));
    auto *tcp = new QTcpServer(&app);
    if (!tcp->listen(address, static_cast<quint16>(port)))
        return fail(QStringLiteral("cannot listen on %1: %2").arg(listen, tcp->errorString()));
    QUrl publicUrl(parser.isSet(publicUrlOption)
                       ? parser.value(publicUrlOption)
                       : QStringLiteral("http://%1:%2").arg(address.toString()).arg(tcp->serverPort()));
    if (!publicUrl.isValid() ||
        (publicUrl.scheme() != QLatin1String("http") && publicUrl.scheme() != QLatin1String("https")))
        return fail(QStringLiteral("--public-url must be an http(s) URL"));

    // The relying party.
    oidc::AuthClientOptions options;
    options.issuer = parser.isSet(issuerOption) ? parser.value(issuerOption) : qEnvironmentVariable("OIDC_ISSUER");
    options.clientId =
        parser.isSet(clientIdOption) ? parser.value(clientIdOption) : qEnvironmentVariable("OIDC_CLIENT_ID");
    if (options.issuer.isEmpty() || options.clientId.isEmpty())
        return fail(QStringLiteral("name the IdP: --issuer (or OIDC_ISSUER) and --client-id (or OIDC_CLIENT_ID)"));
    const QString secretFile = parser.isSet(clientSecretFileOption) ? parser.value(clientSecretFileOption)
                                                                    : qEnvironmentVariable("OIDC_CLIENT_SECRET_FILE");
    auto clientSecret = readSecret(secretFile, "OIDC_CLIENT_SECRET");
    if (!clientSecret)
        return fail(clientSecret.error().toString());
    options.clientSecret = std::move(*clientSecret);
    const QString method = parser.value(authOption);
    if (options.clientSecret.isEmpty())
        options.authentication = oidc::ClientAuthentication::None;
    else if (method == QLatin1String("client_secret_post"))
        options.authentication = oidc::ClientAuthentication::SecretPost;
    else if (method != QLatin1String("client_secret_basic"))
        return fail(QStringLiteral("--client-auth: client_secret_basic or client_secret_post"));
    QUrl redirect = publicUrl;
    redirect.setPath(QStringLiteral("/callback"));
    options.redirectUri = redirect.toString();
    options.scope = parser.value(scopeOption);
    options.audience = parser.value(audienceOption);

    // Sessions and login transactions in the store, encrypted with the application's secrets.
    auto secrets = appSecrets(parser.value(secretFileOption));
    if (!secrets)
        return fail(secrets.error().toString());
    const bool inCookies = parser.isSet(cookieSessionsOption);
    auto url = stores::StoreUrl::parse(inCookies ? parser.value(denyListOption) : parser.value(storeOption));
    if (inCookies && !parser.isSet(denyListOption))
        url = stores::StoreUrl{}; // memory: unused
    else if (!url)
        return fail(url.error().toString());
    if (url->password.isEmpty())
        url->password = qEnvironmentVariable("SI_STORE_PASSWORD");
    SessionCodec::Options codecOptions;
    codecOptions.defaultIssuer = options.issuer;
    const auto sessionCodec = std::make_shared<SessionCodec>(*secrets, codecOptions);
    const auto transactionCodec = std::make_shared<TransactionCodec>(*secrets, TransactionCodec::Options{});
    stores::StoreFactory factory(stores::StoreOptions{parser.value(prefixOption)});
    std::shared_ptr<StateStore> sessions;
    std::shared_ptr<TransactionStore> transactions;
    QString where;
    if (inCookies) {
        stores::CookieAttributes attributes;
        attributes.secure = publicUrl.scheme() == QLatin1String("https"); // browsers drop Secure cookies on http
        stores::CookieStateStore::Options cookieOptions;
        cookieOptions.attributes = attributes;
        where = QStringLiteral("stateless cookies");
        if (parser.isSet(denyListOption)) {
            auto denyList = factory.denyList(*url);
            if (!denyList)
                return fail(denyList.error().toString());
            cookieOptions.denyList = std::shared_ptr<DenyList>(std::move(denyList.value()));
            where += QStringLiteral(", back-channel logouts in ") + url->redacted();
        }
        sessions = std::make_shared<stores::CookieStateStore>(sessionCodec, cookieOptions);
        stores::CookieTransactionStore::Options txOptions;
        txOptions.attributes = attributes;
        transactions = std::make_shared<stores::CookieTransactionStore>(transactionCodec, txOptions);
    } else {
        auto state = factory.stateStore(*url, sessionCodec);
        if (!state)
            return fail(state.error().toString());
        auto tx = factory.transactionStore(*url, transactionCodec);
        if (!tx)
            return fail(tx.error().toString());
        sessions = std::move(state.value());
        transactions = std::move(tx.value());
        where = url->redacted();
    }

    auto auth = std::make_unique<oidc::AuthClient>(std::move(options), std::make_shared<oidc::HttpClient>(),
                                                   std::move(sessions), std::move(transactions));
    demo::DemoWebApp webapp(std::move(auth), publicUrl, inCookies);
    webapp.bind(tcp);
    // The one line scripts wait for (the port matters when --listen asked for any free one).
    std::printf("si-demo-webapp: serving %s (sessions: %s)\n", qPrintable(publicUrl.toString()), qPrintable(where));
    std::fflush(stdout);
    return app.exec();
}
