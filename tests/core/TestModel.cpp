#include "core/model/StateData.h"

#include <QtTest>

using namespace si;

namespace {

QByteArray qb(const std::string &s)
{
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

// What auth0-server-python stores (pydantic model_dump + json.dumps): declared fields with nulls,
// then extra claims, non-ASCII escaped.
const char kPythonState[] =
    R"({"user": {"sub": "auth0|64a1", "name": "Zo\u00eb Doe", "nickname": "zoe", "given_name": null, )"
    R"("family_name": null, "picture": "https://cdn.example/z.png", "email": "zoe@example.com", )"
    R"("email_verified": true, "org_id": null, "iss": "https://tenant.example/", "aud": "client-1", )"
    R"("iat": 1700000000, "exp": 1700036000, "sid": "sid-1", "custom": {"roles": ["a", "b"]}}, )"
    R"("id_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "refresh_token": null, )"
    R"("token_sets": [{"audience": "default", "access_token": "at-1", "scope": "openid profile", )"
    R"("expires_at": 1700003600}, {"audience": null, "access_token": "at-2", "scope": null, )"
    R"("expires_at": 1700003601}], "connection_token_sets": [], "domain": null, )"
    R"("internal": {"sid": "sid-1", "created_at": 1700000000}})";

} // namespace

class TestModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pythonStateRoundTripsByteForByte();
    void typedFieldsAreRead();
    void editingChangesOnlyThatField();
    void missingOptionalKeysStayMissing();
    void unknownMembersAreKept();
    void freshStateSerializesLikePydantic();
    void userClaimsFromIdTokenOrderLikePydantic();
    void wrongTypesAreErrors_data();
    void wrongTypesAreErrors();
    void transactionRoundTripAndFresh();
    void connectionTokenSets();
};

void TestModel::pythonStateRoundTripsByteForByte()
{
    auto state = StateData::parse(kPythonState);
    QVERIFY2(state.ok(), state.ok() ? "" : qPrintable(state.error().toString()));
    QCOMPARE(qb(state->serialize()), QByteArray(kPythonState));
}

void TestModel::typedFieldsAreRead()
{
    auto state = StateData::parse(kPythonState).value();
    QVERIFY(state.user.has_value());
    QCOMPARE(state.user->sub(), QStringLiteral("auth0|64a1"));
    QCOMPARE(state.user->name().value(), QStringLiteral("Zo\u00eb Doe"));
    QCOMPARE(state.user->sid().value(), QStringLiteral("sid-1"));
    QCOMPARE(state.idToken.value(), QStringLiteral("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
    QVERIFY(!state.refreshToken.has_value());
    QCOMPARE(state.tokenSets.size(), 2);
    QCOMPARE(state.tokenSets[0].audience.value(), QStringLiteral("default"));
    QCOMPARE(state.tokenSets[0].expiresAt, 1700003600);
    QVERIFY(!state.tokenSets[1].audience.has_value());
    QVERIFY(!state.tokenSets[1].scope.has_value());
    QCOMPARE(state.internal.sid, QStringLiteral("sid-1"));
    QCOMPARE(state.internal.createdAt, 1700000000);
    QVERIFY(!state.internal.sessionExpiresAt.has_value());
}

void TestModel::editingChangesOnlyThatField()
{
    auto state = StateData::parse(kPythonState).value();
    state.refreshToken = QStringLiteral("rt-new");
    state.tokenSets[1].accessToken = QStringLiteral("at-2b");
    state.internal.sessionExpiresAt = 1700259200;
    QByteArray expected(kPythonState);
    expected.replace(R"("refresh_token": null)", R"("refresh_token": "rt-new")");
    expected.replace(R"("access_token": "at-2")", R"("access_token": "at-2b")");
    expected.replace(R"("created_at": 1700000000})", R"("created_at": 1700000000, "session_expires_at": 1700259200})");
    QCOMPARE(qb(state.serialize()), expected);
}

void TestModel::missingOptionalKeysStayMissing()
{
    const QByteArray minimal(R"({"user": {"sub": "u1"}, "internal": {"sid": "s", "created_at": 1}})");
    auto state = StateData::parse(minimal);
    QVERIFY(state.ok());
    QVERIFY(!state->idToken);
    QVERIFY(state->tokenSets.isEmpty());
    QCOMPARE(qb(state->serialize()), minimal);

    // Even "internal" may be missing (foreign writers); nothing is invented on the way back.
    const QByteArray bare(R"({"user": {"sub": "u1"}})");
    QCOMPARE(qb(StateData::parse(bare)->serialize()), bare);
    // null user and token_sets stay null.
    const QByteArray nulls(R"({"user": null, "token_sets": null, "internal": {"sid": "s", "created_at": 1}})");
    QCOMPARE(qb(StateData::parse(nulls)->serialize()), nulls);
}

void TestModel::unknownMembersAreKept()
{
    const QByteArray text(
        R"({"future": {"x": [1, 2]}, "user": {"sub": "u"}, "token_sets": [{"audience": "a", "access_token": "t", )"
        R"("scope": "s", "expires_at": 5, "token_type": "DPoP"}], "internal": {"sid": "s", "created_at": 1, "v": 2}})");
    auto state = StateData::parse(text).value();
    state.tokenSets[0].expiresAt = 6;
    QByteArray expected = text;
    expected.replace(R"("expires_at": 5)", R"("expires_at": 6)");
    QCOMPARE(qb(state.serialize()), expected);
}

void TestModel::freshStateSerializesLikePydantic()
{
    StateData state;
    state.user = UserClaims{};
    state.user->claims.append("sub", "u1");
    TokenSet set;
    set.audience = QStringLiteral("default");
    set.accessToken = QStringLiteral("at");
    set.expiresAt = 99;
    state.tokenSets << set;
    state.internal.sid = QStringLiteral("s1");
    state.internal.createdAt = 5;
    const QByteArray expected(R"({"user": {"sub": "u1"}, "id_token": null, "refresh_token": null, "token_sets": )"
                              R"([{"audience": "default", "access_token": "at", "scope": null, "expires_at": 99}], )"
                              R"("connection_token_sets": [], "domain": null, )"
                              R"("internal": {"sid": "s1", "created_at": 5}})");
    QCOMPARE(qb(state.serialize()), expected);
}

void TestModel::userClaimsFromIdTokenOrderLikePydantic()
{
    auto claims = json::parse(R"({"iss": "i", "sub": "u", "aud": "c", "email": "e@x", "sid": "s", "name": "N"})");
    const UserClaims user = UserClaims::fromIdTokenClaims(claims->object());
    const QByteArray expected(R"({"sub": "u", "name": "N", "nickname": null, "given_name": null, )"
                              R"("family_name": null, "picture": null, "email": "e@x", "email_verified": null, )"
                              R"("org_id": null, "iss": "i", "aud": "c", "sid": "s"})");
    QCOMPARE(qb(json::serialize(json::Value(user.claims))), expected);
}

void TestModel::wrongTypesAreErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("detail");
    QTest::newRow("not an object") << QByteArray("[]") << "session state must be a JSON object";
    QTest::newRow("token_sets not a list") << QByteArray(R"({"token_sets": "x"})") << "token_sets must be a list";
    QTest::newRow("token set not an object") << QByteArray(R"({"token_sets": [1]})") << "a token set must be an object";
    QTest::newRow("expires_at text") << QByteArray(R"({"token_sets": [{"access_token": "a", "expires_at": "soon"}]})")
                                     << "token_set.expires_at must be an integer";
    QTest::newRow("created_at text") << QByteArray(R"({"internal": {"sid": "s", "created_at": "yesterday"}})")
                                     << "internal.created_at must be an integer";
    QTest::newRow("id_token number") << QByteArray(R"({"id_token": 5})") << "state.id_token must be a string";
    QTest::newRow("user list") << QByteArray(R"({"user": []})") << "state.user must be a JSON object";
}

void TestModel::wrongTypesAreErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, detail);
    auto state = StateData::parse(text);
    QVERIFY(!state.ok());
    QCOMPARE(state.error().code, ErrorCode::MalformedInput);
    QCOMPARE(state.error().detail, detail);
}

