#include "core/envelope/EnvelopeCipher.h"
#include "core/jose/Jwk.h"
#include "core/json/Json.h"
#include "stores/cookie/Auth0CookieChunks.h"
#include "tests/support/TestSupport.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace si;

namespace {

using Run = test::ProcessResult;

const char kSecret[] = "s3cr3t-for-sessionctl-tests";
const QByteArray kState = R"({"user": {"sub": "auth0|42", "email": "ann@example.com"}, "id_token": null, )"
                          R"("refresh_token": "rt-value", "token_sets": [], "connection_token_sets": [], )"
                          R"("domain": null, "internal": {"sid": "sid-42", "created_at": 1700000000}})";

Run sessionctl(const QStringList &args, const QHash<QString, QString> &env = {}, const QByteArray &input = {})
{
    return test::runSessionctl(args, env, input);
}

QHash<QString, QString> withSecret(const QString &secret = QString::fromLatin1(kSecret))
{
    return {{QStringLiteral("SI_SECRET"), secret}};
}

QByteArray encryptHere(const char *secret, const QString &salt, const QByteArray &plaintext)
{
    QList<crypto::SecureBytes> list{crypto::SecureBytes(QByteArrayView(secret))};
    return EnvelopeCipher(SecretList(list)).encrypt(salt, plaintext).value();
}

int lineCount(const QByteArray &text)
{
    return int(text.trimmed().count('\n')) + (text.trimmed().isEmpty() ? 0 : 1);
}

} // namespace

class TestSessionctl : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void decryptPrintsJson();
    void decryptFromStdinAndFile();
    void tamperedTokenExits3WithOneLine();
    void wrongSecretExits3();
    void rotationFromSecretFile();
    void missingSecretIsUsage();
    void encryptThenDecrypt();
    void encryptRejectsInvalidJson();
    void cookieDecodeReassemblesChunks();
    void cookieDecodeErrors_data();
    void cookieDecodeErrors();
    void usageErrors_data();
    void usageErrors();
    void secretsNeverPrinted();
    void verifyLogoutAcceptsValidTokens();
    void verifyLogoutRejections_data();
    void verifyLogoutRejections();
    void verifyLogoutWithJwksUrl();
    void verifyLogoutErrors_data();
    void verifyLogoutErrors();
    void forgedContentIsExactInPipesAndInertOnATerminal();

private:
    QStringList verifyLogout(const QStringList &extra = {}) const;

    jose::Jwk m_key = jose::Jwk::generate(jose::Jwk::KeyType::Rsa, 2048, {}, QStringLiteral("k1")).value();
    jose::Jwk m_otherKey = jose::Jwk::generate(jose::Jwk::KeyType::Rsa, 2048, {}, QStringLiteral("k1")).value();
    test::ScratchDir m_dir;
    QString m_jwksFile;
    QByteArray m_jwks;
};

namespace {

const QString kIssuer = QStringLiteral("https://idp.example.test/");
const QString kClient = QStringLiteral("app-1");

qint64 now()
{
    return QDateTime::currentSecsSinceEpoch();
}

} // namespace

QStringList TestSessionctl::verifyLogout(const QStringList &extra) const
{
    return QStringList{QStringLiteral("token"),       QStringLiteral("verify-logout"),
                       QStringLiteral("--issuer"),    kIssuer,
                       QStringLiteral("--client-id"), kClient,
                       QStringLiteral("--jwks"),      m_jwksFile} +
           extra;
}

void TestSessionctl::decryptPrintsJson()
{
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), kState);
    const Run r = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QString::fromLatin1(token)},
                             withSecret());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, kState + '\n');
    QVERIFY(r.err.isEmpty());

    const Run pretty = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--pretty"),
                                   QStringLiteral("--salt=_a0_session"), QString::fromLatin1(token)},
                                  withSecret());
    QCOMPARE(pretty.exitCode, 0);
    QVERIFY(pretty.out.startsWith("{\n  \"user\": {\n    \"sub\": \"auth0|42\""));
}

