#pragma once

#include "ConnectionProfile.h"

#include <QDialog>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace si::ui {

// Secrets typed into the profile dialog; nullopt: leave what the vault holds.
struct ProfileSecrets {
    std::optional<QByteArray> appSecrets; // comma-separated, the first encrypts
    std::optional<QByteArray> storePassword;
    std::optional<QByteArray> clientSecret;
};

// Adds or edits a connection profile. New profiles are read-only until unticked. A password
// typed into the URL is moved to the password field (and so to the keychain, never settings).
class ProfileDialog : public QDialog {
    Q_OBJECT
public:
    // `existing`: profile names already taken (the edited one excluded).
    ProfileDialog(const ConnectionProfile &profile, bool isNew, QStringList existing, QWidget *parent = nullptr);

    ConnectionProfile profile() const { return m_profile; }
    ProfileSecrets secrets() const { return m_secrets; }
    void accept() override;

private:
    ConnectionProfile m_profile;
    ProfileSecrets m_secrets;
    QStringList m_existing;
    QLineEdit *m_name;
    QLineEdit *m_url;
    QComboBox *m_layout;
    QLineEdit *m_issuer;
    QLineEdit *m_jwksFile;
    QLineEdit *m_prefix;
    QCheckBox *m_readOnly;
    QLineEdit *m_appSecrets;
    QLineEdit *m_storePassword;
    QLineEdit *m_clientId;
    QLineEdit *m_clientSecret;
    QLineEdit *m_scopes;
    QLineEdit *m_audience;
    QLineEdit *m_parameters;
    QLineEdit *m_redirectUri;
    QLabel *m_error;
};

} // namespace si::ui
