#pragma once

#include <QString>

namespace si {

// What went wrong, in categories that callers act on (sessionctl maps them to exit codes).
enum class ErrorCode {
    InvalidArgument,    // the caller passed something unusable (bad option, bad URL, empty secret list)
    MalformedInput,     // data we do not control could not be parsed (JSON, JWE/JWS/JWT, cookie header)
    DecryptFailed,      // authentication failed: wrong secret, wrong salt or altered ciphertext
    VerificationFailed, // a signature or key did not verify
    InvalidToken,       // a well-formed token broke a validation rule (exp, aud, iss, ...)
    NotFound,           // the requested object does not exist
    Unsupported,        // a valid but unsupported algorithm, key type or feature
    StoreUnreachable,   // a session store could not be reached or went away
    NetworkError,       // an HTTP peer (the IdP) could not be reached or answered nonsense
    ReadOnly,           // a write was refused by a read-only profile
    Io,                 // local file or device error
    Internal,           // a library failed unexpectedly (out of memory, OpenSSL internal error)
    Canceled,           // the caller canceled the operation before it completed
    Timeout,            // a server did not answer in time (the operation may or may not have happened)
};

// An error value. `message` is one line for users; `detail` adds technical context for logs.
// Neither may contain secrets, tokens or decrypted content: build them from lengths, offsets and
// names, never from the data itself.
struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message;
    QString detail;

    // "message (detail)" or just "message".
    QString toString() const;
};

const char *errorCodeName(ErrorCode code);

inline Error makeError(ErrorCode code, QString message, QString detail = {})
{
    return Error{code, std::move(message), std::move(detail)};
}

} // namespace si
