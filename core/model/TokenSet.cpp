#include "TokenSet.h"

#include "ModelJson.h"

namespace si {

Result<TokenSet> TokenSet::fromJson(const json::Value &value)
{
    if (!value.isObject())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("unexpected session data"),
                         QStringLiteral("a token set must be an object"));
    TokenSet set;
    set.raw = value.object();
    model::FieldReader read(set.raw, "token_set");
    read.optionalString("audience", set.audience);
    read.string("access_token", set.accessToken);
    read.optionalString("scope", set.scope);
    read.integer("expires_at", set.expiresAt);
    read.optionalString("connection", set.connection);
    read.optionalString("login_hint", set.loginHint);
    if (!read.status())
        return read.status().error();
    return set;
}

json::Value TokenSet::toJson(bool connectionSet) const
{
    json::Object out = raw;
    const bool fresh = raw.isEmpty();
    model::writeOptionalString(out, "audience", audience, fresh);
    model::writeField(out, "access_token", accessToken, true, fresh);
    model::writeOptionalString(out, "scope", scope, fresh);
    model::writeField(out, "expires_at", json::Value(static_cast<std::int64_t>(expiresAt)), true, fresh);
    if (connectionSet || connection || loginHint) {
        model::writeOptionalString(out, "connection", connection, fresh && connectionSet);
        model::writeOptionalString(out, "login_hint", loginHint, fresh && connectionSet);
    }
    return out;
}

} // namespace si
