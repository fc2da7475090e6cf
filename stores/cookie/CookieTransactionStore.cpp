#include "CookieTransactionStore.h"

namespace si::stores {

namespace {

Error needsContext()
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("the cookie store needs the request's cookies"),
                     QStringLiteral("pass a StoreContext"));
}

} // namespace

CookieTransactionStore::CookieTransactionStore(std::shared_ptr<const TransactionCodec> codec, Options options)
    : m_codec(std::move(codec))
    , m_options(std::move(options))
{}

QByteArray CookieTransactionStore::cookieName(const QString &state) const
{
    const QByteArray base = m_options.name.toLatin1();
    return m_options.mode == Mode::Auth0 ? base : base + '_' + state.toLatin1();
}

QFuture<Status> CookieTransactionStore::set(const QString &state, const TransactionData &transaction,
                                            std::shared_ptr<StoreContext> context)
{
    if (!context)
        return QtFuture::makeReadyFuture(Status(needsContext()));
    auto envelope = m_codec->encode(state, transaction);
    if (!envelope)
        return QtFuture::makeReadyFuture(Status(envelope.error()));
    context->setCookieHeaders.append(m_options.attributes.setCookie(cookieName(state), *envelope, m_codec->lifetime()));
    return QtFuture::makeReadyFuture(Status());
}

QFuture<Result<std::optional<TransactionData>>> CookieTransactionStore::get(const QString &state,
                                                                            std::shared_ptr<StoreContext> context)
{
    using R = Result<std::optional<TransactionData>>;
    if (!context)
        return QtFuture::makeReadyFuture(R(needsContext()));
    if (!TransactionCodec::validateState(state))
        return QtFuture::makeReadyFuture(R(std::optional<TransactionData>()));
    const QByteArray name = cookieName(state);
    for (const Cookie &cookie : std::as_const(context->requestCookies)) {
        if (cookie.name != name)
            continue;
        auto tx = m_codec->decode(state, cookie.value);
        if (!tx)
            return QtFuture::makeReadyFuture(R(tx.error()));
        return QtFuture::makeReadyFuture(R(std::move(tx.value())));
    }
    return QtFuture::makeReadyFuture(R(std::optional<TransactionData>()));
}

QFuture<Status> CookieTransactionStore::remove(const QString &state, std::shared_ptr<StoreContext> context)
{
    if (!context)
        return QtFuture::makeReadyFuture(Status(needsContext()));
    if (!TransactionCodec::validateState(state))
        return QtFuture::makeReadyFuture(Status());
    context->setCookieHeaders.append(m_options.attributes.setCookie(cookieName(state), QByteArray(), 0));
    return QtFuture::makeReadyFuture(Status());
}

} // namespace si::stores
