#pragma once

#include "Jws.h"

#include <QStringList>

namespace si::jose {

// A JWT (RFC 7519): a JWS whose payload is a JSON object of claims. Parsing does not verify;
// validation of claims belongs to the caller (OIDC ID tokens, logout tokens).
struct Jwt {
    ParsedJws jws;
    json::Object claims;

    std::optional<QString> stringClaim(std::string_view name) const;
    // A NumericDate claim (seconds); accepts integral JSON numbers only.
    std::optional<qint64> numericDate(std::string_view name) const;
    // "aud" as a list whether it was a string or an array of strings.
    QStringList audiences() const;
};

Result<Jwt> parseJwt(QByteArrayView compact);

} // namespace si::jose
