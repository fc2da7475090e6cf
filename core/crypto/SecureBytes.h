#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace si::crypto {

// A fixed-size byte buffer for secrets and derived keys. Its memory is wiped (OPENSSL_cleanse)
// whenever it is released or overwritten; copies are deep and wiped independently.
// Not thread-safe for writes; const access from several threads is fine.
class SecureBytes {
public:
    SecureBytes() = default;
    explicit SecureBytes(qsizetype size); // zero-filled
    SecureBytes(const void *data, qsizetype size);
    explicit SecureBytes(QByteArrayView bytes)
        : SecureBytes(bytes.data(), bytes.size())
    {}
    SecureBytes(const SecureBytes &other);
    SecureBytes(SecureBytes &&other) noexcept;
    SecureBytes &operator=(const SecureBytes &other);
    SecureBytes &operator=(SecureBytes &&other) noexcept;
    ~SecureBytes();

    // Copies `bytes` and wipes the source array in place (for secrets read from files/env).
    static SecureBytes takeFrom(QByteArray &bytes);

    const unsigned char *data() const { return m_data; }
    unsigned char *data() { return m_data; }
    qsizetype size() const { return m_size; }
    bool isEmpty() const { return m_size == 0; }
    QByteArrayView view() const { return QByteArrayView(m_data, m_size); }
    // Sub-range [offset, offset+length) as a view into this buffer.
    QByteArrayView mid(qsizetype offset, qsizetype length) const { return view().sliced(offset, length); }

    // Constant-time comparison of contents (lengths are not secret).
    bool operator==(const SecureBytes &other) const;

    void clear();

private:
    unsigned char *m_data = nullptr;
    qsizetype m_size = 0;
};

// Overwrites memory so the compiler cannot elide it.
void secureWipe(void *data, qsizetype size);
void secureWipe(QByteArray &bytes);

} // namespace si::crypto
