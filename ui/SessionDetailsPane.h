#pragma once

#include "core/inspector/SessionBackend.h"
#include "core/oidc/TokenInspection.h"

#include <QPointer>
#include <QWidget>

#include <memory>
#include <optional>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTimer;
class QTreeWidget;
class QTreeWidgetItem;

namespace si::oidc {
class ProviderCache;
}

namespace si::ui {

// The right-hand pane: one session's metadata, its decoded content as a tree, the token
// inspector (each JWT's header, claims, expiry and signature) and the stored value. Tokens, secrets and the session id
// are masked until "Reveal" is pressed (and masked again for the next session); copying a value clears the clipboard
// after 30 seconds unless something else was copied meanwhile.
class SessionDetailsPane : public QWidget {
    Q_OBJECT
public:
    explicit SessionDetailsPane(QWidget *parent = nullptr);

    void showLoading(const QString &id);
    void showSession(const inspector::SessionDetail &detail);
    void showError(const QString &message);
    void clear();
    bool isRevealed() const;
    // For tests: how long a copied value stays on the clipboard.
    void setClipboardTimeout(int ms);
    // Where token signatures are checked: the profile's IdP (its keys fetched and cached by
    // `keys`, which may hold a preloaded key set). Null: signatures are shown as not checked.
    void setTokenKeys(std::shared_ptr<oidc::ProviderCache> keys);

private:
    void rebuild();
    void addValue(QTreeWidgetItem *parent, const QString &key, const json::Value &value, bool credential);
    void copySelected();
    void rebuildTokens();
    void checkSignatures();
    QString signatureText(const oidc::TokenInspection &token) const;

    QLabel *m_title;
    QLabel *m_summary;
    QTabWidget *m_tabs;
    QTreeWidget *m_tree;
    QPlainTextEdit *m_raw;
    QTreeWidget *m_tokens;
    QPushButton *m_reveal;
    QPushButton *m_copy;
    QTimer *m_clipboardTimer;
    QString m_copied;
    std::optional<inspector::SessionDetail> m_detail;
    QList<oidc::TokenInspection> m_inspected;
    // Signature outcome per token path for the session shown: empty while checking.
    QHash<QString, std::optional<Status>> m_signatures;
    std::shared_ptr<oidc::ProviderCache> m_keys;
    // Key caches with a check in flight: held here, released on this (the GUI) thread, so that an
    // IdP client is never torn down from a continuation on its own network thread.
    QList<std::shared_ptr<oidc::ProviderCache>> m_inFlight;
    quint64 m_generation = 0; // a newer session drops older signature results
};

} // namespace si::ui
