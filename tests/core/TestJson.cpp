#include "core/json/Json.h"
#include "core/text/ControlText.h"

#include <QtTest>

using namespace si;
using namespace si::json;

namespace {

QByteArray qb(const std::string &s)
{
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}

Value parseOk(std::string_view text)
{
    auto v = parse(text);
    if (!v)
        qFatal("parse failed: %s", qPrintable(v.error().toString()));
    return v.value();
}

} // namespace

class TestJson : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void pythonStyleRoundTripIsByteIdentical_data();
    void pythonStyleRoundTripIsByteIdentical();
    void pythonEscapes();
    void compactAndPrettyStyles();
    void keyOrderAndDuplicates();
    void surrogatePairs();
    void loneSurrogatesSurvive();
    void numbers();
    void doubleSpelledLikePythonRepr_data();
    void doubleSpelledLikePythonRepr();
    void malformed_data();
    void malformed();
    void depthLimit();
    void objectEditing();
    void largeObjectWithDuplicateKeys();
    void writerReplacesInvalidUtf8();
    void lineAndPrettyStylesAreInert();
    void controlsAreEscapedForPeople_data();
    void controlsAreEscapedForPeople();
};

void TestJson::pythonStyleRoundTripIsByteIdentical_data()
{
    // Each line is what Python's json.dumps printed (checked with /usr/bin/python3).
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("nested") << QByteArray(R"({"z": 1, "a": [true, false, null], "m": {"b": "x", "a": -0.5}})");
    QTest::newRow("escapes") << QByteArray(R"({"a": "Zo\u00eb \ud83d\ude00 \u007f\u001f/\"\\"})");
    QTest::newRow("numbers") << QByteArray(R"([1.5, 1e+16, 0.1, 1e-05, 1.0, 1000000000000000000000000000000])");
    QTest::newRow("empty containers") << QByteArray(R"({"a": {}, "b": [], "c": ""})");
    QTest::newRow("non-finite") << QByteArray(R"([NaN, Infinity, -Infinity])");
    QTest::newRow("scalar") << QByteArray(R"("just a string")");
}

void TestJson::pythonStyleRoundTripIsByteIdentical()
{
    QFETCH(QByteArray, text);
    const Value v = parseOk(text.toStdString());
    QCOMPARE(qb(serialize(v, Style::Python)), text);
}

void TestJson::pythonEscapes()
{
    // Raw UTF-8 input comes out the way json.dumps(ensure_ascii=True) writes it.
    const Value v = parseOk("{\"name\":\"Zo\xc3\xab \xf0\x9f\x98\x80\",\"ctl\":\"a\\nb\\tc\\u0001\\u007f\"}");
    QCOMPARE(qb(serialize(v, Style::Python)),
             QByteArray(R"({"name": "Zo\u00eb \ud83d\ude00", "ctl": "a\nb\tc\u0001\u007f"})"));
    // Compact keeps UTF-8 and DEL as they are, like JSON.stringify.
    QCOMPARE(qb(serialize(v, Style::Compact)),
             QByteArray("{\"name\":\"Zo\xc3\xab \xf0\x9f\x98\x80\",\"ctl\":\"a\\nb\\tc\\u0001\x7f\"}"));
    QCOMPARE(v.get("name")->toQString(), QStringLiteral("Zo\u00eb \U0001F600"));
}

void TestJson::compactAndPrettyStyles()
{
    const Value v = parseOk(R"({"a": [1, {"b": null}], "c": {}})");
    QCOMPARE(qb(serialize(v, Style::Compact)), QByteArray(R"({"a":[1,{"b":null}],"c":{}})"));
    QCOMPARE(qb(serialize(v, Style::Pretty)),
             QByteArray("{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"c\": {}\n}"));
}

void TestJson::keyOrderAndDuplicates()
{
    const Value v = parseOk(R"({"b": 1, "a": 2, "b": 3})");
    // Python's dict: the first position, the last value.
    QCOMPARE(qb(serialize(v, Style::Python)), QByteArray(R"({"b": 3, "a": 2})"));
    QCOMPARE(v.get("b")->toInt64().value(), 3);
}

void TestJson::surrogatePairs()
{
    const Value v = parseOk(R"("\ud83d\ude00\uD83D\uDE00")");
    QCOMPARE(QByteArray::fromStdString(v.stringUtf8()), QByteArray("\xf0\x9f\x98\x80\xf0\x9f\x98\x80"));
    QCOMPARE(qb(serialize(v, Style::Python)), QByteArray(R"("\ud83d\ude00\ud83d\ude00")"));
}

void TestJson::loneSurrogatesSurvive()
{
    // Python writes lone surrogates as escapes ({"s": "\ud800x"}); they must come back unchanged.
    for (const char *text : {R"({"s": "\ud800x"})", R"({"s": "\udc00"})", R"({"s": "\ud800\u0041"})"}) {
        const Value v = parseOk(text);
        QCOMPARE(qb(serialize(v, Style::Python)),
                 QByteArray(text).replace("\\u0041", "A")); // a plain A after the lone surrogate
    }
}