void TestSessionctl::decryptFromStdinAndFile()
{
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), kState);
    const Run fromStdin = sessionctl(
        {QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"), QStringLiteral("_a0_session")},
        withSecret(), token + "\n");
    QCOMPARE(fromStdin.exitCode, 0);
    QCOMPARE(fromStdin.out, kState + '\n');

    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("token.txt")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(token + "\r\n");
    file.close();
    const Run fromFile = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                                     QStringLiteral("_a0_session"), QLatin1Char('@') + file.fileName()},
                                    withSecret());
    QCOMPARE(fromFile.exitCode, 0);
    QCOMPARE(fromFile.out, kState + '\n');
}

void TestSessionctl::tamperedTokenExits3WithOneLine()
{
    QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), kState);
    const qsizetype tagStart = token.lastIndexOf('.') + 1;
    token[tagStart + 3] = token[tagStart + 3] == 'A' ? 'B' : 'A';
    const Run r = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QString::fromLatin1(token)},
                             withSecret());
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(lineCount(r.err), 1);
    QVERIFY2(r.err.contains("authentication tag mismatch"), r.err.constData());

    const Run truncated = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                                      QStringLiteral("_a0_session"), QString::fromLatin1(token.left(40))},
                                     withSecret());
    QCOMPARE(truncated.exitCode, 3);
    QCOMPARE(lineCount(truncated.err), 1);
    QVERIFY2(truncated.err.contains("expected 5 dot-separated parts"), truncated.err.constData());
}

void TestSessionctl::wrongSecretExits3()
{
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), kState);
    const Run r = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QString::fromLatin1(token)},
                             withSecret(QStringLiteral("not-the-secret")));
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.err.contains("wrong secret or salt"));
}

void TestSessionctl::rotationFromSecretFile()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("secrets")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("# current first\nbrand-new\n");
    file.write(kSecret);
    file.write("\n");
    file.close();
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), kState);
    const Run r = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QStringLiteral("--secret-file"), file.fileName(),
                              QString::fromLatin1(token)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, kState + '\n');
    QVERIFY2(r.err.contains("opened with secret #2"), r.err.constData());

    // SI_SECRET_FILE works the same and --secret-file wins over SI_SECRET.
    const Run viaEnv = sessionctl(
        {QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"), QStringLiteral("_a0_session"),
         QString::fromLatin1(token)},
        {{QStringLiteral("SI_SECRET_FILE"), file.fileName()}, {QStringLiteral("SI_SECRET"), QStringLiteral("wrong")}});
    QCOMPARE(viaEnv.exitCode, 0);
}

void TestSessionctl::missingSecretIsUsage()
{
    const Run r = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QStringLiteral("a.b.c.d.e")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("no application secret"));
    const Run badFile = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                                    QStringLiteral("_a0_session"), QStringLiteral("--secret-file"),
                                    QStringLiteral("/nonexistent/file"), QStringLiteral("a.b.c.d.e")});
    QCOMPARE(badFile.exitCode, 1);
    QVERIFY(badFile.err.contains("cannot read the secret file"));
}

void TestSessionctl::encryptThenDecrypt()
{
    // Compact input is re-serialized like Python's json.dumps; --as-is keeps the bytes.
    const Run enc = sessionctl(
        {QStringLiteral("crypto"), QStringLiteral("encrypt"), QStringLiteral("--salt"), QStringLiteral("_a0_session"),
         QStringLiteral(R"({"user":{"sub":"u","name":"Zoë"},"internal":{"sid":"s","created_at":1}})")},
        withSecret());
    QCOMPARE(enc.exitCode, 0);
    QVERIFY(enc.out.startsWith("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0.."));
    const Run dec = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                                QStringLiteral("_a0_session"), QString::fromLatin1(enc.out.trimmed())},
                               withSecret());
    QCOMPARE(dec.exitCode, 0);
    QCOMPARE(dec.out,
             QByteArray(R"({"user": {"sub": "u", "name": "Zo\u00eb"}, "internal": {"sid": "s", "created_at": 1}})"
                        "\n"));

    const Run asIs = sessionctl({QStringLiteral("crypto"), QStringLiteral("encrypt"), QStringLiteral("--as-is"),
                                 QStringLiteral("--salt"), QStringLiteral("_a0_tx:abc"), QStringLiteral("-")},
                                withSecret(), R"({"code_verifier":"v"})");
    QCOMPARE(asIs.exitCode, 0);
    const Run back = sessionctl({QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                                 QStringLiteral("_a0_tx:abc"), QString::fromLatin1(asIs.out.trimmed())},
                                withSecret());
    QCOMPARE(back.out, QByteArray("{\"code_verifier\":\"v\"}\n"));

    // A session-shaped salt with non-session JSON encrypts but warns.
    const Run warned = sessionctl({QStringLiteral("crypto"), QStringLiteral("encrypt"), QStringLiteral("--salt"),
                                   QStringLiteral("_a0_session"), QStringLiteral(R"({"token_sets": 5})")},
                                  withSecret());
    QCOMPARE(warned.exitCode, 0);
    QVERIFY(warned.err.contains("warning: this is not valid auth0 session state"));
}

