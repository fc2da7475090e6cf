#include "core/crypto/Base64Url.h"
#include "core/crypto/Hash.h"
#include "core/crypto/Random.h"
#include "core/jose/ContentCipher.h"
#include "core/jose/Jwe.h"
#include "core/jose/Jwk.h"
#include "core/jose/Jws.h"
#include "core/jose/Jwt.h"
#include "tests/support/TestSupport.h"

#include <QtTest>

using namespace si;
using namespace si::jose;
using si::test::fromHex;

namespace {

// RFC 7518 Appendix B: shared inputs.
const char kB_P[] =
    "41206369706865722073797374656d206d757374206e6f7420626520726571756972656420746f206265207365637265742c"
    "20616e64206974206d7573742062652061626c6520746f2066616c6c20696e746f207468652068616e6473206f66207468"
    "6520656e656d7920776974686f757420696e636f6e76656e69656e6365";
const char kB_IV[] = "1af38c2dc2b96ffdd86694092341bc04";
const char kB_A[] = "546865207365636f6e64207072696e6369706c65206f662041756775737465204b6572636b686f666673";

// RFC 7520 §3.3/3.4 (RSA), §3.1/3.2 (EC P-521), §3.5 (HMAC), §4 payload.
const char kRsaPublic[] =
    R"({"kty":"RSA","kid":"bilbo.baggins@hobbiton.example","use":"sig","n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw","e":"AQAB"})";
const char kEcPublic[] =
    R"({"kty":"EC","crv":"P-521","kid":"bilbo.baggins@hobbiton.example","use":"sig","x":"AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt","y":"AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVySsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1"})";
const char kHmacKey[] =
    R"({"kty":"oct","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037","use":"sig","alg":"HS256","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})";
const char kPayload[] = "It\xe2\x80\x99s a dangerous business, Frodo, going out your door. You step onto the road, and "
                        "if you don't keep your feet, there\xe2\x80\x99s no knowing where you might be swept off to.";

// RFC 8037 Appendix A.
const char kEd25519Public[] = R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
const char kEd25519Private[] =
    R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
const char kEd25519Jws[] = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
                           "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

// RFC 7520 §5.6: dir + A128GCM.
const char kJwe56Key[] = "XctOhJAkA-pD9Lh7ZgW_2A";
const char kJwe56[] =
    "eyJhbGciOiJkaXIiLCJraWQiOiI3N2M3ZTJiOC02ZTEzLTQ1Y2YtODY3Mi02MTdiNWI0NTI0M2EiLCJlbmMiOiJBMTI4R0NNIn0..refa467QzzK"
    "x6QAB.JW_i_f52hww_ELQPGaYyeAB6HYGcR559l9TYnSovc23XJoBcW29rHP8yZOZG7YhLpT1bjFuvZPjQS-m0IFtVcXkZXdH_lr_FrdYt9HRUYks"
    "htrMmIUAyGmUnd9zMDB2n0cRDIHAzFVeJUDxkUwVAE7_YGRPdcqMyiBoCO-FBdE-Nceb4h3-FtBP-c_BIwCPTjb9o0SbdcdREEMJMyZBH8ySWMVi1"
    "gPD9yxi-aQpGbSv_F9N4IZAxscj5g-NJsUPbjk29-s7LJAGb15wEBtXphVCgyy53CoIKLHHeJHXex45Uz9aKZSRSInZI-wjsY0yu3cT4_aQ3i1o-t"
    "iE-F8Ios61EKgyIQ4CWao8PFMj8TTnp.vbb32Xvllea2OtmHAdccRQ";
const char kJwePlaintext[] = "You can trust us to stick with you through thick and thin\xe2\x80\x93to the bitter end. "
                             "And you can trust us to keep any secret of yours\xe2\x80\x93"
                             "closer than you keep it "
                             "yourself. But you cannot trust us to let you face trouble alone, and go off without a "
                             "word. We are your friends, Frodo.";

Jwk key(const char *json)
{
    auto k = Jwk::parse(json);
    if (!k)
        qFatal("bad test key: %s", qPrintable(k.error().toString()));
    return k.value();
}

