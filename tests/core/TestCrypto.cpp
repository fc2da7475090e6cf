#include "core/crypto/Base64Url.h"
#include "core/crypto/ConstantTime.h"
#include "core/crypto/Hash.h"
#include "core/crypto/Hkdf.h"
#include "core/crypto/Random.h"
#include "core/crypto/SecureBytes.h"
#include "tests/support/TestSupport.h"

#include <QSet>
#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace si;
using namespace si::crypto;
using si::test::fromHex;

class TestCrypto : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hkdfRfc5869_data();
    void hkdfRfc5869();
    void hkdfRejectsBadLengths();
    void hkdfExpandLimit();
    void digests();
    void hmacRfc4231();
    void base64UrlRfc4648_data();
    void base64UrlRfc4648();
    void base64UrlRejects_data();
    void base64UrlRejects();
    void base64UrlRoundTripAllLengths();
    void constantTimeEquals();
    void secureBytesCopiesAndWipes();
    void randomBytesDiffer();
    void randomStringUsesWholeAlphabetUniformly();
};

void TestCrypto::hkdfRfc5869_data()
{
    QTest::addColumn<QByteArray>("ikm");
    QTest::addColumn<QByteArray>("salt");
    QTest::addColumn<QByteArray>("info");
    QTest::addColumn<int>("length");
    QTest::addColumn<QByteArray>("prk");
    QTest::addColumn<QByteArray>("okm");

    QByteArray ikm2, salt2, info2;
    for (int i = 0x00; i < 0x50; ++i)
        ikm2.append(char(i));
    for (int i = 0x60; i < 0xb0; ++i)
        salt2.append(char(i));
    for (int i = 0xb0; i < 0x100; ++i)
        info2.append(char(i));

    QTest::newRow("A.1 basic") << QByteArray(22, 0x0b) << fromHex("000102030405060708090a0b0c")
                               << fromHex("f0f1f2f3f4f5f6f7f8f9") << 42
                               << fromHex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5")
                               << fromHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                                          "34007208d5b887185865");
    QTest::newRow("A.2 long inputs")
        << ikm2 << salt2 << info2 << 82 << fromHex("06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244")
        << fromHex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
                   "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
    QTest::newRow("A.3 empty salt and info")
        << QByteArray(22, 0x0b) << QByteArray() << QByteArray() << 42
        << fromHex("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04")
        << fromHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

void TestCrypto::hkdfRfc5869()
{
    QFETCH(QByteArray, ikm);
    QFETCH(QByteArray, salt);
    QFETCH(QByteArray, info);
    QFETCH(int, length);
    QFETCH(QByteArray, prk);
    QFETCH(QByteArray, okm);

    auto derived = hkdf(HashAlgorithm::Sha256, ikm, salt, info, length);
    QVERIFY(derived.ok());
    QCOMPARE(derived->view().toByteArray().toHex(), okm.toHex());

    auto extracted = hkdfExtract(HashAlgorithm::Sha256, ikm, salt);
    QVERIFY(extracted.ok());
    QCOMPARE(extracted->view().toByteArray().toHex(), prk.toHex());
    auto expanded = hkdfExpand(HashAlgorithm::Sha256, extracted->view(), info, length);
    QVERIFY(expanded.ok());
    QCOMPARE(expanded->view().toByteArray().toHex(), okm.toHex());
}

