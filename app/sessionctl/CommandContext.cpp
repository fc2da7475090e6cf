#include "CommandContext.h"

#include "ExitCode.h"
#include "core/crypto/SecureBytes.h"
#include "core/text/ControlText.h"

#include <QFile>

#include <cstdio>
#include <unistd.h>

namespace si::cli {

Result<SecretList> CommandContext::loadSecrets() const
{
    QString file = m_args.value(QStringLiteral("secret-file"));
    if (file.isEmpty())
        file = qEnvironmentVariable("SI_SECRET_FILE");
    if (!file.isEmpty())
        return SecretList::fromFile(file);
    QByteArray value = qgetenv("SI_SECRET");
    if (value.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no application secret"),
                         QStringLiteral("set SI_SECRET (several: s1,s2 — the first encrypts) or pass --secret-file"));
    return SecretList::fromDelimited(value);
}

Result<QByteArray> CommandContext::readInput(qsizetype index, const char *what) const
{
    const QStringList positionals = m_args.positionals().mid(m_first);
    if (index + 1 < positionals.size())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("too many arguments"),
                         QStringLiteral("unexpected '%1'").arg(positionals.at(index + 1).left(40)));
    const QString arg = positionals.value(index, QStringLiteral("-"));
    if (arg.startsWith(QLatin1Char('@'))) {
        QFile file(arg.mid(1));
        if (!file.open(QIODevice::ReadOnly))
            return makeError(ErrorCode::Io, QStringLiteral("cannot read the %1 file").arg(QLatin1String(what)),
                             QStringLiteral("%1: %2").arg(file.fileName(), file.errorString()));
        return file.readAll();
    }
    if (arg != QLatin1String("-"))
        return arg.toUtf8();
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, QStringLiteral("cannot read standard input"));
    QByteArray data = in.readAll();
    if (data.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no %1 given").arg(QLatin1String(what)),
                         QStringLiteral("pass it as an argument, as @FILE or on standard input"));
    return data;
}

void CommandContext::print(QByteArrayView bytes) const
{
    // The exact bytes for pipes and files; a terminal gets their control characters escaped (a
    // forged session could otherwise clear the screen or set the window title).
    static const bool terminal = isatty(fileno(stdout)) == 1;
    QByteArray inert;
    if (terminal) {
        const QString text = QString::fromUtf8(bytes);
        if (text::hasControls(text, text::Newlines::Keep)) {
            inert = text::escapeControls(text, text::Newlines::Keep).toUtf8();
            bytes = inert;
        }
    }
    std::fwrite(bytes.data(), 1, static_cast<size_t>(bytes.size()), stdout);
    if (bytes.isEmpty() || bytes.back() != '\n')
        std::fputc('\n', stdout);
    std::fflush(stdout);
}

void CommandContext::printLine(const QString &text)
{
    const QByteArray utf8 = text::escapeControls(text).toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stdout);
    std::fputc('\n', stdout);
}

void CommandContext::printError(const QString &text)
{
    // Messages quote what stores and servers said: escaped, and one line each.
    const QString line = QStringLiteral("sessionctl: %1\n").arg(text::escapeControls(text));
    std::fputs(line.toUtf8().constData(), stderr);
}

int CommandContext::fail(const QString &action, const Error &error) const
{
    // One line, whatever a driver put into its message.
    printError(QStringLiteral("%1: %2").arg(action, error.toString().simplified()));
    return exitCodeFor(error.code);
}

int CommandContext::usage(const QString &message) const
{
    printError(message);
    std::fputs("Try 'sessionctl --help' for the list of commands.\n", stderr);
    return ExitCode::Usage;
}

void CommandContext::note(const QString &message) const
{
    printError(message);
}

} // namespace si::cli