QByteArray compactJws(const char *headerB64, const char *signatureB64)
{
    return QByteArray(headerB64) + '.' + crypto::base64UrlEncode(kPayload) + '.' + signatureB64;
}

QByteArray b64(QByteArrayView v)
{
    return crypto::base64UrlEncode(v);
}

QByteArray b64json(const char *json)
{
    return crypto::base64UrlEncode(QByteArray(json));
}

} // namespace

class TestJose : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void rfc7518AppendixB_data();
    void rfc7518AppendixB();
    void rfc7518TagOrCiphertextChangeFails();
    void rfc7520DirectA128GcmBothPaths();
    void evpAndCjoseAgree_data();
    void evpAndCjoseAgree();
    void directHeaderValidation_data();
    void directHeaderValidation();
    void rfc7520Signatures_data();
    void rfc7520Signatures();
    void rfc8037EdDsa();
    void refusals_data();
    void refusals();
    void hs256SignedWithRsaPublicKeyIsRefused();
    void signAndVerifyEveryAlgorithm_data();
    void signAndVerifyEveryAlgorithm();
    void jwksLookupAndSkipping();
    void jwtClaims();
    void malformedJws_data();
    void malformedJws();
    void cjoseNeverSeesMalformedBase64();
};

void TestJose::rfc7518AppendixB_data()
{
    QTest::addColumn<int>("enc");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("ciphertext");
    QTest::addColumn<QByteArray>("tag");
    QTest::newRow("B.1 A128CBC-HS256")
        << int(ContentEncryption::A128CBC_HS256)
        << fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        << fromHex(
               "c80edfa32ddf39d5ef00c0b468834279a2e46a1b8049f792f76bfe54b903a9c9a94ac9b47ad2655c5f10f9aef71427e2fc6f"
               "9b3f399a221489f16362c703233609d45ac69864e3321cf82935ac4096c86e133314c54019e8ca7980dfa4b9cf1b384c486f"
               "3a54c51078158ee5d79de59fbd34d848b3d69550a67646344427ade54b8851ffb598f7f80074b9473c82e2db")
        << fromHex("652c3fa36b0a7c5b3219fab3a30bc1c4");
    QTest::newRow("B.2 A192CBC-HS384")
        << int(ContentEncryption::A192CBC_HS384)
        << fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f")
        << fromHex(
               "ea65da6b59e61edb419be62d19712ae5d303eeb50052d0dfd6697f77224c8edb000d279bdc14c1072654bd30944230c657be"
               "d4ca0c9f4a8466f22b226d1746214bf8cfc2400add9f5126e479663fc90b3bed787a2f0ffcbf3904be2a641d5c2105bfe591"
               "bae23b1d7449e532eef60a9ac8bb6c6b01d35d49787bcd57ef484927f280adc91ac0c4e79c7b11efc60054e3")
        << fromHex("8490ac0e58949bfe51875d733f93ac2075168039ccc733d7");
    QTest::newRow("B.3 A256CBC-HS512")
        << int(ContentEncryption::A256CBC_HS512)
        << fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f"
                   "303132333435363738393a3b3c3d3e3f")
        << fromHex(
               "4affaaadb78c31c5da4b1b590d10ffbd3dd8d5d302423526912da037ecbcc7bd822c301dd67c373bccb584ad3e9279c2e6d1"
               "2a1374b77f077553df829410446b36ebd97066296ae6427ea75c2e0846a11a09ccf5370dc80bfecbad28c73f09b3a3b75e66"
               "2a2594410ae496b2e2e6609e31e6e02cc837f053d21f37ff4f51950bbe2638d09dd7a4930930806d0703b1f6")
        << fromHex("4dd3b4c088a7f45c216839645b2012bf2e6269a8c56a816dbc1b267761955bc5");
}

