#include "TokenMask.h"

#include <QLocale>

namespace si::ui {

bool looksLikeJose(QStringView value)
{
    if (value.isEmpty())
        return false;
    int dots = 0;
    for (QChar c : value) {
        if (c == QLatin1Char('.')) {
            ++dots;
            continue;
        }
        const char16_t u = c.unicode();
        const bool b64 =
            (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
        if (!b64)
            return false;
    }
    return dots == 2 || dots == 4;
}

QString maskedToken(QStringView value)
{
    if (value.isEmpty())
        return {};
    QString kind;
    if (looksLikeJose(value))
        kind = value.count(QLatin1Char('.')) == 4 ? QStringLiteral("JWE ") : QStringLiteral("JWT ");
    return kind + QStringLiteral("\u2022\u2022\u2022\u2022\u2022\u2022\u2022 ") +
           QLocale::system().toString(value.size()) + QStringLiteral(" chars");
}

} // namespace si::ui
