#include "Random.h"

#include <openssl/rand.h>

#include <QtGlobal>

namespace si::crypto {

namespace {

void fillRandom(unsigned char *out, qsizetype count)
{
    if (count <= 0)
        return;
    if (RAND_bytes(out, static_cast<int>(count)) != 1)
        qFatal("OpenSSL random generator failed; refusing to continue");
}

} // namespace

QByteArray randomBytes(qsizetype count)
{
    QByteArray out(count, Qt::Uninitialized);
    fillRandom(reinterpret_cast<unsigned char *>(out.data()), count);
    return out;
}

SecureBytes randomSecret(qsizetype count)
{
    SecureBytes out(count);
    fillRandom(out.data(), count);
    return out;
}

QStringView alphanumericAlphabet()
{
    return u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
}

QString randomString(qsizetype length, QStringView alphabet)
{
    Q_ASSERT(!alphabet.isEmpty() && alphabet.size() <= 256);
    QString out;
    out.reserve(length);
    const auto n = static_cast<unsigned>(alphabet.size());
    // Largest multiple of n below 256: bytes at or above it are rejected to avoid modulo bias.
    const unsigned limit = 256u - (256u % n);
    unsigned char buffer[64];
    while (out.size() < length) {
        fillRandom(buffer, sizeof buffer);
        for (unsigned char b : buffer) {
            if (b >= limit)
                continue;
            out.append(alphabet.at(b % n));
            if (out.size() == length)
                break;
        }
    }
    return out;
}

} // namespace si::crypto
