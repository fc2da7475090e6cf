#include "UserClaims.h"

namespace si {

UserClaims UserClaims::fromIdTokenClaims(const json::Object &idTokenClaims)
{
    static constexpr std::string_view kDeclared[] = {"sub",     "name",  "nickname",       "given_name", "family_name",
                                                     "picture", "email", "email_verified", "org_id"};
    UserClaims user;
    for (auto key : kDeclared) {
        const json::Value *v = idTokenClaims.find(key);
        user.claims.append(std::string(key), v ? *v : json::Value());
    }
    for (const json::Member &m : idTokenClaims) {
        bool declared = false;
        for (auto key : kDeclared)
            declared = declared || m.key == key;
        if (!declared)
            user.claims.append(m.key, m.value);
    }
    return user;
}

std::optional<QString> UserClaims::string(std::string_view name) const
{
    const json::Value *v = claims.find(name);
    if (!v || !v->isString())
        return std::nullopt;
    return v->toQString();
}

} // namespace si
