#pragma once

#include <QList>
#include <QString>

namespace si::oidc {

// Each rule a token was checked against, in order, with the reason when it failed. The Test
// Login window shows it; errors quote the first failure.
struct ValidationReport {
    struct Check {
        QString name; // "signature", "iss", "aud", "azp", "exp", "iat", "nonce", "at_hash", …
        bool passed = false;
        QString detail; // why it failed, or what was compared
    };
    QList<Check> checks;

    void pass(const QString &name, const QString &detail = {}) { checks.append({name, true, detail}); }
    void fail(const QString &name, const QString &detail) { checks.append({name, false, detail}); }
    bool ok() const;
    // "aud: … " of the first failed check, or empty.
    QString firstFailure() const;
};

} // namespace si::oidc
