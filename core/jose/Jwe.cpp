#include "Jwe.h"

#include "../crypto/Base64Url.h"
#include "../crypto/OpenSslUtil.h"
#include "../crypto/SecureBytes.h"
#include "CompactJwe.h"
#include "JwkData.h"

#include <cjose/header.h>
#include <cjose/jwe.h>
#include <cjose/util.h>

namespace si::jose {

Result<QByteArray> Jwe::encrypt(const Jwk &key, const json::Object &header, QByteArrayView plaintext)
{
    if (!key.data().cjose)
        return makeError(ErrorCode::Unsupported, QStringLiteral("key type cannot be used for JWE"), key.keyTypeName());
    auto built = makeCjoseHeader(header);
    if (!built)
        return built.error();
    cjose_header_t *h = built.value();
    cjose_err err{};
    cjose_jwe_t *jwe = cjose_jwe_encrypt(key.data().cjose, h, reinterpret_cast<const uint8_t *>(plaintext.data()),
                                         static_cast<size_t>(plaintext.size()), &err);
    cjose_header_release(h);
    if (!jwe)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("JWE encryption failed"), cjoseErrorText(err));
    char *compact = cjose_jwe_export(jwe, &err);
    cjose_jwe_release(jwe);
    if (!compact)
        return makeError(ErrorCode::Internal, QStringLiteral("JWE export failed"), cjoseErrorText(err));
    QByteArray result(compact);
    cjose_get_dealloc()(compact);
    return result;
}

Result<QByteArray> Jwe::decrypt(QByteArrayView compact, const Jwk &key)
{
    if (!key.data().cjose)
        return makeError(ErrorCode::Unsupported, QStringLiteral("key type cannot be used for JWE"), key.keyTypeName());
    // cjose's base64 decoder aborts (assert) on some malformed parts: check them strictly first.
    auto parts = splitCompactJwe(compact);
    if (!parts)
        return parts.error();
    for (QByteArrayView part : {parts->header, parts->encryptedKey, parts->iv, parts->ciphertext, parts->tag}) {
        if (!crypto::base64UrlDecode(part))
            return makeError(ErrorCode::MalformedInput, QStringLiteral("not a valid compact JWE"),
                             QStringLiteral("a part is not base64url"));
    }
    cjose_err err{};
    cjose_jwe_t *jwe = cjose_jwe_import(compact.data(), static_cast<size_t>(compact.size()), &err);
    if (!jwe) {
        crypto::takeOpenSslError();
        return makeError(ErrorCode::MalformedInput, QStringLiteral("not a valid compact JWE"), cjoseErrorText(err));
    }
    size_t length = 0;
    uint8_t *plaintext = cjose_jwe_decrypt(jwe, key.data().cjose, &length, &err);
    cjose_jwe_release(jwe);
    crypto::takeOpenSslError();
    if (!plaintext)
        return makeError(ErrorCode::DecryptFailed,
                         QStringLiteral("decryption failed: wrong key or the data was altered"), cjoseErrorText(err));
    QByteArray result(reinterpret_cast<const char *>(plaintext), static_cast<qsizetype>(length));
    crypto::secureWipe(plaintext, static_cast<qsizetype>(length));
    cjose_get_dealloc()(plaintext);
    return result;
}

} // namespace si::jose