void TestJose::rfc7518AppendixB()
{
    QFETCH(int, enc);
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, ciphertext);
    QFETCH(QByteArray, tag);
    const auto e = ContentEncryption(enc);
    auto sealed = ContentCipher::seal(e, key, fromHex(kB_IV), fromHex(kB_A), fromHex(kB_P));
    QVERIFY(sealed.ok());
    QCOMPARE(sealed->ciphertext.toHex(), ciphertext.toHex());
    QCOMPARE(sealed->tag.toHex(), tag.toHex());
    QByteArray plaintext;
    QVERIFY(ContentCipher::open(e, key, fromHex(kB_IV), fromHex(kB_A), ciphertext, tag, plaintext).ok());
    QCOMPARE(plaintext, fromHex(kB_P));
}

void TestJose::rfc7518TagOrCiphertextChangeFails()
{
    const QByteArray key = fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728"
                                   "292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f");
    auto sealed =
        ContentCipher::seal(ContentEncryption::A256CBC_HS512, key, fromHex(kB_IV), fromHex(kB_A), fromHex(kB_P))
            .value();
    QByteArray out;
    for (int i = 0; i < sealed.tag.size(); ++i) {
        QByteArray tag = sealed.tag;
        tag[i] = char(tag[i] ^ 0x01);
        auto s = ContentCipher::open(ContentEncryption::A256CBC_HS512, key, fromHex(kB_IV), fromHex(kB_A),
                                     sealed.ciphertext, tag, out);
        QCOMPARE(s.error().code, ErrorCode::DecryptFailed);
    }
    QByteArray ct = sealed.ciphertext;
    ct[100] = char(ct[100] ^ 0x80);
    QVERIFY(
        !ContentCipher::open(ContentEncryption::A256CBC_HS512, key, fromHex(kB_IV), fromHex(kB_A), ct, sealed.tag, out)
             .ok());
    QVERIFY(out.isEmpty());
    QByteArray aad = fromHex(kB_A);
    aad[0] = 'X';
    QVERIFY(!ContentCipher::open(ContentEncryption::A256CBC_HS512, key, fromHex(kB_IV), aad, sealed.ciphertext,
                                 sealed.tag, out)
                 .ok());
    // Truncated tag, wrong IV length, ragged ciphertext.
    QVERIFY(!ContentCipher::open(ContentEncryption::A256CBC_HS512, key, fromHex(kB_IV), fromHex(kB_A),
                                 sealed.ciphertext, sealed.tag.left(16), out)
                 .ok());
    QVERIFY(!ContentCipher::open(ContentEncryption::A256CBC_HS512, key, fromHex("00"), fromHex(kB_A), sealed.ciphertext,
                                 sealed.tag, out)
                 .ok());
    QVERIFY(!ContentCipher::open(ContentEncryption::A256CBC_HS512, key, fromHex(kB_IV), fromHex(kB_A),
                                 sealed.ciphertext.left(20), sealed.tag, out)
                 .ok());
}

void TestJose::rfc7520DirectA128GcmBothPaths()
{
    const QByteArray key = crypto::base64UrlDecode(kJwe56Key).value();
    auto fast = decryptDirect(QByteArrayView(kJwe56), key);
    QVERIFY2(fast.ok(), fast.ok() ? "" : qPrintable(fast.error().toString()));
    QCOMPARE(*fast, QByteArray(kJwePlaintext));

    auto viaCjose = Jwe::decrypt(QByteArrayView(kJwe56), Jwk::fromSymmetricKey(key).value());
    QVERIFY2(viaCjose.ok(), viaCjose.ok() ? "" : qPrintable(viaCjose.error().toString()));
    QCOMPARE(*viaCjose, QByteArray(kJwePlaintext));

    // Flip one bit of the tag: both paths refuse.
    QByteArray tampered(kJwe56);
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'd' ? 'e' : 'd';
    QCOMPARE(decryptDirect(tampered, key).error().code, ErrorCode::DecryptFailed);
    QVERIFY(!Jwe::decrypt(tampered, Jwk::fromSymmetricKey(key).value()).ok());
}

