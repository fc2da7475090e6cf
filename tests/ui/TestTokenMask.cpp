#include "ui/TokenMask.h"

#include <QtTest>

using namespace si::ui;

class TestTokenMask : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void masksWithoutRevealingCharacters();
    void recognisesJose();
};

void TestTokenMask::masksWithoutRevealingCharacters()
{
    QLocale::setDefault(QLocale::c());
    const QString jwt = QStringLiteral("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl");
    const QString masked = maskedToken(jwt);
    QVERIFY(masked.startsWith(QLatin1String("JWT ")));
    QVERIFY(masked.endsWith(QStringLiteral("%1 chars").arg(jwt.size())));
    for (const QString &piece : jwt.split(QLatin1Char('.')))
        QVERIFY(!masked.contains(piece.left(4)));
    QVERIFY(maskedToken(QStringLiteral("v1.MRjT-opaque-refresh")).startsWith(QChar(0x2022)));
    QVERIFY(maskedToken(QString()).isEmpty());
}

void TestTokenMask::recognisesJose()
{
    QVERIFY(looksLikeJose(u"a.b.c"));
    QVERIFY(looksLikeJose(u"a..b.c.d"));
    QVERIFY(!looksLikeJose(u"a.b"));
    QVERIFY(!looksLikeJose(u"a.b.c d"));
    QVERIFY(!looksLikeJose(u"a+b.c.d"));
}

QTEST_GUILESS_MAIN(TestTokenMask)
#include "TestTokenMask.moc"
