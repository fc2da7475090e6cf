#include "Jwk.h"

#include "../crypto/Base64Url.h"
#include "../crypto/OpenSslUtil.h"
#include "../crypto/SecureBytes.h"
#include "JwkData.h"

#include <QFile>

#include <cjose/error.h>
#include <cjose/util.h>

#include <cstring>

namespace si::jose {

JwkData::~JwkData()
{
    if (cjose)
        cjose_jwk_release(cjose);
    EVP_PKEY_free(pkey);
}

QString cjoseErrorText(const cjose_err &err)
{
    return QStringLiteral("%1 (cjose %2:%3)")
        .arg(QString::fromUtf8(err.message ? err.message : "unknown error"),
             QString::fromUtf8(err.function ? err.function : "?"))
        .arg(err.line);
}

Result<cjose_header_t *> makeCjoseHeader(const json::Object &header)
{
    cjose_err err{};
    cjose_header_t *h = cjose_header_new(&err);
    if (!h)
        return makeError(ErrorCode::Internal, QStringLiteral("cannot create a JOSE header"), cjoseErrorText(err));
    for (const json::Member &m : header) {
        bool ok = false;
        if (m.value.isString()) {
            ok = cjose_header_set(h, m.key.c_str(), m.value.stringUtf8().c_str(), &err);
        } else if (m.value.isObject() || m.value.isArray()) {
            const std::string raw = json::serialize(m.value, json::Style::Compact);
            ok = cjose_header_set_raw(h, m.key.c_str(), raw.c_str(), &err);
        }
        if (!ok) {
            cjose_header_release(h);
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("unsupported JOSE header member"),
                             QString::fromStdString(m.key).left(32));
        }
    }
    return h;
}

namespace {

QString stringMember(const json::Object &o, std::string_view key)
{
    const json::Value *v = o.find(key);
    return v && v->isString() ? v->toQString() : QString();
}

QByteArrayView viewOf(const std::string &s)
{
    return QByteArrayView(s.data(), static_cast<qsizetype>(s.size()));
}

Error badKey(const QString &why)
{
    return makeError(ErrorCode::MalformedInput, QStringLiteral("invalid JWK"), why);
}

// Bit length of a big-endian unsigned integer.
int bitLength(const QByteArray &bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        if (b != 0) {
            int bits = 8;
            while (!(b & (1u << (bits - 1))))
                --bits;
            return static_cast<int>((bytes.size() - i - 1) * 8) + bits;
        }
    }
    return 0;
}

Result<std::shared_ptr<JwkData>> importOkp(const json::Object &object)
{
    const QString crv = stringMember(object, "crv");
    int type = 0;
    qsizetype length = 0;
    if (crv == QLatin1String("Ed25519")) {
        type = EVP_PKEY_ED25519;
        length = 32;
    } else if (crv == QLatin1String("Ed448")) {
        type = EVP_PKEY_ED448;
        length = 57;
    } else {
        return makeError(ErrorCode::Unsupported, QStringLiteral("unsupported OKP curve"), crv.left(16));
    }
    const json::Value *x = object.find("x");
    if (!x || !x->isString())
        return badKey(QStringLiteral("OKP key without \"x\""));
    auto raw = crypto::base64UrlDecode(QByteArrayView(x->stringUtf8().data(), qsizetype(x->stringUtf8().size())));
    if (!raw || raw->size() != length)
        return badKey(QStringLiteral("OKP \"x\" must be %1 bytes of base64url").arg(length));
    auto data = std::make_shared<JwkData>();
    data->type = Jwk::KeyType::Okp;
    data->bits = crv == QLatin1String("Ed25519") ? 256 : 456;
    data->hasPrivate = object.contains("d");
    data->pkey = EVP_PKEY_new_raw_public_key(type, nullptr, reinterpret_cast<const unsigned char *>(raw->constData()),
                                             static_cast<size_t>(raw->size()));
    if (!data->pkey)
        return badKey(QStringLiteral("OKP key rejected by OpenSSL: %1").arg(crypto::takeOpenSslError()));
    return data;
}

