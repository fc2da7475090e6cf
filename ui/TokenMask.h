#pragma once

#include <QString>

namespace si::ui {

// What the UI shows for a token or secret until the user asks to reveal it: no characters of the
// value, only its kind and length ("JWT ••••••• 1,024 chars"). Empty values stay empty.
QString maskedToken(QStringView value);

// Whether `value` looks like a compact JWS/JWE (three or five base64url parts).
bool looksLikeJose(QStringView value);

} // namespace si::ui
