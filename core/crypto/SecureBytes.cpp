#include "SecureBytes.h"

#include "ConstantTime.h"

#include <openssl/crypto.h>

#include <cstring>
#include <new>
#include <utility>

namespace si::crypto {

void secureWipe(void *data, qsizetype size)
{
    if (data && size > 0)
        OPENSSL_cleanse(data, static_cast<size_t>(size));
}

void secureWipe(QByteArray &bytes)
{
    if (!bytes.isEmpty() && !bytes.isDetached())
        bytes.detach();
    secureWipe(bytes.data(), bytes.size());
    bytes.clear();
}

SecureBytes::SecureBytes(qsizetype size)
{
    if (size > 0) {
        m_data = new unsigned char[static_cast<size_t>(size)]();
        m_size = size;
    }
}

SecureBytes::SecureBytes(const void *data, qsizetype size)
    : SecureBytes(size)
{
    if (size > 0)
        std::memcpy(m_data, data, static_cast<size_t>(size));
}

SecureBytes::SecureBytes(const SecureBytes &other)
    : SecureBytes(other.m_data, other.m_size)
{}

SecureBytes::SecureBytes(SecureBytes &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
{}

SecureBytes &SecureBytes::operator=(const SecureBytes &other)
{
    if (this != &other) {
        SecureBytes copy(other);
        *this = std::move(copy);
    }
    return *this;
}

SecureBytes &SecureBytes::operator=(SecureBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecureBytes::~SecureBytes()
{
    clear();
}

SecureBytes SecureBytes::takeFrom(QByteArray &bytes)
{
    SecureBytes result(bytes.constData(), bytes.size());
    secureWipe(bytes);
    return result;
}

bool SecureBytes::operator==(const SecureBytes &other) const
{
    return constantTimeEquals(view(), other.view());
}

void SecureBytes::clear()
{
    if (m_data) {
        secureWipe(m_data, m_size);
        delete[] m_data;
    }
    m_data = nullptr;
    m_size = 0;
}

} // namespace si::crypto
