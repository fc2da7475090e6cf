// Offline parts of the inspector: Fernet (the spec's published vectors), layouts, redaction,
// filters, time parsing, the audit log file, the seed generator and the token inspector's
// decoding (which strings are tokens, expiry states, signed seeds that verify).

#include "core/crypto/Fernet.h"
#include "core/envelope/EnvelopeCipher.h"
#include "core/inspector/AuditLog.h"
#include "core/inspector/Redaction.h"
#include "core/inspector/SeedGenerator.h"
#include "core/inspector/SessionBackend.h"
#include "core/inspector/SessionExport.h"
#include "core/jose/Jws.h"
#include "core/json/Json.h"
#include "core/oidc/TokenInspection.h"
#include "tests/support/TestSupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace si;
using namespace si::inspector;

namespace {

// github.com/fernet/spec generate.json and verify.json.
const QByteArray kSpecSecret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const QByteArray kSpecToken =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==";
constexpr qint64 kSpecNow = 499162800; // 1985-10-26T01:20:00-07:00

RawSession raw(const QString &id, const QByteArray &value)
{
    RawSession r;
    r.id = id;
    r.value = value;
    return r;
}

SecretList secretOf(const QByteArray &text)
{
    return SecretList({crypto::SecureBytes(QByteArrayView(text))});
}

} // namespace

class TestInspectorUnits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fernetSpecVectorDecrypts();
    void fernetSpecVectorEncrypts();
    void fernetRejectsAlteredTokens_data();
    void fernetRejectsAlteredTokens();
    void fernetWrongKey();
    void layoutNamesRoundTrip();
    void nativeLayoutBindsTheId();
    void auth0CookieLayoutOpensWhatTheCookieStoreWrites();
    void starsessionsKeyValidation();
    void everyLayoutReadsWhatItWrites();
    void findClaimsInDocumentsOfUnknownShape();
    void redactionMasksCredentialsOnly();
    void cookieFormSize();
    void filterMatching();
    void timesAndDurations();
    void auditLogIsPrivateAndSkipsGarbage();
    void seedIsDeterministicAndRealistic();
    void tokenInspectionFindsJwtsOnly();
    void signedSeedsVerifyWithTheirKeyOnly();
    void jwksFromAFileHoldingOneKey();
    void csvCellsCannotRunOrBreakTheTable_data();
    void csvCellsCannotRunOrBreakTheTable();
};

void TestInspectorUnits::csvCellsCannotRunOrBreakTheTable_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("cell");
    QTest::newRow("formula") << QStringLiteral("=HYPERLINK(\"x\")") << QStringLiteral("\"'=HYPERLINK(\"\"x\"\")\"");
    QTest::newRow("plus") << QStringLiteral("+1") << QStringLiteral("'+1");
    QTest::newRow("minus") << QStringLiteral("-1+1") << QStringLiteral("'-1+1");
    QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
    QTest::newRow("tab") << QStringLiteral("\t=1+1") << QStringLiteral("'\\x09=1+1");
    QTest::newRow("carriage return") << QStringLiteral("\r=1+1") << QStringLiteral("'\\x0d=1+1");
    QTest::newRow("inner newline") << QStringLiteral("a\r\nb") << QStringLiteral("a\\x0d\\x0ab");
    QTest::newRow("escape") << QStringLiteral("\x1b[2J\u202e") << QStringLiteral("\\x1b[2J\\u202e");
    QTest::newRow("comma") << QStringLiteral("Doe, Jane") << QStringLiteral("\"Doe, Jane\"");
    QTest::newRow("plain") << QStringLiteral("Jane") << QStringLiteral("Jane");
}

