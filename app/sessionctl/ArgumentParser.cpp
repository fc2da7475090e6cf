#include "ArgumentParser.h"

namespace si::cli {

ArgumentParser::ArgumentParser(QSet<QString> valueOptions, QSet<QString> flags)
    : m_valueOptions(std::move(valueOptions))
    , m_knownFlags(std::move(flags))
{}

bool ArgumentParser::parse(const QStringList &arguments)
{
    bool optionsEnded = false;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        // There are no one-letter options, so "-…" is a positional: "-" (stdin) or a session id
        // (base64url ids may start with '-').
        if (optionsEnded || !arg.startsWith(QLatin1String("--"))) {
            m_positionals << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            optionsEnded = true;
            continue;
        }
        QString name = arg.mid(2);
        QString inlineValue;
        bool hasInline = false;
        if (const qsizetype eq = name.indexOf(QLatin1Char('=')); eq >= 0) {
            inlineValue = name.mid(eq + 1);
            name.truncate(eq);
            hasInline = true;
        }
        if (m_valueOptions.contains(name)) {
            if (hasInline) {
                m_values.insert(name, inlineValue);
            } else if (i + 1 < arguments.size()) {
                m_values.insert(name, arguments.at(++i));
            } else {
                m_error = QStringLiteral("option --%1 needs a value").arg(name);
                return false;
            }
        } else if (m_knownFlags.contains(name)) {
            if (hasInline) {
                m_error = QStringLiteral("option --%1 takes no value").arg(name);
                return false;
            }
            m_flags.insert(name);
        } else {
            m_error =
                QStringLiteral("unknown option --%1 (a session id starting with -- goes after a lone --)").arg(name);
            return false;
        }
    }
    return true;
}

} // namespace si::cli
