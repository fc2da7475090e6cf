#pragma once

#include "../Result.h"
#include "../json/Json.h"
#include "TokenSet.h"
#include "UserClaims.h"

#include <QList>

#include <optional>

namespace si {

// auth0-server-python `InternalStateData`.
struct InternalState {
    QString sid;
    qint64 createdAt = 0;                   // unix seconds
    std::optional<qint64> sessionExpiresAt; // written only when set
    json::Object raw;
};

// One login session (auth0-server-python `StateData`), read from and written back to JSON without
// losing anything: unknown members, nulls and key order survive a round trip, missing optional
// members stay missing, and a freshly built StateData serializes in the field order (with nulls)
// that pydantic's model_dump produces.
struct StateData {
    std::optional<UserClaims> user;
    std::optional<QString> idToken;
    std::optional<QString> refreshToken;
    QList<TokenSet> tokenSets;
    QList<TokenSet> connectionTokenSets;
    std::optional<QString> domain;
    InternalState internal;
    json::Object raw;

    static Result<StateData> fromJson(const json::Value &value);
    // Takes the document over instead of copying it (the hot path after decryption).
    static Result<StateData> fromJson(json::Value &&value);
    static Result<StateData> parse(QByteArrayView utf8);

    json::Value toJson() const;
    std::string serialize(json::Style style = json::Style::Python) const;
};

// A login in progress (auth0-server-python `TransactionData`); every member is optional.
struct TransactionData {
    std::optional<QString> audience;
    std::optional<QString> codeVerifier;
    std::optional<json::Value> appState; // any JSON; nullopt when absent or null
    std::optional<QString> authSession;
    std::optional<QString> redirectUri;
    std::optional<QString> domain;
    std::optional<QString> organization; // written only when set
    json::Object raw;

    static Result<TransactionData> fromJson(const json::Value &value);
    static Result<TransactionData> parse(QByteArrayView utf8);

    json::Value toJson() const;
    std::string serialize(json::Style style = json::Style::Python) const;
};

} // namespace si
