#include "SessionLayout.h"

#include "../crypto/Fernet.h"
#include "../jose/Algorithms.h"
#include "../jose/ContentCipher.h"
#include "../jose/Jwt.h"

#include <QDateTime>
#include <QStringDecoder>

namespace si::inspector {

namespace {

// Every layout's session is a JSON object; writing anything else would store what no peer reads
// (and what starsessions' own reader takes for encrypted bytes).
Error notAnObject()
{
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("a session must be a JSON object"));
}

QByteArrayView view(const std::string &s)
{
    return QByteArrayView(s.data(), static_cast<qsizetype>(s.size()));
}

QString stringAt(const json::Value &object, std::string_view key)
{
    const json::Value *v = object.get(key);
    return v && v->isString() ? v->toQString() : QString();
}

qint64 secondsAt(const json::Value &object, std::string_view key)
{
    const json::Value *v = object.get(key);
    if (!v || !v->isNumber())
        return 0;
    if (auto i = v->toInt64())
        return *i;
    return static_cast<qint64>(v->toDouble().value_or(0)); // starsessions writes time.time() floats
}

const json::Value *objectWithSub(const json::Value *v)
{
    if (!v || !v->isObject())
        return nullptr;
    const json::Value *sub = v->get("sub");
    return sub && sub->isString() ? v : nullptr;
}

void fillFromClaims(const json::Value &claims, SessionSummary &out)
{
    out.sub = stringAt(claims, "sub");
    out.sid = stringAt(claims, "sid");
    out.issuer = stringAt(claims, "iss");
    out.email = stringAt(claims, "email");
    out.name = stringAt(claims, "name");
}

// The claims of a compact JWT found as `id_token` in `v` or one level down.
std::optional<json::Object> idTokenClaims(const json::Value &v, int depth)
{
    if (!v.isObject() || depth > 2)
        return std::nullopt;
    if (const json::Value *t = v.get("id_token"); t && t->isString()) {
        const std::string &text = t->stringUtf8();
        if (auto jwt = jose::parseJwt(view(text)); jwt && jwt->claims.contains("sub"))
            return jwt->claims;
    }
    for (const auto &member : v.object()) {
        if (auto found = idTokenClaims(member.value, depth + 1))
            return found;
    }
    return std::nullopt;
}

// The JSON layouts' common shape: auth0's StateData.
class StateDataSummary {
public:
    static SessionSummary of(const json::Value &document)
    {
        SessionSummary out;
        if (const json::Value *user = document.get("user"); user && user->isObject())
            fillFromClaims(*user, out);
        if (const json::Value *internal = document.get("internal"); internal && internal->isObject()) {
            if (out.sid.isEmpty())
                out.sid = stringAt(*internal, "sid");
            out.createdAt = secondsAt(*internal, "created_at");
            out.expiresAt = secondsAt(*internal, "session_expires_at");
        }
        if (out.issuer.isEmpty())
            out.issuer = stringAt(document, "domain");
        return out;
    }
};

class NativeLayout final : public SessionLayout {
public:
    explicit NativeLayout(const SecretList &secrets)
        : m_cipher(secrets, EnvelopeCipher::Options{true, 4096, true})
    {}
    Kind kind() const override { return Kind::Native; }
    QByteArray defaultKeyPrefix() const override { return "si:s:"; }
    bool encrypted() const override { return true; }
    Result<EnvelopeCipher::Decrypted> open(const RawSession &raw) const override
    {
        return m_cipher.decrypt(EnvelopeCipher::sessionIdentifier(), raw.value, raw.id);
    }
    Result<QByteArray> encode(const QString &id, const json::Value &document) const override
    {
        if (!document.isObject())
            return notAnObject();
        return m_cipher.encryptJson(EnvelopeCipher::sessionIdentifier(), document, id);
    }
    SessionSummary summarize(const json::Value &document) const override { return StateDataSummary::of(document); }
    bool knowsKeyId(QStringView keyId) const override
    {
        return keyId.isEmpty() || m_cipher.secrets().indexOfKeyId(keyId) >= 0;
    }

private:
    EnvelopeCipher m_cipher;
};

class Auth0FastapiLayout final : public SessionLayout {
public:
    Kind kind() const override { return Kind::Auth0Fastapi; }
    QByteArray defaultKeyPrefix() const override { return {}; }
    bool encrypted() const override { return false; }
    Result<EnvelopeCipher::Decrypted> open(const RawSession &raw) const override
    {
        EnvelopeCipher::Decrypted out;
        out.plaintext = raw.value;
        return out;
    }
    Result<QByteArray> encode(const QString &, const json::Value &document) const override
    {
        if (!document.isObject())
            return notAnObject();
        // pydantic's model_dump_json: compact separators, UTF-8 kept.
        return QByteArray::fromStdString(json::serialize(document, json::Style::Compact));
    }
    SessionSummary summarize(const json::Value &document) const override { return StateDataSummary::of(document); }
};

class Auth0CookieLayout final : public SessionLayout {
public:
    Auth0CookieLayout(const SecretList &secrets, QString cookieName)
        : m_cipher(secrets)
        , m_cookieName(std::move(cookieName))
    {}
    Kind kind() const override { return Kind::Auth0Cookie; }
    QByteArray defaultKeyPrefix() const override { return {}; }
    bool encrypted() const override { return true; }
    Result<EnvelopeCipher::Decrypted> open(const RawSession &raw) const override
    {
        return m_cipher.decrypt(m_cookieName, raw.value);
    }
    Result<QByteArray> encode(const QString &, const json::Value &document) const override
    {
        if (!document.isObject())
            return notAnObject();
        return m_cipher.encryptJson(m_cookieName, document);
    }
    SessionSummary summarize(const json::Value &document) const override { return StateDataSummary::of(document); }
    bool knowsKeyId(QStringView keyId) const override
    {
        return keyId.isEmpty() || m_cipher.secrets().indexOfKeyId(keyId) >= 0;
    }

private:
    EnvelopeCipher m_cipher;
    QString m_cookieName;
};

// starsessions: json.dumps of the session dict with "__metadata__" {lifetime, created,
// last_access}; with an encryptor the value is a Fernet token or AES-GCM nonce ‖ ciphertext ‖ tag.
class StarsessionsLayout final : public SessionLayout {
public:
    explicit StarsessionsLayout(crypto::SecureBytes key)
        : m_key(std::move(key))
    {}
    Kind kind() const override { return Kind::Starsessions; }
    QByteArray defaultKeyPrefix() const override { return "starsessions."; }
    bool encrypted() const override { return !m_key.isEmpty(); }
    // Control characters or invalid UTF-8: 28 random bytes pass as text about once in 10^6.
    static bool looksBinary(const QByteArray &v)
    {
        for (char c : v) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20 && u != '\t' && u != '\n' && u != '\r')
                return true;
        }
        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = utf8.decode(v);
        return utf8.hasError();
    }
    Result<EnvelopeCipher::Decrypted> open(const RawSession &raw) const override
    {
        EnvelopeCipher::Decrypted out;
        const QByteArray &v = raw.value;
        // NoopEncryptor writes JSON. An AES-GCM value is raw bytes and starts with '{' once in
        // 256: with a key set, only a value that parses as JSON counts as unencrypted; without
        // one, text is taken as (perhaps broken) JSON and binary data as ciphertext.
        if (v.startsWith('{') && (m_key.isEmpty() ? !looksBinary(v) : json::parse(v).ok())) {
            out.plaintext = v;
            return out;
        }
        if (m_key.isEmpty())
            return makeError(ErrorCode::DecryptFailed, QStringLiteral("this session is encrypted"),
                             QStringLiteral("give the starsessions key (base64) as the secret"));
        if (v.startsWith("gAAAAA")) {
            auto token = crypto::fernetDecrypt(m_key.view(), v);
            if (!token)
                return token.error();
            out.plaintext = std::move(token->plaintext);
            return out;
        }
        // AESGCMEncryptor: 12-byte nonce, then ciphertext with the 16-byte tag at its end.
        const auto enc = gcmFor(m_key.size());
        if (!enc || v.size() < 12 + 16)
            return makeError(ErrorCode::DecryptFailed, QStringLiteral("not a starsessions value for this key"),
                             QStringLiteral("neither JSON, a Fernet token nor AES-GCM data"));
        const QByteArrayView data(v);
        const Status opened = jose::ContentCipher::open(*enc, m_key.view(), data.first(12), {},
                                                        data.sliced(12, v.size() - 28), data.last(16), out.plaintext);
        if (!opened)
            return opened.error();
        return out;
    }
    Result<QByteArray> encode(const QString &, const json::Value &document) const override
    {
        if (!document.isObject())
            return notAnObject();
        const std::string text = json::serialize(document, json::Style::Python);
        if (m_key.isEmpty())
            return QByteArray::fromStdString(text);
        if (m_key.size() == 32)
            return crypto::fernetEncrypt(m_key.view(), view(text), QDateTime::currentSecsSinceEpoch());
        return makeError(ErrorCode::Unsupported, QStringLiteral("starsessions writing needs a 32-byte (Fernet) key"));
    }
    SessionSummary summarize(const json::Value &document) const override
    {
        SessionSummary out = findClaims(document);
        if (const json::Value *meta = document.get("__metadata__"); meta && meta->isObject()) {
            out.createdAt = secondsAt(*meta, "created");
            out.lastActivity = secondsAt(*meta, "last_access");
        }
        return out;
    }

