#pragma once

// Private to core/json: one UTF-8 sequence decoder shared by the parser and the writer.

#include <cstddef>

namespace si::json::detail {

enum class Utf8Status { Ok, Invalid, Truncated };

struct Utf8Sequence {
    Utf8Status status = Utf8Status::Invalid;
    unsigned codePoint = 0;
    size_t length = 1;
};

// Decodes the multi-byte sequence starting at s[i] (s[i] >= 0x80). Overlong forms and values
// above U+10FFFF are invalid; encoded surrogates (U+D800..DFFF) are accepted only when
// `allowSurrogates` (the generalized UTF-8 our strings use for lone \uD800-style escapes).
inline Utf8Sequence decodeUtf8(const unsigned char *s, size_t n, size_t i, bool allowSurrogates)
{
    const unsigned char c = s[i];
    Utf8Sequence seq;
    unsigned cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        seq.length = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        seq.length = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        seq.length = 4;
        cp = c & 0x07;
    } else {
        seq.length = 1;
        return seq;
    }
    if (n - i < seq.length) {
        seq.status = Utf8Status::Truncated;
        seq.length = 1;
        return seq;
    }
    for (size_t k = 1; k < seq.length; ++k) {
        if ((s[i + k] & 0xC0) != 0x80) {
            seq.length = 1;
            return seq;
        }
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    if ((seq.length == 3 && (cp < 0x800 || (surrogate && !allowSurrogates))) ||
        (seq.length == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
        seq.length = 1;
        return seq;
    }
    seq.status = Utf8Status::Ok;
    seq.codePoint = cp;
    return seq;
}

} // namespace si::json::detail
