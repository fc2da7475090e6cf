#pragma once

#include "../Result.h"
#include "../envelope/EnvelopeCipher.h"
#include "../model/StateData.h"
#include "StoreTypes.h"

#include <memory>

namespace si {

// Encrypts login transactions the way auth0-server-python does (salt "_a0_tx:" + state) and
// knows their lifetime. Shared by every transaction store; immutable, thread-safe.
class TransactionCodec {
public:
    struct Options {
        qint64 lifetimeSeconds = 600;
        Clock clock = systemClock;
    };

    TransactionCodec(SecretList secrets, Options options);

    // OAuth state values: 1 to 256 characters of [A-Za-z0-9._~-] (RFC 6749 VSCHAR, restricted
    // to what is safe in keys and cookie names).
    static Status validateState(QStringView state);

    Result<QByteArray> encode(const QString &state, const TransactionData &transaction) const;
    // nullopt when the envelope's deadline has passed.
    Result<std::optional<TransactionData>> decode(const QString &state, QByteArrayView envelope) const;

    qint64 now() const { return m_options.clock(); }
    qint64 lifetime() const { return m_options.lifetimeSeconds; }
    const EnvelopeCipher &cipher() const { return *m_cipher; }

private:
    std::shared_ptr<EnvelopeCipher> m_cipher;
    Options m_options;
};

} // namespace si
