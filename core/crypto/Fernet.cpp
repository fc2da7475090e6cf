#include "Fernet.h"

#include "ConstantTime.h"
#include "Hash.h"
#include "OpenSslUtil.h"
#include "Random.h"

#include <QtEndian>

#include <openssl/evp.h>

namespace si::crypto {

namespace {

constexpr qsizetype kHeader = 1 + 8 + 16; // version, timestamp, IV
constexpr qsizetype kMac = 32;

Error fernetError(const QString &detail)
{
    return makeError(ErrorCode::DecryptFailed, QStringLiteral("not a Fernet token for this key"), detail);
}

// AES-128-CBC with PKCS#7 padding, one shot.
bool aes128Cbc(bool encrypt, QByteArrayView key, QByteArrayView iv, QByteArrayView in, QByteArray &out)
{
    EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, reinterpret_cast<const uchar *>(key.data()),
                                  reinterpret_cast<const uchar *>(iv.data()), encrypt ? 1 : 0) != 1)
        return false;
    out.resize(in.size() + 16);
    int written = 0, final = 0;
    if (EVP_CipherUpdate(ctx.get(), reinterpret_cast<uchar *>(out.data()), &written,
                         reinterpret_cast<const uchar *>(in.data()), static_cast<int>(in.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), reinterpret_cast<uchar *>(out.data()) + written, &final) != 1) {
        takeOpenSslError();
        return false;
    }
    out.resize(written + final);
    return true;
}

} // namespace

Result<QByteArray> fernetKeyFromText(QByteArrayView text)
{
    auto decoded = QByteArray::fromBase64Encoding(
        text.trimmed().toByteArray(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 32)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("not a Fernet key"),
                         QStringLiteral("expected urlsafe base64 of 32 bytes"));
    return decoded.decoded;
}

Result<FernetToken> fernetDecrypt(QByteArrayView key, QByteArrayView token)
{
    if (key.size() != 32)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a Fernet key has 32 bytes"));
    auto decoded = QByteArray::fromBase64Encoding(
        token.trimmed().toByteArray(), QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return fernetError(QStringLiteral("invalid base64"));
    const QByteArray &raw = decoded.decoded;
    if (raw.size() < kHeader + 16 + kMac || (raw.size() - kHeader - kMac) % 16 != 0)
        return fernetError(QStringLiteral("%1 bytes is not a Fernet token length").arg(raw.size()));
    if (static_cast<uchar>(raw[0]) != 0x80)
        return fernetError(QStringLiteral("unknown version byte"));
    const QByteArrayView signedPart(raw.constData(), raw.size() - kMac);
    const QByteArray mac = hmac(HashAlgorithm::Sha256, key.first(16), signedPart);
    if (!constantTimeEquals(mac, QByteArrayView(raw).last(kMac)))
        return fernetError(QStringLiteral("HMAC mismatch: wrong key or altered token"));
    FernetToken out;
    out.timestamp = static_cast<qint64>(qFromBigEndian<quint64>(raw.constData() + 1));
    const QByteArrayView iv(raw.constData() + 9, 16);
    const QByteArrayView ciphertext(raw.constData() + kHeader, raw.size() - kHeader - kMac);
    if (!aes128Cbc(false, key.last(16), iv, ciphertext, out.plaintext))
        return fernetError(QStringLiteral("bad padding"));
    return out;
}

Result<QByteArray> fernetEncrypt(QByteArrayView key, QByteArrayView plaintext, qint64 timestamp, QByteArrayView iv)
{
    if (key.size() != 32)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a Fernet key has 32 bytes"));
    const QByteArray ivBytes = iv.isEmpty() ? randomBytes(16) : iv.toByteArray();
    if (ivBytes.size() != 16)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("a Fernet IV has 16 bytes"));
    QByteArray ciphertext;
    if (!aes128Cbc(true, key.last(16), ivBytes, plaintext, ciphertext))
        return makeError(ErrorCode::Internal, QStringLiteral("AES-128-CBC failed"), takeOpenSslError());
    QByteArray raw;
    raw.reserve(kHeader + ciphertext.size() + kMac);
    raw.append(char(0x80));
    char ts[8];
    qToBigEndian<quint64>(static_cast<quint64>(timestamp), ts);
    raw.append(ts, 8);
    raw.append(ivBytes);
    raw.append(ciphertext);
    raw.append(hmac(HashAlgorithm::Sha256, key.first(16), raw));
    return raw.toBase64(QByteArray::Base64UrlEncoding);
}

} // namespace si::crypto
