#pragma once

#include "ArgumentParser.h"
#include "core/Result.h"
#include "core/envelope/SecretList.h"

#include <QByteArray>

namespace si::cli {

// What every command needs: its parsed arguments, secret loading, input and one-line reporting.
class CommandContext {
public:
    // `firstArgument`: how many positionals are command words (the rest are the command's own).
    CommandContext(const ArgumentParser &args, qsizetype firstArgument)
        : m_args(args)
        , m_first(firstArgument)
    {}

    const ArgumentParser &args() const { return m_args; }
    // The positionals after the command words.
    QStringList arguments() const { return m_args.positionals().mid(m_first); }

    // Secrets from --secret-file, else $SI_SECRET_FILE, else $SI_SECRET (comma-separated).
    // Never from the command line itself (it would show in `ps` and shell history).
    Result<SecretList> loadSecrets() const;

    // The command's positional argument at `index`, or stdin when it is "-" or absent.
    Result<QByteArray> readInput(qsizetype index, const char *what) const;

    // Writes bytes to stdout as they are (control characters escaped when stdout is a terminal),
    // adding a final newline when missing: tokens, decrypted documents.
    void print(QByteArrayView bytes) const;
    // One line of human output on stdout, control characters and bidi controls escaped.
    static void printLine(const QString &text);
    // "sessionctl: <text>" on stderr, escaped the same way.
    static void printError(const QString &text);
    // "sessionctl: <action>: <message> (<detail>)" on stderr; returns the matching exit code.
    int fail(const QString &action, const Error &error) const;
    // "sessionctl: <message>" plus a hint on stderr; returns ExitCode::Usage.
    int usage(const QString &message) const;
    void note(const QString &message) const;

private:
    const ArgumentParser &m_args;
    qsizetype m_first = 0;
};

} // namespace si::cli
