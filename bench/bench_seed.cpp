// What `sessionctl seed` spends per session on the client, stage by stage: generating a synthetic
// session (SeedGenerator), encoding it for a native store (SessionCodec: JSON, AES-256-CBC +
// HMAC-SHA-512 envelope, three index hashes), and one index hash alone.
// Run: build/bin/bench_seed --benchmark_min_time=2 (see docs/benchmarks.md, issue #5).

#include "core/inspector/SeedGenerator.h"
#include "core/store/IndexKeys.h"
#include "core/store/SessionCodec.h"

#include <benchmark/benchmark.h>

using namespace si;

namespace {

SecretList secrets()
{
    return SecretList{QList<crypto::SecureBytes>{crypto::SecureBytes(QByteArrayView("bench-secret-0123456789"))}};
}

inspector::SeedGenerator generator()
{
    inspector::SeedGenerator::Options options;
    options.count = 1000000;
    options.users = 200000;
    options.now = 1795000000;
    return inspector::SeedGenerator(options);
}

void BM_GenerateSession(benchmark::State &state)
{
    const auto gen = generator();
    qint64 i = 0;
    for (auto _ : state) {
        auto s = gen.session(i++ % 1000000, inspector::SessionLayout::Kind::Native);
        benchmark::DoNotOptimize(s);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_EncodeSession(benchmark::State &state)
{
    const auto gen = generator();
    QList<inspector::SeedGenerator::Session> sessions;
    for (qint64 i = 0; i < 256; ++i)
        sessions << gen.session(i, inspector::SessionLayout::Kind::Native);
    SessionCodec::Options options;
    options.defaultIssuer = QStringLiteral("https://login.example.com/");
    const SessionCodec codec(secrets(), options);
    qint64 i = 0;
    qint64 bytes = 0;
    for (auto _ : state) {
        const auto &s = sessions.at(i++ % sessions.size());
        auto record = codec.encode(s.id, s.state);
        if (!record)
            state.SkipWithError("encode failed");
        else
            bytes += record->envelope.size();
        benchmark::DoNotOptimize(record);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(bytes);
}

void BM_IndexHash(benchmark::State &state)
{
    const IndexKeys keys(secrets());
    const QString issuer = QStringLiteral("https://login.example.com/");
    const QString sub = QStringLiteral("auth0|6561c0ffee0000a1b2c3d4e5");
    for (auto _ : state) {
        auto h = keys.hash(0, IndexKeys::Kind::Subject, issuer, sub);
        benchmark::DoNotOptimize(h);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

BENCHMARK(BM_GenerateSession);
BENCHMARK(BM_EncodeSession);
BENCHMARK(BM_IndexHash);
BENCHMARK_MAIN();
