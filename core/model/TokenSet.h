#pragma once

#include "../Result.h"
#include "../json/Json.h"

#include <optional>

namespace si {

// An access token with its audience and scope (auth0-server-python `TokenSet`). Connection token
// sets (`connection_token_sets`) add `connection` and `login_hint`.
struct TokenSet {
    std::optional<QString> audience; // null is legal
    QString accessToken;
    std::optional<QString> scope; // null is legal
    qint64 expiresAt = 0;         // unix seconds
    std::optional<QString> connection;
    std::optional<QString> loginHint;
    json::Object raw; // the object as read, for unknown members and key order

    static Result<TokenSet> fromJson(const json::Value &value);
    json::Value toJson(bool connectionSet = false) const;
};

} // namespace si