void TestCrypto::hkdfRejectsBadLengths()
{
    QCOMPARE(hkdf(HashAlgorithm::Sha256, "k", "s", "i", 0).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(hkdf(HashAlgorithm::Sha256, "k", "s", "i", 255 * 32 + 1).error().code, ErrorCode::InvalidArgument);
    QVERIFY(hkdf(HashAlgorithm::Sha256, "k", "s", "i", 255 * 32).ok());
}

void TestCrypto::hkdfExpandLimit()
{
    // Output longer than one block must continue the counter, not repeat the first block.
    auto out = hkdf(HashAlgorithm::Sha256, "k", "s", "i", 96);
    QVERIFY(out.ok());
    QVERIFY(out->mid(0, 32) != out->mid(32, 32));
    QVERIFY(out->mid(32, 32) != out->mid(64, 32));
}

void TestCrypto::digests()
{
    QCOMPARE(sha256("abc").toHex(), QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    QCOMPARE(
        sha512("abc").toHex(),
        QByteArray("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebb"
                   "d454d4423643ce80e2a9ac94fa54ca49f"));
    QCOMPARE(sha256("").toHex(), QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(digestLength(HashAlgorithm::Sha384), 48);
    QCOMPARE(hash(HashAlgorithm::Sha384, "abc").size(), 48);
}

void TestCrypto::hmacRfc4231()
{
    // RFC 4231 test case 2.
    QCOMPARE(hmac(HashAlgorithm::Sha256, "Jefe", "what do ya want for nothing?").toHex(),
             QByteArray("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
    QCOMPARE(hmac(HashAlgorithm::Sha512, "Jefe", "what do ya want for nothing?").toHex(),
             QByteArray("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e"
                        "6fdcaeab1a34d4a6b4b636e070a38bce737"));
    // An empty key is legal (HMAC pads it with zeros).
    QCOMPARE(hmac(HashAlgorithm::Sha256, {}, "x").size(), 32);

    // A pre-keyed HmacKey gives the same MACs, any number of times (its keyed state is never
    // consumed), and from several threads at once.
    const HmacKey jefe256(HashAlgorithm::Sha256, "Jefe");
    const HmacKey jefe512(HashAlgorithm::Sha512, "Jefe");
    for (int round = 0; round < 2; ++round) {
        QCOMPARE(jefe256.mac("what do ya want for nothing?"),
                 hmac(HashAlgorithm::Sha256, "Jefe", "what do ya want for nothing?"));
        QCOMPARE(jefe512.mac("what do ya want for nothing?"),
                 hmac(HashAlgorithm::Sha512, "Jefe", "what do ya want for nothing?"));
    }
    QCOMPARE(HmacKey(HashAlgorithm::Sha256, {}).mac("x"), hmac(HashAlgorithm::Sha256, {}, "x"));
    // RFC 4231 test case 6: a key longer than the block is hashed first.
    const QByteArray longKey(131, '\xaa');
    const HmacKey longKeyed(HashAlgorithm::Sha256, longKey);
    QCOMPARE(longKeyed.mac("Test Using Larger Than Block-Size Key - Hash Key First").toHex(),
             QByteArray("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i) {
                const QByteArray data = QByteArray::number(t * 1000 + i);
                if (jefe256.mac(data) != hmac(HashAlgorithm::Sha256, "Jefe", data))
                    ++mismatches;
            }
        });
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
}

void TestCrypto::base64UrlRfc4648_data()
{
    QTest::addColumn<QByteArray>("plain");
    QTest::addColumn<QByteArray>("encoded");
    QTest::newRow("empty") << QByteArray() << QByteArray();
    QTest::newRow("f") << QByteArray("f") << QByteArray("Zg");
    QTest::newRow("fo") << QByteArray("fo") << QByteArray("Zm8");
    QTest::newRow("foo") << QByteArray("foo") << QByteArray("Zm9v");
    QTest::newRow("foob") << QByteArray("foob") << QByteArray("Zm9vYg");
    QTest::newRow("fooba") << QByteArray("fooba") << QByteArray("Zm9vYmE");
    QTest::newRow("foobar") << QByteArray("foobar") << QByteArray("Zm9vYmFy");
    QTest::newRow("url alphabet") << fromHex("fbffbf") << QByteArray("-_-_");
}

void TestCrypto::base64UrlRfc4648()
{
    QFETCH(QByteArray, plain);
    QFETCH(QByteArray, encoded);
    QCOMPARE(base64UrlEncode(plain), encoded);
    auto decoded = base64UrlDecode(encoded);
    QVERIFY(decoded.ok());
    QCOMPARE(*decoded, plain);
}

void TestCrypto::base64UrlRejects_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("padding") << QByteArray("Zg==");
    QTest::newRow("standard alphabet +") << QByteArray("+w");
    QTest::newRow("standard alphabet /") << QByteArray("/w");
    QTest::newRow("whitespace") << QByteArray("Zm9v Yg");
    QTest::newRow("length 1 mod 4") << QByteArray("Zm9vY");
    QTest::newRow("non-zero unused bits, 2 chars") << QByteArray("Zh");  // 'f' is "Zg"
    QTest::newRow("non-zero unused bits, 3 chars") << QByteArray("Zm9"); // "fo" is "Zm8"
    QTest::newRow("non-ASCII") << QByteArray("Zm\xc3\xa9v");
    QTest::newRow("NUL") << QByteArray("Zm\0v", 4);
}

void TestCrypto::base64UrlRejects()
{
    QFETCH(QByteArray, text);
    auto decoded = base64UrlDecode(text);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().code, ErrorCode::MalformedInput);
}

void TestCrypto::base64UrlRoundTripAllLengths()
{
    for (int n = 0; n < 70; ++n) {
        const QByteArray data = randomBytes(n);
        const QByteArray text = base64UrlEncode(data);
        QCOMPARE(text, data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        auto back = base64UrlDecode(text);
        QVERIFY(back.ok());
        QCOMPARE(*back, data);
    }
}

void TestCrypto::constantTimeEquals()
{
    QVERIFY(crypto::constantTimeEquals("abc", "abc"));
    QVERIFY(!crypto::constantTimeEquals("abc", "abd"));
    QVERIFY(!crypto::constantTimeEquals("abc", "ab"));
    QVERIFY(crypto::constantTimeEquals({}, {}));
}

void TestCrypto::secureBytesCopiesAndWipes()
{
    QByteArray source("top secret");
    const QByteArray shared = source; // a second reference to the same data must survive intact
    SecureBytes secret = SecureBytes::takeFrom(source);
    QVERIFY(source.isEmpty());
    QCOMPARE(shared, QByteArray("top secret"));
    QCOMPARE(secret.view().toByteArray(), QByteArray("top secret"));

    SecureBytes copy = secret;
    QVERIFY(copy == secret);
    copy.data()[0] = 'T';
    QVERIFY(!(copy == secret));
    QCOMPARE(secret.view().toByteArray(), QByteArray("top secret"));

    SecureBytes moved = std::move(copy);
    QVERIFY(copy.isEmpty());
    QCOMPARE(moved.size(), 10);
    moved.clear();
    QVERIFY(moved.isEmpty());
    QCOMPARE(moved.data(), nullptr);

    // secureWipe zeroes in place.
    char buffer[4] = {'a', 'b', 'c', 'd'};
    secureWipe(buffer, sizeof buffer);
    QCOMPARE(QByteArray(buffer, 4), QByteArray(4, '\0'));
}

void TestCrypto::randomBytesDiffer()
{
    QSet<QByteArray> seen;
    for (int i = 0; i < 200; ++i)
        seen.insert(randomBytes(16));
    QCOMPARE(seen.size(), 200);
    QCOMPARE(randomSecret(32).size(), 32);
}

void TestCrypto::randomStringUsesWholeAlphabetUniformly()
{
    const QStringView alphabet = alphanumericAlphabet();
    QCOMPARE(alphabet.size(), 62);
    const QString s = randomString(62 * 1000, alphabet);
    QCOMPARE(s.size(), 62 * 1000);
    QHash<QChar, int> counts;
    for (QChar c : s) {
        QVERIFY(alphabet.contains(c));
        ++counts[c];
    }
    QCOMPARE(counts.size(), 62);
    // Chi-square with 61 degrees of freedom: P(X > 120) < 1e-5 for a uniform source, while the
    // modulo bias of an unrejected byte (256 % 62 = 8 over-represented symbols) scores ~400.
    double chi2 = 0;
    for (int c : std::as_const(counts))
        chi2 += (c - 1000.0) * (c - 1000.0) / 1000.0;
    QVERIFY2(chi2 < 120, qPrintable(QStringLiteral("chi2=%1").arg(chi2)));
}

QTEST_GUILESS_MAIN(TestCrypto)
#include "TestCrypto.moc"
