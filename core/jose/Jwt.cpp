#include "Jwt.h"

namespace si::jose {

std::optional<QString> Jwt::stringClaim(std::string_view name) const
{
    const json::Value *v = claims.find(name);
    if (!v || !v->isString())
        return std::nullopt;
    return v->toQString();
}

std::optional<qint64> Jwt::numericDate(std::string_view name) const
{
    const json::Value *v = claims.find(name);
    if (!v)
        return std::nullopt;
    auto n = v->toInt64();
    if (!n)
        return std::nullopt;
    return static_cast<qint64>(*n);
}

QStringList Jwt::audiences() const
{
    QStringList out;
    const json::Value *aud = claims.find("aud");
    if (!aud)
        return out;
    if (aud->isString())
        out << aud->toQString();
    for (const json::Value &v : aud->array()) {
        if (v.isString())
            out << v.toQString();
    }
    return out;
}

Result<Jwt> parseJwt(QByteArrayView compact)
{
    auto jws = Jws::parse(compact);
    if (!jws)
        return jws.error();
    auto claims = json::parse(jws->payload);
    if (!claims || !claims->isObject())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWT payload is not a JSON object"),
                         claims ? QString() : claims.error().detail);
    Jwt jwt;
    jwt.jws = std::move(jws.value());
    jwt.claims = std::move(claims->object());
    return jwt;
}

} // namespace si::jose
