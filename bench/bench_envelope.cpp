// Envelope throughput: decrypt (+ JSON parse, + session model) and encrypt of a realistic ~2 KB
// auth0 StateData, with and without the derived-key cache, next to the floor (raw OpenSSL
// AES-256-CBC + HMAC-SHA-512 over the same bytes with prepared contexts) and cjose.
// Run: build/bin/bench_envelope --benchmark_min_time=2 (see docs/benchmarks.md).

#include "core/crypto/Base64Url.h"
#include "core/crypto/Random.h"
#include "core/envelope/EnvelopeCipher.h"
#include "core/jose/Jwe.h"
#include "core/jose/Jwk.h"
#include "core/model/StateData.h"

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

using namespace si;

namespace {

std::string fakeJwt(int signatureBytes, const std::string &claims)
{
    const QByteArray header = crypto::base64UrlEncode(QByteArray(R"({"alg":"RS256","typ":"JWT","kid":"k-2026"})"));
    const QByteArray body = crypto::base64UrlEncode(QByteArray::fromStdString(claims));
    return (header + '.' + body + '.' + crypto::base64UrlEncode(crypto::randomBytes(signatureBytes))).toStdString();
}

// A session as auth0-server-python stores it after a login with one API audience: ID token,
// refresh token, one access token, user claims. About 2 KB of JSON.
QByteArray realisticState()
{
    const std::string claims = R"({"iss":"https://login.example.com/","aud":"app","sub":"auth0|6561c0ffee",)"
                               R"("sid":"Kq3vN8wz2Yh5","iat":1795000000,"exp":1795036000,"name":"Zo\u00eb K"})";
    json::Object user;
    user.append("sub", "auth0|6561c0ffee");
    user.append("name", "Zo\u00c3\u00ab Kowalski");
    user.append("nickname", "zoe");
    user.append("given_name", nullptr);
    user.append("family_name", nullptr);
    user.append("picture", "https://cdn.example.com/avatars/zoe.png");
    user.append("email", "zoe.kowalski@example.com");
    user.append("email_verified", true);
    user.append("org_id", nullptr);
    user.append("iss", "https://login.example.com/");
    user.append("aud", "app");
    user.append("iat", std::int64_t(1795000000));
    user.append("exp", std::int64_t(1795036000));
    user.append("sid", "Kq3vN8wz2Yh5");
    StateData state;
    state.user = UserClaims{user};
    state.idToken = QString::fromStdString(fakeJwt(256, claims));
    state.refreshToken = QStringLiteral("v1.M") + QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(48)));
    TokenSet set;
    set.audience = QStringLiteral("https://api.example.com/");
    set.accessToken = QString::fromStdString(fakeJwt(
        256,
        R"({"iss":"https://login.example.com/","sub":"auth0|6561c0ffee","aud":"https://api.example.com/","scope":"openid profile read:orders","exp":1795086400})"));
    set.scope = QStringLiteral("openid profile email offline_access read:orders");
    set.expiresAt = 1795086400;
    state.tokenSets << set;
    state.internal.sid = QStringLiteral("Kq3vN8wz2Yh5");
    state.internal.createdAt = 1795000000;
    return QByteArray::fromStdString(state.serialize());
}

struct Fixture {
    QByteArray plaintext = realisticState();
    SecretList secrets{QList<crypto::SecureBytes>{crypto::SecureBytes(QByteArrayView("bench-secret-0123456789"))}};
    EnvelopeCipher cached{secrets};
    EnvelopeCipher uncached{secrets, [] {
                                EnvelopeCipher::Options o;
                                o.cacheKeys = false;
                                return o;
                            }()};
    QByteArray token = cached.encrypt(u"_a0_session", plaintext).value();
};

const Fixture &fixture()
{
    static const Fixture f;
    return f;
}

void setCounters(benchmark::State &state)
{
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * fixture().plaintext.size());
    state.counters["plaintext_bytes"] = double(fixture().plaintext.size());
    state.counters["token_bytes"] = double(fixture().token.size());
}

