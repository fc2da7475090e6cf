#include "core/crypto/Base64Url.h"
#include "core/envelope/EnvelopeCipher.h"
#include "core/jose/Jwe.h"
#include "core/jose/Jwk.h"
#include "core/model/StateData.h"

#include <QTemporaryFile>
#include <QtConcurrent>
#include <QtTest>

using namespace si;

namespace {

SecretList secrets(std::initializer_list<const char *> values)
{
    QList<crypto::SecureBytes> list;
    for (const char *v : values)
        list.append(crypto::SecureBytes(QByteArrayView(v)));
    return SecretList(std::move(list));
}

const QByteArray kState = R"({"user": {"sub": "auth0|1", "name": "Zo\u00eb"}, "id_token": null, )"
                          R"("refresh_token": "rt", "token_sets": [], "connection_token_sets": [], "domain": null, )"
                          R"("internal": {"sid": "s1", "created_at": 1700000000}})";

QList<QByteArray> splitParts(const QByteArray &token)
{
    return token.split('.');
}

} // namespace

class TestEnvelope : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hkdfCheckValueFromInterop();
    void roundTripWithAuth0Header();
    void decryptsWhatCjoseEncrypts();
    void cjoseDecryptsWhatWeEncrypt();
    void rotationFirstEncryptsAllDecrypt();
    void keyIdSkipsTrialDecryption();
    void tamperEachPart_data();
    void tamperEachPart();
    void everyTruncationFailsCleanly();
    void garbage_data();
    void garbage();
    void wrongSaltFails();
    void foreignEnvelopes();
    void keyCacheMatchesFreshDerivation();
    void boundedCacheStaysCorrect();
    void concurrentUse();
    void secretSources();
};

void TestEnvelope::hkdfCheckValueFromInterop()
{
    const EnvelopeCipher cipher(secrets({"secret"}));
    auto key = cipher.deriveKey(0, EnvelopeCipher::sessionIdentifier());
    QVERIFY(key.ok());
    QCOMPARE(
        key->view().toByteArray().toHex(),
        QByteArray("298fa2d1580c5c259ede74510d85def2bb6c40e3721a2b5e1549e8cd0e31d3c02d509c2afe8d6b838b5687c872344c2"
                   "eda4990e643a740b71ba83b5089ca785c"));
}

void TestEnvelope::roundTripWithAuth0Header()
{
    const EnvelopeCipher cipher(secrets({"secret"}));
    auto token = cipher.encrypt(EnvelopeCipher::sessionIdentifier(), kState);
    QVERIFY(token.ok());
    const QList<QByteArray> parts = splitParts(*token);
    QCOMPARE(parts.size(), 5);
    QCOMPARE(parts[0], QByteArray("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0"));
    QCOMPARE(crypto::base64UrlDecode(parts[0]).value(), QByteArray(R"({"alg":"dir","enc":"A256CBC-HS512"})"));
    QVERIFY(parts[1].isEmpty());
    QCOMPARE(crypto::base64UrlDecode(parts[2])->size(), 16);
    QCOMPARE(crypto::base64UrlDecode(parts[4])->size(), 32);
    auto back = cipher.decrypt(EnvelopeCipher::sessionIdentifier(), *token);
    QVERIFY(back.ok());
    QCOMPARE(back->plaintext, kState);
    QCOMPARE(back->secretIndex, 0);
    // Fresh IV every time.
    QVERIFY(cipher.encrypt(EnvelopeCipher::sessionIdentifier(), kState).value() != *token);

    auto json = cipher.decryptJson(EnvelopeCipher::sessionIdentifier(), *token);
    QVERIFY(json.ok());
    QCOMPARE(StateData::fromJson(*json)->internal.sid, QStringLiteral("s1"));
}