void TestSessionctl::encryptRejectsInvalidJson()
{
    const Run r = sessionctl({QStringLiteral("crypto"), QStringLiteral("encrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QStringLiteral("{not json")},
                             withSecret());
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.contains("the input is not JSON"));
}

void TestSessionctl::cookieDecodeReassemblesChunks()
{
    // A large session: several chunks, sent out of order among unrelated cookies.
    QByteArray big = kState;
    big.replace("\"rt-value\"", "\"" + QByteArray(9000, 'r') + "\"");
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), big);
    const QList<Cookie> chunks = stores::Auth0CookieChunks::split(token, QStringLiteral("_a0_session"));
    QCOMPARE(chunks.size(), 4);
    QByteArray header = "Cookie: theme=dark; ";
    for (int i : {2, 0, 3, 1})
        header += chunks[i].name + '=' + chunks[i].value + "; ";
    header += "_a0_tx=zzz";
    const Run r = sessionctl({QStringLiteral("cookie"), QStringLiteral("decode"), QStringLiteral("--cookie-header"),
                              QString::fromLatin1(header)},
                             withSecret());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, big + '\n');

    const Run viaStdin = sessionctl(
        {QStringLiteral("cookie"), QStringLiteral("decode"), QStringLiteral("--cookie-header"), QStringLiteral("-")},
        withSecret(), header);
    QCOMPARE(viaStdin.exitCode, 0);
    QCOMPARE(viaStdin.out, big + '\n');
}

void TestSessionctl::cookieDecodeErrors_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("gap") << QByteArray("_a0_session_0=a; _a0_session_2=c") << 3
                         << QByteArray("session chunk _a0_session_1 is missing (chunks present: 0,2)");
    QTest::newRow("bare name") << QByteArray("_a0_session=abc") << 3
                               << QByteArray("a cookie named exactly \"_a0_session\" is not a session chunk");
    QTest::newRow("no session") << QByteArray("theme=dark") << 2 << QByteArray("no session cookie in the header");
    QTest::newRow("not an envelope") << QByteArray("_a0_session_0=hello") << 3
                                     << QByteArray("expected 5 dot-separated parts");
}

void TestSessionctl::cookieDecodeErrors()
{
    QFETCH(QByteArray, header);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, message);
    const Run r = sessionctl({QStringLiteral("cookie"), QStringLiteral("decode"), QStringLiteral("--cookie-header"),
                              QString::fromLatin1(header)},
                             withSecret());
    QCOMPARE(r.exitCode, exitCode);
    QCOMPARE(lineCount(r.err), 1);
    QVERIFY2(r.err.contains(message), r.err.constData());
}

