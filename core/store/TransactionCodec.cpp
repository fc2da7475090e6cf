#include "TransactionCodec.h"

namespace si {

TransactionCodec::TransactionCodec(SecretList secrets, Options options)
    : m_cipher(std::make_shared<EnvelopeCipher>(std::move(secrets)))
    , m_options(std::move(options))
{
    if (!m_options.clock)
        m_options.clock = systemClock;
}

Status TransactionCodec::validateState(QStringView state)
{
    bool ok = !state.isEmpty() && state.size() <= 256;
    for (QChar c : state) {
        const char16_t u = c.unicode();
        ok = ok && ((u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'-' ||
                    u == u'_' || u == u'.' || u == u'~');
    }
    if (!ok)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid transaction state"),
                         QStringLiteral("1 to 256 characters of [A-Za-z0-9._~-]"));
    return {};
}

Result<QByteArray> TransactionCodec::encode(const QString &state, const TransactionData &transaction) const
{
    if (auto valid = validateState(state); !valid)
        return valid.error();
    // The deadline rides in the protected header so that every store can enforce it, even one
    // whose own expiry is only advisory (a cookie's Max-Age). auth0 readers ignore it.
    json::Object header;
    header.append("exp", static_cast<std::int64_t>(now() + m_options.lifetimeSeconds));
    const std::string text = json::serialize(transaction.toJson(), json::Style::Python);
    return m_cipher->encrypt(EnvelopeCipher::transactionIdentifier(state),
                             QByteArrayView(text.data(), static_cast<qsizetype>(text.size())), {}, header);
}

Result<std::optional<TransactionData>> TransactionCodec::decode(const QString &state, QByteArrayView envelope) const
{
    auto decrypted = m_cipher->decrypt(EnvelopeCipher::transactionIdentifier(state), envelope);
    if (!decrypted)
        return decrypted.error();
    if (const json::Value *exp = decrypted->header.find("exp"); exp && exp->toInt64().value_or(0) <= now())
        return std::optional<TransactionData>();
    auto value = json::parse(decrypted->plaintext);
    if (!value)
        return value.error();
    auto tx = TransactionData::fromJson(*value);
    if (!tx)
        return tx.error();
    return std::optional<TransactionData>(std::move(tx.value()));
}

} // namespace si
