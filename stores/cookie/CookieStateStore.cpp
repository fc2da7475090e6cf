#include "CookieStateStore.h"

#include "Auth0CookieChunks.h"

namespace si::stores {

namespace {

Error needsContext()
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("the cookie store needs the request's cookies"),
                     QStringLiteral("pass a StoreContext"));
}

Error badName()
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid cookie name"),
                     QStringLiteral("RFC 6265 token characters only"));
}

qint64 headerInt(const json::Object &header, std::string_view key, qint64 fallback)
{
    const json::Value *v = header.find(key);
    return v ? v->toInt64().value_or(fallback) : fallback;
}

} // namespace

CookieStateStore::CookieStateStore(std::shared_ptr<const SessionCodec> codec, Options options)
    : m_codec(std::move(codec))
    , m_options(std::move(options))
{}

qsizetype CookieStateStore::chunkSize(const QByteArray &name) const
{
    if (m_options.auth0ChunkSize)
        return Auth0CookieChunks::kChunkSize;
    // Budget for the longest chunk name we could write (…_999) and the longest Max-Age.
    const qsizetype overhead = m_options.attributes.overhead(name + "_999", 9999999999LL);
    return 4095 - overhead;
}

void CookieStateStore::expireAll(const QByteArray &name, StoreContext &context, qsizetype keepChunks) const
{
    const QByteArray prefix = name + '_';
    for (const Cookie &cookie : std::as_const(context.requestCookies)) {
        bool expire = cookie.name == name; // a bare <name> confuses auth0 readers
        if (cookie.name.startsWith(prefix)) {
            bool ok = false;
            const qsizetype index = QByteArrayView(cookie.name).sliced(prefix.size()).toLongLong(&ok);
            expire = ok && index >= keepChunks;
        }
        if (expire)
            context.setCookieHeaders.append(m_options.attributes.setCookie(cookie.name, QByteArray(), 0));
    }
}

Status CookieStateStore::write(const QByteArray &name, const StateData &state, qint64 createdAt,
                               StoreContext &context) const
{
    const qint64 now = m_codec->now();
    qint64 deadline = m_codec->expiry().deadline(createdAt, now);
    if (state.internal.sessionExpiresAt)
        deadline = qMin(deadline, *state.internal.sessionExpiresAt);
    if (deadline <= now) {
        expireAll(name, context, 0);
        return {};
    }
    json::Object header;
    header.append("iat", static_cast<std::int64_t>(createdAt));
    header.append("uat", static_cast<std::int64_t>(now));
    header.append("exp", static_cast<std::int64_t>(deadline));
    const std::string plaintext = json::serialize(state.toJson(), json::Style::Python);
    auto envelope = m_codec->cipher().encrypt(
        QString::fromLatin1(name), QByteArrayView(plaintext.data(), qsizetype(plaintext.size())), {}, header);
    if (!envelope)
        return envelope.error();
    const QList<Cookie> chunks = Auth0CookieChunks::split(*envelope, QString::fromLatin1(name), chunkSize(name));
    if (chunks.size() > 999)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("the session is too large for cookies"),
                         QStringLiteral("%1 bytes").arg(envelope->size()));
    for (const Cookie &chunk : chunks)
        context.setCookieHeaders.append(m_options.attributes.setCookie(chunk.name, chunk.value, deadline - now));
    expireAll(name, context, chunks.size());
    return {};
}

QFuture<Status> CookieStateStore::set(const QString &name, const StateData &state,
                                      std::shared_ptr<StoreContext> context)
{
    if (!context)
        return QtFuture::makeReadyFuture(Status(needsContext()));
    const QByteArray cookieName = name.toLatin1();
    if (!CookieAttributes::isValidName(cookieName))
        return QtFuture::makeReadyFuture(Status(badName()));
    const qint64 createdAt = state.internal.createdAt > 0 ? state.internal.createdAt : m_codec->now();
    return QtFuture::makeReadyFuture(write(cookieName, state, createdAt, *context));
}