void TestSessionctl::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("no command") << QStringList() << 1 << QByteArray("Usage: sessionctl");
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << 1
                                     << QByteArray("unknown command 'frobnicate'");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("crypto"), QStringLiteral("decrypt"),
                                                   QStringLiteral("--bogus")}
                                    << 1 << QByteArray("unknown option --bogus");
    QTest::newRow("missing salt") << QStringList{QStringLiteral("crypto"), QStringLiteral("decrypt"),
                                                 QStringLiteral("x")}
                                  << 1 << QByteArray("crypto decrypt needs --salt");
    QTest::newRow("option without value")
        << QStringList{QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt")} << 1
        << QByteArray("option --salt needs a value");
    QTest::newRow("too many arguments") << QStringList{QStringLiteral("crypto"), QStringLiteral("decrypt"),
                                                       QStringLiteral("--salt"), QStringLiteral("s"),
                                                       QStringLiteral("a"),      QStringLiteral("b")}
                                        << 1 << QByteArray("too many arguments");
    QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0 << QByteArray();
}

void TestSessionctl::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, message);
    const Run r = sessionctl(args, withSecret());
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(message), r.err.constData());
    if (exitCode == 0)
        QVERIFY(r.out.contains("crypto decrypt"));
}

void TestSessionctl::secretsNeverPrinted()
{
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), kState);
    const QList<QStringList> runs = {
        {QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"), QStringLiteral("x"),
         QString::fromLatin1(token)},
        {QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"), QStringLiteral("_a0_session"),
         QString::fromLatin1(token.left(token.size() - 2))},
        {QStringLiteral("cookie"), QStringLiteral("decode"), QStringLiteral("--cookie-header"),
         QStringLiteral("_a0_session_0=") + QString::fromLatin1(token) + QStringLiteral("x")},
    };
    for (const QStringList &args : runs) {
        const Run r = sessionctl(args, withSecret());
        QVERIFY(r.exitCode != 0);
        QVERIFY(!r.err.contains(kSecret));
        QVERIFY(!r.err.contains(token.mid(60, 20)));
        QVERIFY(!r.out.contains(kSecret));
    }
}

// A key pair for the logout tokens; its public half as a JWKS file and document.
void TestSessionctl::initTestCase()
{
    json::Array keys;
    keys.push_back(m_key.publicJson());
    json::Object doc;
    doc.append("keys", std::move(keys));
    const std::string text = json::serialize(json::Value(std::move(doc)), json::Style::Compact);
    m_jwks = QByteArray::fromStdString(text);
    m_jwksFile = m_dir.filePath(QStringLiteral("jwks.json"));
    QFile file(m_jwksFile);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(m_jwks);
    file.close();
}

void TestSessionctl::verifyLogoutAcceptsValidTokens()
{
    // sub and sid: the claims on stdout, what it would do on stderr.
    const QByteArray token = test::signJwt(test::logoutTokenClaims(kIssuer, kClient, now()), m_key, "logout+jwt");
    const Run r = sessionctl(verifyLogout({QString::fromLatin1(token)}));
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.contains("valid logout token: ends session sid-a1 of alice"), r.err.constData());
    auto claims = json::parse(r.out);
    QVERIFY(claims.ok());
    QCOMPARE(claims->get("sub")->toQString(), QStringLiteral("alice"));
    QCOMPARE(claims->get("iss")->toQString(), kIssuer);

    // sub only, pasted as the back-channel request body on stdin.
    json::Object subOnly = test::logoutTokenClaims(kIssuer, kClient, now());
    subOnly.remove("sid");
    const QByteArray body = "logout_token=" + test::signJwt(subOnly, m_key, "logout+jwt") + "&state=x";
    const Run fromBody = sessionctl(verifyLogout({QStringLiteral("-")}), {}, body);
    QCOMPARE(fromBody.exitCode, 0);
    QVERIFY2(fromBody.err.contains("logs alice out everywhere"), fromBody.err.constData());

    // sid only, from a file.
    json::Object sidOnly = test::logoutTokenClaims(kIssuer, kClient, now());
    sidOnly.remove("sub");
    QFile tokenFile(m_dir.filePath(QStringLiteral("token.jwt")));
    QVERIFY(tokenFile.open(QIODevice::WriteOnly));
    tokenFile.write(test::signJwt(sidOnly, m_key, nullptr) + "\n");
    tokenFile.close();
    const Run fromFile = sessionctl(verifyLogout({QLatin1Char('@') + tokenFile.fileName()}));
    QCOMPARE(fromFile.exitCode, 0);
    QVERIFY2(fromFile.err.contains("ends session sid-a1"), fromFile.err.constData());
}