Result<std::shared_ptr<JwkData>> importWithCjose(const json::Object &object, Jwk::KeyType type)
{
    // cjose's base64 decoder aborts the process (assert) on some malformed input: validate every
    // key parameter with our strict decoder before cjose sees it.
    static constexpr std::string_view kBinaryMembers[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k"};
    for (auto name : kBinaryMembers) {
        const json::Value *v = object.find(name);
        if (!v)
            continue;
        if (!v->isString() || !crypto::base64UrlDecode(viewOf(v->stringUtf8())))
            return badKey(
                QStringLiteral("\"%1\" is not base64url").arg(QLatin1String(name.data(), qsizetype(name.size()))));
    }
    const std::string text = json::serialize(json::Value(object), json::Style::Compact);
    cjose_err err{};
    cjose_jwk_t *key = cjose_jwk_import(text.data(), text.size(), &err);
    if (!key)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("invalid JWK"), cjoseErrorText(err));
    auto data = std::make_shared<JwkData>();
    data->type = type;
    data->cjose = key;
    switch (type) {
    case Jwk::KeyType::Rsa: {
        const json::Value *n = object.find("n");
        auto modulus = crypto::base64UrlDecode(
            QByteArrayView(n->stringUtf8().data(), static_cast<qsizetype>(n->stringUtf8().size())));
        data->bits = modulus ? bitLength(*modulus) : 0;
        data->hasPrivate = object.contains("d");
        break;
    }
    case Jwk::KeyType::Ec: {
        const QString crv = stringMember(object, "crv");
        data->bits = crv == QLatin1String("P-256") ? 256 : crv == QLatin1String("P-384") ? 384 : 521;
        data->hasPrivate = object.contains("d");
        break;
    }
    case Jwk::KeyType::Oct:
        data->bits = static_cast<int>(cjose_jwk_get_keysize(key, nullptr));
        data->hasPrivate = true;
        break;
    case Jwk::KeyType::Okp:
        break;
    }
    return data;
}

} // namespace

Result<Jwk> Jwk::fromJson(const json::Object &object)
{
    const QString kty = stringMember(object, "kty");
    Result<std::shared_ptr<JwkData>> imported = badKey(QStringLiteral("missing \"kty\""));
    if (kty == QLatin1String("RSA")) {
        const json::Value *n = object.find("n");
        if (!n || !n->isString() || !object.find("e"))
            return badKey(QStringLiteral("RSA key without \"n\" and \"e\""));
        imported = importWithCjose(object, KeyType::Rsa);
    } else if (kty == QLatin1String("EC")) {
        const QString crv = stringMember(object, "crv");
        if (crv != QLatin1String("P-256") && crv != QLatin1String("P-384") && crv != QLatin1String("P-521"))
            return makeError(ErrorCode::Unsupported, QStringLiteral("unsupported EC curve"), crv.left(16));
        imported = importWithCjose(object, KeyType::Ec);
    } else if (kty == QLatin1String("oct")) {
        imported = importWithCjose(object, KeyType::Oct);
    } else if (kty == QLatin1String("OKP")) {
        imported = importOkp(object);
    } else if (!kty.isEmpty()) {
        return makeError(ErrorCode::Unsupported, QStringLiteral("unsupported JWK key type"), kty.left(16));
    }
    if (!imported)
        return imported.error();
    auto data = std::move(imported.value());
    data->json = object;
    return Jwk(std::move(data));
}

Result<Jwk> Jwk::parse(std::string_view jsonText)
{
    auto parsed = json::parse(jsonText);
    if (!parsed)
        return parsed.error();
    if (!parsed->isObject())
        return badKey(QStringLiteral("a JWK must be a JSON object"));
    return fromJson(parsed->object());
}

namespace {

Result<json::Value> readJsonFile(const QString &path, const char *what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, QStringLiteral("cannot read the %1 file").arg(QLatin1String(what)),
                         QStringLiteral("%1: %2").arg(path, file.errorString()));
    if (file.size() > 1024 * 1024)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("the %1 file is too large").arg(QLatin1String(what)),
                         path);
    const QByteArray text = file.readAll();
    auto parsed = json::parse(std::string_view(text.constData(), size_t(text.size())));
    if (!parsed)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("the %1 file is not JSON").arg(QLatin1String(what)),
                         path);
    return parsed;
}

} // namespace

Result<Jwk> Jwk::fromFile(const QString &path)
{
    auto document = readJsonFile(path, "JWK");
    if (!document)
        return document.error();
    if (!document->isObject())
        return badKey(QStringLiteral("a JWK must be a JSON object"));
    return fromJson(document->object());
}

Result<Jwk> Jwk::fromSymmetricKey(QByteArrayView key, const QString &kid)
{
    json::Object object;
    object.append("kty", "oct");
    if (!kid.isEmpty())
        object.append("kid", kid);
    const QByteArray k = crypto::base64UrlEncode(key);
    object.append("k", std::string(k.constData(), static_cast<size_t>(k.size())));
    return fromJson(object);
}

