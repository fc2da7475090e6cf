#include "TokenCommands.h"

#include "ExitCode.h"
#include "core/async/Worker.h"
#include "core/crypto/Random.h"
#include "core/jose/Jwk.h"
#include "core/jose/Jwt.h"
#include "core/oidc/AuthClient.h"
#include "core/oidc/HttpClient.h"
#include "core/store/SessionCodec.h"
#include "core/store/TransactionCodec.h"
#include "stores/memory/MemoryStateStore.h"
#include "stores/memory/MemoryTransactionStore.h"

#include <QFile>
#include <QUrl>

namespace si::cli {

namespace {

Result<jose::AlgorithmSet> parseAlgorithms(const QString &list)
{
    jose::AlgorithmSet set;
    for (const QString &name : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto alg = jose::signatureAlgorithmFromName(name.trimmed().toStdString());
        if (!alg)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown signature algorithm"),
                             name.trimmed().left(20));
        set.insert(*alg);
    }
    if (set.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("--algorithms names no algorithm"));
    return set;
}

// The token itself, or the logout_token field of a pasted back-channel request body.
QByteArray logoutTokenFrom(const QByteArray &input)
{
    const QByteArray trimmed = input.trimmed();
    if (!trimmed.startsWith("logout_token=") && !trimmed.contains("&logout_token="))
        return trimmed;
    for (const auto &[key, value] : oidc::formDecode(trimmed)) {
        if (key == QLatin1String("logout_token"))
            return value.toUtf8();
    }
    return trimmed;
}

bool isUrl(const QString &value)
{
    return value.startsWith(QLatin1String("https://")) || value.startsWith(QLatin1String("http://"));
}

} // namespace

int runTokenVerifyLogout(const CommandContext &ctx)
{
    const QString issuer = ctx.args().value(QStringLiteral("issuer"));
    const QString clientId = ctx.args().value(QStringLiteral("client-id"));
    const QString jwks = ctx.args().value(QStringLiteral("jwks"));
    if (issuer.isEmpty() || clientId.isEmpty() || jwks.isEmpty())
        return ctx.usage(QStringLiteral("token verify-logout needs --issuer, --client-id and --jwks FILE|URL"));

    oidc::AuthClientOptions options;
    options.issuer = issuer;
    options.clientId = clientId;
    if (ctx.args().isSet(QStringLiteral("algorithms"))) {
        auto algorithms = parseAlgorithms(ctx.args().value(QStringLiteral("algorithms")));
        if (!algorithms)
            return ctx.fail(QStringLiteral("verify-logout"), algorithms.error());
        options.allowedAlgorithms = *algorithms;
    }
    if (ctx.args().isSet(QStringLiteral("max-age"))) {
        bool ok = false;
        options.logoutTokenMaxAgeSeconds = ctx.args().value(QStringLiteral("max-age")).toLongLong(&ok);
        if (!ok || options.logoutTokenMaxAgeSeconds <= 0)
            return ctx.usage(QStringLiteral("--max-age takes a number of seconds"));
    }
    std::optional<jose::Jwks> keys;
    if (isUrl(jwks)) {
        options.provider.jwksUri = QUrl(jwks);
    } else {
        auto parsed = jose::Jwks::fromFile(jwks);
        if (!parsed)
            return ctx.fail(QStringLiteral("the JWKS file is not usable"), parsed.error());
        keys = std::move(parsed.value());
    }
    auto input = ctx.readInput(0, "logout token");
    if (!input)
        return ctx.fail(QStringLiteral("verify-logout"), input.error());
    const QByteArray token = logoutTokenFrom(*input);

    // Verification needs no stores; the client wants some, so it gets empty in-memory ones.
    const SecretList throwaway(QList<crypto::SecureBytes>{crypto::SecureBytes(crypto::randomBytes(32))});
    auto sessions =
        std::make_shared<stores::MemoryStateStore>(std::make_shared<SessionCodec>(throwaway, SessionCodec::Options{}));
    auto transactions = std::make_shared<stores::MemoryTransactionStore>(
        std::make_shared<TransactionCodec>(throwaway, TransactionCodec::Options{}));
    oidc::AuthClient client(options, std::make_shared<oidc::HttpClient>(), sessions, transactions);
    if (keys)
        client.provider().preloadJwks(*keys);

    auto result = await(client.verifyLogoutToken(token));
    if (!result)
        return ctx.fail(QStringLiteral("verify-logout"), result.error());
    const LogoutTarget &target = result->target;
    ctx.note(target.sub && target.sid
                 ? QStringLiteral("valid logout token: ends session %1 of %2").arg(*target.sid, *target.sub)
             : target.sub ? QStringLiteral("valid logout token: logs %1 out everywhere").arg(*target.sub)
                          : QStringLiteral("valid logout token: ends session %1").arg(target.sid.value_or(QString())));
    // The verified token's claims, as JSON.
    const auto jwt = jose::parseJwt(token);
    const std::string claims = json::serialize(json::Value(jwt->claims), json::Style::Pretty);
    ctx.print(QByteArrayView(claims.data(), qsizetype(claims.size())));
    return ExitCode::Ok;
}

} // namespace si::cli
