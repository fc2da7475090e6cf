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
    return m_cipher->encryptJson(EnvelopeCipher::transactionIdentifier(state), transaction.toJson());
}

Result<TransactionData> TransactionCodec::decode(const QString &state, QByteArrayView envelope) const
{
    auto value = m_cipher->decryptJson(EnvelopeCipher::transactionIdentifier(state), envelope);
    if (!value)
        return value.error();
    return TransactionData::fromJson(*value);
}

} // namespace si