private:
    static std::optional<jose::ContentEncryption> gcmFor(qsizetype keySize)
    {
        switch (keySize) {
        case 16:
            return jose::ContentEncryption::A128GCM;
        case 24:
            return jose::ContentEncryption::A192GCM;
        case 32:
            return jose::ContentEncryption::A256GCM;
        default:
            return std::nullopt;
        }
    }
    crypto::SecureBytes m_key;
};

// express-session + connect-redis: JSON.stringify of the session with its "cookie" object.
class ConnectRedisLayout final : public SessionLayout {
public:
    Kind kind() const override { return Kind::ConnectRedis; }
    QByteArray defaultKeyPrefix() const override { return "sess:"; }
    bool encrypted() const override { return false; }
    Result<EnvelopeCipher::Decrypted> open(const RawSession &raw) const override
    {
        EnvelopeCipher::Decrypted out;
        out.plaintext = raw.value;
        return out;
    }
    Result<QByteArray> encode(const QString &, const json::Value &document) const override
    {
        if (!document.isObject())
            return notAnObject();
        return QByteArray::fromStdString(json::serialize(document, json::Style::Compact));
    }
    SessionSummary summarize(const json::Value &document) const override
    {
        SessionSummary out = findClaims(document);
        if (const json::Value *cookie = document.get("cookie"); cookie && cookie->isObject()) {
            const QDateTime expires = QDateTime::fromString(stringAt(*cookie, "expires"), Qt::ISODateWithMs);
            if (expires.isValid())
                out.expiresAt = expires.toSecsSinceEpoch();
        }
        return out;
    }
};

} // namespace

