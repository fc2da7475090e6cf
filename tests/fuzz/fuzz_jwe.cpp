// Compact JWE from an untrusted source: the envelope reader, the direct-encryption path and cjose.
#include "core/envelope/EnvelopeCipher.h"
#include "core/jose/ContentCipher.h"
#include "core/jose/Jwe.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const si::EnvelopeCipher cipher(si::SecretList(
        {si::crypto::SecureBytes(QByteArrayView("fuzz-secret")), si::crypto::SecureBytes(QByteArrayView("old"))}));
    static const QByteArray key64(64, 'k');
    static const si::jose::Jwk jwk = si::jose::Jwk::fromSymmetricKey(key64).value();

    const QByteArrayView token(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    (void)cipher.decrypt(u"_a0_session", token);
    (void)cipher.decryptJson(u"_a0_session", token);
    (void)si::jose::decryptDirect(token, key64);
    (void)si::jose::Jwe::decrypt(token, jwk);
    return 0;
}
