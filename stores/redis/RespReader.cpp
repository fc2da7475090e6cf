#include "RespReader.h"

#include <hiredis/hiredis.h>

namespace si::stores {

namespace {

RedisReply convert(const redisReply *r)
{
    RedisReply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
        out.type = r->type == REDIS_REPLY_STRING   ? RedisReply::Type::String
                   : r->type == REDIS_REPLY_STATUS ? RedisReply::Type::Status
                                                   : RedisReply::Type::Error;
        out.string = QByteArray(r->str, static_cast<qsizetype>(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisReply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisReply::Type::Array;
        out.elements.reserve(static_cast<qsizetype>(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        out.type = RedisReply::Type::Nil;
        break;
    }
    return out;
}

// hiredis's own reply functions (static in hiredis.c; reachable through a reader it created), with
// createArray replaced by the bounded one.
struct Functions {
    redisReplyObjectFunctions hiredis{};
    redisReplyObjectFunctions bounded{};
};

Functions &functions(void *(*createArray)(const redisReadTask *, int))
{
    static Functions f = [createArray] {
        Functions out;
        redisReader *probe = redisReaderCreate();
        out.hiredis = *probe->fn;
        redisReaderFree(probe);
        out.bounded = out.hiredis;
        out.bounded.createArray = createArray;
        return out;
    }();
    return f;
}

Error malformed(const QString &detail)
{
    return makeError(ErrorCode::MalformedInput, QStringLiteral("the Redis server's reply is not RESP"), detail);
}

} // namespace

void *RespReader::createArray(const redisReadTask *task, int elements)
{
    auto *self = static_cast<RespReader *>(task->privdata);
    if (elements > kMaxArrayElements) {
        self->m_refusedElements = elements;
        return nullptr; // hiredis stops with an out-of-memory error; next() says what it was
    }
    return functions(&RespReader::createArray).hiredis.createArray(task, elements);
}

RespReader::RespReader()
    : m_reader(redisReaderCreateWithFunctions(&functions(&RespReader::createArray).bounded))
{
    if (m_reader)
        m_reader->privdata = this;
}

RespReader::~RespReader()
{
    if (m_reader)
        redisReaderFree(m_reader);
}

void RespReader::append(const QByteArray &bytes)
{
    if (m_pendingPos >= m_pending.size()) {
        m_pending = bytes;
        m_pendingPos = 0;
    } else {
        m_pending.append(bytes);
    }
}

Result<std::optional<RedisReply>> RespReader::next()
{
    if (!m_reader)
        return makeError(ErrorCode::Internal, QStringLiteral("out of memory for the Redis reply reader"));
    if (m_failed)
        return malformed(QStringLiteral("the reader already failed"));
    while (true) {
        void *raw = nullptr;
        if (redisReaderGetReply(m_reader, &raw) != REDIS_OK) {
            m_failed = true;
            if (m_refusedElements > 0)
                return malformed(QStringLiteral("an array of %1 elements (at most %2 are accepted)")
                                     .arg(m_refusedElements)
                                     .arg(kMaxArrayElements));
            return malformed(QString::fromUtf8(m_reader->errstr));
        }
        if (raw) {
            RedisReply reply = convert(static_cast<redisReply *>(raw));
            freeReplyObject(raw);
            return std::optional<RedisReply>(std::move(reply));
        }
        if (m_pendingPos >= m_pending.size())
            return std::optional<RedisReply>();
        constexpr qsizetype kSlice = 16 * 1024;
        const qsizetype n = qMin(kSlice, m_pending.size() - m_pendingPos);
        if (redisReaderFeed(m_reader, m_pending.constData() + m_pendingPos, static_cast<size_t>(n)) != REDIS_OK) {
            m_failed = true;
            return malformed(QString::fromUtf8(m_reader->errstr));
        }
        m_pendingPos += n;
    }
}

} // namespace si::stores
