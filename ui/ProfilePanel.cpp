#include "ProfilePanel.h"

#include "ProfileDialog.h"
#include "UntrustedText.h"
#include "core/inspector/AuditLog.h"
#include "core/inspector/SessionLayout.h"
#include "stores/StoreUrl.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace si::ui {

namespace {

constexpr int kProfileIdRole = Qt::UserRole + 1; // empty for built-ins

QStringList namesExcept(const QList<ConnectionProfile> &profiles, const QString &id, const QStringList &builtIns)
{
    QStringList names = builtIns;
    for (const ConnectionProfile &p : profiles) {
        if (p.id != id)
            names << p.name;
    }
    return names;
}

} // namespace

ProfilePanel::ProfilePanel(QWidget *parent)
    : QWidget(parent)
    , m_list(new QListWidget(this))
    , m_add(new QPushButton(tr("&Add…"), this))
    , m_edit(new QPushButton(tr("Edit…"), this))
    , m_duplicate(new QPushButton(tr("Duplicate"), this))
    , m_remove(new QPushButton(tr("Remove"), this))
{
    setObjectName(QStringLiteral("profilePanel"));
    m_list->setObjectName(QStringLiteral("profileListWidget"));
    m_list->setAccessibleName(tr("Stores"));
    m_add->setObjectName(QStringLiteral("addProfileButton"));
    m_edit->setObjectName(QStringLiteral("editProfileButton"));
    m_duplicate->setObjectName(QStringLiteral("duplicateProfileButton"));
    m_remove->setObjectName(QStringLiteral("removeProfileButton"));
    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    for (QPushButton *b : {m_add, m_edit, m_duplicate, m_remove})
        buttons->addWidget(b);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    connect(m_add, &QPushButton::clicked, this, &ProfilePanel::addProfile);
    connect(m_edit, &QPushButton::clicked, this, &ProfilePanel::editProfile);
    connect(m_duplicate, &QPushButton::clicked, this, &ProfilePanel::duplicateProfile);
    connect(m_remove, &QPushButton::clicked, this, &ProfilePanel::removeProfile);
    connect(m_list, &QListWidget::itemActivated, this, &ProfilePanel::openItem);
    connect(m_list, &QListWidget::currentItemChanged, this, [this] {
        const bool profile = current() != nullptr;
        m_edit->setEnabled(profile);
        m_duplicate->setEnabled(profile);
        m_remove->setEnabled(profile);
    });
    confirm = [](const QString &, const QString &) { return false; };
    reload();
}

ProfilePanel::~ProfilePanel() = default;

SecretVault &ProfilePanel::vault()
{
    if (m_useEnvironment)
        return m_environment;
    return m_keychain;
}

void ProfilePanel::addBuiltIn(const QString &name, Opener open)
{
    m_builtIns.append({name, std::move(open)});
    reload();
}

void ProfilePanel::reload()
{
    const QString selected = m_list->currentItem() ? m_list->currentItem()->text() : QString();
    m_profiles = m_store.load();
    m_list->clear();
    for (const auto &builtIn : std::as_const(m_builtIns)) {
        auto *item = new QListWidgetItem(builtIn.first, m_list);
        item->setToolTip(tr("Built in"));
    }
    for (const ConnectionProfile &p : std::as_const(m_profiles)) {
        auto *item = new QListWidgetItem(p.name, m_list);
        item->setData(kProfileIdRole, p.id);
        auto url = stores::StoreUrl::parse(p.url);
        item->setToolTip(plainToolTip(
            QStringLiteral("%1%2").arg(url ? url->redacted() : p.url, p.readOnly ? tr(" (read-only)") : QString())));
        m_environment.setName(p.id, p.name);
    }
    const auto found = m_list->findItems(selected, Qt::MatchExactly);
    m_list->setCurrentItem(found.isEmpty() ? m_list->item(0) : found.first());
    const bool profile = current() != nullptr;
    m_edit->setEnabled(profile);
    m_duplicate->setEnabled(profile);
    m_remove->setEnabled(profile);
}