void TestInspectorUnits::csvCellsCannotRunOrBreakTheTable()
{
    QFETCH(QString, name);
    QFETCH(QString, cell);
    inspector::SessionRow row;
    row.id = QStringLiteral("id1");
    row.summary.name = name;
    const inspector::SessionExporter exporter(inspector::SessionExporter::Format::Csv, true);
    std::string line;
    exporter.append(row, nullptr, line);
    const QString text = QString::fromStdString(line);
    QVERIFY(text.endsWith(QLatin1Char('\n')));
    QCOMPARE(text.count(QLatin1Char('\n')), 1); // one record per line, whatever the data
    // id,sub,sid,iss,email,name,…: the sixth cell.
    QVERIFY2(text.startsWith(QStringLiteral("id1,,,,,") + cell + QLatin1Char(',')), qPrintable(text));
}

void TestInspectorUnits::tokenInspectionFindsJwtsOnly()
{
    const qint64 now = 1800000000;
    auto key = jose::Jwk::generate(jose::Jwk::KeyType::Ec, 0, QStringLiteral("P-256"), QStringLiteral("k"));
    QVERIFY_OK(key);
    const auto token = [&](const char *claims) {
        auto signed_ = jose::Jws::sign(jose::SignatureAlgorithm::ES256, json::Object{}, QByteArray(claims), *key);
        return signed_ ? QString::fromLatin1(*signed_) : QString();
    };
    json::Object sets;
    json::Array list;
    json::Object set;
    set.append("access_token", token(R"({"aud":"https://api.example/","exp":1800000600})"));
    list.emplace_back(std::move(set));
    json::Object doc;
    doc.append("id_token", token(R"({"iss":"i","exp":1799999000})"));
    doc.append("refresh_token", "v1.MAbc.def"); // opaque: not listed
    doc.append("note", "see e.g. the docs");    // dots, but no JOSE header
    doc.append("token_sets", json::Value(std::move(list)));
    // A JWE (five segments): listed, its claims unreadable.
    doc.append("encrypted", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aXY.Y2lwaGVy.dGFn");
    doc.append("later", token(R"({"nbf":1800000100,"exp":1800009000})"));
    doc.append("forever", token(R"({"sub":"x"})"));
    doc.append("broken", "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln"); // a header, a payload that is not JSON

    const QList<oidc::TokenInspection> found = oidc::inspectTokens(json::Value(std::move(doc)), now);
    QCOMPARE(found.size(), 6);
    QCOMPARE(found[0].path, QStringLiteral("id_token"));
    QCOMPARE(found[0].label, QStringLiteral("ID token"));
    QCOMPARE(found[0].expiry, oidc::TokenInspection::Expiry::Expired);
    QCOMPARE(found[0].expiryText(now), QStringLiteral("expired 16 min ago"));
    QCOMPARE(found[1].path, QStringLiteral("token_sets[0].access_token"));
    QCOMPARE(found[1].label, QStringLiteral("Access token for https://api.example/"));
    QCOMPARE(found[1].expiry, oidc::TokenInspection::Expiry::Valid);
    QCOMPARE(found[1].expiryText(now), QStringLiteral("valid, expires in 10 min"));
    QCOMPARE(found[2].path, QStringLiteral("encrypted"));
    QVERIFY(!found[2].jwt);
    QVERIFY(found[2].problem.contains(QStringLiteral("JWE")));
    QCOMPARE(found[3].expiry, oidc::TokenInspection::Expiry::NotYetValid);
    QCOMPARE(found[3].expiryText(now), QStringLiteral("not valid yet (nbf is in 1 min)"));
    QCOMPARE(found[4].expiry, oidc::TokenInspection::Expiry::NoExpiry);
    QCOMPARE(found[5].path, QStringLiteral("broken"));
    QVERIFY(!found[5].jwt);
    QVERIFY(!found[5].problem.isEmpty());
    QCOMPARE(oidc::describeSpan(2 * 86400 + 3 * 3600 + 5), QStringLiteral("2 d 3 h"));
    QCOMPARE(oidc::describeSpan(-3725), QStringLiteral("1 h 2 min"));
    QCOMPARE(oidc::describeSpan(59), QStringLiteral("59 s"));
    QVERIFY(!oidc::inspectableAlgorithms().contains(jose::SignatureAlgorithm::HS256));
}

void TestInspectorUnits::signedSeedsVerifyWithTheirKeyOnly()
{
    for (const auto &[type, curve, alg] :
         {std::tuple{jose::Jwk::KeyType::Ec, QStringLiteral("P-256"), jose::SignatureAlgorithm::ES256},
          std::tuple{jose::Jwk::KeyType::Okp, QStringLiteral("Ed25519"), jose::SignatureAlgorithm::EdDSA}}) {
        auto key = jose::Jwk::generate(type, 0, curve, QStringLiteral("seed-key"));
        auto other = jose::Jwk::generate(type, 0, curve, QStringLiteral("seed-key"));
        QVERIFY_OK(key);
        QVERIFY_OK(other);
        QCOMPARE(SeedGenerator::signingAlgorithm(*key), alg);
        SeedGenerator::Options options;
        options.signingKey = *key;
        const SeedGenerator::Session s = SeedGenerator(options).session(7, SessionLayout::Kind::Native);
        const SeedGenerator::Session unsigned_ =
            SeedGenerator(SeedGenerator::Options{}).session(7, SessionLayout::Kind::Native);
        // Signing changes the tokens and nothing else.
        QCOMPARE(s.id, unsigned_.id);
        QCOMPARE(s.state.refreshToken, unsigned_.state.refreshToken);
        QVERIFY(s.state.idToken != unsigned_.state.idToken);
        auto jws = jose::Jws::parse(s.state.idToken->toLatin1());
        QVERIFY_OK(jws);
        QCOMPARE(jws->kid, QStringLiteral("seed-key"));
        QVERIFY_OK(jose::Jws::verify(*jws, *key, jose::AlgorithmSet::asymmetric()));
        QVERIFY(!jose::Jws::verify(*jws, *other, jose::AlgorithmSet::asymmetric()));
        auto access = jose::Jws::parse(s.state.tokenSets.first().accessToken.toLatin1());
        QVERIFY_OK(access);
        QVERIFY_OK(jose::Jws::verify(*access, *key, jose::AlgorithmSet::asymmetric()));
    }
}

void TestInspectorUnits::jwksFromAFileHoldingOneKey()
{
    QTemporaryDir dir;
    auto key = jose::Jwk::generate(jose::Jwk::KeyType::Ec, 0, QStringLiteral("P-256"), QStringLiteral("one"));
    QVERIFY_OK(key);
    const QString path = dir.filePath(QStringLiteral("key.jwk"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(json::serialize(json::Value(key->json()), json::Style::Compact)));
    }
    auto set = jose::Jwks::fromFile(path);
    QVERIFY_OK(set);
    QCOMPARE(set->keys().size(), 1);
    QVERIFY(!set->keys().first().hasPrivateKey()); // a key set holds the public part only
    QCOMPARE(set->keys().first().kid(), QStringLiteral("one"));
    auto single = jose::Jwk::fromFile(path);
    QVERIFY_OK(single);
    QVERIFY(single->hasPrivateKey());
    // Unreadable and non-JSON files: errors that name the file, not its content.
    auto missing = jose::Jwks::fromFile(dir.filePath(QStringLiteral("absent.json")));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, ErrorCode::Io);
    {
        QFile f(dir.filePath(QStringLiteral("garbage.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("secret-looking garbage {");
    }
    auto garbage = jose::Jwks::fromFile(dir.filePath(QStringLiteral("garbage.json")));
    QVERIFY(!garbage);
    QCOMPARE(garbage.error().code, ErrorCode::MalformedInput);
    QVERIFY(!garbage.error().toString().contains(QStringLiteral("secret-looking")));
}

void TestInspectorUnits::fernetSpecVectorDecrypts()
{
    auto key = crypto::fernetKeyFromText(kSpecSecret);
    QVERIFY_OK(key);
    auto token = crypto::fernetDecrypt(*key, kSpecToken);
    QVERIFY_OK(token);
    QCOMPARE(token->plaintext, QByteArray("hello"));
    QCOMPARE(token->timestamp, kSpecNow);
}

void TestInspectorUnits::fernetSpecVectorEncrypts()
{
    auto key = crypto::fernetKeyFromText(kSpecSecret);
    QVERIFY_OK(key);
    QByteArray iv;
    for (char i = 0; i < 16; ++i)
        iv.append(i);
    auto token = crypto::fernetEncrypt(*key, "hello", kSpecNow, iv);
    QVERIFY_OK(token);
    QCOMPARE(*token, kSpecToken);
    // Random IVs otherwise: two tokens differ, both open.
    auto a = crypto::fernetEncrypt(*key, "hello", kSpecNow);
    auto b = crypto::fernetEncrypt(*key, "hello", kSpecNow);
    QVERIFY(*a != *b);
    QCOMPARE(crypto::fernetDecrypt(*key, *b)->plaintext, QByteArray("hello"));
}

void TestInspectorUnits::fernetRejectsAlteredTokens_data()
{
    // The spec's verify.json "invalid" cases, built from the valid token.
    QTest::addColumn<QByteArray>("token");
    const QByteArray raw = QByteArray::fromBase64(kSpecToken, QByteArray::Base64UrlEncoding);
    auto encode = [](const QByteArray &bytes) { return bytes.toBase64(QByteArray::Base64UrlEncoding); };
    QByteArray badMac = raw;
    badMac[raw.size() - 1] = char(badMac[raw.size() - 1] ^ 1);
    QByteArray badVersion = raw;
    badVersion[0] = char(0x81);
    QByteArray badCipher = raw;
    badCipher[30] = char(badCipher[30] ^ 1);
    QTest::newRow("incorrect mac") << encode(badMac);
    QTest::newRow("unknown version") << encode(badVersion);
    QTest::newRow("altered ciphertext") << encode(badCipher);
    QTest::newRow("too short") << encode(raw.left(40));
    QTest::newRow("payload size not multiple of block size") << encode(raw.left(raw.size() - 1));
    QTest::newRow("invalid base64") << QByteArray(
        "%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%%");
    QTest::newRow("empty") << QByteArray();
}

void TestInspectorUnits::fernetRejectsAlteredTokens()
{
    QFETCH(QByteArray, token);
    auto key = crypto::fernetKeyFromText(kSpecSecret);
    QVERIFY_OK(key);
    auto opened = crypto::fernetDecrypt(*key, token);
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::DecryptFailed);
}

void TestInspectorUnits::fernetWrongKey()
{
    const QByteArray other(32, 'k');
    auto opened = crypto::fernetDecrypt(other, kSpecToken);
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::DecryptFailed);
    QVERIFY(!crypto::fernetKeyFromText("c2hvcnQ="));                       // 5 bytes
    QVERIFY(!crypto::fernetDecrypt(QByteArray(16, 'k'), kSpecToken).ok()); // not a Fernet key size
}

void TestInspectorUnits::layoutNamesRoundTrip()
{
    QCOMPARE(SessionLayout::names().size(), 5);
    for (const QString &name : SessionLayout::names()) {
        const auto kind = SessionLayout::kindFromName(name);
        QVERIFY(kind.has_value());
        QCOMPARE(SessionLayout::kindName(*kind), name);
    }
    QVERIFY(!SessionLayout::kindFromName(u"spring-session"));
}

void TestInspectorUnits::nativeLayoutBindsTheId()
{
    auto layout = makeLayout(SessionLayout::Kind::Native, secretOf("native-secret"));
    QVERIFY_OK(layout);
    auto doc = json::parse(
        R"({"user":{"sub":"auth0|n","email":"N@Example.com"},"internal":{"sid":"s1","created_at":1700000000}})");
    QVERIFY_OK(doc);
    auto value = (*layout)->encode(QStringLiteral("id-1"), *doc);
    QVERIFY_OK(value);
    RawSession stored = raw(QStringLiteral("id-1"), *value);
    auto decoded = (*layout)->decode(stored);
    QVERIFY_OK(decoded);
    QCOMPARE(decoded->summary.sub, QStringLiteral("auth0|n"));
    QCOMPARE(decoded->summary.sid, QStringLiteral("s1"));
    QCOMPARE(decoded->summary.createdAt, 1700000000);
    // The same value under another id (a copied record) does not open.
    stored.id = QStringLiteral("id-2");
    QVERIFY(!(*layout)->decode(stored));
    QVERIFY(!makeLayout(SessionLayout::Kind::Native, {}));
}

void TestInspectorUnits::auth0CookieLayoutOpensWhatTheCookieStoreWrites()
{
    // auth0's stateless cookie: the envelope with the cookie name as salt, no key id.
    EnvelopeCipher cipher(secretOf("cookie-secret"));
    auto doc = json::parse(R"({"user":{"sub":"auth0|c"},"internal":{"sid":"sc","created_at":1700000000}})");
    auto value = cipher.encryptJson(QStringLiteral("_a0_session"), *doc);
    QVERIFY_OK(value);
    auto layout = makeLayout(SessionLayout::Kind::Auth0Cookie, secretOf("cookie-secret"));
    QVERIFY_OK(layout);
    auto decoded = (*layout)->decode(raw(QStringLiteral("_a0_session"), *value));
    QVERIFY_OK(decoded);
    QCOMPARE(decoded->summary.sub, QStringLiteral("auth0|c"));
    auto other = makeLayout(SessionLayout::Kind::Auth0Cookie, secretOf("cookie-secret"), QStringLiteral("app_session"));
    QVERIFY(!(*other)->decode(raw(QStringLiteral("app_session"), *value))); // another salt
}

void TestInspectorUnits::everyLayoutReadsWhatItWrites()
{
    // Found by fuzz_layout: starsessions wrote the JSON string "" and its reader took it for
    // encrypted bytes. Sessions are objects; anything else is refused when written.
    using K = SessionLayout::Kind;
    const QList<std::pair<K, QByteArray>> layouts{{K::Native, "s"},      {K::Auth0Cookie, "s"},
                                                  {K::Auth0Fastapi, {}}, {K::ConnectRedis, {}},
                                                  {K::Starsessions, {}}, {K::Starsessions, kSpecSecret}};
    auto object = json::parse(R"({"user":{"sub":"auth0|w"},"n":[1,2.5,"é"]})");
    for (const auto &[kind, secret] : layouts) {
        auto layout = makeLayout(kind, secret.isEmpty() ? SecretList() : secretOf(secret));
        QVERIFY_OK(layout);
        for (const char *text : {R"("")", "[]", "42", "null"}) {
            auto refused = (*layout)->encode(QStringLiteral("id-1"), *json::parse(text));
            QVERIFY2(!refused, text);
            QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
        }
        auto written = (*layout)->encode(QStringLiteral("id-1"), *object);
        QVERIFY_OK(written);
        auto read = (*layout)->decode(raw(QStringLiteral("id-1"), *written));
        QVERIFY_OK(read);
        QVERIFY(read->document == *object);
        QCOMPARE(read->summary.sub, QStringLiteral("auth0|w"));
    }
}

void TestInspectorUnits::starsessionsKeyValidation()
{
    QVERIFY(!makeLayout(SessionLayout::Kind::Starsessions, secretOf("not base64 !!")));
    QVERIFY(!makeLayout(SessionLayout::Kind::Starsessions, secretOf(QByteArray(10, 'a').toBase64())));
    QVERIFY_OK(makeLayout(SessionLayout::Kind::Starsessions, secretOf(kSpecSecret)));
    QVERIFY_OK(makeLayout(SessionLayout::Kind::Starsessions, {})); // plain JSON needs no key
    auto layout = makeLayout(SessionLayout::Kind::Starsessions, secretOf(kSpecSecret));
    // Garbage of every shape is an error, never a crash.
    for (const QByteArray &value :
         {QByteArray("gAAAAA"), QByteArray(5, '\0'), QByteArray(60, '\xff'), QByteArray("{not json"), QByteArray()}) {
        auto decoded = (*layout)->decode(raw(QStringLiteral("x"), value));
        QVERIFY(!decoded);
    }
    // Without a key, an AES-GCM value whose nonce starts with '{' (one in 256) is still reported
    // as encrypted, while broken JSON text is reported as such.
    auto keyless = makeLayout(SessionLayout::Kind::Starsessions, {});
    QVERIFY_OK(keyless);
    QByteArray gcm = QByteArray::fromHex("7b2a0391ffe0c5a77e10c4b2d95e0a3f61cc02b8f1d4a9e7335b6d0c2e19f4a8");
    auto binary = (*keyless)->decode(raw(QStringLiteral("g"), gcm));
    QVERIFY(!binary);
    QCOMPARE(binary.error().code, ErrorCode::DecryptFailed);
    QVERIFY(binary.error().message.contains(QLatin1String("encrypted")));
    auto broken = (*keyless)->decode(raw(QStringLiteral("j"), QByteArray(R"({"user": {"sub": "a")")));
    QVERIFY(!broken);
    QCOMPARE(broken.error().code, ErrorCode::MalformedInput);
    auto plain = (*keyless)->decode(raw(QStringLiteral("p"), QByteArray(R"({"user": {"sub": "aé"}})")));
    QVERIFY_OK(plain);
    QCOMPARE(plain->summary.sub, QStringLiteral("a\u00e9"));
}

void TestInspectorUnits::findClaimsInDocumentsOfUnknownShape()
{
    auto at = [](const char *text) { return findClaims(json::parse(text).value()); };
    QCOMPARE(at(R"({"user":{"sub":"a","email":"e@x"}})").sub, QStringLiteral("a"));
    QCOMPARE(at(R"({"user":{"sub":"a","email":"e@x"}})").email, QStringLiteral("e@x"));
    QCOMPARE(at(R"({"userinfo":{"sub":"b"}})").sub, QStringLiteral("b"));
    QCOMPARE(at(R"({"passport":{"user":{"sub":"c","sid":"s"}}})").sid, QStringLiteral("s"));
    QCOMPARE(at(R"({"sub":"d"})").sub, QStringLiteral("d"));
    QCOMPARE(at(R"({"deep":{"profile":{"sub":"e"}}})").sub, QStringLiteral("e"));
    QCOMPARE(at(R"({"user":{"sub":42}})").sub, QString()); // not a string: nobody
    // An unverified id_token names the user when nothing else does.
    const QByteArray claims = QByteArray(R"({"sub":"f","iss":"https://i/"})")
                                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray doc = R"({"id_token":"eyJhbGciOiJSUzI1NiJ9.)" + claims + R"(.c2ln"})";
    QCOMPARE(findClaims(json::parse(doc.constData()).value()).sub, QStringLiteral("f"));
    QCOMPARE(at(R"({"id_token":"not.a.jwt!"})").sub, QString());
    QCOMPARE(at("[]").sub, QString());
}

void TestInspectorUnits::redactionMasksCredentialsOnly()
{
    const QString jwt = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
    auto doc = json::parse(
        (R"({"user":{"sub":"auth0|1","name":"Ann"},"id_token":")" + jwt +
         R"(","refresh_token":"v1.opaque","token_sets":[{"access_token":"opaque-at","expires_at":5}],"note":")" + jwt +
         R"(","code_verifier":"abc","internal":{"sid":"s"}})")
            .toUtf8()
            .constData());
    QVERIFY_OK(doc);
    const int masked = redact(*doc);
    QCOMPARE(masked, 5);
    const std::string out = json::serialize(*doc, json::Style::Compact);
    QVERIFY(out.find("opaque") == std::string::npos);
    QVERIFY(out.find("c2lnbmF0dXJl") == std::string::npos);
    QVERIFY(out.find("\"abc\"") == std::string::npos);
    QVERIFY(out.find("auth0|1") != std::string::npos); // claims stay readable
    QVERIFY(out.find("\"expires_at\":5") != std::string::npos);
    QVERIFY(maskedToken(jwt).contains(QLatin1String("chars")));
    QVERIFY(!maskedToken(jwt).contains(QLatin1String("eyJ")));
    QCOMPARE(maskedToken(u""), QString());
    QVERIFY(looksLikeJose(jwt));
    QVERIFY(!looksLikeJose(u"a.b"));
    QVERIFY(isCredentialKey("client_secret"));
    QVERIFY(!isCredentialKey("token_type"));
}

void TestInspectorUnits::cookieFormSize()
{
    QVERIFY(envelopeSizeFor(100) > 100);
    QVERIFY(envelopeSizeFor(3000) > envelopeSizeFor(2000));
    QVERIFY(!exceedsOneCookie(envelopeSizeFor(1000)));
    QVERIFY(exceedsOneCookie(envelopeSizeFor(4000)));
    // The envelope formula agrees with a real envelope.
    EnvelopeCipher cipher(secretOf("s"));
    for (int n : {0, 1, 15, 16, 17, 1000, 2999}) {
        const QByteArray plain = "\"" + QByteArray(n, 'x') + "\"";
        auto value = cipher.encrypt(QStringLiteral("_a0_session"), plain);
        QVERIFY_OK(value);
        QCOMPARE(envelopeSizeFor(plain.size()), value->size());
    }
}

void TestInspectorUnits::filterMatching()
{
    SessionRow row;
    row.id = QStringLiteral("r");
    row.summary.sub = QStringLiteral("auth0|1");
    row.summary.issuer = QStringLiteral("https://i/");
    row.summary.email = QStringLiteral("Ann@Example.COM");
    row.createdAt = 1000;
    row.lastActivity = 1500;
    row.expiresAt = 5000;
    row.size = 2000;
    SessionFilter f;
    QVERIFY(f.isEmpty());
    QVERIFY(f.matches(row));
    f.emailDomain = QStringLiteral("example.com");
    QVERIFY(f.matches(row));
    QVERIFY(f.needsContent());
    f.emailDomain = QStringLiteral("@EXAMPLE.com");
    QVERIFY(f.matches(row));
    f.emailDomain = QStringLiteral("ample.com"); // a suffix is not the domain
    QVERIFY(!f.matches(row));
    f = {};
    f.createdBefore = 1000;
    QVERIFY(!f.matches(row)); // strictly before
    f.createdBefore = 1001;
    QVERIFY(f.matches(row));
    QVERIFY(f.needsContent()); // creation times come from the content where the store has none
    f.idleSince = 1400;
    QVERIFY(!f.matches(row)); // active at 1500
    f.idleSince = 1600;
    QVERIFY(f.matches(row));
    f.largerThan = 2000;
    QVERIFY(!f.matches(row));
    SessionFilter bySize;
    bySize.largerThan = 1999;
    QVERIFY(bySize.matches(row));
    QVERIFY(!bySize.needsContent()); // stored sizes need no decryption
    QVERIFY(f.describe().contains(QLatin1String("created before")));
    f = {};
    f.undecryptable = true;
    QVERIFY(!f.matches(row));
    row.error = QStringLiteral("wrong secret");
    QVERIFY(f.matches(row));
    f = {};
    f.sub = QStringLiteral("auth0|1");
    QVERIFY(!f.matches(row)); // undecoded rows never match content criteria
}

void TestInspectorUnits::timesAndDurations()
{
    QCOMPARE(parseTime(QStringLiteral("2026-05-01")).value(), 1777593600);
    QCOMPARE(parseTime(QStringLiteral("2026-05-01T10:00:00Z")).value(), 1777593600 + 36000);
    QCOMPARE(parseTime(QStringLiteral("1777593600")).value(), 1777593600);
    QVERIFY(!parseTime(QStringLiteral("yesterday")));
    QVERIFY(!parseTime(QString()));
    QCOMPARE(parseDuration(QStringLiteral("90s")).value(), 90);
    QCOMPARE(parseDuration(QStringLiteral("15m")).value(), 900);
    QCOMPARE(parseDuration(QStringLiteral("2h")).value(), 7200);
    QCOMPARE(parseDuration(QStringLiteral("7d")).value(), 604800);
    QCOMPARE(parseDuration(QStringLiteral("1w")).value(), 604800);
    QVERIFY(!parseDuration(QStringLiteral("-5m")));
    QVERIFY(!parseDuration(QStringLiteral("5x")));
    QVERIFY(!parseDuration(QStringLiteral("m")));
}

void TestInspectorUnits::auditLogIsPrivateAndSkipsGarbage()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/audit.jsonl"));
    AuditLog log(path);
    QVERIFY_OK(log.append(QStringLiteral("prod"),
                          {QStringLiteral("delete"), {sessionFingerprint(u"sess-1")}, 1, QStringLiteral("ok")}));
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0600u);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write("not json\n");
    }
    QVERIFY_OK(log.append(QStringLiteral("prod"),
                          {QStringLiteral("revoke"), {QStringLiteral("sub=auth0|1")}, 3, QStringLiteral("ok")}));
    int skipped = 0;
    auto entries = log.read(0, &skipped);
    QVERIFY_OK(entries);
    QCOMPARE(entries->size(), 2);
    QCOMPARE(skipped, 1);
    QCOMPARE(json::Value(entries->at(1)).get("count")->toInt64().value_or(0), 3);
    auto later = log.read(QDateTime::currentSecsSinceEpoch() + 60);
    QVERIFY_OK(later);
    QVERIFY(later->isEmpty());
    // Fingerprints are stable, short and not the id.
    QCOMPARE(sessionFingerprint(u"sess-1"), sessionFingerprint(u"sess-1"));
    QVERIFY(sessionFingerprint(u"sess-1") != sessionFingerprint(u"sess-2"));
    QCOMPARE(sessionFingerprint(u"sess-1").size(), 13);
}

