// Session Inspector's envelope decryption on the same envelopes as the peers (bench/compare/decrypt.sh):
// every envelope of a file, ROUNDS times, each plaintext parsed as JSON. Two ways, like the peers:
// "per-call" derives the key for every envelope (Options::cacheKeys off), "cached" is how the
// library runs (keys derived once per secret and cookie name). Prints one JSON line per way.
//
//   compare_decrypt ENVELOPES SALT ROUNDS < SECRET_FILE
#include "core/envelope/EnvelopeCipher.h"
#include "core/json/Json.h"

#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <iostream>
#include <string>

using namespace si;

namespace {

double run(const EnvelopeCipher &cipher, const QList<QByteArray> &tokens, const QString &salt, int rounds)
{
    QElapsedTimer timer;
    timer.start();
    for (int r = 0; r < rounds; ++r) {
        for (const QByteArray &token : tokens) {
            auto opened = cipher.decrypt(salt, token);
            if (!opened || !json::parse(opened->plaintext)) {
                std::fprintf(stderr, "compare_decrypt: an envelope did not decrypt to JSON\n");
                std::exit(1);
            }
        }
    }
    return double(timer.nsecsElapsed()) / 1e9;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: compare_decrypt ENVELOPES SALT ROUNDS < SECRET_FILE\n");
        return 1;
    }
    QFile file(QString::fromLocal8Bit(argv[1]));
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "compare_decrypt: cannot read %s\n", argv[1]);
        return 1;
    }
    QList<QByteArray> tokens;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.trimmed().isEmpty())
            tokens.append(line.trimmed());
    }
    const QString salt = QString::fromLocal8Bit(argv[2]);
    const int rounds = std::stoi(argv[3]);
    std::string secretText;
    std::getline(std::cin, secretText);
    QByteArray secret = QByteArray::fromStdString(secretText).trimmed();
    auto secrets = SecretList::fromDelimited(secret);
    if (!secrets) {
        std::fprintf(stderr, "compare_decrypt: no secret on stdin\n");
        return 1;
    }
    EnvelopeCipher::Options perCall;
    perCall.cacheKeys = false;
    const EnvelopeCipher uncached(*secrets, perCall);
    const EnvelopeCipher cached(*secrets);
    const struct {
        const char *mode;
        const EnvelopeCipher &cipher;
    } ways[] = {{"per-call", uncached}, {"cached", cached}};
    for (const auto &way : ways) {
        const double seconds = run(way.cipher, tokens, salt, rounds);
        std::printf("{\"impl\": \"session-inspector %s\", \"envelopes\": %lld, \"seconds\": %.6f}\n", way.mode,
                    static_cast<long long>(tokens.size()) * rounds, seconds);
    }
    return 0;
}
