// sessionctl: the command-line face of Session Inspector (contract in DESIGN.md).

#include "ArgumentParser.h"
#include "CommandContext.h"
#include "CookieCommands.h"
#include "CryptoCommands.h"
#include "ExitCode.h"
#include "StoreCommands.h"
#include "TokenCommands.h"
#include "core/platform/Allocator.h"
#include "core/platform/Hardening.h"

#include <QCoreApplication>
#include <cstdlib>

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

Stores (sessionctl --store URL [store options] COMMAND):
  list [--limit N] [--cursor C] [--json]  a page of sessions (keyset/SCAN paging)
  show ID [--reveal] [--json]             one session decoded; tokens masked unless --reveal
  find --sub S | --sid S | --email E [--iss I] [--json]
                                          a user's sessions (index lookup, else a scan)
  delete ID...                            delete sessions
  delete FILTER (--dry-run | --yes)       bulk delete; --dry-run lists exactly what would go
  revoke --sub S | --sid S [--iss I]      log a user out everywhere / end one IdP session
  expire ID --at TIME | --in DURATION     bring a session's end forward
  stats [--json]                          totals, creation per day, expiries, top users, sizes
  export [--format jsonl|csv] [FILTER] [--no-redact]
                                          every session, streamed; tokens masked by default
  seed --count N [--users U] [--seed S] [--signing-key JWK]
                                          realistic synthetic sessions (the store's layout);
                                          tokens signed with JWK's private key when given
  fsck [--repair] [--json]                dangling or missing index entries, sessions without a
                                          deadline, unswept rows, unreadable sessions; --repair
                                          fixes what is safe to fix
  audit [--since TIME|DURATION] [--json]  the audit log of writes (no --store needed)

  FILTER: --created-before T --created-after T --idle-for D --expires-within D
          --larger-than BYTES --with-issuer I --with-sub S --email-domain D --undecryptable
  TIME: 2026-05-01, 2026-05-01T10:00:00Z or unix seconds; DURATION: 90s, 15m, 2h, 7d, 1w

Store options:
  --store URL           sqlite:PATH, redis://[user@]host:port/db, rediss://…?cacert=PATH,
                        redis+cluster://host:port,…, redis+sentinel://s1:26379,…/master[/db],
                        postgresql://user@host:port/db?sslmode=…&timeout_ms=…
  --cookie-header H|-   a pasted Cookie header instead of a store (read-only)
  --layout L            native, auth0-fastapi, starsessions, connect-redis (default: detected)
  --read-only           refuse every write before it reaches the server (exit 6)
  --prefix P            native namespace (si: for Redis, si_ for SQL)
  --key-prefix P        key prefix of a peer layout (default starsessions., sess:)
  --issuer I            the IdP's issuer, for sub/sid searches and revocation (or SI_ISSUER)
  --store-password-file FILE   the store password (or SI_STORE_PASSWORD), kept out of URLs
  --audit-log FILE      where writes are recorded (default: $SI_AUDIT_LOG or
                        ~/.local/share/session-inspector/audit.jsonl)

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
    {"list", si::cli::runList},
    {"show", si::cli::runShow},
    {"find", si::cli::runFind},
    {"delete", si::cli::runDelete},
    {"revoke", si::cli::runRevoke},
    {"expire", si::cli::runExpire},
    {"stats", si::cli::runStats},
    {"export", si::cli::runExport},
    {"seed", si::cli::runSeed},
    {"fsck", si::cli::runFsck},
    {"audit", si::cli::runAudit},
};

int main(int argc, char *argv[])
{
    si::platform::hardenProcess();
    si::platform::tuneAllocatorForBulkWork();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("sessionctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SI_VERSION));

    QSet<QString> valueOptions{QStringLiteral("salt"),          QStringLiteral("secret-file"),
                               QStringLiteral("cookie-header"), QStringLiteral("cookie-name"),
                               QStringLiteral("client-id"),     QStringLiteral("jwks"),
                               QStringLiteral("algorithms"),    QStringLiteral("max-age")};
    QSet<QString> flags{QStringLiteral("help"), QStringLiteral("version"), QStringLiteral("pretty"),
                        QStringLiteral("as-is")};
    for (const QString &o : si::cli::storeValueOptions())
        valueOptions.insert(o);
    for (const QString &f : si::cli::storeFlags())
        flags.insert(f);
    si::cli::ArgumentParser parser(valueOptions, flags);
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
        if (words.mid(0, commandWords.size()) == commandWords) {
            const int code = command.run(si::cli::CommandContext(parser, commandWords.size()));
            // Leave without tearing anything down: stores stay open (StoreCommands keeps them),
            // store and decoding threads are not joined, OpenSSL and Qt are not cleaned up — the
            // kernel reclaims it all. Every command has finished its work and its audit entries
            // (written and closed per entry) by now; only the standard streams need flushing.
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(code);
        }
    }
    return si::cli::CommandContext(parser, 0).usage(
        QStringLiteral("unknown command '%1'").arg(words.mid(0, 2).join(QLatin1Char(' '))));
}