void TestJose::evpAndCjoseAgree_data()
{
    QTest::addColumn<int>("enc");
    for (auto e : {ContentEncryption::A128CBC_HS256, ContentEncryption::A192CBC_HS384, ContentEncryption::A256CBC_HS512,
                   ContentEncryption::A128GCM, ContentEncryption::A192GCM, ContentEncryption::A256GCM})
        QTest::newRow(contentEncryptionName(e)) << int(e);
}

void TestJose::evpAndCjoseAgree()
{
    QFETCH(int, enc);
    const auto e = ContentEncryption(enc);
    const QByteArray key = crypto::randomBytes(contentKeyLength(e));
    const Jwk jwk = Jwk::fromSymmetricKey(key).value();
    const QByteArray plaintext = "{\"sub\": \"u\", \"n\": \"" + QByteArray(3000, 'x') + "\"}";

    // Ours -> cjose.
    const QByteArray header = b64(QByteArray("{\"alg\":\"dir\",\"enc\":\"") + contentEncryptionName(e) + "\"}");
    auto ours = encryptDirect(e, key, header, plaintext);
    QVERIFY(ours.ok());
    auto opened = Jwe::decrypt(*ours, jwk);
    QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
    QCOMPARE(*opened, plaintext);

    // cjose -> ours.
    json::Object h;
    h.append("alg", "dir");
    h.append("enc", contentEncryptionName(e));
    auto theirs = Jwe::encrypt(jwk, h, plaintext);
    QVERIFY2(theirs.ok(), theirs.ok() ? "" : qPrintable(theirs.error().toString()));
    auto back = decryptDirect(*theirs, key);
    QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.error().toString()));
    QCOMPARE(*back, plaintext);

    // A different key is refused by both.
    const QByteArray other = crypto::randomBytes(contentKeyLength(e));
    QCOMPARE(decryptDirect(*theirs, other).error().code, ErrorCode::DecryptFailed);
    QCOMPARE(Jwe::decrypt(*ours, Jwk::fromSymmetricKey(other).value()).error().code, ErrorCode::DecryptFailed);
}

void TestJose::directHeaderValidation_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("code");
    QTest::newRow("alg RSA-OAEP") << b64json(R"({"alg":"RSA-OAEP","enc":"A256GCM"})") << int(ErrorCode::Unsupported);
    QTest::newRow("unknown enc") << b64json(R"({"alg":"dir","enc":"A512GCM"})") << int(ErrorCode::Unsupported);
    QTest::newRow("zip") << b64json(R"({"alg":"dir","enc":"A256GCM","zip":"DEF"})") << int(ErrorCode::Unsupported);
    QTest::newRow("crit") << b64json(R"({"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1})")
                          << int(ErrorCode::Unsupported);
    QTest::newRow("no alg") << b64json(R"({"enc":"A256GCM"})") << int(ErrorCode::MalformedInput);
    QTest::newRow("alg not string") << b64json(R"({"alg":1,"enc":"A256GCM"})") << int(ErrorCode::MalformedInput);
    QTest::newRow("not JSON") << b64json("dir") << int(ErrorCode::MalformedInput);
    QTest::newRow("array") << b64json("[]") << int(ErrorCode::MalformedInput);
    QTest::newRow("not base64url") << QByteArray("e30=") << int(ErrorCode::MalformedInput);
}

void TestJose::directHeaderValidation()
{
    QFETCH(QByteArray, header);
    QFETCH(int, code);
    auto parsed = parseDirectJweHeader(header);
    QVERIFY(!parsed.ok());
    QCOMPARE(int(parsed.error().code), code);
}