void TestJson::numbers()
{
    const Value v = parseOk(
        R"([9223372036854775807, -9223372036854775808, 9223372036854775808, 1e3, 1.5, -0, 12345678901234567890123])");
    const Array &a = v.array();
    QCOMPARE(a[0].toInt64().value(), std::numeric_limits<std::int64_t>::max());
    QCOMPARE(a[1].toInt64().value(), std::numeric_limits<std::int64_t>::min());
    QVERIFY(!a[2].toInt64()); // out of range
    QCOMPARE(a[3].toInt64().value(), 1000);
    QVERIFY(!a[4].toInt64()); // not integral
    QCOMPARE(a[4].toDouble().value(), 1.5);
    QCOMPARE(a[5].toInt64().value(), 0);
    QCOMPARE(a[6].numberLiteral(), std::string("12345678901234567890123")); // kept verbatim
    QCOMPARE(qb(serialize(Value(std::int64_t(-42)))), QByteArray("-42"));
    QVERIFY(Value(1.0) == Value::numberFromLiteral("1.0"));
    QVERIFY(parseOk("1.0") == parseOk("1"));
}

void TestJson::doubleSpelledLikePythonRepr_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("spelling");
    QTest::newRow("1.0") << 1.0 << QByteArray("1.0");
    QTest::newRow("0.1") << 0.1 << QByteArray("0.1");
    QTest::newRow("1e16") << 1e16 << QByteArray("1e+16");
    QTest::newRow("1e-05") << 1e-05 << QByteArray("1e-05");
    QTest::newRow("-2.5") << -2.5 << QByteArray("-2.5");
    QTest::newRow("nan") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
    QTest::newRow("inf") << std::numeric_limits<double>::infinity() << QByteArray("Infinity");
}

void TestJson::doubleSpelledLikePythonRepr()
{
    QFETCH(double, value);
    QFETCH(QByteArray, spelling);
    QCOMPARE(qb(serialize(Value(value))), spelling);
}

void TestJson::malformed_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QByteArray("") << "unexpected end of input at byte 0";
    QTest::newRow("trailing comma") << QByteArray("[1,]") << "unexpected character at byte 3";
    QTest::newRow("object trailing comma") << QByteArray(R"({"a":1,})") << "expected a string key at byte 7";
    QTest::newRow("single quotes") << QByteArray("{'a':1}") << "expected a string key at byte 1";
    QTest::newRow("unterminated string") << QByteArray(R"("abc)") << "unterminated string at byte 4";
    QTest::newRow("control char") << QByteArray("\"a\tb\"") << "control character in string at byte 2";
    QTest::newRow("bad escape") << QByteArray(R"("\x41")") << "invalid escape at byte 3";
    QTest::newRow("short unicode escape") << QByteArray(R"("\u12")") << "truncated \\u escape at byte 3";
    QTest::newRow("non-hex unicode escape") << QByteArray(R"("\u12zz")") << "invalid \\u escape at byte 6";
    QTest::newRow("leading zero") << QByteArray("01") << "unexpected data after the JSON value at byte 1";
    QTest::newRow("bare minus") << QByteArray("-") << "invalid number at byte 1";
    QTest::newRow("dot without digits") << QByteArray("1.") << "invalid number at byte 2";
    QTest::newRow("exponent without digits") << QByteArray("1e+") << "invalid number at byte 3";
    QTest::newRow("two values") << QByteArray("{} {}") << "unexpected data after the JSON value at byte 3";
    QTest::newRow("invalid UTF-8") << QByteArray("\"\xc3\x28\"") << "invalid UTF-8 at byte 1";
    QTest::newRow("overlong UTF-8") << QByteArray("\"\xc0\xaf\"") << "invalid UTF-8 at byte 1";
    QTest::newRow("UTF-8 surrogate") << QByteArray("\"\xed\xa0\x80\"") << "invalid UTF-8 at byte 1";
    QTest::newRow("truncated UTF-8") << QByteArray("\"\xe2\x82") << "truncated UTF-8 at byte 1";
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << "expected ':' at byte 5";
    QTest::newRow("bad literal") << QByteArray("nul") << "invalid literal at byte 0";
    QTest::newRow("unterminated array") << QByteArray("[1") << "unterminated array at byte 2";
}

void TestJson::malformed()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, reason);
    auto v = parse(text);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, ErrorCode::MalformedInput);
    QCOMPARE(v.error().detail, reason);
}

void TestJson::depthLimit()
{
    const std::string deep = std::string(300, '[') + std::string(300, ']');
    auto v = parse(deep);
    QVERIFY(!v.ok());
    QVERIFY(v.error().detail.startsWith(QLatin1String("nesting too deep")));
    ParseOptions options;
    options.maxDepth = 400;
    QVERIFY(parse(deep, options).ok());
    // A hostile document cannot exhaust the stack.
    const std::string hostile(1000000, '[');
    QVERIFY(!parse(hostile).ok());
}

void TestJson::objectEditing()
{
    Value v = parseOk(R"({"a": 1, "b": 2})");
    v.object().set("a", Value("x"));
    v.object().set("c", Value(nullptr));
    QVERIFY(v.object().remove("b"));
    QVERIFY(!v.object().remove("nope"));
    QCOMPARE(qb(serialize(v)), QByteArray(R"({"a": "x", "c": null})"));
}

