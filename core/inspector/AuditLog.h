#pragma once

#include "../Result.h"
#include "../json/Json.h"

#include <QMutex>
#include <QString>
#include <QStringList>

namespace si::inspector {

// One write an operator performed (or attempted) through the inspector.
struct AuditEntry {
    QString action;      // "delete", "expire", "revoke", "bulk-delete", "seed", "fsck-repair"
    QStringList targets; // session fingerprints, "sub=…", "sid=…", a filter's description
    qint64 count = 0;    // how many sessions it affected
    QString outcome;     // "ok", "refused (read-only)", or the error message
};

// The audit trail: JSON lines appended to a file in the user's data directory, one per write,
// with who (OS user and host), when, which profile, what and how it ended. Shared by sessionctl
// and the GUI. Never holds a secret: sessions appear as fingerprints (a session id is a bearer
// credential for stateful stores), tokens and secrets not at all. The file is created 0600.
class AuditLog {
public:
    explicit AuditLog(QString path);
    // $SI_AUDIT_LOG, else <generic data dir>/session-inspector/audit.jsonl.
    static QString defaultPath();

    const QString &path() const { return m_path; }
    Status append(const QString &profile, const AuditEntry &entry);
    // Entries at or after `since` (unix seconds), oldest first. Lines that are not JSON objects
    // are skipped and counted in `skipped`.
    Result<QList<json::Object>> read(qint64 since, int *skipped = nullptr) const;

private:
    QString m_path;
    QMutex m_mutex;
};

// A stable, non-reversible name for a session id in logs and audit entries: "#" and 12
// base64url characters of SHA-256(id).
QString sessionFingerprint(QStringView id);

} // namespace si::inspector
