#pragma once

#include "../Result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace si::crypto {

// base64url without padding (RFC 7515 §2).
QByteArray base64UrlEncode(QByteArrayView data);

// Strict base64url decoding: only [A-Za-z0-9_-], no padding, no whitespace, and the unused low
// bits of the last character must be zero, so every byte string has exactly one encoding (a
// changed character always changes the decoded bytes).
Result<QByteArray> base64UrlDecode(QByteArrayView text);

// Same, into a caller-provided buffer (reused on hot paths). Returns false on invalid input.
bool base64UrlDecodeInto(QByteArrayView text, QByteArray &out);

} // namespace si::crypto
