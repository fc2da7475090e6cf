#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

// QVERIFY for a Result or Status that shows the error when it fails.
#define QVERIFY_OK(expr)                                                                                               \
    do {                                                                                                               \
        const auto &r_ = (expr);                                                                                       \
        QVERIFY2(r_.ok(), r_.ok() ? "" : qPrintable(r_.error().toString()));                                           \
    } while (false)

namespace si::test {

// Hex (whitespace allowed) to bytes; aborts the test program on invalid input.
QByteArray fromHex(const char *hex);
QString sourcePath(const QString &relative);
QString binaryPath(const QString &relative);
// True when SI_REQUIRE_SERVICES=1: a missing server, peer or tool is then a failure, not a skip.
bool servicesRequired();

struct ProcessResult {
    int exitCode = -1; // -1: crashed or timed out
    QByteArray out;
    QByteArray err;
};
// Runs build/bin/sessionctl with `args`, the environment plus `env` (SI_SECRET and SI_SECRET_FILE
// removed unless `env` sets them), and `input` on stdin.
// Under scripts/test.sh, which sets SI_TEST_ARTIFACTS, files and output the tests produce are kept
// there for the secret scan that follows the suites (tests/security/scan-secrets.sh); otherwise
// nothing is kept.
//
// Appends `bytes` (a process's error output, a server's log) to <SI_TEST_ARTIFACTS>/<what>.log.
void keepForSecretScan(const QString &what, const QByteArray &bytes);
// A test's scratch directory (audit logs, settings, databases): removed afterwards, or kept under
// SI_TEST_ARTIFACTS.
class ScratchDir {
public:
    ScratchDir();
    bool isValid() const { return m_dir.isValid(); }
    QString path() const { return m_dir.path(); }
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
};

ProcessResult runSessionctl(const QStringList &args, const QHash<QString, QString> &env = {},
                            const QByteArray &input = {}, int timeoutMs = 60000);

} // namespace si::test

namespace si::json {
class Object;
}
namespace si::jose {
class Jwk;
}

namespace si::test {

// The claims of a valid back-channel logout token from `issuer` for `clientId` (fresh jti, iat
// now, exp in two minutes, the logout event, sub "alice", sid "sid-a1").
json::Object logoutTokenClaims(const QString &issuer, const QString &clientId, qint64 now);
// `claims` signed RS256 with `key` (whose kid goes in the header), with `typ` when given.
QByteArray signJwt(const json::Object &claims, const jose::Jwk &key, const char *typ);
// base64url of the compact JSON of `object` (for hand-made JWT parts).
QByteArray base64UrlJson(const json::Object &object);

} // namespace si::test

namespace si {
struct StateData;
}

namespace si::test {

// Session data written by an attacker: markup that a rich-text label would render (a 40 pt
// heading and a link), terminal escapes (clear screen, set the window title, bell, C1 CSI) and
// a right-to-left override. Whatever shows them must show them literally and inert.
extern const QString kHostileName;  // "<h1 style='font-size:40pt'>X</h1><a href=…>click</a>"
extern const QString kHostileEmail; // ESC[2J ESC]0;title BEL … @example.test
extern const QString kHostileSub;   // "auth0|" + RTL override + markup
extern const QString kHostileSid;   // C1 CSI and a line separator

// A session of that user: claims, an ID token (RS256, a signature no key verifies, a hostile
// `kid` and issuer inside) and an access token, issued by `issuer`, created `now`.
StateData hostileSession(const QString &issuer, qint64 now);
// Bytes a terminal would act on: C0 but \n, DEL, UTF-8 C1, bidi controls, line separators.
// The first offending position, or -1.
qsizetype firstTerminalControl(const QByteArray &utf8);

} // namespace si::test
