#pragma once

#include "core/Result.h"
#include "core/cookie/CookieHeader.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace si::stores {

// auth0-fastapi's stateless session cookie: the envelope split into `<name>_0`, `<name>_1`, …
// of at most 4075 characters each (INTEROP.md §1 "Cookies").
namespace Auth0CookieChunks {

constexpr qsizetype kChunkSize = 4075;

// Reassembles `<name>_N` cookies in numeric order. Unrelated cookies are ignored. Errors (with
// the cookie names involved, never values): no chunk at all, a gap in the numbering, a duplicate
// chunk, a chunk index with leading zeros, or a cookie named exactly `<name>` (auth0-fastapi's
// reader breaks on it; we say so instead).
Result<QByteArray> assemble(const QList<Cookie> &cookies, const QString &name);

// Splits a value into chunk cookies (name, value) in order.
QList<Cookie> split(QByteArrayView value, const QString &name, qsizetype chunkSize = kChunkSize);

} // namespace Auth0CookieChunks

} // namespace si::stores
