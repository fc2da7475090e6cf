#pragma once

#include "core/Result.h"

#include <QFuture>
#include <QString>

#include <memory>

namespace si::ui {

// Where connection profiles keep their secrets (app secrets, store passwords, IdP client
// secrets): the OS keychain through QtKeychain, or — when no keychain service runs — environment
// variables, read-only. Never settings files. Futures complete on the GUI thread.
class SecretVault {
public:
    virtual ~SecretVault() = default;
    // "the keychain (Secret Service)" / "environment variables"
    virtual QString describe() const = 0;
    virtual bool canStore() const = 0;
    // NotFound when nothing is stored under `key`.
    virtual QFuture<Result<QByteArray>> read(const QString &key) = 0;
    virtual QFuture<Status> write(const QString &key, const QByteArray &value) = 0;
    // Removing what is not there succeeds.
    virtual QFuture<Status> remove(const QString &key) = 0;
};

// QtKeychain under the service name "session-inspector". A job that finds no keychain service
// fails with ErrorCode::Unsupported and a message saying so.
class KeychainVault : public SecretVault {
public:
    explicit KeychainVault(QString service = QStringLiteral("session-inspector"));
    QString describe() const override;
    bool canStore() const override { return true; }
    QFuture<Result<QByteArray>> read(const QString &key) override;
    QFuture<Status> write(const QString &key, const QByteArray &value) override;
    QFuture<Status> remove(const QString &key) override;

private:
    QString m_service;
};

// Secrets from the environment: key "<profile id>/<what>" is read from SI_PROFILE_<NAME>_<WHAT>
// (NAME: the profile's name, upper case, other characters as '_'), set by setName(). Writes are
// refused with a message that names the variable to set instead.
class EnvironmentVault : public SecretVault {
public:
    QString describe() const override;
    bool canStore() const override { return false; }
    // `key`'s profile id → the profile's name, for variable names.
    void setName(const QString &profileId, const QString &name);
    QString variableFor(const QString &key) const;
    QFuture<Result<QByteArray>> read(const QString &key) override;
    QFuture<Status> write(const QString &key, const QByteArray &value) override;
    QFuture<Status> remove(const QString &key) override;

private:
    QMap<QString, QString> m_names;
};

} // namespace si::ui
