#pragma once

#include "../json/Json.h"

#include <optional>

namespace si {

// The user's claims as kept in a session (auth0-server-python `UserClaims`, extra="allow"):
// every claim of the ID token is kept, in order, with typed accessors for the common ones.
struct UserClaims {
    json::Object claims;

    // Orders claims like pydantic does when auth0-server-python builds UserClaims from an ID
    // token: the declared fields first (sub, name, nickname, given_name, family_name, picture,
    // email, email_verified, org_id — null when absent), then every other claim in token order.
    static UserClaims fromIdTokenClaims(const json::Object &idTokenClaims);

    std::optional<QString> string(std::string_view name) const;
    QString sub() const { return string("sub").value_or(QString()); }
    std::optional<QString> email() const { return string("email"); }
    std::optional<QString> name() const { return string("name"); }
    std::optional<QString> sid() const { return string("sid"); }
    std::optional<QString> issuer() const { return string("iss"); }

    bool operator==(const UserClaims &other) const = default;
};

} // namespace si
