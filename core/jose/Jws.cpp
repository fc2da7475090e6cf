#include "Jws.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hash.h"
#include "../crypto/OpenSslUtil.h"
#include "JwkData.h"

#include <cjose/header.h>
#include <cjose/jws.h>

namespace si::jose {

namespace {

Error malformed(const QString &detail)
{
    return makeError(ErrorCode::MalformedInput, QStringLiteral("malformed JWS"), detail);
}

Error refused(const QString &message, const QString &detail = {})
{
    return makeError(ErrorCode::VerificationFailed, message, detail);
}

QByteArrayView viewOf(const std::string &s)
{
    return QByteArrayView(s.data(), static_cast<qsizetype>(s.size()));
}

Status checkKeyUsable(const ParsedJws &jws, const Jwk &key, SignatureAlgorithm alg)
{
    if (!Jws::keyFitsAlgorithm(key, alg))
        return refused(QStringLiteral("key does not fit the token's algorithm"),
                       QStringLiteral("%1 key for %2").arg(key.keyTypeName(), jws.algorithmName));
    const QString use = key.use();
    if (!use.isEmpty() && use != QLatin1String("sig"))
        return refused(QStringLiteral("key is not a signing key"), QStringLiteral("use=%1").arg(use.left(8)));
    const QString keyAlg = key.algorithm();
    if (!keyAlg.isEmpty() && keyAlg != jws.algorithmName)
        return refused(QStringLiteral("key is bound to another algorithm"),
                       QStringLiteral("key alg %1, token alg %2").arg(keyAlg.left(16), jws.algorithmName));
    if (key.keyType() == Jwk::KeyType::Rsa && key.keyBits() < 2048)
        return refused(QStringLiteral("RSA key too short"), QStringLiteral("%1 bits").arg(key.keyBits()));
    if (key.keyType() == Jwk::KeyType::Oct) {
        const int need = alg == SignatureAlgorithm::HS256 ? 256 : alg == SignatureAlgorithm::HS384 ? 384 : 512;
        if (key.keyBits() < need)
            return refused(QStringLiteral("HMAC key shorter than the hash"),
                           QStringLiteral("%1 bits for %2").arg(key.keyBits()).arg(jws.algorithmName));
    }
    return {};
}

Status checkAlgorithmAllowed(const ParsedJws &jws, const AlgorithmSet &allowed)
{
    if (!jws.algorithm) {
        if (jws.algorithmName == QLatin1String("none"))
            return refused(QStringLiteral("unsigned token (alg none) refused"));
        return refused(QStringLiteral("unsupported signature algorithm"), jws.algorithmName);
    }
    if (!allowed.contains(*jws.algorithm))
        return refused(QStringLiteral("signature algorithm not allowed"),
                       QStringLiteral("%1; allowed: %2").arg(jws.algorithmName, allowed.toString()));
    return {};
}

Status verifyEdDsa(const ParsedJws &jws, const Jwk &key)
{
    crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.data().pkey, nullptr) != 1)
        return makeError(ErrorCode::Internal, QStringLiteral("EdDSA verification unavailable"),
                         crypto::takeOpenSslError());
    const int rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(jws.signature.constData()),
                                    static_cast<size_t>(jws.signature.size()),
                                    reinterpret_cast<const unsigned char *>(jws.signingInput.constData()),
                                    static_cast<size_t>(jws.signingInput.size()));
    crypto::takeOpenSslError();
    if (rc != 1)
        return refused(QStringLiteral("signature does not verify"));
    return {};
}

Status verifyWithCjose(const ParsedJws &jws, const Jwk &key)
{
    cjose_err err{};
    cjose_jws_t *imported = cjose_jws_import(jws.compact.constData(), static_cast<size_t>(jws.compact.size()), &err);
    if (!imported)
        return malformed(cjoseErrorText(err));
    const bool ok = cjose_jws_verify(imported, key.data().cjose, &err);
    cjose_jws_release(imported);
    crypto::takeOpenSslError();
    if (!ok)
        return refused(QStringLiteral("signature does not verify"));
    return {};
}

} // namespace