void TestEnvelope::decryptsWhatCjoseEncrypts()
{
    // cjose writes its own header spelling; any dir/A256CBC-HS512 header must be accepted.
    const EnvelopeCipher cipher(secrets({"secret"}));
    const auto key = cipher.deriveKey(0, EnvelopeCipher::transactionIdentifier(u"abcDEF0123456789abcDEF0123456789"));
    json::Object header;
    header.append("alg", "dir");
    header.append("enc", "A256CBC-HS512");
    auto token = jose::Jwe::encrypt(jose::Jwk::fromSymmetricKey(key->view()).value(), header, kState);
    QVERIFY(token.ok());
    auto back = cipher.decrypt(EnvelopeCipher::transactionIdentifier(u"abcDEF0123456789abcDEF0123456789"), *token);
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().toString()));
    QCOMPARE(back->plaintext, kState);
}

void TestEnvelope::cjoseDecryptsWhatWeEncrypt()
{
    const EnvelopeCipher cipher(secrets({"another secret \xc3\xa9"}));
    auto token = cipher.encrypt(u"mfa_token", kState);
    const auto key = cipher.deriveKey(0, u"mfa_token");
    auto opened = jose::Jwe::decrypt(*token, jose::Jwk::fromSymmetricKey(key->view()).value());
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
    QCOMPARE(*opened, kState);
}

void TestEnvelope::rotationFirstEncryptsAllDecrypt()
{
    const EnvelopeCipher oldCipher(secrets({"old"}));
    const EnvelopeCipher rotated(secrets({"new", "old"}));
    const EnvelopeCipher newOnly(secrets({"new"}));
    auto oldToken = oldCipher.encrypt(u"_a0_session", kState).value();
    auto opened = rotated.decrypt(u"_a0_session", oldToken);
    QVERIFY(opened.ok());
    QCOMPARE(opened->secretIndex, 1);
    QCOMPARE(opened->plaintext, kState);

    auto newToken = rotated.encrypt(u"_a0_session", kState).value();
    QCOMPARE(newOnly.decrypt(u"_a0_session", newToken)->plaintext, kState);
    QCOMPARE(oldCipher.decrypt(u"_a0_session", newToken).error().code, ErrorCode::DecryptFailed);
    QVERIFY(oldCipher.decrypt(u"_a0_session", newToken).error().message.contains(QLatin1String("wrong secret")));
    auto allFail = EnvelopeCipher(secrets({"x", "y", "z"})).decrypt(u"_a0_session", newToken);
    QVERIFY(allFail.error().message.contains(QLatin1String("all 3 secrets")));
}

void TestEnvelope::keyIdSkipsTrialDecryption()
{
    EnvelopeCipher::Options options;
    options.withKeyId = true;
    const EnvelopeCipher writer(secrets({"new", "old"}), options);
    auto token = writer.encrypt(u"_a0_session", kState).value();
    auto header = json::parse(crypto::base64UrlDecode(splitParts(token)[0]).value()).value();
    QCOMPARE(header.get("kid")->toQString(), writer.secrets().keyId(0));
    QCOMPARE(writer.secrets().keyId(0).size(), 11);
    QVERIFY(writer.secrets().keyId(0) != writer.secrets().keyId(1));

    // A reader whose list has the secret second goes straight to it (and still reports its index).
    const EnvelopeCipher reader(secrets({"other", "new"}));
    auto opened = reader.decrypt(u"_a0_session", token);
    QVERIFY(opened.ok());
    QCOMPARE(opened->secretIndex, 1);
    // auth0-style readers ignore the extra header member: plain dir/A256CBC-HS512 decryption works.
    auto key = writer.deriveKey(0, u"_a0_session").value();
    QCOMPARE(jose::Jwe::decrypt(token, jose::Jwk::fromSymmetricKey(key.view()).value()).value(), kState);
}

void TestEnvelope::tamperEachPart_data()
{
    QTest::addColumn<int>("part");
    QTest::addColumn<int>("code");
    QTest::newRow("header") << 0 << int(ErrorCode::DecryptFailed);
    QTest::newRow("encrypted key") << 1 << int(ErrorCode::MalformedInput);
    QTest::newRow("iv") << 2 << int(ErrorCode::DecryptFailed);
    QTest::newRow("ciphertext") << 3 << int(ErrorCode::DecryptFailed);
    QTest::newRow("tag") << 4 << int(ErrorCode::DecryptFailed);
}

