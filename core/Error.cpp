#include "Error.h"

namespace si {

QString Error::toString() const
{
    if (detail.isEmpty())
        return message;
    return message + QStringLiteral(" (") + detail + QLatin1Char(')');
}

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument:
        return "invalid-argument";
    case ErrorCode::MalformedInput:
        return "malformed-input";
    case ErrorCode::DecryptFailed:
        return "decrypt-failed";
    case ErrorCode::VerificationFailed:
        return "verification-failed";
    case ErrorCode::InvalidToken:
        return "invalid-token";
    case ErrorCode::NotFound:
        return "not-found";
    case ErrorCode::Unsupported:
        return "unsupported";
    case ErrorCode::StoreUnreachable:
        return "store-unreachable";
    case ErrorCode::NetworkError:
        return "network-error";
    case ErrorCode::ReadOnly:
        return "read-only";
    case ErrorCode::Io:
        return "io";
    case ErrorCode::Internal:
        return "internal";
    case ErrorCode::Canceled:
        return "canceled";
    case ErrorCode::Timeout:
        return "timeout";
    }
    return "unknown";
}

} // namespace si
