#pragma once

// Backends for the store contract suite: which one runs comes from SI_STORE_BACKEND (set per
// ctest entry); each test gets a fresh namespace inside it (key/table prefix, temp file).

#include "core/store/SessionCodec.h"
#include "core/store/StateStore.h"
#include "core/store/TransactionCodec.h"

#include <QTemporaryDir>

#include <atomic>
#include <functional>
#include <memory>

namespace si::test {

// Test time: the system clock plus an offset tests move forward.
struct TestClock {
    std::atomic<qint64> offset{0};
    qint64 now() const;
    void advance(qint64 seconds) { offset += seconds; }
};

SecretList secretList(std::initializer_list<const char *> secrets);

// A login of `sub` at https://idp.test/ with sid "sid-<i>" and refresh token "rt-<i>", made now.
StateData loginState(const QString &sub, int i);

// One place where sessions live. open() gives a store over it with the given secrets and expiry;
// several stores opened on one location see the same data.
class StoreLocation {
public:
    virtual ~StoreLocation() = default;
    virtual QString backend() const = 0;
    // True when sessions live in the browser: ids are cookie names and each session needs its
    // own StoreContext (cookie jar).
    virtual bool isClientSide() const { return false; }
    virtual std::unique_ptr<StateStore> open(const SecretList &secrets, const ExpiryPolicy &expiry) = 0;
    virtual std::unique_ptr<TransactionStore> openTransactions(const SecretList &secrets, qint64 lifetimeSeconds) = 0;
    std::shared_ptr<TestClock> clock = std::make_shared<TestClock>();
    QString issuer = QStringLiteral("https://idp.test/");

    std::shared_ptr<const SessionCodec> codec(const SecretList &secrets, const ExpiryPolicy &expiry) const;
    std::shared_ptr<const TransactionCodec> transactionCodec(const SecretList &secrets, qint64 lifetimeSeconds) const;
};

// The backend named by SI_STORE_BACKEND, or an error message (missing server URL, unknown name).
std::unique_ptr<StoreLocation> makeLocation(QString *error);

} // namespace si::test
