#pragma once

#include "core/inspector/SessionSource.h"

#include <QFuture>
#include <QPromise>

#include <memory>

namespace si::test {

// A fake store for GUI model tests only: `size` plain-JSON sessions (starsessions layout without
// a key) computed from their position, so a million rows cost nothing. Cursors are positions.
// With `gated`, answers wait until release() — to test what happens while a request is out.
class SyntheticSource : public inspector::SessionSource {
public:
    explicit SyntheticSource(qint64 size)
        : m_size(size)
    {}

    qint64 countValue = -1; // what count() reports (-1: the size)
    bool countExact = true;
    QString version = QStringLiteral("v1"); // part of every id: a "changed" store has new ids
    bool gated = false;
    QList<qint64> pageStarts; // positions pages were asked for, in order
    QList<qint64> skips;      // distances skipped
    bool failNext = false;
    std::function<void(qint64 delivered)> onBatch; // called after each scanned batch (a user acting mid-scan)

    void setSize(qint64 size) { m_size = size; }
    static QString idAt(const QString &version, qint64 i)
    {
        return QStringLiteral("%1-%2").arg(version).arg(i, 8, 10, QLatin1Char('0'));
    }
    static QByteArray valueAt(qint64 i)
    {
        return QStringLiteral(R"({"user":{"sub":"user-%1","email":"user%1@example.com","name":"User %1"},)"
                              R"("internal":{"sid":"sid-%2","created_at":%3}})")
            .arg(i % 5000)
            .arg(i)
            .arg(1800000000 - i)
            .toUtf8();
    }

    // Answers every held request.
    void release()
    {
        auto held = std::move(m_held);
        m_held.clear();
        for (auto &answer : held)
            answer();
    }
    qsizetype held() const { return m_held.size(); }

    QString describe() const override { return QStringLiteral("synthetic"); }
    QString backendName() const override { return QStringLiteral("synthetic"); }
    QFuture<Result<inspector::SessionCount>> count() override
    {
        inspector::SessionCount c{countValue < 0 ? m_size : countValue, countExact};
        return answer(Result<inspector::SessionCount>(c));
    }
    QFuture<Result<inspector::RawPage>> page(const QString &cursor, int limit) override
    {
        const qint64 start = cursor.isEmpty() ? 0 : cursor.toLongLong();
        pageStarts.append(start);
        if (failNext) {
            failNext = false;
            return answer(Result<inspector::RawPage>(
                makeError(ErrorCode::StoreUnreachable, QStringLiteral("connection lost"), QStringLiteral("test"))));
        }
        inspector::RawPage page;
        const QString v = version;
        for (qint64 i = start; i < qMin(m_size, start + limit); ++i)
            page.sessions.append(rawAt(v, i));
        if (start + limit < m_size)
            page.nextCursor = QString::number(start + limit);
        return answer(Result<inspector::RawPage>(page));
    }
    QFuture<Result<inspector::SkipResult>> skip(const QString &cursor, qint64 n) override
    {
        skips.append(n);
        const qint64 start = cursor.isEmpty() ? 0 : cursor.toLongLong();
        inspector::SkipResult out;
        if (start + n >= m_size) {
            out.atEnd = true;
            out.skipped = qMax<qint64>(0, m_size - start);
        } else {
            out.cursor = QString::number(start + n);
            out.skipped = n;
        }
        return answer(Result<inspector::SkipResult>(out));
    }
    QFuture<Result<QList<inspector::RawSession>>> loadMany(const QStringList &ids) override
    {
        QList<inspector::RawSession> out;
        for (const QString &id : ids) {
            const qint64 i = id.section(QLatin1Char('-'), 1).toLongLong();
            if (id == idAt(version, i) && i < m_size)
                out.append(rawAt(version, i));
        }
        return answer(Result<QList<inspector::RawSession>>(out));
    }
    QFuture<Result<qsizetype>> remove(const QStringList &) override
    {
        return answer(Result<qsizetype>(makeError(ErrorCode::Unsupported, QStringLiteral("read-only fake"))));
    }
    QFuture<Result<bool>> expireAt(const QString &, qint64) override
    {
        return answer(Result<bool>(makeError(ErrorCode::Unsupported, QStringLiteral("read-only fake"))));
    }
    QFuture<Result<qint64>> scan(Sink sink, int batchSize) override
    {
        qint64 delivered = 0;
        for (qint64 start = 0; start < m_size; start += batchSize) {
            QList<inspector::RawSession> batch;
            for (qint64 i = start; i < qMin(m_size, start + batchSize); ++i)
                batch.append(rawAt(version, i));
            delivered += batch.size();
            if (!sink(std::move(batch)))
                break;
            if (onBatch)
                onBatch(delivered);
        }
        return answer(Result<qint64>(delivered));
    }

private:
    static inspector::RawSession rawAt(const QString &version, qint64 i)
    {
        inspector::RawSession s;
        s.id = idAt(version, i);
        s.value = valueAt(i);
        s.createdAt = 1800000000 - i;
        s.expiresAt = 4000000000;
        return s;
    }
    template<typename T>
    QFuture<T> answer(T value)
    {
        if (!gated)
            return QtFuture::makeReadyFuture(std::move(value));
        auto promise = std::make_shared<QPromise<T>>();
        promise->start();
        m_held.append([promise, value] {
            promise->addResult(value);
            promise->finish();
        });
        return promise->future();
    }

    qint64 m_size;
    QList<std::function<void()>> m_held;
};

} // namespace si::test
