// Bytes from a Redis server (or whatever answers on its port): hiredis's reader through RespReader
// in slices of every size, and what the client makes of replies (cluster slot maps, redirections).
#include "stores/redis/RedisClient.h"
#include "stores/redis/RespReader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    // The first byte picks how the bytes arrive: one at a time up to all at once.
    const qsizetype slice = qsizetype(1) << (data[0] % 16);
    const QByteArray bytes(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    si::stores::RespReader reader;
    for (qsizetype at = 0; at < bytes.size(); at += slice) {
        reader.append(bytes.mid(at, slice));
        while (true) {
            auto next = reader.next();
            if (!next)
                return 0; // not RESP: the connection would be dropped
            if (!*next)
                break;
            const si::stores::RedisReply &reply = **next;
            (void)reply.isRedirect();
            if (auto map = si::stores::parseClusterSlots(reply, QStringLiteral("seed"))) {
                for (int owner : map->slots) {
                    if (owner < -1 || owner >= map->primaries.size())
                        __builtin_trap();
                }
            }
        }
    }
    return 0;
}
