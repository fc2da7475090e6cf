#include "TokenMask.h"

namespace si::ui {

QString maskedToken(QStringView value)
{
    return inspector::maskedToken(value, QLocale::system());
}

} // namespace si::ui
