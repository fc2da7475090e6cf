#include "ProfileDialog.h"

#include "UntrustedText.h"
#include "core/jose/Jwk.h"
#include "stores/StoreUrl.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QUrl>
#include <QVBoxLayout>

namespace si::ui {

namespace {

QLineEdit *secretEdit(QWidget *parent, const char *objectName, bool isNew)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(QLatin1String(objectName));
    edit->setEchoMode(QLineEdit::Password);
    edit->setPlaceholderText(isNew ? QString() : ProfileDialog::tr("unchanged (kept in the keychain)"));
    return edit;
}

} // namespace

ProfileDialog::ProfileDialog(const ConnectionProfile &profile, bool isNew, QStringList existing, QWidget *parent)
    : QDialog(parent)
    , m_profile(profile)
    , m_existing(std::move(existing))
    , m_name(new QLineEdit(profile.name, this))
    , m_url(new QLineEdit(profile.url, this))
    , m_layout(new QComboBox(this))
    , m_issuer(new QLineEdit(profile.issuer, this))
    , m_jwksFile(new QLineEdit(profile.jwksFile, this))
    , m_prefix(new QLineEdit(profile.prefix, this))
    , m_readOnly(new QCheckBox(tr("Read-only: refuse every write"), this))
    , m_appSecrets(secretEdit(this, "appSecretsLineEdit", isNew))
    , m_storePassword(secretEdit(this, "storePasswordLineEdit", isNew))
    , m_clientId(new QLineEdit(profile.clientId, this))
    , m_clientSecret(secretEdit(this, "clientSecretLineEdit", isNew))
    , m_scopes(new QLineEdit(profile.scopes, this))
    , m_audience(new QLineEdit(profile.audience, this))
    , m_parameters(new QLineEdit(profile.authorizationParameters, this))
    , m_redirectUri(new QLineEdit(profile.redirectUri, this))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("profileDialog"));
    setWindowTitle(isNew ? tr("New connection") : tr("Edit connection"));
    m_name->setObjectName(QStringLiteral("nameLineEdit"));
    m_url->setObjectName(QStringLiteral("urlLineEdit"));
    m_url->setPlaceholderText(QStringLiteral("rediss://user@host:6380/0?cacert=/path/ca.pem"));
    m_layout->setObjectName(QStringLiteral("layoutComboBox"));
    m_layout->addItem(tr("Detect from the keys"), QString());
    for (const char *name : {"native", "auth0-fastapi", "starsessions", "connect-redis"})
        m_layout->addItem(QLatin1String(name), QLatin1String(name));
    m_layout->setCurrentIndex(qMax(0, m_layout->findData(profile.layout)));
    m_issuer->setObjectName(QStringLiteral("issuerLineEdit"));
    m_issuer->setPlaceholderText(QStringLiteral("https://login.example.com/"));
    m_jwksFile->setObjectName(QStringLiteral("jwksFileLineEdit"));
    m_jwksFile->setPlaceholderText(tr("fetched from the issuer"));
    m_jwksFile->setToolTip(tr("A JWKS or JWK file to check token signatures with, for an IdP this machine cannot "
                              "reach"));
    m_prefix->setObjectName(QStringLiteral("prefixLineEdit"));
    m_prefix->setPlaceholderText(tr("default"));
    m_readOnly->setObjectName(QStringLiteral("readOnlyCheckBox"));
    m_readOnly->setChecked(isNew ? true : profile.readOnly);
    m_appSecrets->setToolTip(tr("The application's secrets, separated by commas; the first one encrypts"));
    m_clientId->setObjectName(QStringLiteral("clientIdLineEdit"));
    m_scopes->setObjectName(QStringLiteral("scopesLineEdit"));
    m_scopes->setPlaceholderText(QStringLiteral("openid profile email offline_access"));
    m_audience->setObjectName(QStringLiteral("audienceLineEdit"));
    m_audience->setPlaceholderText(tr("none"));
    m_parameters->setObjectName(QStringLiteral("parametersLineEdit"));
    m_parameters->setPlaceholderText(QStringLiteral("prompt=login&ui_locales=de"));
    m_parameters->setToolTip(tr("Added to every authorization request of a test login"));
    m_redirectUri->setObjectName(QStringLiteral("redirectUriLineEdit"));
    m_redirectUri->setPlaceholderText(QStringLiteral("http://127.0.0.1/callback"));
    m_redirectUri->setToolTip(tr("Registered at the IdP for this client; the test login catches the redirect "
                                 "in-process, nothing needs to listen there"));
    m_error->setObjectName(QStringLiteral("dialogErrorLabel"));
    m_error->setWordWrap(true);
    makePlain(m_error);
    m_error->setStyleSheet(QStringLiteral("color: palette(highlight)"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Name"), m_name);
    form->addRow(tr("Store &URL"), m_url);
    form->addRow(tr("&Layout"), m_layout);
    form->addRow(tr("&Issuer"), m_issuer);
    form->addRow(tr("Token &keys file"), m_jwksFile);
    form->addRow(tr("Key &prefix"), m_prefix);
    form->addRow(QString(), m_readOnly);
    form->addRow(tr("App &secrets"), m_appSecrets);
    form->addRow(tr("Store pass&word"), m_storePassword);
    form->addRow(tr("IdP &client id"), m_clientId);
    form->addRow(tr("IdP client s&ecret"), m_clientSecret);
    form->addRow(tr("Test login sc&opes"), m_scopes);
    form->addRow(tr("&Audience"), m_audience);
    form->addRow(tr("E&xtra parameters"), m_parameters);
    form->addRow(tr("&Redirect URI"), m_redirectUri);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    buttons->setObjectName(QStringLiteral("profileButtonBox"));
    connect(buttons, &QDialogButtonBox::accepted, this, &ProfileDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumWidth(560);
}

void ProfileDialog::accept()
{
    const auto fail = [this](const QString &message) {
        m_error->setText(visibleText(message));
        m_error->show();
    };
    const QString name = m_name->text().trimmed();
    if (name.isEmpty())
        return fail(tr("Give the connection a name."));
    if (m_existing.contains(name, Qt::CaseInsensitive))
        return fail(tr("A connection named “%1” exists already.").arg(name));
    auto url = stores::StoreUrl::parse(m_url->text().trimmed());
    if (!url)
        return fail(url.error().toString());
    m_profile.name = name;
    m_profile.url = url->withoutPassword();
    m_profile.layout = m_layout->currentData().toString();
    m_profile.issuer = m_issuer->text().trimmed();
    m_profile.jwksFile = m_jwksFile->text().trimmed();
    if (!m_profile.jwksFile.isEmpty()) {
        if (auto keys = jose::Jwks::fromFile(m_profile.jwksFile); !keys)
            return fail(tr("Token keys file: %1").arg(keys.error().toString()));
    }
    m_profile.prefix = m_prefix->text().trimmed();
    m_profile.readOnly = m_readOnly->isChecked();
    m_profile.clientId = m_clientId->text().trimmed();
    m_profile.scopes = m_scopes->text().simplified();
    m_profile.audience = m_audience->text().trimmed();
    m_profile.authorizationParameters = m_parameters->text().trimmed();
    m_profile.redirectUri = m_redirectUri->text().trimmed();
    if (!m_profile.redirectUri.isEmpty()) {
        const QUrl redirect(m_profile.redirectUri, QUrl::StrictMode);
        if (!redirect.isValid() || redirect.isRelative() || redirect.hasFragment())
            return fail(tr("The redirect URI must be an absolute URL without a fragment."));
    }
    if (m_profile.id.isEmpty())
        m_profile.id = ConnectionProfile::newId();
    m_secrets = {};
    if (!m_appSecrets->text().isEmpty())
        m_secrets.appSecrets = m_appSecrets->text().toUtf8();
    if (!m_storePassword->text().isEmpty())
        m_secrets.storePassword = m_storePassword->text().toUtf8();
    else if (!url->password.isEmpty()) // typed into the URL: keychain, not settings
        m_secrets.storePassword = url->password.toUtf8();
    if (!m_clientSecret->text().isEmpty())
        m_secrets.clientSecret = m_clientSecret->text().toUtf8();
    QDialog::accept();
}

} // namespace si::ui