void TestInspectorUnits::seedIsDeterministicAndRealistic()
{
    SeedGenerator::Options options;
    options.count = 2000;
    options.users = 200;
    options.now = 1800000000;
    const SeedGenerator a(options), b(options);
    QMap<qint64, int> perUser;
    QSet<QString> ids;
    int oversized = 0;
    for (qint64 i = 0; i < options.count; ++i) {
        const auto s = a.session(i, SessionLayout::Kind::Native);
        const auto t = b.session(i, SessionLayout::Kind::Native);
        QCOMPARE(s.id, t.id);
        QCOMPARE(s.state.toJson(), t.state.toJson());
        ids.insert(s.id);
        ++perUser[s.user];
        QVERIFY(s.createdAt < options.now && s.createdAt > options.now - options.lifetime);
        QVERIFY(s.lastActivity >= s.createdAt && s.lastActivity <= options.now);
        QCOMPARE(s.expiresAt, s.createdAt + options.lifetime);
        QVERIFY(s.state.idToken && s.state.idToken->count(QLatin1Char('.')) == 2);
        QCOMPARE(s.state.user->sub(), a.subject(s.user));
        const bool big =
            exceedsOneCookie(envelopeSizeFor(qsizetype(json::serialize(s.state.toJson(), json::Style::Python).size())));
        oversized += big;
        if (s.state.tokenSets.size() == 1) // one API: fits one cookie; more APIs grow past it
            QVERIFY(!big);
    }
    QCOMPARE(ids.size(), qsizetype(options.count)); // unique ids
    // Users hold several sessions; the heavy 1% hold about a tenth of all of them.
    QVERIFY(perUser.size() > 150);
    QVERIFY(perUser.value(0) + perUser.value(1) > 100);
    QVERIFY2(oversized > options.count / 50 && oversized < options.count / 3, qPrintable(QString::number(oversized)));
    // Peer layouts get their own id formats.
    QCOMPARE(a.session(0, SessionLayout::Kind::Starsessions).id.size(), 32);
    QVERIFY(
        a.document(a.session(0, SessionLayout::Kind::ConnectRedis), SessionLayout::Kind::ConnectRedis).get("cookie"));
    options.seed = 2;
    QVERIFY(SeedGenerator(options).session(0, SessionLayout::Kind::Native).id !=
            a.session(0, SessionLayout::Kind::Native).id);
}

QTEST_GUILESS_MAIN(TestInspectorUnits)
#include "TestInspectorUnits.moc"