Result<Jwk> Jwk::generate(KeyType type, int size, const QString &curve, const QString &kid)
{
    json::Object object;
    if (type == KeyType::Okp) {
        const char *name = curve == QLatin1String("Ed448") ? "ED448" : "ED25519";
        crypto::EvpPkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, name));
        unsigned char pub[64], priv[64];
        size_t publen = sizeof pub, privlen = sizeof priv;
        if (!pkey || EVP_PKEY_get_raw_public_key(pkey.get(), pub, &publen) != 1 ||
            EVP_PKEY_get_raw_private_key(pkey.get(), priv, &privlen) != 1)
            return makeError(ErrorCode::Internal, QStringLiteral("key generation failed"), crypto::takeOpenSslError());
        object.append("kty", "OKP");
        object.append("crv", curve == QLatin1String("Ed448") ? "Ed448" : "Ed25519");
        object.append("x", crypto::base64UrlEncode(QByteArrayView(pub, qsizetype(publen))).toStdString());
        object.append("d", crypto::base64UrlEncode(QByteArrayView(priv, qsizetype(privlen))).toStdString());
        crypto::secureWipe(priv, sizeof priv);
    } else {
        cjose_err err{};
        cjose_jwk_t *key = nullptr;
        if (type == KeyType::Rsa) {
            static const uint8_t e[] = {0x01, 0x00, 0x01};
            key = cjose_jwk_create_RSA_random(static_cast<size_t>(size), e, sizeof e, &err);
        } else if (type == KeyType::Ec) {
            const cjose_jwk_ec_curve crv = curve == QLatin1String("P-384")   ? CJOSE_JWK_EC_P_384
                                           : curve == QLatin1String("P-521") ? CJOSE_JWK_EC_P_521
                                                                             : CJOSE_JWK_EC_P_256;
            key = cjose_jwk_create_EC_random(crv, &err);
        } else {
            key = cjose_jwk_create_oct_random(static_cast<size_t>(size), &err);
        }
        if (!key)
            return makeError(ErrorCode::Internal, QStringLiteral("key generation failed"), cjoseErrorText(err));
        char *text = cjose_jwk_to_json(key, true, &err);
        cjose_jwk_release(key);
        if (!text)
            return makeError(ErrorCode::Internal, QStringLiteral("key export failed"), cjoseErrorText(err));
        auto parsed = json::parse(std::string_view(text));
        crypto::secureWipe(text, static_cast<qsizetype>(std::strlen(text)));
        cjose_get_dealloc()(text);
        if (!parsed)
            return parsed.error();
        object = std::move(parsed->object());
    }
    if (!kid.isEmpty())
        object.set("kid", kid);
    return fromJson(object);
}

Jwk::KeyType Jwk::keyType() const
{
    return m_d->type;
}

QString Jwk::keyTypeName() const
{
    switch (m_d->type) {
    case KeyType::Oct:
        return QStringLiteral("oct");
    case KeyType::Rsa:
        return QStringLiteral("RSA");
    case KeyType::Ec:
        return QStringLiteral("EC");
    case KeyType::Okp:
        return QStringLiteral("OKP");
    }
    return {};
}

QString Jwk::kid() const
{
    return stringMember(m_d->json, "kid");
}

QString Jwk::use() const
{
    return stringMember(m_d->json, "use");
}

QString Jwk::algorithm() const
{
    return stringMember(m_d->json, "alg");
}

QString Jwk::curve() const
{
    return stringMember(m_d->json, "crv");
}

int Jwk::keyBits() const
{
    return m_d->bits;
}

bool Jwk::hasPrivateKey() const
{
    return m_d->hasPrivate;
}

const json::Object &Jwk::json() const
{
    return m_d->json;
}

json::Object Jwk::publicJson() const
{
    static constexpr std::string_view kPrivate[] = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"};
    json::Object out;
    for (const json::Member &m : m_d->json) {
        bool secret = false;
        for (auto name : kPrivate)
            secret = secret || m.key == name;
        if (!secret)
            out.append(m.key, m.value);
    }
    return out;
}

Result<Jwks> Jwks::parse(std::string_view jsonText)
{
    auto parsed = json::parse(jsonText);
    if (!parsed)
        return parsed.error();
    return fromJson(*parsed);
}

Result<Jwks> Jwks::fromFile(const QString &path)
{
    auto document = readJsonFile(path, "JWKS");
    if (!document)
        return document.error();
    if (document->isObject() && document->object().contains("kty")) {
        auto key = Jwk::fromJson(document->object());
        if (!key)
            return key.error();
        json::Array keys;
        keys.emplace_back(key->publicJson());
        json::Object set;
        set.append("keys", json::Value(std::move(keys)));
        return fromJson(json::Value(std::move(set)));
    }
    return fromJson(*document);
}

Result<Jwks> Jwks::fromJson(const json::Value &document)
{
    const json::Value *keys = document.get("keys");
    if (!keys || !keys->isArray())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("invalid JWKS"),
                         QStringLiteral("expected an object with a \"keys\" array"));
    Jwks jwks;
    int index = 0;
    for (const json::Value &entry : keys->array()) {
        if (!entry.isObject()) {
            jwks.m_skipped.append({index++, {}, QStringLiteral("not a JSON object")});
            continue;
        }
        auto key = Jwk::fromJson(entry.object());
        if (key)
            jwks.m_keys.append(key.value());
        else
            jwks.m_skipped.append({index, stringMember(entry.object(), "kid").left(64), key.error().toString()});
        ++index;
    }
    return jwks;
}

QList<Jwk> Jwks::findByKid(const QString &kid) const
{
    QList<Jwk> found;
    for (const Jwk &key : m_keys) {
        if (key.kid() == kid)
            found.append(key);
    }
    return found;
}

} // namespace si::jose
