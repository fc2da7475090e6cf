#pragma once

#include <QByteArray>
#include <QList>

namespace si {

struct Cookie {
    QByteArray name;
    QByteArray value;
    bool operator==(const Cookie &other) const = default;
};

// Parses a request `Cookie` header (RFC 6265 §5.4 / §4.2.1), leniently as browsers and servers
// do: an optional "Cookie:" prefix, ';' separators with optional whitespace, values optionally
// in double quotes (the quotes are removed), pairs without '=' and empty names skipped.
// Order and duplicates are kept as sent. Never fails: garbage yields fewer cookies.
QList<Cookie> parseCookieHeader(QByteArrayView header);

} // namespace si