Result<DecodedSession> SessionLayout::decode(const RawSession &raw) const
{
    auto opened = open(raw);
    if (!opened)
        return opened.error();
    return decodeOpened(std::move(opened.value()));
}

Result<DecodedSession> SessionLayout::decodeOpened(EnvelopeCipher::Decrypted &&opened) const
{
    auto document = json::parse(opened.plaintext);
    if (!document)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("the session content is not JSON"),
                         document.error().detail);
    DecodedSession out;
    out.plaintextSize = opened.plaintext.size();
    out.secretIndex = opened.secretIndex;
    out.summary = summarize(*document);
    // Stateless sessions carry their timestamps in the authenticated header.
    const json::Value header(std::move(opened.header));
    if (qint64 iat = secondsAt(header, "iat"); iat > 0 && out.summary.createdAt == 0)
        out.summary.createdAt = iat;
    if (qint64 uat = secondsAt(header, "uat"); uat > 0)
        out.summary.lastActivity = uat;
    if (qint64 exp = secondsAt(header, "exp"); exp > 0)
        out.summary.expiresAt = exp;
    out.document = std::move(document.value());
    return out;
}

SessionSummary SessionLayout::summarize(const json::Value &document) const
{
    return findClaims(document);
}

QString SessionLayout::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Native:
        return QStringLiteral("native");
    case Kind::Auth0Fastapi:
        return QStringLiteral("auth0-fastapi");
    case Kind::Starsessions:
        return QStringLiteral("starsessions");
    case Kind::ConnectRedis:
        return QStringLiteral("connect-redis");
    case Kind::Auth0Cookie:
        return QStringLiteral("auth0-cookie");
    }
    return {};
}

std::optional<SessionLayout::Kind> SessionLayout::kindFromName(QStringView name)
{
    for (Kind k : {Kind::Native, Kind::Auth0Fastapi, Kind::Starsessions, Kind::ConnectRedis, Kind::Auth0Cookie}) {
        if (name == kindName(k))
            return k;
    }
    return std::nullopt;
}

