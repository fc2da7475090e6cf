#include "ConnectionProfile.h"

#include "stores/StoreUrl.h"

#include <QSettings>
#include <QUuid>

namespace si::ui {

QString ConnectionProfile::newId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QList<ConnectionProfile> ProfileStore::load() const
{
    QSettings settings;
    QList<ConnectionProfile> out;
    const int n = settings.beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < n; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile p;
        p.id = settings.value(QStringLiteral("id")).toString();
        p.name = settings.value(QStringLiteral("name")).toString();
        p.url = settings.value(QStringLiteral("url")).toString();
        p.layout = settings.value(QStringLiteral("layout")).toString();
        p.issuer = settings.value(QStringLiteral("issuer")).toString();
        p.jwksFile = settings.value(QStringLiteral("jwksFile")).toString();
        p.prefix = settings.value(QStringLiteral("prefix")).toString();
        p.readOnly = settings.value(QStringLiteral("readOnly"), true).toBool();
        p.clientId = settings.value(QStringLiteral("clientId")).toString();
        p.scopes = settings.value(QStringLiteral("scopes")).toString();
        p.audience = settings.value(QStringLiteral("audience")).toString();
        p.authorizationParameters = settings.value(QStringLiteral("authorizationParameters")).toString();
        p.redirectUri = settings.value(QStringLiteral("redirectUri")).toString();
        if (!p.id.isEmpty() && !p.name.isEmpty())
            out.append(p);
    }
    settings.endArray();
    return out;
}

void ProfileStore::save(const QList<ConnectionProfile> &profiles) const
{
    QSettings settings;
    settings.remove(QStringLiteral("profiles"));
    settings.beginWriteArray(QStringLiteral("profiles"), int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ConnectionProfile &p = profiles.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("id"), p.id);
        settings.setValue(QStringLiteral("name"), p.name);
        // Whatever the caller passed, a password never reaches the settings file.
        auto url = stores::StoreUrl::parse(p.url);
        settings.setValue(QStringLiteral("url"), url ? url->withoutPassword() : QString());
        settings.setValue(QStringLiteral("layout"), p.layout);
        settings.setValue(QStringLiteral("issuer"), p.issuer);
        settings.setValue(QStringLiteral("jwksFile"), p.jwksFile);
        settings.setValue(QStringLiteral("prefix"), p.prefix);
        settings.setValue(QStringLiteral("readOnly"), p.readOnly);
        settings.setValue(QStringLiteral("clientId"), p.clientId);
        settings.setValue(QStringLiteral("scopes"), p.scopes);
        settings.setValue(QStringLiteral("audience"), p.audience);
        settings.setValue(QStringLiteral("authorizationParameters"), p.authorizationParameters);
        settings.setValue(QStringLiteral("redirectUri"), p.redirectUri);
    }
    settings.endArray();
    settings.sync();
}

} // namespace si::ui
