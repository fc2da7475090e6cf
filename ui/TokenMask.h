#pragma once

#include "core/inspector/Redaction.h"

#include <QString>

namespace si::ui {

// What the UI shows for a token or secret until the user asks to reveal it: no characters of the
// value, only its kind and length in the user's locale ("JWT ••••••• 1,024 chars"). Empty values
// stay empty. (core's inspector::maskedToken is the locale-free form for logs and exports.)
QString maskedToken(QStringView value);

using inspector::looksLikeJose;

} // namespace si::ui