void TestJson::largeObjectWithDuplicateKeys()
{
    std::string text = "{";
    for (int i = 0; i < 100; ++i)
        text += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
    text += "\"k5\": \"again\", \"k99\": true}";
    const Value v = parseOk(text);
    QCOMPARE(v.object().size(), 100);
    QCOMPARE(v.get("k5")->toQString(), QStringLiteral("again"));
    QCOMPARE(v.object().members()[5].key, std::string("k5"));
    QVERIFY(v.get("k99")->toBool());
}

void TestJson::writerReplacesInvalidUtf8()
{
    // Strings built by the program (not parsed) may hold invalid bytes; the output stays valid.
    const Value v(std::string("a\xff\xc3"
                              "b\xef\xbf\xbd"));
    QCOMPARE(qb(serialize(v, Style::Python)), QByteArray(R"("a\ufffd\ufffdb\ufffd")"));
    QCOMPARE(qb(serialize(v, Style::Compact)), QByteArray("\"a\xef\xbf\xbd\xef\xbf\xbd"
                                                          "b\xef\xbf\xbd\""));
    QVERIFY(parse(serialize(v, Style::Compact)).ok());
}

void TestJson::lineAndPrettyStylesAreInert()
{
    // ESC [2J, OSC 0 title BEL, C1 CSI (U+009B), an RTL override, a line separator and DEL: as
    // escapes in Line and Pretty (same value), kept raw in Compact (what JSON.stringify writes).
    const std::string raw = "\x1b[2J\x1b]0;t\x07 \xc2\x9b"
                            "2J \xe2\x80\xae evil \xe2\x80\xa8 \x7f Zo\xc3\xab";
    Object o;
    o.append("k\xe2\x80\xae", Value(raw));
    const Value v(std::move(o));
    const QByteArray line = qb(serialize(v, Style::Line));
    QCOMPARE(line, QByteArray(R"({"k\u202e":"\u001b[2J\u001b]0;t\u0007 \u009b2J \u202e evil \u2028 \u007f Zo)"
                              "\xc3\xab\"}"));
    const QByteArray pretty = qb(serialize(v, Style::Pretty));
    QVERIFY(pretty.contains(R"(\u009b2J \u202e evil \u2028 \u007f)"));
    for (const QByteArray &text : {line, pretty}) {
        for (const char *bad : {"\x1b", "\x07", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x80\xa8", "\x7f"})
            QVERIFY2(!text.contains(bad), text.constData());
        QCOMPARE(qb(serialize(parseOk(text.toStdString()), Style::Compact)), qb(serialize(v, Style::Compact)));
    }
    QVERIFY(qb(serialize(v, Style::Compact)).contains("\xe2\x80\xae evil"));
}

void TestJson::controlsAreEscapedForPeople_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("oneLine");
    QTest::addColumn<QString>("multiline");
    QTest::newRow("plain") << QStringLiteral("Zoë <b>x</b> \\x1b") << QStringLiteral("Zoë <b>x</b> \\x1b")
                           << QStringLiteral("Zoë <b>x</b> \\x1b");
    QTest::newRow("terminal") << QStringLiteral("\x1b[2J\x1b]0;title\x07")
                              << QStringLiteral("\\x1b[2J\\x1b]0;title\\x07")
                              << QStringLiteral("\\x1b[2J\\x1b]0;title\\x07");
    QTest::newRow("lines") << QStringLiteral("a\nb\r\tc") << QStringLiteral("a\\x0ab\\x0d\\x09c")
                           << QStringLiteral("a\nb\\x0d\\x09c");
    QTest::newRow("c1 and del") << QStringLiteral("\u009b\u0085\u007f") << QStringLiteral("\\x9b\\x85\\x7f")
                                << QStringLiteral("\\x9b\\x85\\x7f");
    QTest::newRow("bidi") << QStringLiteral("gpj.\u202eexe \u2066x\u2069 \u200f \u061c \u2029")
                          << QStringLiteral("gpj.\\u202eexe \\u2066x\\u2069 \\u200f \\u061c \\u2029")
                          << QStringLiteral("gpj.\\u202eexe \\u2066x\\u2069 \\u200f \\u061c \\u2029");
    QTest::newRow("nul") << QString(QChar(0)) << QStringLiteral("\\x00") << QStringLiteral("\\x00");
    QTest::newRow("astral kept") << QStringLiteral("😀 \u200d") << QStringLiteral("😀 \u200d")
                                 << QStringLiteral("😀 \u200d");
}

void TestJson::controlsAreEscapedForPeople()
{
    QFETCH(QString, text);
    QFETCH(QString, oneLine);
    QFETCH(QString, multiline);
    QCOMPARE(text::escapeControls(text), oneLine);
    QCOMPARE(text::escapeControls(text, text::Newlines::Keep), multiline);
    QCOMPARE(text::hasControls(text), oneLine != text);
}

QTEST_GUILESS_MAIN(TestJson)
#include "TestJson.moc"
