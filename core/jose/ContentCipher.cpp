#include "ContentCipher.h"

#include "../crypto/Base64Url.h"
#include "../crypto/ConstantTime.h"
#include "../crypto/OpenSslUtil.h"
#include "../crypto/Random.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

namespace si::jose {

namespace {

using crypto::HashAlgorithm;

struct Algorithms {
    EVP_CIPHER *cbc[3];
    EVP_CIPHER *gcm[3];
    EVP_MAC *hmac;
    Algorithms()
        : cbc{EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr), EVP_CIPHER_fetch(nullptr, "AES-192-CBC", nullptr),
              EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr)}
        , gcm{EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr), EVP_CIPHER_fetch(nullptr, "AES-192-GCM", nullptr),
              EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr)}
        , hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr))
    {}
};

const Algorithms &algorithms()
{
    static const Algorithms instance;
    return instance;
}

// Contexts owned by one thread and reused across calls.
struct ThreadContexts {
    EVP_CIPHER_CTX *cipher = EVP_CIPHER_CTX_new();
    EVP_MAC_CTX *mac = EVP_MAC_CTX_new(algorithms().hmac);
    int macDigest = -1; // the digest `mac` is configured for, to skip re-fetching it
    QByteArray macInput;
    ThreadContexts() = default;
    ThreadContexts(const ThreadContexts &) = delete;
    ThreadContexts &operator=(const ThreadContexts &) = delete;
    ~ThreadContexts()
    {
        EVP_CIPHER_CTX_free(cipher);
        EVP_MAC_CTX_free(mac);
    }
};

ThreadContexts &contexts()
{
    thread_local ThreadContexts instance;
    return instance;
}

int sizeIndex(ContentEncryption enc)
{
    switch (enc) {
    case ContentEncryption::A128CBC_HS256:
    case ContentEncryption::A128GCM:
        return 0;
    case ContentEncryption::A192CBC_HS384:
    case ContentEncryption::A192GCM:
        return 1;
    case ContentEncryption::A256CBC_HS512:
    case ContentEncryption::A256GCM:
        return 2;
    }
    return 2;
}

const char *digestName(int index)
{
    static const char *const names[] = {"SHA256", "SHA384", "SHA512"};
    return names[index];
}

Error decryptFailed(const char *why)
{
    return makeError(ErrorCode::DecryptFailed,
                     QStringLiteral("decryption failed: wrong secret or salt, or the data was altered"),
                     QLatin1String(why));
}

Error internalError(const char *what)
{
    return makeError(ErrorCode::Internal, QLatin1String(what), crypto::takeOpenSslError());
}

const unsigned char *bytes(QByteArrayView v)
{
    static const unsigned char empty = 0;
    return v.isEmpty() ? &empty : reinterpret_cast<const unsigned char *>(v.data());
}

// HMAC-SHA2(macKey, AAD || IV || CT || AL) for RFC 7518 §5.2.2.1; writes the full MAC to `out`.
bool computeCbcHmac(int index, QByteArrayView macKey, QByteArrayView aad, QByteArrayView iv, QByteArrayView ciphertext,
                    unsigned char *out, size_t &outLength)
{
    ThreadContexts &ctx = contexts();
    if (!ctx.mac)
        return false;
    if (ctx.macDigest != index) {
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>(digestName(index)), 0),
            OSSL_PARAM_construct_end()};
        if (EVP_MAC_CTX_set_params(ctx.mac, params) != 1)
            return false;
        ctx.macDigest = index;
    }
    const quint64 aadBits = static_cast<quint64>(aad.size()) * 8;
    unsigned char al[8];
    for (int i = 0; i < 8; ++i)
        al[i] = static_cast<unsigned char>(aadBits >> (56 - 8 * i));
    return EVP_MAC_init(ctx.mac, bytes(macKey), static_cast<size_t>(macKey.size()), nullptr) == 1 &&
           EVP_MAC_update(ctx.mac, bytes(aad), static_cast<size_t>(aad.size())) == 1 &&
           EVP_MAC_update(ctx.mac, bytes(iv), static_cast<size_t>(iv.size())) == 1 &&
           EVP_MAC_update(ctx.mac, bytes(ciphertext), static_cast<size_t>(ciphertext.size())) == 1 &&
           EVP_MAC_update(ctx.mac, al, sizeof al) == 1 && EVP_MAC_final(ctx.mac, out, &outLength, 64) == 1;
}

