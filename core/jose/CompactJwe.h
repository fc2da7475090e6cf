#pragma once

#include "../Result.h"
#include "../json/Json.h"
#include "Algorithms.h"

#include <QByteArrayView>

namespace si::jose {

// The five base64url parts of a compact JWE (RFC 7516 §7.1), as views into the token.
struct CompactJweParts {
    QByteArrayView header; // also the AAD, verbatim
    QByteArrayView encryptedKey;
    QByteArrayView iv;
    QByteArrayView ciphertext;
    QByteArrayView tag;
};

// Splits a token into exactly five parts. Surrounding whitespace is not accepted.
Result<CompactJweParts> splitCompactJwe(QByteArrayView token);

// What a "dir" JWE's protected header says, after validation.
struct DirectJweHeader {
    ContentEncryption enc = ContentEncryption::A256CBC_HS512;
    QString kid; // empty when absent
    json::Object raw;
};

// Decodes and validates a protected header for direct encryption: "alg" must be "dir", "enc" a
// supported algorithm; "zip" and any "crit" extension are refused (we implement none).
Result<DirectJweHeader> parseDirectJweHeader(QByteArrayView headerB64);

} // namespace si::jose