void TestJose::rfc7520Signatures_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("jwk");
    QTest::addColumn<QString>("alg");
    QTest::newRow("4.1 RS256") << compactJws("eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
                                             "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmKZopdHM1O2U4"
                                             "mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4JIwmDLJK3lfWRa-XtL0Rnlt"
                                             "uYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8wW1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV"
                                             "0ePPQdLuW3IS_de3xyIrDaLGdjluPxUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZD"
                                             "nd6QZWJushZ41Axf_fcIe8u9ipH84ogoree7vjbU5y18kDquDg")
                               << QByteArray(kRsaPublic) << "RS256";
    QTest::newRow("4.2 PS384") << compactJws("eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
                                             "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2IpN6-tPid6Vr"
                                             "klHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXUvdvWXzg-UD8biiReQFlfz2"
                                             "8zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRXe8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2l"
                                             "fJT8ImUjvAA2Xez2Mlp8cBE5awDzT0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPb"
                                             "Byi7xho0uTOcbH510a6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw")
                               << QByteArray(kRsaPublic) << "PS384";
    QTest::newRow("4.3 ES512") << compactJws("eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9",
                                             "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvbu9Plon7KRTz"
                                             "oNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kvAD890jl8e2puQens_IEKBp"
                                             "HABlsbEPX6sFY8OcGDqoRuBomu9xQ2")
                               << QByteArray(kEcPublic) << "ES512";
    QTest::newRow("4.4 HS256")
        << compactJws("eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9",
                      "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0")
        << QByteArray(kHmacKey) << "HS256";
}

void TestJose::rfc7520Signatures()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, jwk);
    QFETCH(QString, alg);
    auto jws = Jws::parse(token);
    QVERIFY(jws.ok());
    QCOMPARE(jws->algorithmName, alg);
    QCOMPARE(jws->payload, QByteArray(kPayload));
    const Jwk k = key(jwk.constData());
    auto verified = Jws::verify(*jws, k, AlgorithmSet::all());
    QVERIFY2(verified.ok(), verified.ok() ? "" : qPrintable(verified.error().toString()));

    // One changed payload character breaks it.
    QByteArray altered = token;
    const qsizetype dot = altered.indexOf('.');
    altered[dot + 5] = altered[dot + 5] == 'A' ? 'B' : 'A';
    auto alteredJws = Jws::parse(altered);
    QVERIFY(alteredJws.ok());
    QCOMPARE(Jws::verify(*alteredJws, k, AlgorithmSet::all()).error().code, ErrorCode::VerificationFailed);

    // The same key in a JWKS is found by kid.
    const QByteArray set = "{\"keys\":[" + QByteArray(kEd25519Public) + "," + jwk + "]}";
    auto jwks = Jwks::parse(set.toStdString());
    QVERIFY(jwks.ok());
    QVERIFY(Jws::verify(*jws, *jwks, AlgorithmSet::all()).ok());
}

void TestJose::rfc8037EdDsa()
{
    auto jws = Jws::parse(QByteArrayView(kEd25519Jws));
    QVERIFY(jws.ok());
    QCOMPARE(jws->payload, QByteArray("Example of Ed25519 signing"));
    QVERIFY(Jws::verify(*jws, key(kEd25519Public), AlgorithmSet::asymmetric()).ok());

    // Signing with the private key reproduces the RFC's signature (Ed25519 is deterministic).
    auto signedAgain = Jws::sign(SignatureAlgorithm::EdDSA, {}, "Example of Ed25519 signing", key(kEd25519Private));
    QVERIFY(signedAgain.ok());
    QCOMPARE(*signedAgain, QByteArray(kEd25519Jws));

    QByteArray bad(kEd25519Jws);
    bad[bad.size() - 5] = bad[bad.size() - 5] == 'A' ? 'B' : 'A';
    QCOMPARE(Jws::verify(Jws::parse(bad).value(), key(kEd25519Public), AlgorithmSet::asymmetric()).error().code,
             ErrorCode::VerificationFailed);
}

