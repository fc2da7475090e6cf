#include "CookieCommands.h"

#include "CryptoCommands.h"
#include "core/cookie/CookieHeader.h"
#include "core/envelope/EnvelopeCipher.h"
#include "stores/cookie/Auth0CookieChunks.h"

#include <QFile>

namespace si::cli {

int runCookieDecode(const CommandContext &ctx)
{
    if (!ctx.args().isSet(QStringLiteral("cookie-header")))
        return ctx.usage(QStringLiteral("cookie decode needs --cookie-header \"<Cookie header>\" (or - for stdin)"));
    QByteArray header = ctx.args().value(QStringLiteral("cookie-header")).toUtf8();
    if (header == "-") {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return ctx.fail(QStringLiteral("cookie decode"),
                            makeError(ErrorCode::Io, QStringLiteral("cannot read standard input")));
        header = in.readAll();
    }
    const QString name = ctx.args().value(QStringLiteral("cookie-name"), EnvelopeCipher::sessionIdentifier());
    auto token = stores::Auth0CookieChunks::assemble(parseCookieHeader(header), name);
    if (!token)
        return ctx.fail(QStringLiteral("cookie decode"), token.error());
    // auth0-fastapi encrypts the stateless session with the cookie name as the salt.
    return decryptAndPrint(ctx, name, *token);
}

} // namespace si::cli
