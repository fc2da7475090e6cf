#pragma once

#include "../Result.h"
#include "../envelope/EnvelopeCipher.h"
#include "../json/Json.h"
#include "SessionSource.h"

#include <memory>

namespace si::inspector {

// Who a session belongs to and when it lives, as far as its content tells.
struct SessionSummary {
    QString sub;
    QString sid;
    QString issuer;
    QString email;
    QString name;
    qint64 createdAt = 0;
    qint64 lastActivity = 0;
    qint64 expiresAt = 0;
};

struct DecodedSession {
    json::Value document; // the decrypted content
    SessionSummary summary;
    qsizetype plaintextSize = 0;
    qsizetype secretIndex = 0; // which secret opened it (0 = the current one)
};

// How one application family keeps sessions: what the stored value is and how to open it.
// Key prefixes and value types are the store's business (SessionSource); layouts turn a value into
// a document and back. Immutable and thread-safe: decoding runs on many threads at once.
class SessionLayout {
public:
    enum class Kind {
        Native,       // Session Inspector's stores: the auth0 envelope with kid and id binding
        Auth0Fastapi, // auth0-fastapi StatefulStateStore: compact pydantic JSON of StateData
        Starsessions, // starsessions RedisStore: JSON with __metadata__, optionally Fernet/AES-GCM
        ConnectRedis, // express-session + connect-redis: JSON with a cookie object
        Auth0Cookie,  // auth0-fastapi stateless cookie: the envelope, salt = the cookie name
    };

    virtual ~SessionLayout() = default;
    virtual Kind kind() const = 0;
    // "native", "auth0-fastapi", "starsessions", "connect-redis", "auth0-cookie".
    QString name() const { return kindName(kind()); }
    // The Redis key prefix the peer uses by default ("starsessions.", "sess:"; native: "si:s:").
    virtual QByteArray defaultKeyPrefix() const = 0;
    // Whether values need a secret to open.
    virtual bool encrypted() const = 0;

    // The value's plaintext (decrypted when the layout encrypts). An error for a wrong secret or
    // an altered value; the value itself is never changed.
    virtual Result<EnvelopeCipher::Decrypted> open(const RawSession &raw) const = 0;
    // open() + JSON parse + who/when.
    Result<DecodedSession> decode(const RawSession &raw) const;
    // The second half of decode(), for callers that looked at the plaintext first.
    Result<DecodedSession> decodeOpened(EnvelopeCipher::Decrypted &&opened) const;
    // The stored value for `document` under `id` (seeding and tests). Unsupported where writing
    // would not be safe, and for anything but a JSON object (a session is one in every layout).
    virtual Result<QByteArray> encode(const QString &id, const json::Value &document) const = 0;

    // What the document tells about its user and lifetime (store metadata fills the gaps).
    virtual SessionSummary summarize(const json::Value &document) const;
    // Whether a value written under `keyId` (native: the secret's key id kept beside the value)
    // can be opened with these secrets, without decrypting. True when the layout has no key ids.
    virtual bool knowsKeyId(QStringView keyId) const
    {
        Q_UNUSED(keyId);
        return true;
    }

    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(QStringView name);
    static QStringList names();
};

// Layouts by kind. `secrets` opens encrypted values: the application secrets for the auth0
// family (the first encrypts), the starsessions key (base64 of the Fernet or AES-GCM key), none for
// JSON layouts. `cookieName` is the auth0 cookie's name (also its salt).
Result<std::shared_ptr<const SessionLayout>> makeLayout(SessionLayout::Kind kind, const SecretList &secrets,
                                                        const QString &cookieName = QStringLiteral("_a0_session"));

// Who a session belongs to in a document of unknown shape: the first object with a string "sub"
// among user, userinfo, passport.user, claims and the top level (then anywhere two levels down),
// else the claims of an "id_token" (read, not verified).
SessionSummary findClaims(const json::Value &document);

// The size of an auth0 envelope around `plaintextSize` bytes: what the session would weigh as a
// stateless cookie (the cookie form).
qsizetype envelopeSizeFor(qsizetype plaintextSize);
// Whether a session of `envelopeSize` bytes would need more than one 4 KB cookie.
bool exceedsOneCookie(qsizetype envelopeSize, const QString &cookieName = QStringLiteral("_a0_session"));

} // namespace si::inspector