void TestEnvelope::tamperEachPart()
{
    QFETCH(int, part);
    QFETCH(int, code);
    const EnvelopeCipher cipher(secrets({"secret"}));
    const QByteArray token = cipher.encrypt(u"_a0_session", kState).value();
    QList<QByteArray> parts = splitParts(token);
    if (part == 0) {
        // Same meaning, different bytes: the header is the AAD, so authentication must fail.
        parts[0] = crypto::base64UrlEncode(QByteArray(R"({"enc":"A256CBC-HS512","alg":"dir"})"));
    } else if (part == 1) {
        parts[1] = "AAAA";
    } else {
        // Flip one bit of the decoded bytes and re-encode (a changed character alone could hit
        // only padding bits; the strict decoder refuses those separately).
        QByteArray bytes = crypto::base64UrlDecode(parts[part]).value();
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x04);
        parts[part] = crypto::base64UrlEncode(bytes);
    }
    auto result = cipher.decrypt(u"_a0_session", parts.join('.'));
    QVERIFY(!result.ok());
    QCOMPARE(int(result.error().code), code);
    // Messages never carry token or plaintext content.
    QVERIFY(!result.error().toString().contains(QLatin1String("auth0|1")));
    QVERIFY(!result.error().toString().contains(QString::fromLatin1(parts[3].left(12))));
}

void TestEnvelope::everyTruncationFailsCleanly()
{
    const EnvelopeCipher cipher(secrets({"secret"}));
    const QByteArray token = cipher.encrypt(u"_a0_session", kState).value();
    for (qsizetype n = 0; n < token.size(); ++n) {
        auto result = cipher.decrypt(u"_a0_session", QByteArrayView(token).first(n));
        QVERIFY2(!result.ok(), qPrintable(QStringLiteral("prefix of %1 bytes accepted").arg(n)));
    }
    // Appending anything fails too.
    QVERIFY(!cipher.decrypt(u"_a0_session", token + "A").ok());
    QVERIFY(!cipher.decrypt(u"_a0_session", token + ".").ok());
}

void TestEnvelope::garbage_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("dots") << QByteArray("....");
    QTest::newRow("JWS") << QByteArray("eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
    QTest::newRow("binary") << QByteArray("\x00\xff\x01....", 8);
    QTest::newRow("six parts") << QByteArray("a.b.c.d.e.f");
    QTest::newRow("auth0 header, empty rest") << QByteArray("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0....");
    QTest::newRow("huge") << QByteArray("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAAAAAAAAAAAAAAAAAAAAA.") +
                                 QByteArray(1 << 20, 'A') + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
}

void TestEnvelope::garbage()
{
    QFETCH(QByteArray, token);
    const EnvelopeCipher cipher(secrets({"secret"}));
    auto result = cipher.decrypt(u"_a0_session", token);
    QVERIFY(!result.ok());
    QVERIFY(!result.error().message.isEmpty());
}

void TestEnvelope::wrongSaltFails()
{
    const EnvelopeCipher cipher(secrets({"secret"}));
    auto token = cipher.encrypt(u"_a0_tx:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", kState).value();
    QCOMPARE(cipher.decrypt(u"_a0_tx:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", token).error().code, ErrorCode::DecryptFailed);
    QVERIFY(cipher.decrypt(u"_a0_tx:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", token).ok());
}

void TestEnvelope::foreignEnvelopes()
{
    // The JS SDKs use A256GCM envelopes: a clear "not ours" instead of a decryption error.
    const EnvelopeCipher cipher(secrets({"secret"}));
    const QByteArray gcm = crypto::base64UrlEncode(QByteArray(R"({"alg":"dir","enc":"A256GCM"})")) +
                           "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA";
    auto result = cipher.decrypt(u"_a0_session", gcm);
    QCOMPARE(result.error().code, ErrorCode::Unsupported);
    QCOMPARE(result.error().message, QStringLiteral("not an auth0 session envelope"));
    QCOMPARE(EnvelopeCipher(SecretList()).decrypt(u"_a0_session", gcm).error().code, ErrorCode::InvalidArgument);
}