Result<SealedContent> sealCbcHmac(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad,
                                  QByteArrayView plaintext)
{
    const int index = sizeIndex(enc);
    const qsizetype half = key.size() / 2;
    EVP_CIPHER_CTX *cipher = contexts().cipher;
    SealedContent out;
    out.ciphertext.resize(plaintext.size() + 16);
    int n1 = 0, n2 = 0;
    if (!cipher ||
        EVP_EncryptInit_ex2(cipher, algorithms().cbc[index], bytes(key.sliced(half)), bytes(iv), nullptr) != 1 ||
        EVP_EncryptUpdate(cipher, reinterpret_cast<unsigned char *>(out.ciphertext.data()), &n1, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(cipher, reinterpret_cast<unsigned char *>(out.ciphertext.data()) + n1, &n2) != 1)
        return internalError("AES-CBC encryption failed");
    out.ciphertext.resize(n1 + n2);
    unsigned char mac[64];
    size_t macLength = 0;
    if (!computeCbcHmac(index, key.first(half), aad, iv, out.ciphertext, mac, macLength))
        return internalError("HMAC failed");
    out.tag = QByteArray(reinterpret_cast<const char *>(mac), half);
    return out;
}

Status openCbcHmac(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad,
                   QByteArrayView ciphertext, QByteArrayView tag, QByteArray &plaintext)
{
    const int index = sizeIndex(enc);
    const qsizetype half = key.size() / 2;
    if (iv.size() != 16)
        return decryptFailed("IV must be 16 bytes");
    if (tag.size() != half)
        return decryptFailed("authentication tag has the wrong length");
    if (ciphertext.isEmpty() || ciphertext.size() % 16 != 0)
        return decryptFailed("ciphertext length is not a multiple of the block size");
    unsigned char mac[64];
    size_t macLength = 0;
    if (!computeCbcHmac(index, key.first(half), aad, iv, ciphertext, mac, macLength))
        return internalError("HMAC failed");
    if (!crypto::constantTimeEquals(QByteArrayView(mac, half), tag))
        return decryptFailed("authentication tag mismatch");
    EVP_CIPHER_CTX *cipher = contexts().cipher;
    plaintext.resize(ciphertext.size() + 16); // EVP may write up to one block more than it keeps
    int n1 = 0, n2 = 0;
    if (!cipher ||
        EVP_DecryptInit_ex2(cipher, algorithms().cbc[index], bytes(key.sliced(half)), bytes(iv), nullptr) != 1)
        return internalError("AES-CBC initialisation failed");
    if (EVP_DecryptUpdate(cipher, reinterpret_cast<unsigned char *>(plaintext.data()), &n1, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1 ||
        EVP_DecryptFinal_ex(cipher, reinterpret_cast<unsigned char *>(plaintext.data()) + n1, &n2) != 1) {
        crypto::takeOpenSslError();
        plaintext.clear();
        return decryptFailed("invalid padding");
    }
    plaintext.resize(n1 + n2);
    return {};
}

Result<SealedContent> sealGcm(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad,
                              QByteArrayView plaintext)
{
    EVP_CIPHER_CTX *cipher = contexts().cipher;
    SealedContent out;
    out.ciphertext.resize(plaintext.size());
    out.tag.resize(16);
    int n = 0, n2 = 0;
    size_t ivLength = static_cast<size_t>(iv.size());
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivLength),
                           OSSL_PARAM_construct_end()};
    if (!cipher || EVP_EncryptInit_ex2(cipher, algorithms().gcm[sizeIndex(enc)], bytes(key), bytes(iv), params) != 1 ||
        EVP_EncryptUpdate(cipher, nullptr, &n, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_EncryptUpdate(cipher, reinterpret_cast<unsigned char *>(out.ciphertext.data()), &n, bytes(plaintext),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(cipher, reinterpret_cast<unsigned char *>(out.ciphertext.data()) + n, &n2) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_GET_TAG, 16, out.tag.data()) != 1)
        return internalError("AES-GCM encryption failed");
    return out;
}

Status openGcm(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad,
               QByteArrayView ciphertext, QByteArrayView tag, QByteArray &plaintext)
{
    if (iv.size() != 12)
        return decryptFailed("IV must be 12 bytes");
    if (tag.size() != 16)
        return decryptFailed("authentication tag has the wrong length");
    EVP_CIPHER_CTX *cipher = contexts().cipher;
    plaintext.resize(ciphertext.size());
    int n = 0, n2 = 0;
    if (!cipher || EVP_DecryptInit_ex2(cipher, algorithms().gcm[sizeIndex(enc)], bytes(key), bytes(iv), nullptr) != 1)
        return internalError("AES-GCM initialisation failed");
    if (EVP_DecryptUpdate(cipher, nullptr, &n, bytes(aad), static_cast<int>(aad.size())) != 1 ||
        EVP_DecryptUpdate(cipher, reinterpret_cast<unsigned char *>(plaintext.data()), &n, bytes(ciphertext),
                          static_cast<int>(ciphertext.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<unsigned char *>(bytes(tag))) != 1 ||
        EVP_DecryptFinal_ex(cipher, reinterpret_cast<unsigned char *>(plaintext.data()) + n, &n2) != 1) {
        crypto::takeOpenSslError();
        plaintext.clear();
        return decryptFailed("authentication tag mismatch");
    }
    return {};
}

} // namespace

int ContentCipher::ivLength(ContentEncryption enc)
{
    return isGcm(enc) ? 12 : 16;
}

int ContentCipher::tagLength(ContentEncryption enc)
{
    return isGcm(enc) ? 16 : contentKeyLength(enc) / 2;
}

Result<SealedContent> ContentCipher::seal(ContentEncryption enc, QByteArrayView key, QByteArrayView iv,
                                          QByteArrayView aad, QByteArrayView plaintext)
{
    if (key.size() != contentKeyLength(enc))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("content encryption key has the wrong length"),
                         QStringLiteral("%1 needs %2 bytes, got %3")
                             .arg(QLatin1String(contentEncryptionName(enc)))
                             .arg(contentKeyLength(enc))
                             .arg(key.size()));
    if (iv.size() != ivLength(enc))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("IV has the wrong length"));
    return isGcm(enc) ? sealGcm(enc, key, iv, aad, plaintext) : sealCbcHmac(enc, key, iv, aad, plaintext);
}