void TestJose::refusals_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QByteArray>("jwk");
    QTest::addColumn<QString>("message");
    const QByteArray body = b64("{\"sub\":\"x\"}");
    QTest::newRow("alg none") << b64json(R"({"alg":"none"})") + "." + body + "." << QByteArray(kRsaPublic)
                              << "unsigned token (alg none) refused";
    QTest::newRow("alg None (case)") << b64json(R"({"alg":"None"})") + "." + body + "." << QByteArray(kRsaPublic)
                                     << "unsupported signature algorithm";
    QTest::newRow("not in allowlist") << b64json(R"({"alg":"HS256"})") + "." + body + ".c2ln" << QByteArray(kHmacKey)
                                      << "signature algorithm not allowed";
    QTest::newRow("EC key for RS256") << b64json(R"({"alg":"RS256"})") + "." + body + ".c2ln" << QByteArray(kEcPublic)
                                      << "key does not fit the token's algorithm";
    QTest::newRow("wrong curve") << b64json(R"({"alg":"ES256"})") + "." + body + ".c2ln" << QByteArray(kEcPublic)
                                 << "key does not fit the token's algorithm";
    QTest::newRow("encryption key") << b64json(R"({"alg":"RS256"})") + "." + body + ".c2ln"
                                    << QByteArray(kRsaPublic).replace("\"use\":\"sig\"", "\"use\":\"enc\"")
                                    << "key is not a signing key";
    QTest::newRow("key bound to RS512") << b64json(R"({"alg":"RS256"})") + "." + body + ".c2ln"
                                        << QByteArray(kRsaPublic).replace("\"use\":\"sig\"", "\"alg\":\"RS512\"")
                                        << "key is bound to another algorithm";
    QTest::newRow("garbage signature") << b64json(R"({"alg":"RS256"})") + "." + body + ".c2ln" << QByteArray(kRsaPublic)
                                       << "signature does not verify";
}

void TestJose::refusals()
{
    QFETCH(QByteArray, token);
    QFETCH(QByteArray, jwk);
    QFETCH(QString, message);
    auto jws = Jws::parse(token);
    QVERIFY2(jws.ok(), jws.ok() ? "" : qPrintable(jws.error().toString()));
    auto verified = Jws::verify(*jws, key(jwk.constData()), AlgorithmSet::asymmetric());
    QVERIFY(!verified.ok());
    QCOMPARE(verified.error().code, ErrorCode::VerificationFailed);
    QCOMPARE(verified.error().message, message);
}

void TestJose::hs256SignedWithRsaPublicKeyIsRefused()
{
    // The classic confusion: HMAC keyed with the RSA public key's bytes. Even with HS256 allowed,
    // an RSA key is never used as an HMAC secret.
    const QByteArray input = b64json(R"({"alg":"HS256"})") + "." + b64("{\"sub\":\"admin\"}");
    const QByteArray mac = crypto::hmac(crypto::HashAlgorithm::Sha256, QByteArray(kRsaPublic), input);
    auto jws = Jws::parse(input + "." + b64(mac)).value();
    auto verified = Jws::verify(jws, key(kRsaPublic), AlgorithmSet::all());
    QCOMPARE(verified.error().message, QStringLiteral("key does not fit the token's algorithm"));
}

void TestJose::signAndVerifyEveryAlgorithm_data()
{
    QTest::addColumn<int>("alg");
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("curve");
    QTest::newRow("HS256") << int(SignatureAlgorithm::HS256) << int(Jwk::KeyType::Oct) << 256 << QString();
    QTest::newRow("HS512") << int(SignatureAlgorithm::HS512) << int(Jwk::KeyType::Oct) << 512 << QString();
    QTest::newRow("RS256") << int(SignatureAlgorithm::RS256) << int(Jwk::KeyType::Rsa) << 2048 << QString();
    QTest::newRow("RS384") << int(SignatureAlgorithm::RS384) << int(Jwk::KeyType::Rsa) << 2048 << QString();
    QTest::newRow("RS512") << int(SignatureAlgorithm::RS512) << int(Jwk::KeyType::Rsa) << 2048 << QString();
    QTest::newRow("PS256") << int(SignatureAlgorithm::PS256) << int(Jwk::KeyType::Rsa) << 2048 << QString();
    QTest::newRow("ES256") << int(SignatureAlgorithm::ES256) << int(Jwk::KeyType::Ec) << 0 << "P-256";
    QTest::newRow("ES384") << int(SignatureAlgorithm::ES384) << int(Jwk::KeyType::Ec) << 0 << "P-384";
    QTest::newRow("EdDSA") << int(SignatureAlgorithm::EdDSA) << int(Jwk::KeyType::Okp) << 0 << "Ed25519";
}