QFuture<Result<std::optional<StateData>>> CookieStateStore::get(const QString &name,
                                                                std::shared_ptr<StoreContext> context)
{
    using R = Result<std::optional<StateData>>;
    if (!context)
        return QtFuture::makeReadyFuture(R(needsContext()));
    const QByteArray cookieName = name.toLatin1();
    if (!CookieAttributes::isValidName(cookieName))
        return QtFuture::makeReadyFuture(R(badName()));

    // A bare <name> cookie is not ours (we never write one); it is ignored here and expired by
    // the next write, instead of failing like auth0-fastapi's reader.
    QList<Cookie> cookies = context->requestCookies;
    cookies.removeIf([&](const Cookie &c) { return c.name == cookieName; });
    auto token = Auth0CookieChunks::assemble(cookies, name);
    if (!token) {
        if (token.error().code == ErrorCode::NotFound)
            return QtFuture::makeReadyFuture(R(std::optional<StateData>()));
        return QtFuture::makeReadyFuture(R(token.error()));
    }
    auto decrypted = m_codec->cipher().decrypt(name, *token);
    if (!decrypted)
        return QtFuture::makeReadyFuture(R(decrypted.error()));
    auto value = json::parse(decrypted->plaintext);
    if (!value)
        return QtFuture::makeReadyFuture(R(value.error()));
    auto state = StateData::fromJson(*value);
    if (!state)
        return QtFuture::makeReadyFuture(R(state.error()));

    // Cookies written by auth0-fastapi carry no timestamps: created_at is the best we have.
    const qint64 createdAt = headerInt(decrypted->header, "iat", state->internal.createdAt);
    const qint64 updatedAt = headerInt(decrypted->header, "uat", createdAt);
    const qint64 now = m_codec->now();
    qint64 deadline = m_codec->expiry().deadline(createdAt, updatedAt);
    deadline = qMin(deadline, headerInt(decrypted->header, "exp", deadline));
    if (deadline <= now) {
        expireAll(cookieName, *context, 0);
        return QtFuture::makeReadyFuture(R(std::optional<StateData>()));
    }

    auto finish = [this, cookieName, context, createdAt, updatedAt, now](StateData s) -> R {
        const qint64 inactivity = m_codec->expiry().inactivitySeconds;
        if (inactivity > 0 && now - updatedAt >= qMax<qint64>(1, inactivity / 10)) {
            if (auto written = write(cookieName, s, createdAt, *context); !written)
                return written.error();
        }
        return std::optional<StateData>(std::move(s));
    };
    if (!m_options.denyList)
        return QtFuture::makeReadyFuture(finish(std::move(state.value())));
    return m_options.denyList->latest(markersFor(*state))
        .then([this, cookieName, context, createdAt, finish,
               s = std::move(state.value())](const Result<std::optional<qint64>> &revokedSince) mutable -> R {
            if (!revokedSince)
                return revokedSince.error();
            if (revokedSince->has_value() && createdAt <= **revokedSince) {
                expireAll(cookieName, *context, 0);
                return std::optional<StateData>();
            }
            return finish(std::move(s));
        });
}

QFuture<Status> CookieStateStore::remove(const QString &name, std::shared_ptr<StoreContext> context)
{
    if (!context)
        return QtFuture::makeReadyFuture(Status(needsContext()));
    const QByteArray cookieName = name.toLatin1();
    if (!CookieAttributes::isValidName(cookieName))
        return QtFuture::makeReadyFuture(Status(badName()));
    expireAll(cookieName, *context, 0);
    return QtFuture::makeReadyFuture(Status());
}

QList<QByteArray> CookieStateStore::markersFor(const StateData &state) const
{
    const SessionIdentity who = m_codec->identify(state);
    QList<QByteArray> markers;
    const QList<QByteArray> subjects =
        who.sub.isEmpty() ? QList<QByteArray>() : m_codec->subjectHashes(who.issuer, who.sub);
    const QList<QByteArray> sessions =
        who.sid.isEmpty() ? QList<QByteArray>() : m_codec->sessionHashes(who.issuer, who.sid);
    for (const QByteArray &u : subjects)
        markers.append("u" + u);
    for (const QByteArray &d : sessions)
        markers.append("d" + d);
    for (const QByteArray &u : subjects) {
        for (const QByteArray &d : sessions)
            markers.append("b" + u + d);
    }
    return markers;
}

QFuture<Result<qsizetype>> CookieStateStore::deleteByLogoutToken(const LogoutTarget &target)
{
    using R = Result<qsizetype>;
    if (!target.isValid())
        return QtFuture::makeReadyFuture(
            R(makeError(ErrorCode::InvalidArgument, QStringLiteral("invalid logout target"),
                        QStringLiteral("an issuer and a sub or sid are required"))));
    if (!m_options.denyList)
        return QtFuture::makeReadyFuture(R(makeError(
            ErrorCode::Unsupported, QStringLiteral("stateless sessions cannot be revoked without a deny list"),
            QStringLiteral("configure CookieStateStore::Options::denyList with a shared store"))));
    const IndexKeys &keys = m_codec->indexKeys();
    QByteArray marker;
    if (target.sub && target.sid)
        marker = "b" + keys.hash(0, IndexKeys::Kind::Subject, target.issuer, *target.sub) +
                 keys.hash(0, IndexKeys::Kind::Session, target.issuer, *target.sid);
    else if (target.sub)
        marker = "u" + keys.hash(0, IndexKeys::Kind::Subject, target.issuer, *target.sub);
    else
        marker = "d" + keys.hash(0, IndexKeys::Kind::Session, target.issuer, *target.sid);
    return m_options.denyList->add(marker, m_codec->now(), m_codec->expiry().absoluteSeconds)
        .then([](const Status &s) -> R {
            if (!s)
                return s.error();
            return qsizetype(0);
        });
}

} // namespace si::stores
