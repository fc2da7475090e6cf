// Cross-check against an independent implementation: Python jwcrypto, the library
// auth0-server-python encrypts with, driven by tests/interop/jwcrypto_peer.py.

#include "core/envelope/EnvelopeCipher.h"
#include "core/model/StateData.h"
#include "tests/support/TestSupport.h"

#include <QProcess>
#include <QtTest>

using namespace si;

namespace {

QByteArray qb(const std::string &s)
{
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

EnvelopeCipher cipherFor(std::initializer_list<QByteArray> secrets)
{
    QList<crypto::SecureBytes> list;
    for (const QByteArray &s : secrets)
        list.append(crypto::SecureBytes(QByteArrayView(s)));
    return EnvelopeCipher(SecretList(std::move(list)));
}

// Payloads that stress the writer and reader: non-ASCII, astral characters, big values, nulls,
// numbers, nesting, and realistic session state.
QList<QByteArray> payloads()
{
    return {
        R"({"user": {"sub": "auth0|1"}, "internal": {"sid": "s", "created_at": 1700000000}})",
        R"({"user": {"sub": "google-oauth2|7", "name": "Zo\u00eb \u00c5berg", "emoji": "\ud83d\ude00"}, "id_token": null, "refresh_token": "v1.rt", "token_sets": [{"audience": null, "access_token": "at", "scope": null, "expires_at": 1700003600}], "connection_token_sets": [], "domain": "tenant.example", "internal": {"sid": "abc", "created_at": 1700000000}})",
        R"({"audience": "https://api", "code_verifier": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "app_state": {"returnTo": "/x?y=1&z=\u00e9"}, "auth_session": null, "redirect_uri": "https://app/cb", "domain": null})",
        R"({"n": [0, -1, 1.5, 1e+16, 123456789012345678901234567890], "b": [true, false, null], "s": "tab\tnl\nquote\"back\\slash/ctl\u0001del\u007f"})",
        "{\"big\": \"" + QByteArray(20000, 'x') + "\"}",
        R"({})",
    };
}

} // namespace

class TestJwcrypto : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void hkdfAgrees();
    void peerDecryptsOurEnvelopes();
    void weDecryptPeerEnvelopes();
    void rotationAcrossImplementations();
    void wrongSecretFailsOnBothSides();

private:
    QJsonObject ask(const QJsonObject &request);
    QProcess m_peer;
};

void TestJwcrypto::initTestCase()
{
    const QString python = QStringLiteral("/usr/bin/python3"); // Debian's, which sees python3-jwcrypto
    m_peer.start(python, {test::sourcePath(QStringLiteral("tests/interop/jwcrypto_peer.py"))});
    QVERIFY2(m_peer.waitForStarted(10000), "cannot start /usr/bin/python3");
    // Fails (never skips) when the peer cannot import jwcrypto: install python3-jwcrypto.
    const QJsonObject probe = ask({{QStringLiteral("op"), QStringLiteral("hkdf")},
                                   {QStringLiteral("secret"), QStringLiteral("secret")},
                                   {QStringLiteral("salt"), QStringLiteral("_a0_session")}});
    QVERIFY2(
        probe.contains(QStringLiteral("key")),
        qPrintable(
            QStringLiteral("jwcrypto peer not working: %1").arg(QString::fromUtf8(m_peer.readAllStandardError()))));
}

void TestJwcrypto::cleanupTestCase()
{
    m_peer.closeWriteChannel();
    m_peer.waitForFinished(5000);
}

QJsonObject TestJwcrypto::ask(const QJsonObject &request)
{
    m_peer.write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    while (!m_peer.canReadLine()) {
        if (!m_peer.waitForReadyRead(20000))
            return {};
    }
    return QJsonDocument::fromJson(m_peer.readLine()).object();
}

void TestJwcrypto::hkdfAgrees()
{
    const QList<QPair<QString, QString>> cases = {
        {QStringLiteral("secret"), QStringLiteral("_a0_session")},
        {QStringLiteral("p\u00e4ssw\u00f6rd \U0001F511"), QStringLiteral("_a0_session")},
        {QString(300, QLatin1Char('k')), QStringLiteral("_a0_tx:abcdefghijklmnopqrstuvwxyz012345")},
        {QStringLiteral("s"), QStringLiteral("mfa_token")},
        {QStringLiteral("0123456789abcdef0123456789abcdef"), QStringLiteral("salt with \u00fcmlaut")},
    };
    for (const auto &[secret, salt] : cases) {
        const QJsonObject answer = ask({{QStringLiteral("op"), QStringLiteral("hkdf")},
                                        {QStringLiteral("secret"), secret},
                                        {QStringLiteral("salt"), salt}});
        const EnvelopeCipher cipher = cipherFor({secret.toUtf8()});
        QCOMPARE(cipher.deriveKey(0, salt)->view().toByteArray().toHex(),
                 answer.value(QStringLiteral("key")).toString().toLatin1());
    }
}

