#pragma once

#include <QLocale>

#include "../json/Json.h"

#include <QString>

namespace si::inspector {

// Whether `value` looks like a compact JWS/JWE (three or five base64url parts).
bool looksLikeJose(QStringView value);
// What is shown for a token until someone asks to reveal it: its kind and length, none of its
// characters ("JWT ••••••• 1024 chars"; digits grouped as `locale` does it). Empty values stay empty.
QString maskedToken(QStringView value, const QLocale &locale = QLocale::c());
// Whether a member named `key` holds a credential: *_token, token, code_verifier, client_secret,
// password, secret.
bool isCredentialKey(std::string_view key);
// Replaces every credential in `document` — members named like one, and any string that looks
// like a JWT/JWE — by maskedToken(). Claims, times and names stay readable. Returns how many
// values were masked.
int redact(json::Value &document);

} // namespace si::inspector
