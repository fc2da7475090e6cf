#include "AuditLog.h"

#include "../crypto/Base64Url.h"
#include "../crypto/Hash.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QSysInfo>

#include <pwd.h>
#include <unistd.h>

namespace si::inspector {

namespace {

QString osUser()
{
    for (const char *name : {"USER", "LOGNAME", "USERNAME"}) {
        const QString value = qEnvironmentVariable(name);
        if (!value.isEmpty())
            return value;
    }
    struct passwd entry;
    struct passwd *found = nullptr;
    char buffer[1024];
    if (getpwuid_r(getuid(), &entry, buffer, sizeof buffer, &found) == 0 && found)
        return QString::fromLocal8Bit(found->pw_name);
    return QStringLiteral("uid %1").arg(getuid());
}

} // namespace

AuditLog::AuditLog(QString path)
    : m_path(std::move(path))
{}

QString AuditLog::defaultPath()
{
    const QString fromEnv = qEnvironmentVariable("SI_AUDIT_LOG");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/session-inspector/audit.jsonl");
}

Status AuditLog::append(const QString &profile, const AuditEntry &entry)
{
    json::Object line;
    line.append("time", QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    line.append("user", osUser());
    line.append("host", QSysInfo::machineHostName());
    line.append("profile", profile);
    line.append("action", entry.action);
    json::Array targets;
    for (const QString &t : entry.targets)
        targets.emplace_back(t);
    line.append("targets", std::move(targets));
    line.append("count", std::int64_t(entry.count));
    line.append("outcome", entry.outcome);
    std::string text = json::serialize(json::Value(std::move(line)), json::Style::Compact);
    text.push_back('\n');

    QMutexLocker lock(&m_mutex);
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QFile file(m_path);
    const bool existed = file.exists();
    // O_APPEND: concurrent writers (the GUI and sessionctl) never interleave within a line.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return makeError(ErrorCode::Io, QStringLiteral("cannot write the audit log"),
                         QStringLiteral("%1: %2").arg(m_path, file.errorString()));
    if (!existed)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(text.data(), static_cast<qint64>(text.size())) != static_cast<qint64>(text.size()))
        return makeError(ErrorCode::Io, QStringLiteral("cannot write the audit log"),
                         QStringLiteral("%1: %2").arg(m_path, file.errorString()));
    return {};
}

Result<QList<json::Object>> AuditLog::read(qint64 since, int *skipped) const
{
    QList<json::Object> out;
    if (skipped)
        *skipped = 0;
    QFile file(m_path);
    if (!file.exists())
        return out;
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::Io, QStringLiteral("cannot read the audit log"),
                         QStringLiteral("%1: %2").arg(m_path, file.errorString()));
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty())
            continue;
        auto value = json::parse(line);
        if (!value || !value->isObject()) {
            if (skipped)
                ++*skipped;
            continue;
        }
        const json::Value *time = value->get("time");
        const QDateTime at =
            time && time->isString() ? QDateTime::fromString(time->toQString(), Qt::ISODateWithMs) : QDateTime();
        if (at.isValid() && at.toSecsSinceEpoch() < since)
            continue;
        out.append(std::move(value->object()));
    }
    return out;
}

QString sessionFingerprint(QStringView id)
{
    return QLatin1Char('#') + QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(id.toUtf8())).left(12));
}

} // namespace si::inspector
