#include "SecretVault.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusReply>
#include <QPromise>
#include <qt6keychain/keychain.h>

namespace si::ui {

namespace {

template<typename T>
QFuture<T> readyFuture(T value)
{
    return QtFuture::makeReadyFuture(std::move(value));
}

// Whether a keychain service (Secret Service or KWallet) is on the session bus, or can be
// started by it. Asked only after a job failed, to tell "no keychain" from a keychain error.
bool keychainServiceAvailable()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface())
        return false;
    const QStringList names{QStringLiteral("org.freedesktop.secrets"), QStringLiteral("org.kde.kwalletd5"),
                            QStringLiteral("org.kde.kwalletd6")};
    for (const QString &name : names) {
        if (bus.interface()->isServiceRegistered(name))
            return true;
    }
    const QDBusReply<QStringList> activatable = bus.interface()->call(QStringLiteral("ListActivatableNames"));
    if (activatable.isValid()) {
        for (const QString &name : names) {
            if (activatable.value().contains(name))
                return true;
        }
    }
    return false;
}

Error keychainError(const QKeychain::Job &job, const QString &action)
{
    switch (job.error()) {
    case QKeychain::EntryNotFound:
        return makeError(ErrorCode::NotFound, QStringLiteral("no secret stored in the keychain"));
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return makeError(ErrorCode::Unsupported, QStringLiteral("no keychain service is running"),
                         QStringLiteral("%1: %2").arg(action, job.errorString()));
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return makeError(ErrorCode::ReadOnly, QStringLiteral("the keychain refused access"), job.errorString());
    default:
        // No session bus, or no keychain on it, shows up as OtherError ("Could not connect").
        if (!keychainServiceAvailable())
            return makeError(ErrorCode::Unsupported, QStringLiteral("no keychain service is running"),
                             QStringLiteral("%1: %2").arg(action, job.errorString()));
        return makeError(ErrorCode::Io, QStringLiteral("the keychain failed to %1").arg(action), job.errorString());
    }
}

} // namespace

KeychainVault::KeychainVault(QString service)
    : m_service(std::move(service))
{}

QString KeychainVault::describe() const
{
    return QStringLiteral("the keychain");
}

QFuture<Result<QByteArray>> KeychainVault::read(const QString &key)
{
    auto promise = std::make_shared<QPromise<Result<QByteArray>>>();
    promise->start();
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(key);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise](QKeychain::Job *done) {
        auto *read = static_cast<QKeychain::ReadPasswordJob *>(done);
        if (read->error() != QKeychain::NoError)
            promise->addResult(Result<QByteArray>(keychainError(*read, QStringLiteral("read"))));
        else
            promise->addResult(Result<QByteArray>(read->binaryData()));
        promise->finish();
    });
    job->start(); // deletes itself when finished
    return promise->future();
}

QFuture<Status> KeychainVault::write(const QString &key, const QByteArray &value)
{
    auto promise = std::make_shared<QPromise<Status>>();
    promise->start();
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(key);
    job->setBinaryData(value);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise](QKeychain::Job *done) {
        promise->addResult(done->error() == QKeychain::NoError ? Status()
                                                               : Status(keychainError(*done, QStringLiteral("save"))));
        promise->finish();
    });
    job->start();
    return promise->future();
}

QFuture<Status> KeychainVault::remove(const QString &key)
{
    auto promise = std::make_shared<QPromise<Status>>();
    promise->start();
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(key);
    QObject::connect(job, &QKeychain::Job::finished, job, [promise](QKeychain::Job *done) {
        const bool ok = done->error() == QKeychain::NoError || done->error() == QKeychain::EntryNotFound;
        promise->addResult(ok ? Status() : Status(keychainError(*done, QStringLiteral("remove"))));
        promise->finish();
    });
    job->start();
    return promise->future();
}

QString EnvironmentVault::describe() const
{
    return QStringLiteral("environment variables");
}

void EnvironmentVault::setName(const QString &profileId, const QString &name)
{
    m_names.insert(profileId, name);
}

QString EnvironmentVault::variableFor(const QString &key) const
{
    const QString id = key.section(QLatin1Char('/'), 0, 0);
    const QString what = key.section(QLatin1Char('/'), 1);
    QString name = m_names.value(id, id).toUpper();
    for (QChar &c : name) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128))
            c = QLatin1Char('_');
    }
    QString suffix = what.toUpper();
    suffix.replace(QLatin1Char('-'), QLatin1Char('_'));
    return QStringLiteral("SI_PROFILE_%1_%2").arg(name, suffix);
}

QFuture<Result<QByteArray>> EnvironmentVault::read(const QString &key)
{
    const QString variable = variableFor(key);
    const QByteArray value = qgetenv(variable.toLatin1().constData());
    if (value.isEmpty())
        return readyFuture(
            Result<QByteArray>(makeError(ErrorCode::NotFound, QStringLiteral("%1 is not set").arg(variable))));
    return readyFuture(Result<QByteArray>(value));
}

QFuture<Status> EnvironmentVault::write(const QString &key, const QByteArray &)
{
    return readyFuture(Status(makeError(ErrorCode::Unsupported,
                                        QStringLiteral("no keychain service is running: the secret was not saved"),
                                        QStringLiteral("set %1 in the environment instead").arg(variableFor(key)))));
}

QFuture<Status> EnvironmentVault::remove(const QString &)
{
    return readyFuture(Status());
}

} // namespace si::ui