const ConnectionProfile *ProfilePanel::current() const
{
    const QListWidgetItem *item = m_list->currentItem();
    const QString id = item ? item->data(kProfileIdRole).toString() : QString();
    for (const ConnectionProfile &p : m_profiles) {
        if (!id.isEmpty() && p.id == id)
            return &p;
    }
    return nullptr;
}

void ProfilePanel::addProfile()
{
    QStringList builtIns;
    for (const auto &b : std::as_const(m_builtIns))
        builtIns << b.first;
    ConnectionProfile fresh;
    ProfileDialog dialog(fresh, true, namesExcept(m_profiles, QString(), builtIns), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_profiles.append(dialog.profile());
    m_store.save(m_profiles);
    storeSecrets(dialog.profile(), dialog.secrets());
    reload();
    m_list->setCurrentItem(m_list->findItems(dialog.profile().name, Qt::MatchExactly).value(0));
}

void ProfilePanel::editProfile()
{
    const ConnectionProfile *p = current();
    if (!p)
        return;
    QStringList builtIns;
    for (const auto &b : std::as_const(m_builtIns))
        builtIns << b.first;
    ProfileDialog dialog(*p, false, namesExcept(m_profiles, p->id, builtIns), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    for (ConnectionProfile &existing : m_profiles) {
        if (existing.id == p->id)
            existing = dialog.profile();
    }
    m_store.save(m_profiles);
    storeSecrets(dialog.profile(), dialog.secrets());
    reload();
}

void ProfilePanel::duplicateProfile()
{
    const ConnectionProfile *p = current();
    if (!p)
        return;
    ConnectionProfile copy = *p;
    copy.id = ConnectionProfile::newId();
    QStringList names;
    for (const ConnectionProfile &existing : std::as_const(m_profiles))
        names << existing.name;
    copy.name = tr("%1 (copy)").arg(p->name);
    for (int n = 2; names.contains(copy.name); ++n)
        copy.name = tr("%1 (copy %2)").arg(p->name).arg(n);
    const ConnectionProfile original = *p;
    m_profiles.append(copy);
    m_store.save(m_profiles);
    // The copy gets its own entries in the vault (editing one never changes the other).
    for (const char *what :
         {ConnectionProfile::kAppSecrets, ConnectionProfile::kStorePassword, ConnectionProfile::kClientSecret}) {
        readSecret(original, what, [this, copy, what](const Result<QByteArray> &value) {
            if (value)
                vault().write(copy.secretKey(what), *value);
        });
    }
    reload();
}

void ProfilePanel::removeProfile()
{
    const ConnectionProfile *p = current();
    if (!p || !confirm(tr("Remove connection"),
                       tr("Remove the connection “%1” and its secrets from the keychain? The store itself is "
                          "not touched.")
                           .arg(p->name)))
        return;
    const ConnectionProfile gone = *p;
    m_profiles.removeIf([&](const ConnectionProfile &x) { return x.id == gone.id; });
    m_store.save(m_profiles);
    for (const char *what :
         {ConnectionProfile::kAppSecrets, ConnectionProfile::kStorePassword, ConnectionProfile::kClientSecret})
        vault().remove(gone.secretKey(what));
    reload();
}

void ProfilePanel::storeSecrets(const ConnectionProfile &profile, const ProfileSecrets &secrets)
{
    const QList<QPair<const char *, std::optional<QByteArray>>> values{
        {ConnectionProfile::kAppSecrets, secrets.appSecrets},
        {ConnectionProfile::kStorePassword, secrets.storePassword},
        {ConnectionProfile::kClientSecret, secrets.clientSecret}};
    for (const auto &[what, value] : values) {
        if (!value)
            continue;
        const QString name = profile.name;
        vault().write(profile.secretKey(what), *value).then(this, [this, name](const Status &saved) {
            if (saved)
                return;
            if (saved.error().code == ErrorCode::Unsupported && !m_useEnvironment) {
                keychainMissing(saved.error());
                return;
            }
            Q_EMIT message(
                MessageBanner::Kind::Error,
                tr("The connection “%1” was saved, but not its secrets: %2").arg(name, saved.error().toString()));
        });
    }
}

void ProfilePanel::keychainMissing(const Error &error)
{
    m_useEnvironment = true;
    Q_EMIT message(MessageBanner::Kind::Warning,
                   tr("%1. Secrets cannot be saved; they are read from environment variables instead "
                      "(SI_PROFILE_<NAME>_APP_SECRETS, …_STORE_PASSWORD, …_CLIENT_SECRET).")
                       .arg(error.message.left(1).toUpper() + error.message.mid(1)));
}

void ProfilePanel::readSecret(const ConnectionProfile &profile, const char *what,
                              std::function<void(Result<QByteArray>)> done)
{
    const QString key = profile.secretKey(what);
    vault().read(key).then(this, [this, key, done](const Result<QByteArray> &value) {
        if (!value && value.error().code == ErrorCode::Unsupported && !m_useEnvironment) {
            keychainMissing(value.error());
            m_environment.read(key).then(this, done);
            return;
        }
        done(value);
    });
}

void ProfilePanel::open(const QString &name)
{
    const auto found = m_list->findItems(name, Qt::MatchExactly);
    if (found.isEmpty())
        return;
    m_list->setCurrentItem(found.first());
    openItem(found.first());
}

void ProfilePanel::openItem(QListWidgetItem *item)
{
    if (!item)
        return;
    for (const auto &builtIn : std::as_const(m_builtIns)) {
        if (builtIn.first == item->text() && item->data(kProfileIdRole).toString().isEmpty()) {
            connectInBackground(builtIn.first, builtIn.second);
            return;
        }
    }
    if (const ConnectionProfile *p = current())
        openProfile(*p);
}

void ProfilePanel::openProfile(const ConnectionProfile &profile)
{
    Q_EMIT connecting(profile.name);
    const quint64 attempt = ++m_attempt;
    readSecret(profile, ConnectionProfile::kAppSecrets, [this, profile, attempt](const Result<QByteArray> &app) {
        readSecret(profile, ConnectionProfile::kStorePassword,
                   [this, profile, attempt, app](const Result<QByteArray> &password) {
                       if (attempt != m_attempt)
                           return;
                       for (const auto *r : {&app, &password}) {
                           if (!*r && r->error().code != ErrorCode::NotFound) {
                               Q_EMIT message(MessageBanner::Kind::Error, r->error().toString());
                               return;
                           }
                       }
                       auto url = stores::StoreUrl::parse(profile.url);
                       if (!url) {
                           Q_EMIT message(MessageBanner::Kind::Error, url.error().toString());
                           return;
                       }
                       if (password)
                           url->password = QString::fromUtf8(*password);
                       stores::InspectOptions options;
                       if (app) {
                           QByteArray list = *app;
                           auto secrets = SecretList::fromDelimited(list);
                           if (!secrets) {
                               Q_EMIT message(MessageBanner::Kind::Error, secrets.error().toString());
                               return;
                           }
                           options.secrets = *secrets;
                       }
                       if (!profile.layout.isEmpty())
                           options.layout = inspector::SessionLayout::kindFromName(profile.layout);
                       options.issuer = profile.issuer;
                       options.jwksFile = profile.jwksFile;
                       options.prefix = profile.prefix;
                       options.readOnly = profile.readOnly;
                       options.profile = profile.name;
                       options.audit = std::make_shared<inspector::AuditLog>(inspector::AuditLog::defaultPath());
                       const stores::StoreUrl target = *url;
                       connectInBackground(profile.name,
                                           [target, options] { return stores::openInspector(target, options); });
                   });
    });
}

void ProfilePanel::connectInBackground(const QString &name, Opener open)
{
    Q_EMIT connecting(name);
    const quint64 attempt = ++m_attempt;
    QtConcurrent::run(std::move(open)).then(this, [this, name, attempt](const Result<stores::OpenedInspector> &opened) {
        if (attempt != m_attempt)
            return; // another store was chosen meanwhile
        if (!opened) {
            Q_EMIT message(MessageBanner::Kind::Error, tr("Cannot open “%1”: %2").arg(name, opened.error().toString()));
            Q_EMIT openFailed(name);
            return;
        }
        Q_EMIT storeOpened(name, *opened);
    });
}

} // namespace si::ui