bool Jws::keyFitsAlgorithm(const Jwk &key, SignatureAlgorithm alg)
{
    switch (alg) {
    case SignatureAlgorithm::HS256:
    case SignatureAlgorithm::HS384:
    case SignatureAlgorithm::HS512:
        return key.keyType() == Jwk::KeyType::Oct;
    case SignatureAlgorithm::RS256:
    case SignatureAlgorithm::RS384:
    case SignatureAlgorithm::RS512:
    case SignatureAlgorithm::PS256:
    case SignatureAlgorithm::PS384:
    case SignatureAlgorithm::PS512:
        return key.keyType() == Jwk::KeyType::Rsa;
    case SignatureAlgorithm::ES256:
        return key.keyType() == Jwk::KeyType::Ec && key.curve() == QLatin1String("P-256");
    case SignatureAlgorithm::ES384:
        return key.keyType() == Jwk::KeyType::Ec && key.curve() == QLatin1String("P-384");
    case SignatureAlgorithm::ES512:
        return key.keyType() == Jwk::KeyType::Ec && key.curve() == QLatin1String("P-521");
    case SignatureAlgorithm::EdDSA:
        return key.keyType() == Jwk::KeyType::Okp;
    }
    return false;
}

Result<ParsedJws> Jws::parse(QByteArrayView compact)
{
    const qsizetype dot1 = compact.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : compact.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || compact.indexOf('.', dot2 + 1) >= 0)
        return malformed(QStringLiteral("expected 3 dot-separated parts"));
    ParsedJws jws;
    jws.compact = compact.toByteArray();
    jws.signingInput = compact.first(dot2).toByteArray();
    auto header = crypto::base64UrlDecode(compact.first(dot1));
    if (!header)
        return malformed(QStringLiteral("header is not base64url"));
    auto payload = crypto::base64UrlDecode(compact.sliced(dot1 + 1, dot2 - dot1 - 1));
    if (!payload)
        return malformed(QStringLiteral("payload is not base64url"));
    auto signature = crypto::base64UrlDecode(compact.sliced(dot2 + 1));
    if (!signature)
        return malformed(QStringLiteral("signature is not base64url"));
    auto headerJson = json::parse(*header);
    if (!headerJson)
        return malformed(QStringLiteral("header is not JSON: %1").arg(headerJson.error().detail));
    if (!headerJson->isObject())
        return malformed(QStringLiteral("header is not a JSON object"));
    jws.header = std::move(headerJson->object());
    const json::Value *alg = jws.header.find("alg");
    if (!alg || !alg->isString())
        return malformed(QStringLiteral("header has no \"alg\""));
    jws.algorithmName = alg->toQString().left(32);
    jws.algorithm = signatureAlgorithmFromName(alg->stringUtf8());
    if (const json::Value *kid = jws.header.find("kid"); kid && kid->isString())
        jws.kid = kid->toQString();
    if (const json::Value *typ = jws.header.find("typ"); typ && typ->isString())
        jws.type = typ->toQString();
    jws.payload = std::move(payload.value());
    jws.signature = std::move(signature.value());
    return jws;
}

Status Jws::verify(const ParsedJws &jws, const Jwk &key, const AlgorithmSet &allowed)
{
    if (auto allowedStatus = checkAlgorithmAllowed(jws, allowed); !allowedStatus)
        return allowedStatus;
    if (auto usable = checkKeyUsable(jws, key, *jws.algorithm); !usable)
        return usable;
    if (*jws.algorithm == SignatureAlgorithm::EdDSA)
        return verifyEdDsa(jws, key);
    return verifyWithCjose(jws, key);
}