void TestJose::signAndVerifyEveryAlgorithm()
{
    QFETCH(int, alg);
    QFETCH(int, type);
    QFETCH(int, size);
    QFETCH(QString, curve);
    const auto a = SignatureAlgorithm(alg);
    auto signer = Jwk::generate(Jwk::KeyType(type), size, curve, QStringLiteral("k1"));
    QVERIFY2(signer.ok(), signer.ok() ? "" : qPrintable(signer.error().toString()));
    json::Object header;
    header.append("typ", "JWT");
    auto token = Jws::sign(a, header, "{\"sub\":\"u\"}", *signer);
    QVERIFY2(token.ok(), token.ok() ? "" : qPrintable(token.error().toString()));
    auto jwt = parseJwt(*token);
    QVERIFY(jwt.ok());
    QCOMPARE(jwt->jws.kid, QStringLiteral("k1"));
    QCOMPARE(jwt->jws.type, QStringLiteral("JWT"));

    // Verify with the public half only.
    const Jwk publicKey =
        Jwk::fromJson(Jwk::KeyType(type) == Jwk::KeyType::Oct ? signer->json() : signer->publicJson()).value();
    QVERIFY(!publicKey.hasPrivateKey() || Jwk::KeyType(type) == Jwk::KeyType::Oct);
    auto ok = Jws::verify(jwt->jws, publicKey, AlgorithmSet::all());
    QVERIFY2(ok.ok(), ok.ok() ? "" : qPrintable(ok.error().toString()));

    // Another key of the same kind does not verify it.
    auto other = Jwk::generate(Jwk::KeyType(type), size, curve, QStringLiteral("k1"));
    QCOMPARE(Jws::verify(jwt->jws, *other, AlgorithmSet::all()).error().code, ErrorCode::VerificationFailed);
}

void TestJose::jwksLookupAndSkipping()
{
    const QByteArray set = "{\"keys\":[" + QByteArray(kRsaPublic) +
                           R"(,{"kty":"RSA","kid":"broken","n":"AQAB"},{"kty":"XYZ","kid":"odd"},7,)" + kEcPublic +
                           R"(,{"kty":"OKP","crv":"X25519","x":"AA"}]})";
    auto jwks = Jwks::parse(set.toStdString());
    QVERIFY(jwks.ok());
    QCOMPARE(jwks->keys().size(), 2);
    QCOMPARE(jwks->skipped().size(), 4);
    QCOMPARE(jwks->skipped()[0].kid, QStringLiteral("broken"));
    QCOMPARE(jwks->skipped()[1].kid, QStringLiteral("odd"));
    QCOMPARE(jwks->findByKid(QStringLiteral("bilbo.baggins@hobbiton.example")).size(), 2);
    QVERIFY(jwks->findByKid(QStringLiteral("nobody")).isEmpty());

    // Unknown kid -> NotFound (callers refetch the JWKS once).
    json::Object h;
    h.append("kid", "nobody");
    auto signer = Jwk::generate(Jwk::KeyType::Rsa, 2048).value();
    auto jws = Jws::parse(Jws::sign(SignatureAlgorithm::RS256, h, "x", signer).value()).value();
    QCOMPARE(Jws::verify(jws, *jwks, AlgorithmSet::all()).error().code, ErrorCode::NotFound);

    QCOMPARE(Jwks::parse(R"({"nokeys":[]})").error().code, ErrorCode::MalformedInput);
    QCOMPARE(Jwks::parse(R"({"keys":{}})").error().code, ErrorCode::MalformedInput);
    QCOMPARE(Jwks::parse("not json").error().code, ErrorCode::MalformedInput);
    QVERIFY(Jwks::parse(R"({"keys":[]})")->isEmpty());
}