void TestSessionctl::verifyLogoutRejections_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QStringList>("extra");
    QTest::addColumn<QByteArray>("rule");
    auto with = [this](auto edit) {
        json::Object c = test::logoutTokenClaims(kIssuer, kClient, now());
        edit(c);
        return test::signJwt(c, m_key, "logout+jwt");
    };
    const auto valid = test::logoutTokenClaims(kIssuer, kClient, now());
    QTest::newRow("foreign key") << test::signJwt(valid, m_otherKey, "logout+jwt") << QStringList()
                                 << QByteArray("signature");
    QTest::newRow("algorithm not accepted")
        << test::signJwt(valid, m_key, "logout+jwt")
        << QStringList{QStringLiteral("--algorithms"), QStringLiteral("ES256,PS256")} << QByteArray("signature");
    QTest::newRow("wrong iss") << with([](json::Object &c) { c.set("iss", "https://evil.test/"); }) << QStringList()
                               << QByteArray("iss");
    QTest::newRow("wrong aud") << with([](json::Object &c) { c.set("aud", "other"); }) << QStringList()
                               << QByteArray("aud");
    QTest::newRow("nonce") << with([](json::Object &c) { c.append("nonce", "n"); }) << QStringList()
                           << QByteArray("nonce");
    QTest::newRow("too old for --max-age")
        << with([](json::Object &c) { c.set("iat", std::int64_t(now() - 200)); })
        << QStringList{QStringLiteral("--max-age"), QStringLiteral("100")} << QByteArray("iat");
    QTest::newRow("not a JWT") << QByteArray("not.a-jwt") << QStringList() << QByteArray("format");
}

void TestSessionctl::verifyLogoutRejections()
{
    QFETCH(QByteArray, token);
    QFETCH(QStringList, extra);
    QFETCH(QByteArray, rule);
    const Run r = sessionctl(verifyLogout(extra + QStringList{QString::fromLatin1(token)}));
    QCOMPARE(r.exitCode, 4);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(lineCount(r.err), 1);
    QVERIFY2(r.err.startsWith("sessionctl: verify-logout: logout token refused: " + rule), r.err.constData());
}

void TestSessionctl::verifyLogoutWithJwksUrl()
{
    QHttpServer server;
    int requests = 0;
    server.route(QStringLiteral("/jwks"), [&] {
        ++requests;
        return QHttpServerResponse(QByteArrayLiteral("application/json"), m_jwks);
    });
    const quint16 port = server.listen(QHostAddress::LocalHost, 0);
    QVERIFY(port != 0);
    const QString url = QStringLiteral("http://127.0.0.1:%1/jwks").arg(port);
    const QByteArray token = test::signJwt(test::logoutTokenClaims(kIssuer, kClient, now()), m_key, "logout+jwt");
    // sessionctl runs in another process while this one serves the JWKS: run it asynchronously.
    QProcess p;
    p.start(test::binaryPath(QStringLiteral("bin/sessionctl")),
            {QStringLiteral("token"), QStringLiteral("verify-logout"), QStringLiteral("--issuer"), kIssuer,
             QStringLiteral("--client-id"), kClient, QStringLiteral("--jwks"), url, QString::fromLatin1(token)});
    QTRY_VERIFY_WITH_TIMEOUT(p.state() == QProcess::NotRunning, 30000);
    QCOMPARE(p.exitCode(), 0);
    QCOMPARE(requests, 1);
    QVERIFY(p.readAllStandardError().contains("valid logout token"));
}

