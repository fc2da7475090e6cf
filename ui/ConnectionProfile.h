#pragma once

#include <QList>
#include <QString>

namespace si::ui {

// A saved connection: where the store is and how to read it. Plain value; no secret is ever a
// member — app secrets, the store password and the IdP client secret live in the SecretVault
// under secretKey(…).
struct ConnectionProfile {
    QString id;     // stable, random; names the profile's secrets in the vault
    QString name;   // what the store list shows
    QString url;    // StoreUrl::withoutPassword(): options (TLS CA …) kept, password never
    QString layout; // "" = detect; else native, auth0-fastapi, starsessions, connect-redis
    QString issuer; // sub/sid searches and revocation are scoped to it
    // A JWKS (or JWK) file to check token signatures with instead of the issuer's published keys
    // (an IdP the machine cannot reach); "" = fetch them from the issuer.
    QString jwksFile;
    QString prefix; // native namespace ("" = the default)
    bool readOnly = true;
    QString clientId; // the IdP client for test logins
    // Test logins (the Test Login window); "" = the defaults.
    QString scopes;                  // "openid profile email offline_access"
    QString audience;                // an API audience (Auth0)
    QString authorizationParameters; // extra, as a query string: "prompt=login&ui_locales=de"
    QString redirectUri;             // registered at the IdP; caught in-process, never loaded

    static constexpr const char *kAppSecrets = "app-secrets"; // one per line; the first encrypts
    static constexpr const char *kStorePassword = "store-password";
    static constexpr const char *kClientSecret = "client-secret";
    QString secretKey(const char *what) const { return id + QLatin1Char('/') + QLatin1String(what); }

    static QString newId();
    bool operator==(const ConnectionProfile &) const = default;
};

// The saved profiles, in QSettings (group "profiles") — never a secret, never a password: a URL
// given with one is stored without it (the caller moves the password to the vault).
class ProfileStore {
public:
    QList<ConnectionProfile> load() const;
    void save(const QList<ConnectionProfile> &profiles) const;
};

} // namespace si::ui