void TestJose::jwtClaims()
{
    const QByteArray token = b64json(R"({"alg":"RS256","kid":"a"})") + "." +
                             b64json(R"({"iss":"https://i/","aud":["c1","c2"],"exp":1700000000,"iat":1.7e9,"x":"1"})") +
                             ".c2ln";
    auto jwt = parseJwt(token);
    QVERIFY(jwt.ok());
    QCOMPARE(jwt->stringClaim("iss").value(), QStringLiteral("https://i/"));
    QCOMPARE(jwt->audiences(), QStringList({QStringLiteral("c1"), QStringLiteral("c2")}));
    QCOMPARE(jwt->numericDate("exp").value(), 1700000000);
    QCOMPARE(jwt->numericDate("iat").value(), 1700000000);
    QVERIFY(!jwt->numericDate("x").has_value());
    QVERIFY(!jwt->stringClaim("exp").has_value());
    const QByteArray single = b64json(R"({"alg":"RS256"})") + "." + b64json(R"({"aud":"c1"})") + ".c2ln";
    QCOMPARE(parseJwt(single)->audiences(), QStringList{QStringLiteral("c1")});
    const QByteArray notObject = b64json(R"({"alg":"RS256"})") + "." + b64json("[1]") + ".c2ln";
    QCOMPARE(parseJwt(notObject).error().code, ErrorCode::MalformedInput);
}

void TestJose::malformedJws_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("two parts") << QByteArray("a.b");
    QTest::newRow("four parts") << QByteArray("a.b.c.d");
    QTest::newRow("bad header base64") << QByteArray("e30=.e30.c2ln");
    QTest::newRow("header not JSON") << b64("{") + ".e30.c2ln";
    QTest::newRow("header no alg") << b64json("{}") + ".e30.c2ln";
    QTest::newRow("bad signature base64") << b64json(R"({"alg":"HS256"})") + ".e30.c2l+";
    QTest::newRow("JWE given") << QByteArray(kJwe56);
}

void TestJose::malformedJws()
{
    QFETCH(QByteArray, token);
    auto jws = Jws::parse(token);
    QVERIFY(!jws.ok());
    QCOMPARE(jws.error().code, ErrorCode::MalformedInput);
}

void TestJose::cjoseNeverSeesMalformedBase64()
{
    // Regressions found by fuzz_jwe / fuzz_jwks: cjose 0.6's base64 decoder asserts (aborting the
    // process) on lengths of 1 mod 4 and on '='. Both inputs must come back as errors.
    const QByteArray key(64, 'k');
    const QByteArray jwe = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMJjU2Q0JDLUhTNTEyIn5..f4NJOqYAC0B1lf7SGs15bQ.MzXGC=0ThLwJRxO3D"
                           "Ze8Vw.IyUH62ts'2hZ-f9bMY1gpnZ74JG_fUYQ1U8BI9Rvyg6U";
    QCOMPARE(Jwe::decrypt(jwe, Jwk::fromSymmetricKey(key).value()).error().code, ErrorCode::MalformedInput);
    const QByteArray oneMod4 = b64json(R"({"alg":"dir","enc":"A256CBC-HS512"})") + "..AAAAA.AAAA.AAAA";
    QCOMPARE(Jwe::decrypt(oneMod4, Jwk::fromSymmetricKey(key).value()).error().code, ErrorCode::MalformedInput);

    auto jwk = Jwk::parse(R"({"kty":"oct","k":"hJtXIZ3uSN5kbQfbt=N@WbpdmhkV6FJG"})");
    QCOMPARE(jwk.error().code, ErrorCode::MalformedInput);
    QCOMPARE(jwk.error().detail, QStringLiteral("\"k\" is not base64url"));
    QCOMPARE(Jwk::parse(R"({"kty":"RSA","n":"AQABA","e":"AQAB"})").error().detail,
             QStringLiteral("\"n\" is not base64url"));
    QCOMPARE(Jwk::parse(R"({"kty":"EC","crv":"P-256","x":5,"y":"AA"})").error().detail,
             QStringLiteral("\"x\" is not base64url"));
}

QTEST_GUILESS_MAIN(TestJose)
#include "TestJose.moc"
