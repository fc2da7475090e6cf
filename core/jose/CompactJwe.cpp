#include "CompactJwe.h"

#include "../crypto/Base64Url.h"

namespace si::jose {

Result<CompactJweParts> splitCompactJwe(QByteArrayView token)
{
    QByteArrayView parts[5];
    qsizetype start = 0;
    for (int i = 0; i < 4; ++i) {
        const qsizetype dot = token.indexOf('.', start); // memchr
        if (dot < 0)
            return makeError(ErrorCode::MalformedInput, QStringLiteral("not a compact JWE"),
                             QStringLiteral("expected 5 dot-separated parts, found %1").arg(i + 1));
        parts[i] = token.sliced(start, dot - start);
        start = dot + 1;
    }
    parts[4] = token.sliced(start);
    if (parts[4].contains('.'))
        return makeError(ErrorCode::MalformedInput, QStringLiteral("not a compact JWE"),
                         QStringLiteral("more than 5 dot-separated parts"));
    return CompactJweParts{parts[0], parts[1], parts[2], parts[3], parts[4]};
}

Result<DirectJweHeader> parseDirectJweHeader(QByteArrayView headerB64)
{
    auto decoded = crypto::base64UrlDecode(headerB64);
    if (!decoded)
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE header is not base64url"));
    auto parsed = json::parse(decoded.value());
    if (!parsed || !parsed->isObject())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE header is not a JSON object"));
    DirectJweHeader header;
    header.raw = std::move(parsed->object());
    const json::Value *alg = header.raw.find("alg");
    if (!alg || !alg->isString())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE header has no \"alg\""));
    if (alg->stringUtf8() != "dir")
        return makeError(ErrorCode::Unsupported, QStringLiteral("unsupported JWE key management"),
                         QStringLiteral("alg %1, expected dir").arg(alg->toQString().left(32)));
    const json::Value *enc = header.raw.find("enc");
    if (!enc || !enc->isString())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE header has no \"enc\""));
    auto encryption = contentEncryptionFromName(enc->stringUtf8());
    if (!encryption)
        return makeError(ErrorCode::Unsupported, QStringLiteral("unsupported JWE content encryption"),
                         QStringLiteral("enc %1").arg(enc->toQString().left(32)));
    header.enc = *encryption;
    if (header.raw.contains("zip"))
        return makeError(ErrorCode::Unsupported, QStringLiteral("compressed JWE (zip) is not supported"));
    if (const json::Value *crit = header.raw.find("crit"))
        return makeError(ErrorCode::Unsupported, QStringLiteral("JWE header lists critical extensions"),
                         QStringLiteral("%1 entries in crit").arg(crit->array().size()));
    if (const json::Value *kid = header.raw.find("kid"); kid && kid->isString())
        header.kid = kid->toQString();
    return header;
}

} // namespace si::jose