void TestEnvelope::keyCacheMatchesFreshDerivation()
{
    EnvelopeCipher::Options uncached;
    uncached.cacheKeys = false;
    const EnvelopeCipher a(secrets({"s1", "s2"}));
    const EnvelopeCipher b(secrets({"s1", "s2"}), uncached);
    for (int i = 0; i < 3; ++i) {
        const QString salt = QStringLiteral("_a0_tx:state%1").arg(i);
        auto ta = a.encrypt(salt, kState).value();
        auto tb = b.encrypt(salt, kState).value();
        QCOMPARE(b.decrypt(salt, ta)->plaintext, kState);
        QCOMPARE(a.decrypt(salt, tb)->plaintext, kState);
        QCOMPARE(a.decrypt(salt, ta)->plaintext, kState); // from the cache now
    }
}

void TestEnvelope::boundedCacheStaysCorrect()
{
    EnvelopeCipher::Options small;
    small.maxCachedIdentifiers = 4;
    const EnvelopeCipher cipher(secrets({"secret"}), small);
    QList<QByteArray> tokens;
    for (int i = 0; i < 20; ++i)
        tokens << cipher.encrypt(QStringLiteral("_a0_tx:%1").arg(i), kState).value();
    for (int i = 19; i >= 0; --i)
        QCOMPARE(cipher.decrypt(QStringLiteral("_a0_tx:%1").arg(i), tokens[i])->plaintext, kState);
}

void TestEnvelope::concurrentUse()
{
    const EnvelopeCipher cipher(secrets({"new", "old"}));
    const EnvelopeCipher oldCipher(secrets({"old"}));
    QList<int> jobs;
    for (int i = 0; i < 400; ++i)
        jobs << i;
    const QList<bool> results = QtConcurrent::blockingMapped(jobs, [&](int i) {
        const QString salt = QStringLiteral("_a0_tx:%1").arg(i % 37);
        const QByteArray payload = kState + QByteArray::number(i);
        const auto &writer = (i % 2) ? oldCipher : cipher;
        auto token = writer.encrypt(salt, payload);
        auto back = cipher.decrypt(salt, token.value());
        return back.ok() && back->plaintext == payload && back->secretIndex == (i % 2);
    });
    QCOMPARE(results.count(true), 400);
}

void TestEnvelope::secretSources()
{
    QByteArray env("first,second,,third");
    auto list = SecretList::fromDelimited(env);
    QVERIFY(list.ok());
    QCOMPARE(list->size(), 3);
    QCOMPARE(list->at(1).view().toByteArray(), QByteArray("second"));
    QVERIFY(env.isEmpty());
    QByteArray empty(",,");
    QCOMPARE(SecretList::fromDelimited(empty).error().code, ErrorCode::InvalidArgument);

    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("# rotated 2026-11\r\nnew, with comma\r\n\nold\n");
    file.flush();
    auto fromFile = SecretList::fromFile(file.fileName());
    QVERIFY(fromFile.ok());
    QCOMPARE(fromFile->size(), 2);
    QCOMPARE(fromFile->primary().view().toByteArray(), QByteArray("new, with comma"));
    QCOMPARE(fromFile->at(1).view().toByteArray(), QByteArray("old"));
    QCOMPARE(fromFile->indexOfKeyId(fromFile->keyId(1)), 1);
    QCOMPARE(fromFile->indexOfKeyId(u"nope"), -1);

    auto missing = SecretList::fromFile(QStringLiteral("/nonexistent/secret"));
    QCOMPARE(missing.error().code, ErrorCode::Io);
}

QTEST_GUILESS_MAIN(TestEnvelope)
#include "TestEnvelope.moc"
