#include "TokenMask.h"

#include <QLocale>

namespace si::ui {

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
