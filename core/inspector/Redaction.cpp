#include "Redaction.h"

namespace si::inspector {

bool looksLikeJose(QStringView value)
{
    if (value.isEmpty())
        return false;
    int dots = 0;
    for (QChar c : value) {
        if (c == QLatin1Char('.')) {
            ++dots;
            continue;
        }
        const char16_t u = c.unicode();
        const bool b64 =
            (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
        if (!b64)
            return false;
    }
    return dots == 2 || dots == 4;
}

QString maskedToken(QStringView value, const QLocale &locale)
{
    if (value.isEmpty())
        return {};
    QString kind;
    if (looksLikeJose(value))
        kind = value.count(QLatin1Char('.')) == 4 ? QStringLiteral("JWE ") : QStringLiteral("JWT ");
    return kind + QStringLiteral("\u2022\u2022\u2022\u2022\u2022\u2022\u2022 ") + locale.toString(value.size()) +
           QStringLiteral(" chars");
}

bool isCredentialKey(std::string_view key)
{
    auto endsWith = [key](std::string_view suffix) {
        return key.size() >= suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
    };
    return key == "token" || endsWith("_token") || endsWith("Token") || key == "code_verifier" ||
           key == "client_secret" || key == "password" || key == "secret";
}

namespace {

int redactValue(json::Value &value, bool credential)
{
    if (value.isString()) {
        const QString text = value.toQString();
        if (text.isEmpty() || !(credential || looksLikeJose(text)))
            return 0;
        value = json::Value(maskedToken(text));
        return 1;
    }
    int count = 0;
    if (value.isObject()) {
        for (auto &member : value.object().members())
            count += redactValue(member.value, isCredentialKey(member.key));
    } else if (value.isArray()) {
        for (json::Value &item : value.array())
            count += redactValue(item, credential);
    }
    return count;
}

} // namespace

int redact(json::Value &document)
{
    return redactValue(document, false);
}

} // namespace si::inspector