void TestModel::transactionRoundTripAndFresh()
{
    const QByteArray python(R"({"audience": null, "code_verifier": "v", "app_state": {"returnTo": "/x", "n": [1]}, )"
                            R"("auth_session": null, "redirect_uri": "https://app/cb", "domain": null})");
    auto tx = TransactionData::parse(python);
    QVERIFY(tx.ok());
    QCOMPARE(tx->codeVerifier.value(), QStringLiteral("v"));
    QCOMPARE(tx->appState->get("returnTo")->toQString(), QStringLiteral("/x"));
    QCOMPARE(qb(tx->serialize()), python);

    TransactionData fresh;
    fresh.codeVerifier = QStringLiteral("v");
    fresh.redirectUri = QStringLiteral("https://app/cb");
    const QByteArray expected(R"({"audience": null, "code_verifier": "v", "app_state": null, )"
                              R"("auth_session": null, "redirect_uri": "https://app/cb", "domain": null})");
    QCOMPARE(qb(fresh.serialize()), expected);
    fresh.organization = QStringLiteral("org_1");
    QVERIFY(qb(fresh.serialize()).endsWith(R"("domain": null, "organization": "org_1"})"));
    QVERIFY(!TransactionData::parse(R"({"code_verifier": 1})").ok());
}

void TestModel::connectionTokenSets()
{
    const QByteArray text(R"({"connection_token_sets": [{"audience": "a", "access_token": "t", "scope": null, )"
                          R"("expires_at": 1, "connection": "google-oauth2", "login_hint": "z@x"}]})");
    auto state = StateData::parse(text).value();
    QCOMPARE(state.connectionTokenSets.size(), 1);
    QCOMPARE(state.connectionTokenSets[0].connection.value(), QStringLiteral("google-oauth2"));
    QCOMPARE(qb(state.serialize()), text);

    TokenSet fresh;
    fresh.accessToken = QStringLiteral("t");
    const QByteArray expected(R"({"audience": null, "access_token": "t", "scope": null, "expires_at": 0, )"
                              R"("connection": null, "login_hint": null})");
    QCOMPARE(qb(json::serialize(fresh.toJson(true))), expected);
}

QTEST_GUILESS_MAIN(TestModel)
#include "TestModel.moc"
