#pragma once

#include "core/Error.h"

namespace si::cli {

// The exit codes of DESIGN.md's sessionctl contract.
enum ExitCode : int {
    Ok = 0,
    Usage = 1,
    NotFound = 2,
    DecryptFailed = 3,
    InvalidToken = 4,
    StoreUnreachable = 5,
    Refused = 6,
};

inline int exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NotFound:
        return NotFound;
    case ErrorCode::DecryptFailed:
    case ErrorCode::VerificationFailed:
    case ErrorCode::MalformedInput:
    case ErrorCode::Unsupported:
        return DecryptFailed;
    case ErrorCode::InvalidToken:
        return InvalidToken;
    case ErrorCode::StoreUnreachable:
    case ErrorCode::NetworkError:
    case ErrorCode::Timeout:
        return StoreUnreachable;
    case ErrorCode::ReadOnly:
        return Refused;
    case ErrorCode::InvalidArgument:
    case ErrorCode::Io:
    case ErrorCode::Internal:
    case ErrorCode::Canceled:
        return Usage;
    }
    return Usage;
}

} // namespace si::cli
