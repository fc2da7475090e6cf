#pragma once

#include "ConnectionProfile.h"
#include "core/oidc/AuthClient.h"

#include <QElapsedTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;
class QWebEngineProfile;
class QWebEngineView;

namespace si::inspector {
class SessionBackend;
}

namespace si::ui {

class MessageBanner;
class SecretVault;

// What one test login uses: a connection profile's IdP settings, editable in the window for a run.
struct TestLoginSettings {
    QString issuer;
    QString clientId;
    QByteArray clientSecret; // empty: a public client (PKCE only)
    QString scopes;          // "" = openid profile email offline_access
    QString audience;
    QString authorizationParameters; // "prompt=login&ui_locales=de"
    QString redirectUri;             // "" = http://127.0.0.1/callback
    QString algorithms;              // accepted ID token algorithms, "RS256, ES256"; "" = the default set
    // How the client authenticates at the token endpoint; with no secret, always as a public client.
    oidc::ClientAuthentication authentication = oidc::ClientAuthentication::SecretBasic;
    bool pushedAuthorizationRequest = false; // PAR (RFC 9126): the parameters go to the IdP directly
};

// QA's test login: an IdP's real login page in an embedded browser (an off-the-record
// QtWebEngine profile: no cookie outlives the window), the redirect to the callback caught
// in-process, the login completed by the core's AuthClient, and everything it did shown — the
// token set (masked until revealed), the ID token's claims, each validation check passed or failed
// with its reason (also when the login was refused), and the time of each step. Then: refresh the
// tokens, call userinfo, log out at the IdP, or write the session into the connected store.
//
// The browser (QtWebEngine, a separate Chromium process) starts only when the window is first
// shown, so the main window's start-up does not pay for it.
class TestLoginWindow : public QWidget {
    Q_OBJECT
public:
    explicit TestLoginWindow(QWidget *parent = nullptr);
    ~TestLoginWindow() override;

    // The profiles to pick from; client secrets are read from `vault` when one is picked.
    void setProfiles(const QList<ConnectionProfile> &profiles, SecretVault *vault);
    // Where "Write to store" writes (null: nothing connected). `name` is what the window calls it.
    void setTarget(std::shared_ptr<inspector::SessionBackend> backend, const QString &name);
    // Fills the form (what picking a profile does, minus the vault).
    void setSettings(const TestLoginSettings &settings);
    TestLoginSettings settings() const;
    // What the next login will use (checked: an unusable form is an error).
    Result<oidc::AuthClientOptions> options() const;

    QWebEngineView *browser() const { return m_browser; } // null until the window is first shown
    MessageBanner *banner() const { return m_banner; }
    QTreeWidget *checks() const { return m_checks; }
    QTreeWidget *timings() const { return m_timings; }
    QTreeWidget *request() const { return m_request; } // the authorization request's parameters
    QTreeWidget *tokens() const { return m_tokens; }
    QPlainTextEdit *claims() const { return m_claims; }
    QTabWidget *tabs() const { return m_tabs; }
    // The signed-in test session (after a successful login), as the application would store it.
    std::optional<StateData> session() const { return m_state; }
    QString sessionId() const { return m_sessionId; }

public Q_SLOTS:
    void startLogin();
    void clearIdpCookies();
    void refreshTokens();
    void callUserInfo();
    void logout();
    void writeToStore();

Q_SIGNALS:
    void loginFinished(bool ok);
    // Refresh, userinfo, logout, write: finished (the banner says how).
    void actionFinished(bool ok);
    // A session was written to the connected store under `id` (the main window selects it).
    void sessionWritten(const QString &id, const QString &sid);
    // The browser finished loading a page (tests drive the IdP's forms from here).
    void pageLoaded(const QUrl &url, bool ok);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void ensureBrowser();
    void profilePicked(int index);
    void callbackReached(const QUrl &url);
    void loginDone(const Result<oidc::LoginResult> &result, const oidc::LoginTrace &trace);
    void showReport(const oidc::ValidationReport &report);
    void showTokens();
    void showClaims(const QString &idToken, const std::optional<json::Object> &userInfo = {});
    void addTiming(const QString &step, qint64 ms);
    void updateButtons();
    void fail(const QString &what, const Error &error);

    QComboBox *m_profile;
    QLineEdit *m_issuer;
    QLineEdit *m_clientId;
    QLineEdit *m_clientSecret;
    QLineEdit *m_scopes;
    QLineEdit *m_audience;
    QLineEdit *m_parameters;
    QLineEdit *m_redirectUri;
    QLineEdit *m_algorithms;
    QComboBox *m_authentication;
    QCheckBox *m_par;
    QPushButton *m_login;
    QPushButton *m_clearCookies;
    QPushButton *m_refresh;
    QPushButton *m_userInfo;
    QPushButton *m_logout;
    QPushButton *m_write;
    QCheckBox *m_reveal;
    MessageBanner *m_banner;
    QSplitter *m_splitter;
    QStackedWidget *m_browserSlot;
    QWebEngineView *m_browser = nullptr;
    QWebEngineProfile *m_webProfile = nullptr;
    QTabWidget *m_tabs;
    QTreeWidget *m_checks;
    QTreeWidget *m_tokens;
    QPlainTextEdit *m_claims;
    QTreeWidget *m_timings;
    QTreeWidget *m_request;

    QList<ConnectionProfile> m_profiles;
    SecretVault *m_vault = nullptr;
    std::shared_ptr<inspector::SessionBackend> m_target;
    QString m_targetName;

    // One AuthClient per login (the settings may change between logins); shared with the
    // continuations so that it outlives their futures.
    std::shared_ptr<oidc::HttpClient> m_http;
    std::shared_ptr<oidc::AuthClient> m_auth;
    QUrl m_redirect;
    bool m_waitingForCallback = false;
    bool m_busy = false;
    QElapsedTimer m_atIdp;
    QString m_sessionId;
    std::optional<StateData> m_state;
    QString m_idToken;
};

} // namespace si::ui
