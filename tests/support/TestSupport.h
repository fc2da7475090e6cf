#pragma once

#include <QByteArray>
#include <QString>

namespace si::test {

// Hex (whitespace allowed) to bytes; aborts the test program on invalid input.
QByteArray fromHex(const char *hex);
QString sourcePath(const QString &relative);
QString binaryPath(const QString &relative);
// True when SI_REQUIRE_SERVICES=1: a missing server, peer or tool is then a failure, not a skip.
bool servicesRequired();

} // namespace si::test
