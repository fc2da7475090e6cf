#include "CryptoCommands.h"

#include "ExitCode.h"
#include "core/envelope/EnvelopeCipher.h"
#include "core/model/StateData.h"

namespace si::cli {

namespace {

QByteArrayView trimmedToken(const QByteArray &input)
{
    return QByteArrayView(input).trimmed();
}

// Warns (stderr) when a JSON document does not have the shape auth0 readers expect for `salt`.
void checkShape(const CommandContext &ctx, const QString &salt, const json::Value &value)
{
    if (salt == EnvelopeCipher::sessionIdentifier()) {
        if (auto state = StateData::fromJson(value); !state)
            ctx.note(
                QStringLiteral("warning: this is not valid auth0 session state (%1)").arg(state.error().toString()));
    } else if (salt.startsWith(QLatin1String("_a0_tx:"))) {
        if (auto tx = TransactionData::fromJson(value); !tx)
            ctx.note(QStringLiteral("warning: this is not a valid auth0 transaction (%1)").arg(tx.error().toString()));
    }
}

} // namespace

int runCryptoEncrypt(const CommandContext &ctx)
{
    const QString salt = ctx.args().value(QStringLiteral("salt"));
    if (salt.isEmpty())
        return ctx.usage(QStringLiteral("crypto encrypt needs --salt (e.g. _a0_session)"));
    auto input = ctx.readInput(0, "JSON");
    if (!input)
        return ctx.fail(QStringLiteral("encrypt"), input.error());
    auto value = json::parse(*input);
    if (!value)
        return ctx.fail(QStringLiteral("the input is not JSON"),
                        makeError(ErrorCode::InvalidArgument, value.error().message, value.error().detail));
    checkShape(ctx, salt, *value);
    auto secrets = ctx.loadSecrets();
    if (!secrets)
        return ctx.fail(QStringLiteral("encrypt"), secrets.error());
    const EnvelopeCipher cipher(std::move(secrets.value()));
    // By default the JSON is re-serialized the way auth0-server-python's json.dumps writes it;
    // --as-is encrypts the input bytes unchanged.
    auto token = ctx.args().isSet(QStringLiteral("as-is")) ? cipher.encrypt(salt, QByteArrayView(*input).trimmed())
                                                           : cipher.encryptJson(salt, *value);
    if (!token)
        return ctx.fail(QStringLiteral("encrypt"), token.error());
    ctx.print(*token);
    return ExitCode::Ok;
}

int decryptAndPrint(const CommandContext &ctx, const QString &salt, QByteArrayView token)
{
    auto secrets = ctx.loadSecrets();
    if (!secrets)
        return ctx.fail(QStringLiteral("decrypt"), secrets.error());
    const EnvelopeCipher cipher(std::move(secrets.value()));
    auto decrypted = cipher.decrypt(salt, token);
    if (!decrypted)
        return ctx.fail(QStringLiteral("cannot decrypt"), decrypted.error());
    if (decrypted->secretIndex > 0)
        ctx.note(QStringLiteral("note: opened with secret #%1 (key id %2), not the current one")
                     .arg(decrypted->secretIndex + 1)
                     .arg(cipher.secrets().keyId(decrypted->secretIndex)));
    if (ctx.args().isSet(QStringLiteral("pretty"))) {
        auto value = json::parse(decrypted->plaintext);
        if (!value)
            return ctx.fail(QStringLiteral("the decrypted content is not JSON"), value.error());
        const std::string pretty = json::serialize(*value, json::Style::Pretty);
        ctx.print(QByteArrayView(pretty.data(), static_cast<qsizetype>(pretty.size())));
    } else {
        ctx.print(decrypted->plaintext);
    }
    return ExitCode::Ok;
}

int runCryptoDecrypt(const CommandContext &ctx)
{
    const QString salt = ctx.args().value(QStringLiteral("salt"));
    if (salt.isEmpty())
        return ctx.usage(QStringLiteral("crypto decrypt needs --salt (e.g. _a0_session)"));
    auto input = ctx.readInput(0, "token");
    if (!input)
        return ctx.fail(QStringLiteral("decrypt"), input.error());
    return decryptAndPrint(ctx, salt, trimmedToken(*input));
}

} // namespace si::cli