void TestSessionctl::verifyLogoutErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("message");
    const QString token =
        QString::fromLatin1(test::signJwt(test::logoutTokenClaims(kIssuer, kClient, now()), m_key, "logout+jwt"));
    const QStringList base{QStringLiteral("token"),       QStringLiteral("verify-logout"),
                           QStringLiteral("--issuer"),    kIssuer,
                           QStringLiteral("--client-id"), kClient};
    QTest::newRow("no --jwks") << base + QStringList{token} << 1
                               << QByteArray("needs --issuer, --client-id and --jwks");
    QTest::newRow("JWKS file missing") << base + QStringList{QStringLiteral("--jwks"),
                                                             QStringLiteral("/nonexistent/jwks.json"), token}
                                       << 1 << QByteArray("cannot read the JWKS file");
    QTest::newRow("JWKS file not JSON") << base + QStringList{QStringLiteral("--jwks"),
                                                              test::sourcePath(QStringLiteral("README.md")), token}
                                        << 3 << QByteArray("the JWKS file is not usable");
    QTest::newRow("JWKS URL unreachable")
        << base + QStringList{QStringLiteral("--jwks"), QStringLiteral("http://127.0.0.1:9/jwks"), token} << 5
        << QByteArray("Connection refused");
    QTest::newRow("unknown algorithm") << base + QStringList{QStringLiteral("--jwks"), QStringLiteral("/dev/null"),
                                                             QStringLiteral("--algorithms"), QStringLiteral("none"),
                                                             token}
                                       << 1 << QByteArray("unknown signature algorithm");
}

void TestSessionctl::verifyLogoutErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, message);
    const Run r = sessionctl(args);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(message), r.err.constData());
}

void TestSessionctl::forgedContentIsExactInPipesAndInertOnATerminal()
{
    // An envelope someone with the secret forged: raw terminal controls in the plaintext.
    const QByteArray forged = "{\"user\": {\"sub\": \"\x1b]0;owned\x07\xe2\x80\xae\", \"n\": \"\x1b[2J\"}}";
    const QByteArray token = encryptHere(kSecret, QStringLiteral("_a0_session"), forged);
    const QStringList decrypt{QStringLiteral("crypto"), QStringLiteral("decrypt"), QStringLiteral("--salt"),
                              QStringLiteral("_a0_session"), QString::fromLatin1(token)};
    // Into a pipe: the exact bytes (scripts get what was stored).
    const Run piped = sessionctl(decrypt, withSecret());
    QCOMPARE(piped.exitCode, 0);
    QCOMPARE(piped.out, forged + '\n');
    // Onto a terminal (a pseudo-terminal through script(1)): escaped.
    QProcess terminal;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SI_SECRET"), QString::fromLatin1(kSecret));
    terminal.setProcessEnvironment(env);
    terminal.start(QStringLiteral("script"),
                   {QStringLiteral("-qec"),
                    QStringLiteral("%1 %2").arg(test::binaryPath(QStringLiteral("bin/sessionctl")), decrypt.join(u' ')),
                    QStringLiteral("/dev/null")});
    QVERIFY2(terminal.waitForFinished(30000), "script(1) did not finish");
    QCOMPARE(terminal.exitCode(), 0);
    const QByteArray shown = terminal.readAllStandardOutput();
    QVERIFY2(shown.contains(R"({"user": {"sub": "\x1b]0;owned\x07\u202e", "n": "\x1b[2J"}})"), shown.constData());
    QCOMPARE(test::firstTerminalControl(QByteArray(shown).replace('\r', "")), -1);

    // A verified logout token's subject in the note on stderr.
    json::Object claims = test::logoutTokenClaims(kIssuer, kClient, now());
    claims.append("sub", test::kHostileSub);
    claims.append("sid", test::kHostileSid);
    const Run verified = sessionctl(verifyLogout({QString::fromLatin1(test::signJwt(claims, m_key, "logout+jwt"))}));
    QCOMPARE(verified.exitCode, 0);
    QCOMPARE(test::firstTerminalControl(verified.err), -1);
    QCOMPARE(test::firstTerminalControl(verified.out), -1);
    QVERIFY2(verified.err.contains("ends session sid-\\x9b2J\\u2028next of auth0|\\u202e<b>gnp.exe</b>"),
             verified.err.constData());
    QVERIFY(verified.out.contains(R"("sub": "auth0|\u202e<b>gnp.exe</b>")"));
}

QTEST_GUILESS_MAIN(TestSessionctl)
#include "TestSessionctl.moc"
