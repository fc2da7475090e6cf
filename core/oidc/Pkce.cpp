#include "Pkce.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hash.h"
#include "../crypto/Random.h"

namespace si::oidc {

QString newCodeVerifier()
{
    return crypto::randomString(64, crypto::alphanumericAlphabet());
}

QString codeChallenge(const QString &verifier)
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier.toLatin1())));
}

} // namespace si::oidc
