// sessionctl: the command-line face of Session Inspector (contract in DESIGN.md).

#include "ArgumentParser.h"
#include "CommandContext.h"
#include "CookieCommands.h"
#include "CryptoCommands.h"
#include "ExitCode.h"
#include "TokenCommands.h"
#include "core/platform/Hardening.h"

#include <QCoreApplication>

#include <cstdio>

namespace {

constexpr char kHelp[] = R"(Usage: sessionctl COMMAND [OPTIONS] [ARGS]

Inspect and decrypt login sessions of OpenID Connect web applications.

Commands:
  crypto encrypt --salt ID [JSON|@FILE|-] encrypt JSON into an auth0-compatible envelope (JWE)
           [--as-is]                       encrypt the input bytes unchanged instead of
                                           re-serializing them like Python's json.dumps
  crypto decrypt --salt ID [TOKEN|@FILE|-]  decrypt an envelope and print its JSON
           [--pretty]                      indent the JSON
  cookie decode --cookie-header H|-       reassemble _a0_session_N chunks from a Cookie header,
           [--cookie-name NAME]            decrypt them and print the session (NAME defaults to
           [--pretty]                      _a0_session and is also the salt)
  token verify-logout --issuer I --client-id C --jwks FILE|URL [TOKEN|@FILE|-]
                                          check a back-channel logout token (or a pasted
                                          logout_token=... request body) against every rule
                                          of OIDC Back-Channel Logout 1.0; prints its claims
           [--algorithms RS256,ES256]      accepted signature algorithms (default RS256, PS256,
                                           ES256, EdDSA)
           [--max-age SECONDS]             how old iat may be (default 300)

Salts: _a0_session (session state), _a0_tx:<state> (login transaction), mfa_token.

Secrets (never on the command line):
  --secret-file FILE    one secret per line; the first encrypts, all decrypt
  SI_SECRET_FILE        the same, from the environment
  SI_SECRET             secrets separated by commas; the first encrypts

Exit codes: 0 ok, 1 usage, 2 not found, 3 decrypt/verification failure, 4 invalid token,
            5 store unreachable, 6 refused (read-only).
)";

} // namespace

struct Command {
    const char *words;
    int (*run)(const si::cli::CommandContext &);
};

const Command kCommands[] = {
    {"crypto encrypt", si::cli::runCryptoEncrypt},
    {"crypto decrypt", si::cli::runCryptoDecrypt},
    {"cookie decode", si::cli::runCookieDecode},
    {"token verify-logout", si::cli::runTokenVerifyLogout},
};

int main(int argc, char *argv[])
{
    si::platform::hardenProcess();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sessionctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SI_VERSION));

    si::cli::ArgumentParser parser(
        {QStringLiteral("salt"), QStringLiteral("secret-file"), QStringLiteral("cookie-header"),
         QStringLiteral("cookie-name"), QStringLiteral("issuer"), QStringLiteral("client-id"), QStringLiteral("jwks"),
         QStringLiteral("algorithms"), QStringLiteral("max-age")},
        {QStringLiteral("help"), QStringLiteral("version"), QStringLiteral("pretty"), QStringLiteral("as-is")});
    QStringList arguments = QCoreApplication::arguments();
    arguments.removeFirst();
    if (!parser.parse(arguments))
        return si::cli::CommandContext(parser, 0).usage(parser.errorText());
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("sessionctl %s\n", SI_VERSION);
        return si::cli::Ok;
    }
    const QStringList &words = parser.positionals();
    if (parser.isSet(QStringLiteral("help")) || (!words.isEmpty() && words.first() == QLatin1String("help"))) {
        std::fputs(kHelp, stdout);
        return si::cli::Ok;
    }
    if (words.isEmpty()) {
        std::fputs(kHelp, stderr);
        return si::cli::Usage;
    }
    for (const Command &command : kCommands) {
        const QStringList commandWords = QString::fromLatin1(command.words).split(QLatin1Char(' '));
        if (words.mid(0, commandWords.size()) == commandWords)
            return command.run(si::cli::CommandContext(parser, commandWords.size()));
    }
    return si::cli::CommandContext(parser, 0).usage(
        QStringLiteral("unknown command '%1'").arg(words.mid(0, 2).join(QLatin1Char(' '))));
}