void BM_Decrypt(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = f.cached.decrypt(u"_a0_session", f.token);
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_DecryptParseJson(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = f.cached.decryptJson(u"_a0_session", f.token);
        if (!r)
            state.SkipWithError("decrypt failed");
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_DecryptParseStateData(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = f.cached.decryptJson(u"_a0_session", f.token);
        auto s = StateData::fromJson(std::move(r.value()));
        benchmark::DoNotOptimize(s);
    }
    setCounters(state);
}

void BM_DecryptParseJson_NoKeyCache(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = f.uncached.decryptJson(u"_a0_session", f.token);
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_Encrypt(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = f.cached.encrypt(u"_a0_session", f.plaintext);
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_Encrypt_NoKeyCache(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = f.uncached.encrypt(u"_a0_session", f.plaintext);
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_SerializeEncryptStateData(benchmark::State &state)
{
    const auto &f = fixture();
    const StateData model = StateData::parse(f.plaintext).value();
    for (auto _ : state) {
        auto r = f.cached.encryptJson(u"_a0_session", model.toJson());
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

// The floor: only AES-256-CBC decryption and HMAC-SHA-512 over the same ciphertext, with the key
// already derived, contexts prepared, no base64 and no parsing.
void BM_Floor_RawOpenSslCbcHmac(benchmark::State &state)
{
    const auto &f = fixture();
    const QList<QByteArray> parts = f.token.split('.');
    const QByteArray iv = crypto::base64UrlDecode(parts[2]).value();
    const QByteArray ct = crypto::base64UrlDecode(parts[3]).value();
    const QByteArray aad = parts[0];
    const auto key = f.cached.deriveKey(0, u"_a0_session").value();
    EVP_CIPHER *aes = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
    EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();
    EVP_MAC *hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX *mctx = EVP_MAC_CTX_new(hmac);
    char digest[] = "SHA512";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0), OSSL_PARAM_construct_end()};
    EVP_MAC_CTX_set_params(mctx, params);
    QByteArray out(ct.size() + 16, Qt::Uninitialized);
    unsigned char al[8] = {0, 0, 0, 0, 0, 0, 0, static_cast<unsigned char>(aad.size() * 8)};
    al[6] = static_cast<unsigned char>((aad.size() * 8) >> 8);
    const auto *k = key.data();
    for (auto _ : state) {
        unsigned char mac[64];
        size_t macLen = 0;
        EVP_MAC_init(mctx, k, 32, nullptr);
        EVP_MAC_update(mctx, reinterpret_cast<const unsigned char *>(aad.constData()), size_t(aad.size()));
        EVP_MAC_update(mctx, reinterpret_cast<const unsigned char *>(iv.constData()), size_t(iv.size()));
        EVP_MAC_update(mctx, reinterpret_cast<const unsigned char *>(ct.constData()), size_t(ct.size()));
        EVP_MAC_update(mctx, al, 8);
        EVP_MAC_final(mctx, mac, &macLen, sizeof mac);
        int n1 = 0, n2 = 0;
        EVP_DecryptInit_ex2(cctx, aes, k + 32, reinterpret_cast<const unsigned char *>(iv.constData()), nullptr);
        EVP_DecryptUpdate(cctx, reinterpret_cast<unsigned char *>(out.data()), &n1,
                          reinterpret_cast<const unsigned char *>(ct.constData()), int(ct.size()));
        EVP_DecryptFinal_ex(cctx, reinterpret_cast<unsigned char *>(out.data()) + n1, &n2);
        benchmark::DoNotOptimize(mac);
        benchmark::DoNotOptimize(out.data());
    }
    EVP_MAC_CTX_free(mctx);
    EVP_MAC_free(hmac);
    EVP_CIPHER_CTX_free(cctx);
    EVP_CIPHER_free(aes);
    setCounters(state);
}

// cjose import + decrypt of the same token with the same (already derived) key.
void BM_Peer_CjoseDecrypt(benchmark::State &state)
{
    const auto &f = fixture();
    const auto key = f.cached.deriveKey(0, u"_a0_session").value();
    const jose::Jwk jwk = jose::Jwk::fromSymmetricKey(key.view()).value();
    for (auto _ : state) {
        auto r = jose::Jwe::decrypt(f.token, jwk);
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_JsonParseOnly(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto r = json::parse(f.plaintext);
        benchmark::DoNotOptimize(r);
    }
    setCounters(state);
}

void BM_Base64UrlDecodeToken(benchmark::State &state)
{
    const auto &f = fixture();
    const QByteArray ciphertext = f.token.split('.').at(3);
    QByteArray out;
    for (auto _ : state) {
        bool ok = crypto::base64UrlDecodeInto(ciphertext, out);
        if (!ok)
            state.SkipWithError("decode failed");
        benchmark::DoNotOptimize(ok);
    }
    setCounters(state);
}

void BM_HkdfDerive(benchmark::State &state)
{
    const auto &f = fixture();
    for (auto _ : state) {
        auto key = f.cached.deriveKey(0, u"_a0_session");
        benchmark::DoNotOptimize(key);
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

// SI_BENCH_ITERATIONS=N runs every benchmark exactly N times (no calibration rounds), so that
// `valgrind --tool=callgrind --toggle-collect='*BM_Decrypt*'` counts instructions per envelope.
int main(int argc, char **argv)
{
    const long fixed = qEnvironmentVariableIntValue("SI_BENCH_ITERATIONS");
    const struct {
        const char *name;
        void (*fn)(benchmark::State &);
        int threads;
    } all[] = {
        {"BM_Base64UrlDecodeToken", BM_Base64UrlDecodeToken, 1},
        {"BM_HkdfDerive", BM_HkdfDerive, 1},
        {"BM_Decrypt", BM_Decrypt, 1},
        {"BM_DecryptParseJson", BM_DecryptParseJson, 1},
        {"BM_DecryptParseJson", BM_DecryptParseJson, 2},
        {"BM_DecryptParseStateData", BM_DecryptParseStateData, 1},
        {"BM_DecryptParseJson_NoKeyCache", BM_DecryptParseJson_NoKeyCache, 1},
        {"BM_Encrypt", BM_Encrypt, 1},
        {"BM_Encrypt_NoKeyCache", BM_Encrypt_NoKeyCache, 1},
        {"BM_SerializeEncryptStateData", BM_SerializeEncryptStateData, 1},
        {"BM_Floor_RawOpenSslCbcHmac", BM_Floor_RawOpenSslCbcHmac, 1},
        {"BM_Peer_CjoseDecrypt", BM_Peer_CjoseDecrypt, 1},
        {"BM_JsonParseOnly", BM_JsonParseOnly, 1},
    };
    for (const auto &b : all) {
        auto *registered = benchmark::RegisterBenchmark(b.name, b.fn);
        if (b.threads > 1)
            registered->Threads(b.threads)->UseRealTime();
        if (fixed > 0)
            registered->Iterations(fixed);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
