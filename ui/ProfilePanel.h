#pragma once

#include "ConnectionProfile.h"
#include "MessageBanner.h"
#include "SecretVault.h"
#include "stores/inspect/Inspection.h"

#include <QWidget>

#include <functional>
#include <memory>

class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace si::ui {

// The store list on the left: built-in entries (the demo store) and saved connection profiles,
// with add / edit / duplicate / remove. Secrets go to the keychain; when no keychain service
// runs, the panel says so once and reads them from environment variables instead
// (EnvironmentVault). Opening a profile reads its secrets and connects off the GUI thread.
class ProfilePanel : public QWidget {
    Q_OBJECT
public:
    using Opener = std::function<Result<stores::OpenedInspector>()>;

    explicit ProfilePanel(QWidget *parent = nullptr);
    ~ProfilePanel() override;

    // An entry that is not a saved profile (cannot be edited or removed); `open` runs off the
    // GUI thread.
    void addBuiltIn(const QString &name, Opener open);
    QList<ConnectionProfile> profiles() const { return m_profiles; }
    // Opens the entry shown as `name` (a built-in or a profile).
    void open(const QString &name);
    SecretVault &vault();
    std::function<bool(const QString &title, const QString &text)> confirm;

Q_SIGNALS:
    void connecting(const QString &name);
    void openFailed(const QString &name); // after connecting(): the store did not open (message() says why)
    void storeOpened(const QString &name, const stores::OpenedInspector &opened);
    void message(MessageBanner::Kind kind, const QString &text);

private:
    void reload();
    void addProfile();
    void editProfile();
    void duplicateProfile();
    void removeProfile();
    void openItem(QListWidgetItem *item);
    void openProfile(const ConnectionProfile &profile);
    void connectInBackground(const QString &name, Opener open);
    // Reads `what` of `profile` from the keychain, falling back to the environment when no
    // keychain service runs.
    void readSecret(const ConnectionProfile &profile, const char *what, std::function<void(Result<QByteArray>)> done);
    void storeSecrets(const ConnectionProfile &profile, const struct ProfileSecrets &secrets);
    void keychainMissing(const Error &error);
    const ConnectionProfile *current() const;

    QListWidget *m_list;
    QPushButton *m_add;
    QPushButton *m_edit;
    QPushButton *m_duplicate;
    QPushButton *m_remove;
    ProfileStore m_store;
    QList<ConnectionProfile> m_profiles;
    QList<QPair<QString, Opener>> m_builtIns;
    KeychainVault m_keychain;
    EnvironmentVault m_environment;
    bool m_useEnvironment = false;
    quint64 m_attempt = 0; // the newest open wins
};

} // namespace si::ui