Status Jws::verify(const ParsedJws &jws, const Jwks &keys, const AlgorithmSet &allowed)
{
    if (auto allowedStatus = checkAlgorithmAllowed(jws, allowed); !allowedStatus)
        return allowedStatus;
    QList<Jwk> candidates;
    if (!jws.kid.isEmpty()) {
        candidates = keys.findByKid(jws.kid);
    } else {
        for (const Jwk &key : keys.keys()) {
            if (keyFitsAlgorithm(key, *jws.algorithm))
                candidates.append(key);
        }
    }
    if (candidates.isEmpty())
        return makeError(ErrorCode::NotFound, QStringLiteral("no matching key in the JWKS"),
                         jws.kid.isEmpty() ? QStringLiteral("no key fits %1").arg(jws.algorithmName)
                                           : QStringLiteral("kid \"%1\" is unknown").arg(jws.kid.left(64)));
    Status last = refused(QStringLiteral("signature does not verify"));
    for (const Jwk &key : candidates) {
        last = verify(jws, key, allowed);
        if (last)
            return last;
    }
    return last;
}

Result<QByteArray> Jws::sign(SignatureAlgorithm alg, json::Object header, QByteArrayView payload, const Jwk &key)
{
    if (!keyFitsAlgorithm(key, alg) || !key.hasPrivateKey())
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("key cannot sign with this algorithm"),
                         QLatin1String(signatureAlgorithmName(alg)));
    header.set("alg", signatureAlgorithmName(alg));
    if (!header.contains("kid") && !key.kid().isEmpty())
        header.set("kid", key.kid());

    if (alg == SignatureAlgorithm::EdDSA) {
        // OpenSSL path: rebuild the private key from "d".
        const json::Value *d = key.json().find("d");
        auto seed = d ? crypto::base64UrlDecode(viewOf(d->stringUtf8())) : Result<QByteArray>(malformed({}));
        if (!seed)
            return makeError(ErrorCode::InvalidArgument, QStringLiteral("OKP key has no usable \"d\""));
        const int type = key.curve() == QLatin1String("Ed448") ? EVP_PKEY_ED448 : EVP_PKEY_ED25519;
        crypto::EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(type, nullptr,
                                                             reinterpret_cast<const unsigned char *>(seed->constData()),
                                                             static_cast<size_t>(seed->size())));
        const std::string headerJson = json::serialize(json::Value(header), json::Style::Compact);
        QByteArray input = crypto::base64UrlEncode(viewOf(headerJson)) + '.' + crypto::base64UrlEncode(payload);
        crypto::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
        size_t length = 0;
        if (!pkey || !ctx ||
            EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, pkey.get(), nullptr) != 1 ||
            EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char *>(input.constData()),
                           static_cast<size_t>(input.size())) != 1)
            return makeError(ErrorCode::Internal, QStringLiteral("EdDSA signing failed"), crypto::takeOpenSslError());
        QByteArray signature(static_cast<qsizetype>(length), Qt::Uninitialized);
        if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                           reinterpret_cast<const unsigned char *>(input.constData()),
                           static_cast<size_t>(input.size())) != 1)
            return makeError(ErrorCode::Internal, QStringLiteral("EdDSA signing failed"), crypto::takeOpenSslError());
        signature.resize(static_cast<qsizetype>(length));
        return input + '.' + crypto::base64UrlEncode(signature);
    }

    auto built = makeCjoseHeader(header);
    if (!built)
        return built.error();
    cjose_header_t *h = built.value();
    cjose_err err{};
    cjose_jws_t *jws = cjose_jws_sign(key.data().cjose, h, reinterpret_cast<const uint8_t *>(payload.data()),
                                      static_cast<size_t>(payload.size()), &err);
    cjose_header_release(h);
    if (!jws)
        return makeError(ErrorCode::Internal, QStringLiteral("JWS signing failed"), cjoseErrorText(err));
    const char *compact = nullptr;
    QByteArray result;
    if (cjose_jws_export(jws, &compact, &err))
        result = QByteArray(compact);
    cjose_jws_release(jws);
    if (result.isEmpty())
        return makeError(ErrorCode::Internal, QStringLiteral("JWS export failed"), cjoseErrorText(err));
    return result;
}

} // namespace si::jose
