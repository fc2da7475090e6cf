#include "Base64Url.h"

#include <array>

namespace si::crypto {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<signed char, 256> makeDecodeTable()
{
    std::array<signed char, 256> table{};
    for (auto &v : table)
        v = -1;
    for (int i = 0; i < 64; ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<signed char>(i);
    return table;
}

constexpr auto kDecode = makeDecodeTable();

// Pre-shifted tables for the 4-character loop: each character's 6 bits already in place, invalid
// characters set bit 31 so one OR over the whole input tells whether anything was invalid.
struct ShiftedTables {
    std::array<quint32, 256> t0{}, t1{}, t2{}, t3{};
};

constexpr ShiftedTables makeShiftedTables()
{
    ShiftedTables t;
    for (int c = 0; c < 256; ++c) {
        const int v = kDecode[static_cast<size_t>(c)];
        const quint32 bad = 0x80000000u;
        t.t0[static_cast<size_t>(c)] = v < 0 ? bad : quint32(v) << 18;
        t.t1[static_cast<size_t>(c)] = v < 0 ? bad : quint32(v) << 12;
        t.t2[static_cast<size_t>(c)] = v < 0 ? bad : quint32(v) << 6;
        t.t3[static_cast<size_t>(c)] = v < 0 ? bad : quint32(v);
    }
    return t;
}

constexpr ShiftedTables kShifted = makeShiftedTables();

} // namespace

QByteArray base64UrlEncode(QByteArrayView data)
{
    const auto *in = reinterpret_cast<const unsigned char *>(data.data());
    const qsizetype n = data.size();
    QByteArray out((n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0), Qt::Uninitialized);
    char *o = out.data();
    qsizetype i = 0;
    for (; i + 3 <= n; i += 3) {
        const unsigned v = (unsigned(in[i]) << 16) | (unsigned(in[i + 1]) << 8) | in[i + 2];
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
        *o++ = kAlphabet[v & 63];
    }
    if (n - i == 1) {
        const unsigned v = unsigned(in[i]) << 16;
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
    } else if (n - i == 2) {
        const unsigned v = (unsigned(in[i]) << 16) | (unsigned(in[i + 1]) << 8);
        *o++ = kAlphabet[(v >> 18) & 63];
        *o++ = kAlphabet[(v >> 12) & 63];
        *o++ = kAlphabet[(v >> 6) & 63];
    }
    return out;
}

bool base64UrlDecodeInto(QByteArrayView text, QByteArray &out)
{
    const qsizetype n = text.size();
    if (n % 4 == 1)
        return false;
    const auto *in = reinterpret_cast<const unsigned char *>(text.data());
    out.resize((n / 4) * 3 + (n % 4 ? n % 4 - 1 : 0));
    auto *o = reinterpret_cast<unsigned char *>(out.data());
    qsizetype i = 0;
    quint32 invalid = 0;
    for (; i + 4 <= n; i += 4) {
        const quint32 v = kShifted.t0[in[i]] | kShifted.t1[in[i + 1]] | kShifted.t2[in[i + 2]] | kShifted.t3[in[i + 3]];
        invalid |= v;
        o[0] = static_cast<unsigned char>(v >> 16);
        o[1] = static_cast<unsigned char>(v >> 8);
        o[2] = static_cast<unsigned char>(v);
        o += 3;
    }
    if (invalid & 0x80000000u)
        return false;
    const qsizetype rest = n - i;
    if (rest == 2) {
        const int a = kDecode[in[i]], b = kDecode[in[i + 1]];
        if ((a | b) < 0 || (b & 0x0f) != 0)
            return false;
        *o++ = static_cast<unsigned char>((a << 2) | (b >> 4));
    } else if (rest == 3) {
        const int a = kDecode[in[i]], b = kDecode[in[i + 1]], c = kDecode[in[i + 2]];
        if ((a | b | c) < 0 || (c & 0x03) != 0)
            return false;
        *o++ = static_cast<unsigned char>((a << 2) | (b >> 4));
        *o++ = static_cast<unsigned char>(((b & 0x0f) << 4) | (c >> 2));
    }
    return true;
}

Result<QByteArray> base64UrlDecode(QByteArrayView text)
{
    QByteArray out;
    if (!base64UrlDecodeInto(text, out))
        return makeError(ErrorCode::MalformedInput, QStringLiteral("invalid base64url"),
                         QStringLiteral("%1 characters").arg(text.size()));
    return out;
}

} // namespace si::crypto
