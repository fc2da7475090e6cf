#include "core/cookie/CookieHeader.h"
#include "stores/cookie/Auth0CookieChunks.h"

#include <QtTest>

using namespace si;
using namespace si::stores;

class TestCookieChunks : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parseHeader_data();
    void parseHeader();
    void assembleInNumericOrder();
    void ignoresUnrelatedCookies();
    void errors_data();
    void errors();
    void splitRoundTrip();
};

void TestCookieChunks::parseHeader_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QList<Cookie>>("cookies");
    QTest::newRow("simple") << QByteArray("a=1; b=2") << QList<Cookie>{{"a", "1"}, {"b", "2"}};
    QTest::newRow("prefix and spaces") << QByteArray("Cookie:  a = 1 ;b=2;  ") << QList<Cookie>{{"a", "1"}, {"b", "2"}};
    QTest::newRow("quoted") << QByteArray("a=\"x y\"") << QList<Cookie>{{"a", "x y"}};
    QTest::newRow("empty value") << QByteArray("a=; b=2") << QList<Cookie>{{"a", ""}, {"b", "2"}};
    QTest::newRow("no equals skipped") << QByteArray("flag; a=1") << QList<Cookie>{{"a", "1"}};
    QTest::newRow("empty name skipped") << QByteArray("=x; a=1") << QList<Cookie>{{"a", "1"}};
    QTest::newRow("value with equals") << QByteArray("a=b=c") << QList<Cookie>{{"a", "b=c"}};
    QTest::newRow("duplicates kept") << QByteArray("a=1; a=2") << QList<Cookie>{{"a", "1"}, {"a", "2"}};
    QTest::newRow("garbage") << QByteArray(";;;==;\x01") << QList<Cookie>{};
}

void TestCookieChunks::parseHeader()
{
    QFETCH(QByteArray, header);
    QFETCH(QList<Cookie>, cookies);
    QCOMPARE(parseCookieHeader(header), cookies);
}

void TestCookieChunks::assembleInNumericOrder()
{
    // _10 must follow _9 (numeric, not lexicographic order), whatever order the browser sends.
    QList<Cookie> cookies;
    QByteArray expected;
    for (int i = 11; i >= 0; --i)
        cookies.append(Cookie{"_a0_session_" + QByteArray::number(i), "part" + QByteArray::number(i) + "."});
    for (int i = 0; i <= 11; ++i)
        expected += "part" + QByteArray::number(i) + ".";
    auto value = Auth0CookieChunks::assemble(cookies, QStringLiteral("_a0_session"));
    QVERIFY(value.ok());
    QCOMPARE(*value, expected);
}

void TestCookieChunks::ignoresUnrelatedCookies()
{
    const auto cookies = parseCookieHeader(
        "theme=dark; _a0_session_1=B; _a0_tx=T; _a0_session_meta=x; _a0_session_0=A; my_a0_session_2=Z");
    auto value = Auth0CookieChunks::assemble(cookies, QStringLiteral("_a0_session"));
    QVERIFY(value.ok());
    QCOMPARE(*value, QByteArray("AB"));
    // Another configured name.
    auto custom =
        Auth0CookieChunks::assemble(parseCookieHeader("app_0=x; app_1=y; _a0_session_0=A"), QStringLiteral("app"));
    QCOMPARE(*custom, QByteArray("xy"));
}

void TestCookieChunks::errors_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("detail");
    QTest::newRow("gap") << QByteArray("_a0_session_0=A; _a0_session_2=C; _a0_session_3=D")
                         << int(ErrorCode::MalformedInput) << "session chunk _a0_session_1 is missing"
                         << "chunks present: 0,2,3";
    QTest::newRow("no first chunk") << QByteArray("_a0_session_1=B") << int(ErrorCode::MalformedInput)
                                    << "session chunk _a0_session_0 is missing"
                                    << "chunks present: 1";
    QTest::newRow("bare name") << QByteArray("_a0_session=X; _a0_session_0=A") << int(ErrorCode::MalformedInput)
                               << "a cookie named exactly \"_a0_session\" is not a session chunk" << QString();
    QTest::newRow("bare name alone") << QByteArray("_a0_session=X") << int(ErrorCode::MalformedInput)
                                     << "a cookie named exactly \"_a0_session\" is not a session chunk" << QString();
    QTest::newRow("duplicate") << QByteArray("_a0_session_0=A; _a0_session_0=B") << int(ErrorCode::MalformedInput)
                               << "duplicate session chunk"
                               << "_a0_session_0 is sent twice";
    QTest::newRow("leading zero") << QByteArray("_a0_session_0=A; _a0_session_01=B") << int(ErrorCode::MalformedInput)
                                  << "malformed session chunk name"
                                  << "_a0_session_01";
    QTest::newRow("none") << QByteArray("theme=dark") << int(ErrorCode::NotFound) << "no session cookie in the header"
                          << "looked for _a0_session_0, _a0_session_1, …";
}

void TestCookieChunks::errors()
{
    QFETCH(QByteArray, header);
    QFETCH(int, code);
    QFETCH(QString, message);
    QFETCH(QString, detail);
    auto value = Auth0CookieChunks::assemble(parseCookieHeader(header), QStringLiteral("_a0_session"));
    QVERIFY(!value.ok());
    QCOMPARE(int(value.error().code), code);
    QCOMPARE(value.error().message, message);
    if (!detail.isEmpty())
        QCOMPARE(value.error().detail, detail);
    // Cookie values never appear in errors.
    QVERIFY(!value.error().toString().contains(QLatin1String("=A")));
}

void TestCookieChunks::splitRoundTrip()
{
    const QByteArray value(4075 * 2 + 10, 'v');
    const QList<Cookie> chunks = Auth0CookieChunks::split(value, QStringLiteral("_a0_session"));
    QCOMPARE(chunks.size(), 3);
    QCOMPARE(chunks[0].name, QByteArray("_a0_session_0"));
    QCOMPARE(chunks[0].value.size(), 4075);
    QCOMPARE(chunks[2].value.size(), 10);
    QCOMPARE(Auth0CookieChunks::assemble(chunks, QStringLiteral("_a0_session")).value(), value);
    QVERIFY(Auth0CookieChunks::split({}, QStringLiteral("_a0_session")).isEmpty());
}

QTEST_GUILESS_MAIN(TestCookieChunks)
#include "TestCookieChunks.moc"
