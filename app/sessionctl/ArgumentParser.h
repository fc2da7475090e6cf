#pragma once

#include <QHash>
#include <QSet>
#include <QStringList>

namespace si::cli {

// Command-line parsing for sessionctl's "command subcommand [options] [args]" shape, which
// QCommandLineParser does not model. Options are `--name value`, `--name=value` or flags;
// `--` ends options; `-` is a positional (stdin).
class ArgumentParser {
public:
    // Options that take a value and flags that do not, without the leading "--".
    ArgumentParser(QSet<QString> valueOptions, QSet<QString> flags);

    // Returns false with errorText() set on an unknown option or a missing value.
    bool parse(const QStringList &arguments);

    const QStringList &positionals() const { return m_positionals; }
    bool isSet(const QString &name) const { return m_flags.contains(name) || m_values.contains(name); }
    QString value(const QString &name, const QString &fallback = {}) const { return m_values.value(name, fallback); }
    QString errorText() const { return m_error; }

private:
    QSet<QString> m_valueOptions;
    QSet<QString> m_knownFlags;
    QStringList m_positionals;
    QHash<QString, QString> m_values;
    QSet<QString> m_flags;
    QString m_error;
};

} // namespace si::cli