Status ContentCipher::open(ContentEncryption enc, QByteArrayView key, QByteArrayView iv, QByteArrayView aad,
                           QByteArrayView ciphertext, QByteArrayView tag, QByteArray &plaintext)
{
    if (key.size() != contentKeyLength(enc))
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("content encryption key has the wrong length"));
    return isGcm(enc) ? openGcm(enc, key, iv, aad, ciphertext, tag, plaintext)
                      : openCbcHmac(enc, key, iv, aad, ciphertext, tag, plaintext);
}

Result<QByteArray> encryptDirect(ContentEncryption enc, QByteArrayView key, QByteArrayView protectedHeaderB64,
                                 QByteArrayView plaintext, QByteArrayView iv)
{
    const QByteArray freshIv = iv.isEmpty() ? crypto::randomBytes(ContentCipher::ivLength(enc)) : QByteArray();
    const QByteArrayView ivBytes = iv.isEmpty() ? QByteArrayView(freshIv) : iv;
    auto sealed = ContentCipher::seal(enc, key, ivBytes, protectedHeaderB64, plaintext);
    if (!sealed)
        return sealed.error();
    const QByteArray ivB64 = crypto::base64UrlEncode(ivBytes);
    const QByteArray ctB64 = crypto::base64UrlEncode(sealed->ciphertext);
    const QByteArray tagB64 = crypto::base64UrlEncode(sealed->tag);
    QByteArray token;
    token.reserve(protectedHeaderB64.size() + ivB64.size() + ctB64.size() + tagB64.size() + 4);
    token.append(protectedHeaderB64).append("..").append(ivB64).append('.').append(ctB64).append('.').append(tagB64);
    return token;
}

Status decryptDirect(const CompactJweParts &parts, ContentEncryption enc, QByteArrayView key, QByteArray &plaintext)
{
    if (!parts.encryptedKey.isEmpty())
        return makeError(ErrorCode::MalformedInput, QStringLiteral("not a direct-encryption JWE"),
                         QStringLiteral("the encrypted key part must be empty for alg dir"));
    // Per-thread scratch buffers: no allocation once warmed up.
    thread_local QByteArray iv, ciphertext, tag;
    if (!crypto::base64UrlDecodeInto(parts.iv, iv))
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE IV is not base64url"));
    if (!crypto::base64UrlDecodeInto(parts.ciphertext, ciphertext))
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE ciphertext is not base64url"));
    if (!crypto::base64UrlDecodeInto(parts.tag, tag))
        return makeError(ErrorCode::MalformedInput, QStringLiteral("JWE tag is not base64url"));
    return ContentCipher::open(enc, key, iv, parts.header, ciphertext, tag, plaintext);
}

Result<QByteArray> decryptDirect(QByteArrayView token, QByteArrayView key)
{
    auto parts = splitCompactJwe(token);
    if (!parts)
        return parts.error();
    auto header = parseDirectJweHeader(parts->header);
    if (!header)
        return header.error();
    QByteArray plaintext;
    if (auto status = decryptDirect(*parts, header->enc, key, plaintext); !status)
        return status.error();
    return plaintext;
}

} // namespace si::jose
