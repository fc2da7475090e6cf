#include "StateData.h"

#include "ModelJson.h"

namespace si {

namespace {

Error notAnObject(const char *what)
{
    return makeError(ErrorCode::MalformedInput, QStringLiteral("unexpected session data"),
                     QStringLiteral("%1 must be a JSON object").arg(QLatin1String(what)));
}

Status readTokenSets(const json::Object &object, std::string_view key, QList<TokenSet> &out)
{
    const json::Value *v = object.find(key);
    if (!v || v->isNull())
        return {};
    if (!v->isArray())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("unexpected session data"),
                         QStringLiteral("%1 must be a list").arg(QString::fromUtf8(key.data(), qsizetype(key.size()))));
    for (const json::Value &item : v->array()) {
        auto set = TokenSet::fromJson(item);
        if (!set)
            return set.error();
        out.append(std::move(set.value()));
    }
    return {};
}

json::Value tokenSetsJson(const QList<TokenSet> &sets, bool connection)
{
    json::Array array;
    array.reserve(static_cast<size_t>(sets.size()));
    for (const TokenSet &set : sets)
        array.push_back(set.toJson(connection));
    return array;
}

// An empty list leaves an existing [] or null as it was, and is written for fresh objects only.
void writeTokenSets(json::Object &out, std::string_view key, const QList<TokenSet> &sets, bool connection, bool fresh)
{
    if (sets.isEmpty()) {
        const json::Value *existing = out.find(key);
        if (existing && (existing->isNull() || (existing->isArray() && existing->array().empty())))
            return;
        if (!existing && !fresh)
            return;
    }
    model::writeField(out, key, tokenSetsJson(sets, connection), true, fresh);
}

Result<json::Value> parseText(QByteArrayView utf8)
{
    return json::parse(std::string_view(utf8.data(), static_cast<size_t>(utf8.size())));
}

} // namespace

Result<StateData> StateData::fromJson(const json::Value &value)
{
    return fromJson(json::Value(value));
}

Result<StateData> StateData::fromJson(json::Value &&value)
{
    if (!value.isObject())
        return notAnObject("session state");
    StateData state;
    state.raw = std::move(value.object());
    model::FieldReader read(state.raw, "state");
    read.optionalString("id_token", state.idToken);
    read.optionalString("refresh_token", state.refreshToken);
    read.optionalString("domain", state.domain);
    if (!read.status())
        return read.status().error();

    if (const json::Value *user = state.raw.find("user"); user && !user->isNull()) {
        if (!user->isObject())
            return notAnObject("state.user");
        state.user = UserClaims{user->object()};
    }
    if (auto s = readTokenSets(state.raw, "token_sets", state.tokenSets); !s)
        return s.error();
    if (auto s = readTokenSets(state.raw, "connection_token_sets", state.connectionTokenSets); !s)
        return s.error();

    if (const json::Value *internal = state.raw.find("internal"); internal && !internal->isNull()) {
        if (!internal->isObject())
            return notAnObject("state.internal");
        state.internal.raw = internal->object();
        model::FieldReader readInternal(state.internal.raw, "internal");
        readInternal.string("sid", state.internal.sid);
        readInternal.integer("created_at", state.internal.createdAt);
        readInternal.optionalInteger("session_expires_at", state.internal.sessionExpiresAt);
        if (!readInternal.status())
            return readInternal.status().error();
    }
    return state;
}

Result<StateData> StateData::parse(QByteArrayView utf8)
{
    auto value = parseText(utf8);
    if (!value)
        return value.error();
    return fromJson(std::move(value.value()));
}

json::Value StateData::toJson() const
{
    json::Object out = raw;
    const bool fresh = raw.isEmpty();
    model::writeField(out, "user", user ? json::Value(user->claims) : json::Value(), user.has_value(), fresh);
    model::writeOptionalString(out, "id_token", idToken, fresh);
    model::writeOptionalString(out, "refresh_token", refreshToken, fresh);
    writeTokenSets(out, "token_sets", tokenSets, false, fresh);
    writeTokenSets(out, "connection_token_sets", connectionTokenSets, true, fresh);
    model::writeOptionalString(out, "domain", domain, fresh);

    json::Object internalOut = internal.raw;
    const bool internalFresh = internal.raw.isEmpty();
    model::writeField(internalOut, "sid", internal.sid, true, internalFresh);
    model::writeField(internalOut, "created_at", json::Value(static_cast<std::int64_t>(internal.createdAt)), true,
                      internalFresh);
    if (internal.sessionExpiresAt)
        model::writeField(internalOut, "session_expires_at",
                          json::Value(static_cast<std::int64_t>(*internal.sessionExpiresAt)), true, false);
    else if (internalOut.contains("session_expires_at"))
        model::writeField(internalOut, "session_expires_at", json::Value(), false, false);
    if (out.contains("internal") || fresh || !internalFresh || !internal.sid.isEmpty() || internal.createdAt != 0)
        model::writeField(out, "internal", json::Value(std::move(internalOut)), true, fresh);
    return out;
}

std::string StateData::serialize(json::Style style) const
{
    return json::serialize(toJson(), style);
}

Result<TransactionData> TransactionData::fromJson(const json::Value &value)
{
    if (!value.isObject())
        return notAnObject("transaction");
    TransactionData tx;
    tx.raw = value.object();
    model::FieldReader read(tx.raw, "transaction");
    read.optionalString("audience", tx.audience);
    read.optionalString("code_verifier", tx.codeVerifier);
    read.optionalString("auth_session", tx.authSession);
    read.optionalString("redirect_uri", tx.redirectUri);
    read.optionalString("domain", tx.domain);
    read.optionalString("organization", tx.organization);
    if (!read.status())
        return read.status().error();
    if (const json::Value *appState = tx.raw.find("app_state"); appState && !appState->isNull())
        tx.appState = *appState;
    return tx;
}

Result<TransactionData> TransactionData::parse(QByteArrayView utf8)
{
    auto value = parseText(utf8);
    if (!value)
        return value.error();
    return fromJson(*value);
}

json::Value TransactionData::toJson() const
{
    json::Object out = raw;
    const bool fresh = raw.isEmpty();
    model::writeOptionalString(out, "audience", audience, fresh);
    model::writeOptionalString(out, "code_verifier", codeVerifier, fresh);
    model::writeField(out, "app_state", appState.value_or(json::Value()), appState.has_value(), fresh);
    model::writeOptionalString(out, "auth_session", authSession, fresh);
    model::writeOptionalString(out, "redirect_uri", redirectUri, fresh);
    model::writeOptionalString(out, "domain", domain, fresh);
    model::writeOptionalString(out, "organization", organization, false);
    return out;
}

std::string TransactionData::serialize(json::Style style) const
{
    return json::serialize(toJson(), style);
}

} // namespace si