QStringList SessionLayout::names()
{
    return {kindName(Kind::Native), kindName(Kind::Auth0Fastapi), kindName(Kind::Starsessions),
            kindName(Kind::ConnectRedis), kindName(Kind::Auth0Cookie)};
}

Result<std::shared_ptr<const SessionLayout>> makeLayout(SessionLayout::Kind kind, const SecretList &secrets,
                                                        const QString &cookieName)
{
    using Ptr = std::shared_ptr<const SessionLayout>;
    switch (kind) {
    case SessionLayout::Kind::Native:
        if (secrets.isEmpty())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("native sessions need the application secret"));
        return Ptr(std::make_shared<NativeLayout>(secrets));
    case SessionLayout::Kind::Auth0Cookie:
        if (secrets.isEmpty())
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("auth0 cookies need the application secret"));
        return Ptr(std::make_shared<Auth0CookieLayout>(secrets, cookieName));
    case SessionLayout::Kind::Auth0Fastapi:
        return Ptr(std::make_shared<Auth0FastapiLayout>());
    case SessionLayout::Kind::ConnectRedis:
        return Ptr(std::make_shared<ConnectRedisLayout>());
    case SessionLayout::Kind::Starsessions: {
        crypto::SecureBytes key;
        if (!secrets.isEmpty()) {
            const QByteArray text = secrets.at(0).view().toByteArray();
            auto decoded = QByteArray::fromBase64Encoding(text.trimmed(), QByteArray::Base64UrlEncoding |
                                                                              QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                decoded = QByteArray::fromBase64Encoding(text.trimmed(), QByteArray::AbortOnBase64DecodingErrors);
            }
            if (!decoded ||
                (decoded.decoded.size() != 16 && decoded.decoded.size() != 24 && decoded.decoded.size() != 32))
                return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a starsessions key"),
                                 QStringLiteral("expected base64 of a 32-byte Fernet key or a 16/24/32-byte "
                                                "AES-GCM key"));
            key = crypto::SecureBytes(QByteArrayView(decoded.decoded));
            decoded.decoded.fill(0);
        }
        return Ptr(std::make_shared<StarsessionsLayout>(key));
    }
    }
    return makeError(ErrorCode::InvalidArgument, QStringLiteral("unknown layout"));
}

SessionSummary findClaims(const json::Value &document)
{
    SessionSummary out;
    if (!document.isObject())
        return out;
    const json::Value *passport = document.get("passport");
    const json::Value *candidates[] = {
        document.get("user"),   document.get("userinfo"),        passport ? passport->get("user") : nullptr,
        document.get("claims"), document.get("id_token_claims"), &document};
    for (const json::Value *c : candidates) {
        if (const json::Value *claims = objectWithSub(c)) {
            fillFromClaims(*claims, out);
            return out;
        }
    }
    for (const auto &member : document.object()) { // two levels down
        if (const json::Value *claims = objectWithSub(&member.value)) {
            fillFromClaims(*claims, out);
            return out;
        }
        if (member.value.isObject()) {
            for (const auto &inner : member.value.object()) {
                if (const json::Value *claims = objectWithSub(&inner.value)) {
                    fillFromClaims(*claims, out);
                    return out;
                }
            }
        }
    }
    if (auto claims = idTokenClaims(document, 0))
        fillFromClaims(json::Value(std::move(*claims)), out);
    return out;
}

qsizetype envelopeSizeFor(qsizetype plaintextSize)
{
    auto b64 = [](qsizetype n) { return (n * 4 + 2) / 3; };
    const qsizetype header = EnvelopeCipher::auth0HeaderB64().size();
    const qsizetype ciphertext = (plaintextSize / 16 + 1) * 16; // PKCS#7 always pads
    return header + 2 + b64(16) + 1 + b64(ciphertext) + 1 + b64(32);
}

bool exceedsOneCookie(qsizetype envelopeSize, const QString &cookieName)
{
    // "<name>_0=<value>; HttpOnly; Max-Age=259200; Path=/; SameSite=Lax; Secure" must fit 4096.
    constexpr qsizetype kAttributes = 58;
    return cookieName.size() + 3 + envelopeSize + kAttributes > 4096;
}

} // namespace si::inspector