void TestJwcrypto::peerDecryptsOurEnvelopes()
{
    const EnvelopeCipher cipher = cipherFor({"shared-secret"});
    for (const QByteArray &payload : payloads()) {
        const QString salt = QStringLiteral("_a0_session");
        const QByteArray token = cipher.encrypt(salt, payload).value();
        const QJsonObject answer = ask({{QStringLiteral("op"), QStringLiteral("decrypt")},
                                        {QStringLiteral("secrets"), QJsonArray{QStringLiteral("shared-secret")}},
                                        {QStringLiteral("salt"), salt},
                                        {QStringLiteral("token"), QString::fromLatin1(token)}});
        QVERIFY2(!answer.contains(QStringLiteral("error")),
                 qPrintable(answer.value(QStringLiteral("error")).toString()));
        QCOMPARE(answer.value(QStringLiteral("plaintext")).toString().toUtf8(), payload);
    }
}

void TestJwcrypto::weDecryptPeerEnvelopes()
{
    const EnvelopeCipher cipher = cipherFor({"peer-secret"});
    for (const QByteArray &payload : payloads()) {
        const QString salt = QStringLiteral("_a0_tx:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef");
        const QJsonObject answer = ask({{QStringLiteral("op"), QStringLiteral("encrypt")},
                                        {QStringLiteral("secret"), QStringLiteral("peer-secret")},
                                        {QStringLiteral("salt"), salt},
                                        {QStringLiteral("payload_json"), QString::fromUtf8(payload)}});
        const QByteArray token = answer.value(QStringLiteral("token")).toString().toLatin1();
        const QByteArray pythonText = answer.value(QStringLiteral("plaintext")).toString().toUtf8();
        // Python writes exactly the header auth0-server-python does.
        QVERIFY(token.startsWith(EnvelopeCipher::auth0HeaderB64().toByteArray() + ".."));
        auto opened = cipher.decrypt(salt, token);
        QVERIFY2(opened.ok(), opened.ok() ? "" : qPrintable(opened.error().toString()));
        QCOMPARE(opened->plaintext, pythonText);
        // Our Python-style writer reproduces json.dumps byte for byte after a parse.
        QCOMPARE(qb(json::serialize(json::parse(opened->plaintext).value())), pythonText);
    }
}

void TestJwcrypto::rotationAcrossImplementations()
{
    // Python (auth0-server-python) still holds the old secret; we rotated to a new one.
    const QJsonObject answer = ask({{QStringLiteral("op"), QStringLiteral("encrypt")},
                                    {QStringLiteral("secret"), QStringLiteral("old")},
                                    {QStringLiteral("salt"), QStringLiteral("_a0_session")},
                                    {QStringLiteral("payload_json"), QStringLiteral(R"({"k": 1})")}});
    const EnvelopeCipher rotated = cipherFor({"new", "old"});
    auto opened = rotated.decrypt(u"_a0_session", answer.value(QStringLiteral("token")).toString().toLatin1());
    QVERIFY(opened.ok());
    QCOMPARE(opened->secretIndex, 1);

    const QByteArray ours = rotated.encrypt(u"_a0_session", R"({"k": 2})").value();
    const QJsonObject back = ask({{QStringLiteral("op"), QStringLiteral("decrypt")},
                                  {QStringLiteral("secrets"), QJsonArray{QStringLiteral("old"), QStringLiteral("new")}},
                                  {QStringLiteral("salt"), QStringLiteral("_a0_session")},
                                  {QStringLiteral("token"), QString::fromLatin1(ours)}});
    QCOMPARE(back.value(QStringLiteral("plaintext")).toString(), QStringLiteral(R"({"k": 2})"));
}

void TestJwcrypto::wrongSecretFailsOnBothSides()
{
    const QByteArray ours = cipherFor({"right"}).encrypt(u"_a0_session", R"({"k": 3})").value();
    const QJsonObject answer = ask({{QStringLiteral("op"), QStringLiteral("decrypt")},
                                    {QStringLiteral("secrets"), QJsonArray{QStringLiteral("wrong")}},
                                    {QStringLiteral("salt"), QStringLiteral("_a0_session")},
                                    {QStringLiteral("token"), QString::fromLatin1(ours)}});
    QVERIFY(answer.contains(QStringLiteral("error")));

    const QJsonObject theirs = ask({{QStringLiteral("op"), QStringLiteral("encrypt")},
                                    {QStringLiteral("secret"), QStringLiteral("right")},
                                    {QStringLiteral("salt"), QStringLiteral("_a0_session")},
                                    {QStringLiteral("payload_json"), QStringLiteral("{}")}});
    auto opened =
        cipherFor({"wrong"}).decrypt(u"_a0_session", theirs.value(QStringLiteral("token")).toString().toLatin1());
    QCOMPARE(opened.error().code, ErrorCode::DecryptFailed);
}

QTEST_GUILESS_MAIN(TestJwcrypto)
#include "TestJwcrypto.moc"
