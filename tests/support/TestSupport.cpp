#include "TestSupport.h"

#include <QtGlobal>

namespace si::test {

QByteArray fromHex(const char *hex)
{
    QByteArray compact;
    for (const char *p = hex; *p; ++p) {
        const char c = *p;
        if (c == ' ' || c == '\n' || c == '\t')
            continue;
        const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!ok)
            qFatal("fromHex: invalid character");
        compact.append(c);
    }
    if (compact.size() % 2)
        qFatal("fromHex: odd length");
    return QByteArray::fromHex(compact);
}

QString sourcePath(const QString &relative)
{
    return QStringLiteral(SI_SOURCE_DIR "/") + relative;
}

QString binaryPath(const QString &relative)
{
    return QStringLiteral(SI_BINARY_DIR "/") + relative;
}

bool servicesRequired()
{
    return qEnvironmentVariable("SI_REQUIRE_SERVICES") == QLatin1String("1");
}

} // namespace si::test
