#pragma once

#include "CookieAttributes.h"
#include "core/store/StateStore.h"
#include "core/store/TransactionCodec.h"

namespace si::stores {

// Login transactions in the browser.
//  - Mode::Auth0: one cookie `_a0_tx` (auth0-fastapi's), Max-Age = the transaction lifetime. A
//    second login started in another tab overwrites the first, whose callback then fails — the
//    behaviour of the original, kept for compatibility.
//  - Mode::PerState (default): one cookie per login, `_a0_tx_<state>`, so parallel logins in
//    several tabs each complete.
// Envelopes use auth0's salt "_a0_tx:" + state in both modes. Needs a StoreContext on every call.
class CookieTransactionStore : public TransactionStore {
public:
    enum class Mode { Auth0, PerState };
    struct Options {
        Mode mode = Mode::PerState;
        QString name = QStringLiteral("_a0_tx");
        CookieAttributes attributes;
    };

    CookieTransactionStore(std::shared_ptr<const TransactionCodec> codec, Options options);

    QString backendName() const override { return QStringLiteral("cookie"); }
    QFuture<Status> set(const QString &state, const TransactionData &transaction,
                        std::shared_ptr<StoreContext> context) override;
    QFuture<Result<std::optional<TransactionData>>> get(const QString &state,
                                                        std::shared_ptr<StoreContext> context) override;
    QFuture<Status> remove(const QString &state, std::shared_ptr<StoreContext> context) override;

    QByteArray cookieName(const QString &state) const;

private:
    std::shared_ptr<const TransactionCodec> m_codec;
    Options m_options;
};

} // namespace si::stores
