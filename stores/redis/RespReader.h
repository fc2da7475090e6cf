#pragma once

#include "RedisReply.h"
#include "core/Result.h"

#include <QByteArray>

#include <optional>

struct redisReader;
struct redisReadTask;

namespace si::stores {

// RESP replies out of the bytes a server sent, through hiredis's reader (the parser is hiredis's;
// this class bounds it and copies replies out). Whatever the bytes, the result is a reply, "need
// more bytes" or an error — never a crash and never memory the bytes did not pay for: hiredis 0.14
// allocates an array's element table when it reads the header, so "*2000000000\r\n" alone would
// ask for 16 GB; arrays over kMaxArrayElements are refused instead. Not thread-safe.
class RespReader {
public:
    // Far beyond any reply this program asks for: SCAN and batched reads come in thousands, the
    // largest index set (one user's sessions) would need a million sessions for one person.
    static constexpr int kMaxArrayElements = 1 << 20;

    RespReader();
    ~RespReader();
    RespReader(const RespReader &) = delete;
    RespReader &operator=(const RespReader &) = delete;

    // Queues bytes read from the server.
    void append(const QByteArray &bytes);
    // The next complete reply; nullopt when more bytes are needed. An error (MalformedInput, with
    // hiredis's or our reason) when the bytes are not RESP; the reader is then unusable.
    Result<std::optional<RedisReply>> next();

private:
    static void *createArray(const ::redisReadTask *task, int elements);

    redisReader *m_reader = nullptr;
    // Bytes not yet given to hiredis. hiredis 0.14 moves its whole unconsumed buffer after each
    // reply of 1 KB or more, so it gets at most 16 KB at a time.
    QByteArray m_pending;
    qsizetype m_pendingPos = 0;
    int m_refusedElements = 0;
    bool m_failed = false;
};

} // namespace si::stores
