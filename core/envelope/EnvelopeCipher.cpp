#include "EnvelopeCipher.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hkdf.h"
#include "../jose/CompactJwe.h"
#include "../jose/ContentCipher.h"

#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

namespace si {

namespace {

constexpr char kInfo[] = "Auth0 Generated Encryption";
constexpr char kAuth0Header[] = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0";
constexpr auto kEnc = jose::ContentEncryption::A256CBC_HS512;
constexpr char kBindingMember[] = "si_id";

Error bindingMismatch()
{
    return makeError(ErrorCode::DecryptFailed, QStringLiteral("the stored value belongs to another session"),
                     QStringLiteral("its envelope is bound to a different id: copied or moved in the store"));
}

} // namespace

struct EnvelopeCipher::Private {
    SecretList secrets;
    Options options;
    // identifier (UTF-8) -> one derived key per secret, filled lazily.
    mutable std::shared_mutex mutex;
    mutable std::unordered_map<std::string, std::vector<crypto::SecureBytes>> cache;

    Result<crypto::SecureBytes> derive(qsizetype index, QByteArrayView salt) const
    {
        return crypto::hkdf(crypto::HashAlgorithm::Sha256, secrets.at(index).view(), salt, kInfo, 64);
    }

    // Runs `use(key)` with the key for (index, identifier), from the cache when possible.
    template<typename F>
    auto withKey(qsizetype index, const QByteArray &salt, F &&use) const -> decltype(use(QByteArrayView()))
    {
        if (!options.cacheKeys) {
            auto key = derive(index, salt);
            if (!key)
                return key.error();
            return use(key->view());
        }
        const std::string cacheKey(salt.constData(), static_cast<size_t>(salt.size()));
        {
            std::shared_lock lock(mutex);
            auto it = cache.find(cacheKey);
            if (it != cache.end() && !it->second[static_cast<size_t>(index)].isEmpty())
                return use(it->second[static_cast<size_t>(index)].view());
        }
        auto key = derive(index, salt);
        if (!key)
            return key.error();
        {
            std::unique_lock lock(mutex);
            if (static_cast<qsizetype>(cache.size()) >= options.maxCachedIdentifiers && !cache.contains(cacheKey))
                cache.clear(); // rare (many transaction salts): start over rather than track recency
            auto &slots = cache[cacheKey];
            slots.resize(static_cast<size_t>(secrets.size()));
            slots[static_cast<size_t>(index)] = key.value();
        }
        return use(key->view());
    }
};

EnvelopeCipher::EnvelopeCipher(SecretList secrets)
    : EnvelopeCipher(std::move(secrets), Options{})
{}

EnvelopeCipher::EnvelopeCipher(SecretList secrets, Options options)
    : d(std::make_unique<Private>())
{
    d->secrets = std::move(secrets);
    d->options = options;
}

EnvelopeCipher::~EnvelopeCipher() = default;

QByteArrayView EnvelopeCipher::auth0HeaderB64()
{
    return QByteArrayView(kAuth0Header);
}

const SecretList &EnvelopeCipher::secrets() const
{
    return d->secrets;
}

Result<crypto::SecureBytes> EnvelopeCipher::deriveKey(qsizetype index, QStringView identifier) const
{
    if (index < 0 || index >= d->secrets.size())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no such secret"));
    return d->derive(index, identifier.toUtf8());
}

Result<QByteArray> EnvelopeCipher::encrypt(QStringView identifier, QByteArrayView plaintext, QStringView binding) const
{
    return encrypt(identifier, plaintext, binding, {});
}

Result<QByteArray> EnvelopeCipher::encrypt(QStringView identifier, QByteArrayView plaintext, QStringView binding,
                                           const json::Object &extraHeader) const
{
    if (d->secrets.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no secret configured"));
    QByteArray header;
    if (d->options.withKeyId || !binding.isEmpty() || !extraHeader.isEmpty()) {
        json::Object h;
        h.append("alg", "dir");
        h.append("enc", "A256CBC-HS512");
        if (d->options.withKeyId)
            h.append("kid", d->secrets.keyId(0));
        if (!binding.isEmpty())
            h.append(kBindingMember, binding.toString());
        for (const json::Member &m : extraHeader) {
            if (m.key != "alg" && m.key != "enc" && m.key != "kid" && m.key != kBindingMember)
                h.append(m.key, m.value);
        }
        const std::string json = json::serialize(json::Value(std::move(h)), json::Style::Compact);
        header = crypto::base64UrlEncode(QByteArrayView(json.data(), static_cast<qsizetype>(json.size())));
    } else {
        header = QByteArray(kAuth0Header);
    }
    return d->withKey(0, identifier.toUtf8(), [&](QByteArrayView key) -> Result<QByteArray> {
        return jose::encryptDirect(kEnc, key, header, plaintext);
    });
}

Result<QByteArray> EnvelopeCipher::encryptJson(QStringView identifier, const json::Value &value,
                                               QStringView binding) const
{
    const std::string text = json::serialize(value, json::Style::Python);
    return encrypt(identifier, QByteArrayView(text.data(), static_cast<qsizetype>(text.size())), binding);
}

Result<EnvelopeCipher::Decrypted> EnvelopeCipher::decrypt(QStringView identifier, QByteArrayView token,
                                                          QStringView binding) const
{
    if (d->secrets.isEmpty())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no secret configured"));
    auto parts = jose::splitCompactJwe(token);
    if (!parts)
        return parts.error();

    qsizetype preferred = -1;
    json::Object headerObject;
    if (!binding.isEmpty() && parts->header == QByteArrayView(kAuth0Header))
        return bindingMismatch();
    if (parts->header != QByteArrayView(kAuth0Header)) {
        auto header = jose::parseDirectJweHeader(parts->header);
        if (!header)
            return header.error();
        if (header->enc != kEnc)
            return makeError(ErrorCode::Unsupported, QStringLiteral("not an auth0 session envelope"),
                             QStringLiteral("enc %1, expected A256CBC-HS512")
                                 .arg(QLatin1String(jose::contentEncryptionName(header->enc))));
        if (!header->kid.isEmpty())
            preferred = d->secrets.indexOfKeyId(header->kid);
        if (!binding.isEmpty()) {
            const json::Value *bound = header->raw.find(kBindingMember);
            if (!bound || !bound->isString() || bound->toQString() != binding)
                return bindingMismatch();
        }
        headerObject = std::move(header->raw);
    }

    const QByteArray salt = identifier.toUtf8();
    Decrypted result;
    Status last;
    auto attempt = [&](qsizetype index) {
        last = d->withKey(index, salt, [&](QByteArrayView key) -> Status {
            return jose::decryptDirect(*parts, kEnc, key, result.plaintext);
        });
        if (last) {
            result.secretIndex = index;
            result.header = std::move(headerObject);
        }
        return last.ok();
    };
    // With a known kid only that secret is tried; otherwise each in rotation order. Only
    // authentication failures move on: malformed input will not get better with another key.
    if (preferred >= 0) {
        if (attempt(preferred))
            return result;
    } else {
        for (qsizetype i = 0; i < d->secrets.size(); ++i) {
            if (attempt(i))
                return result;
            if (last.error().code != ErrorCode::DecryptFailed)
                return last.error();
        }
    }
    if (preferred < 0 && d->secrets.size() > 1)
        return makeError(ErrorCode::DecryptFailed,
                         QStringLiteral("decryption failed with all %1 secrets: wrong secret or salt, or the "
                                        "data was altered")
                             .arg(d->secrets.size()),
                         last.error().detail);
    return last.error();
}

Result<json::Value> EnvelopeCipher::decryptJson(QStringView identifier, QByteArrayView token, QStringView binding) const
{
    auto decrypted = decrypt(identifier, token, binding);
    if (!decrypted)
        return decrypted.error();
    auto value = json::parse(decrypted->plaintext);
    if (!value)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("the decrypted envelope is not valid JSON"),
                         value.error().detail);
    return value;
}

} // namespace si
