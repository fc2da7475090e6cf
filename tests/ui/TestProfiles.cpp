// Connection profiles in the main window, driven by object name: creating one through the dialog
// puts its secrets in the keychain (a throwaway gnome-keyring: tests/ui/with-keyring.sh) and
// nothing secret in the settings file; editing keeps them; duplicating copies them; removing
// deletes them; opening a profile connects with them. Without a keychain service (--none) the
// window says so and reads secrets from environment variables.
#include "stores/inspect/Inspection.h"
#include "tests/support/TestSupport.h"
#include "ui/MainWindow.h"
#include "ui/MessageBanner.h"
#include "ui/ProfilePanel.h"
#include "ui/SecretVault.h"
#include "ui/SessionTableModel.h"
#include "ui/TestLoginWindow.h"

#include "core/inspector/SeedGenerator.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <functional>

using namespace si;
using namespace si::inspector;
using si::ui::MainWindow;
using si::ui::MessageBanner;

namespace {

const QByteArray kAppSecret = "profile-app-secret-Q7";
const QByteArray kPassword = "store-password-hunter2";

// Fills the modal dialog that `trigger` opens, then presses Save.
void withDialog(const std::function<void()> &trigger, const std::function<void(QDialog *)> &fill)
{
    bool seen = false;
    QTimer::singleShot(0, [&] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        seen = true;
        fill(dialog);
        dialog->findChild<QDialogButtonBox *>(QStringLiteral("profileButtonBox"))
            ->button(QDialogButtonBox::Save)
            ->click();
        if (dialog->isVisible()) { // validation failed: say why, then leave
            qWarning("dialog refused: %s",
                     qPrintable(dialog->findChild<QLabel *>(QStringLiteral("dialogErrorLabel"))->text()));
            dialog->reject();
        }
    });
    trigger();
    QVERIFY(seen);
}

void setText(QDialog *dialog, const char *name, const QString &text)
{
    auto *edit = dialog->findChild<QLineEdit *>(QLatin1String(name));
    QVERIFY2(edit, name);
    edit->setText(text);
}

template<typename T>
T awaitGui(QFuture<T> future)
{
    (void)QTest::qWaitFor([&] { return future.isFinished(); }, 10000);
    if (!future.isFinished() || future.resultCount() == 0)
        return T(makeError(ErrorCode::Timeout, QStringLiteral("the vault did not answer")));
    return future.result();
}

} // namespace

class TestProfiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void createdProfileKeepsSecretsOutOfSettings();
    void openingAProfileUsesItsSecrets();
    void tokenKeysFileIsCheckedAndKept();
    void testLoginSettingsAreCheckedAndKept();
    void editKeepsSecretsUnlessRetyped();
    void duplicateCopiesAndRemoveDeletesSecrets();
    void withoutAKeychainSecretsComeFromTheEnvironment();

private:
    void addProfile(const QString &name, const QString &url, const QByteArray &secret, bool readOnly = true);
    QPushButton *button(const char *name) const;
    QString settingsText() const;
    bool keyring() const { return m_mode == QLatin1String("gnome"); }

    QString m_mode;
    test::ScratchDir m_dir;
    QString m_storeUrl;
    std::unique_ptr<MainWindow> m_window;
};

void TestProfiles::initTestCase()
{
    m_mode = qEnvironmentVariable("SI_TEST_KEYRING");
    if (m_mode.isEmpty())
        QFAIL("run under tests/ui/with-keyring.sh [--none] (ctest does)");
    QCoreApplication::setOrganizationName(QStringLiteral("si-test"));
    QCoreApplication::setApplicationName(QStringLiteral("test-profiles"));
    if (keyring()) {
        // The keychain must really answer: a missing one would turn this test into the --none one.
        ui::KeychainVault vault;
        QVERIFY_OK(awaitGui(vault.write(QStringLiteral("probe/x"), "1")));
        auto back = awaitGui(vault.read(QStringLiteral("probe/x")));
        QVERIFY_OK(back);
        QCOMPARE(*back, QByteArray("1"));
    }
    // A real SQLite store with sessions under kAppSecret.
    const QString path = m_dir.filePath(QStringLiteral("profile.db"));
    m_storeUrl = QStringLiteral("sqlite:") + path;
    auto url = stores::StoreUrl::parse(m_storeUrl);
    QVERIFY_OK(url);
    stores::InspectOptions options;
    options.layout = SessionLayout::Kind::Native;
    options.secrets = SecretList({crypto::SecureBytes(QByteArrayView(kAppSecret))});
    auto opened = stores::openInspector(*url, options);
    QVERIFY_OK(opened);
    SeedGenerator::Options seedOptions;
    seedOptions.count = 120;
    seedOptions.users = 30;
    seedOptions.issuer = QStringLiteral("https://login.example.com/");
    seedOptions.now = QDateTime::currentSecsSinceEpoch();
    const SeedGenerator generator(seedOptions);
    QList<QPair<QString, StateData>> batch;
    for (qint64 i = 0; i < seedOptions.count; ++i) {
        auto s = generator.session(i, SessionLayout::Kind::Native);
        batch.append({s.id, s.state});
    }
    QVERIFY_OK(await(opened->nativeStore->setMany(batch)));
}

void TestProfiles::init()
{
    QSettings().clear();
    m_window = std::make_unique<MainWindow>();
    m_window->confirm = [](const QString &, const QString &) { return true; };
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestProfiles::cleanup()
{
    m_window.reset();
}

QPushButton *TestProfiles::button(const char *name) const
{
    return m_window->findChild<QPushButton *>(QLatin1String(name));
}

QString TestProfiles::settingsText() const
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

void TestProfiles::addProfile(const QString &name, const QString &url, const QByteArray &secret, bool readOnly)
{
    withDialog([this] { button("addProfileButton")->click(); },
               [&](QDialog *dialog) {
                   QVERIFY(dialog->findChild<QCheckBox *>(QStringLiteral("readOnlyCheckBox"))->isChecked());
                   setText(dialog, "nameLineEdit", name);
                   setText(dialog, "urlLineEdit", url);
                   setText(dialog, "issuerLineEdit", QStringLiteral("https://login.example.com/"));
                   setText(dialog, "appSecretsLineEdit", QString::fromLatin1(secret));
                   dialog->findChild<QCheckBox *>(QStringLiteral("readOnlyCheckBox"))->setChecked(readOnly);
               });
}

void TestProfiles::createdProfileKeepsSecretsOutOfSettings()
{
    addProfile(QStringLiteral("Sessions DB"), m_storeUrl, kAppSecret);
    // A password typed into the URL goes to the keychain too.
    addProfile(QStringLiteral("Cache"), QStringLiteral("redis://app:%1@127.0.0.1:6390/2").arg(QLatin1String(kPassword)),
               kAppSecret);
    const auto profiles = m_window->profiles()->profiles();
    QCOMPARE(profiles.size(), 2);
    QVERIFY(profiles.at(0).readOnly); // new profiles are read-only by default
    QCOMPARE(profiles.at(1).url, QStringLiteral("redis://app@127.0.0.1:6390/2"));
    const QString settings = settingsText();
    QVERIFY(settings.contains(QLatin1String("Sessions DB")));
    QVERIFY(!settings.contains(QLatin1String(kAppSecret)));
    QVERIFY(!settings.contains(QLatin1String(kPassword)));
    QTRY_VERIFY_WITH_TIMEOUT(
        awaitGui(m_window->profiles()->vault().read(profiles.at(1).secretKey(ui::ConnectionProfile::kStorePassword)))
            .ok(),
        5000);
    ui::KeychainVault keychain;
    QCOMPARE(awaitGui(keychain.read(profiles.at(0).secretKey(ui::ConnectionProfile::kAppSecrets))).value(), kAppSecret);
    QCOMPARE(awaitGui(keychain.read(profiles.at(1).secretKey(ui::ConnectionProfile::kStorePassword))).value(),
             kPassword);
    // Survives a restart of the window.
    m_window = std::make_unique<MainWindow>();
    QCOMPARE(m_window->profiles()->profiles(), profiles);
}

void TestProfiles::openingAProfileUsesItsSecrets()
{
    addProfile(QStringLiteral("Sessions DB"), m_storeUrl, kAppSecret);
    m_window->profiles()->open(QStringLiteral("Sessions DB"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->findChild<QLabel *>(QStringLiteral("countLabel"))->text(),
                              QStringLiteral("120 sessions"), 10000);
    QTRY_VERIFY(m_window->model()->data(m_window->model()->index(0, 0), ui::SessionTableModel::LoadedRole).toBool());
    const auto row = m_window->model()->rowAt(0);
    QVERIFY(row);
    QVERIFY2(row->decoded(), qPrintable(row->error)); // the keychain's secret opened it
    QVERIFY(
        m_window->findChild<QLabel *>(QStringLiteral("connectionLabel"))->text().contains(QLatin1String("read-only")));
}

void TestProfiles::tokenKeysFileIsCheckedAndKept()
{
    // A file that is not a key set is refused in the dialog, with the reason.
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.json"));
    {
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"not\": \"keys\"}");
    }
    QString refusal;
    withDialog([this] { button("addProfileButton")->click(); },
               [&](QDialog *dialog) {
                   setText(dialog, "nameLineEdit", QStringLiteral("Offline IdP"));
                   setText(dialog, "urlLineEdit", m_storeUrl);
                   setText(dialog, "jwksFileLineEdit", bad);
                   dialog->findChild<QDialogButtonBox *>(QStringLiteral("profileButtonBox"))
                       ->button(QDialogButtonBox::Save)
                       ->click();
                   refusal = dialog->findChild<QLabel *>(QStringLiteral("dialogErrorLabel"))->text();
                   setText(dialog, "jwksFileLineEdit",
                           QStringLiteral(SI_SOURCE_DIR "/resources/demo/demo-signing-key.jwk"));
               });
    QVERIFY2(refusal.startsWith(QStringLiteral("Token keys file: ")), qPrintable(refusal));
    // A good one is kept (a path, not a secret) and survives a restart.
    const auto profiles = m_window->profiles()->profiles();
    QCOMPARE(profiles.size(), 1);
    QCOMPARE(profiles.first().jwksFile, QStringLiteral(SI_SOURCE_DIR "/resources/demo/demo-signing-key.jwk"));
    m_window = std::make_unique<MainWindow>();
    QCOMPARE(m_window->profiles()->profiles().first().jwksFile, profiles.first().jwksFile);
}

void TestProfiles::testLoginSettingsAreCheckedAndKept()
{
    QString refusal;
    withDialog([this] { button("addProfileButton")->click(); },
               [&](QDialog *dialog) {
                   setText(dialog, "nameLineEdit", QStringLiteral("Staging IdP"));
                   setText(dialog, "urlLineEdit", m_storeUrl);
                   setText(dialog, "clientIdLineEdit", QStringLiteral("qa-client"));
                   setText(dialog, "clientSecretLineEdit", QStringLiteral("qa-client-secret-7f3a"));
                   setText(dialog, "scopesLineEdit", QStringLiteral("  openid   email "));
                   setText(dialog, "audienceLineEdit", QStringLiteral("https://api.example.com/"));
                   setText(dialog, "parametersLineEdit", QStringLiteral("prompt=login&ui_locales=de"));
                   setText(dialog, "redirectUriLineEdit", QStringLiteral("/callback#top"));
                   dialog->findChild<QDialogButtonBox *>(QStringLiteral("profileButtonBox"))
                       ->button(QDialogButtonBox::Save)
                       ->click();
                   refusal = dialog->findChild<QLabel *>(QStringLiteral("dialogErrorLabel"))->text();
                   setText(dialog, "redirectUriLineEdit", QStringLiteral("http://127.0.0.1:9/callback"));
               });
    QCOMPARE(refusal, QStringLiteral("The redirect URI must be an absolute URL without a fragment."));
    m_window = std::make_unique<MainWindow>();
    const auto profiles = m_window->profiles()->profiles();
    QCOMPARE(profiles.size(), 1);
    const ui::ConnectionProfile &p = profiles.first();
    QCOMPARE(p.clientId, QStringLiteral("qa-client"));
    QCOMPARE(p.scopes, QStringLiteral("openid email"));
    QCOMPARE(p.audience, QStringLiteral("https://api.example.com/"));
    QCOMPARE(p.authorizationParameters, QStringLiteral("prompt=login&ui_locales=de"));
    QCOMPARE(p.redirectUri, QStringLiteral("http://127.0.0.1:9/callback"));
    QVERIFY(!settingsText().contains(QLatin1String("qa-client-secret-7f3a")));

    // The Test Login window offers the profile; picking it fills the form, the client secret
    // from the keychain. (Not shown: no browser is started.)
    ui::TestLoginWindow window;
    window.setProfiles(profiles, &m_window->profiles()->vault());
    auto *picker = window.findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QCOMPARE(picker->count(), 1); // no issuer: nothing to log in to, not offered
    ui::ConnectionProfile withIssuer = p;
    withIssuer.issuer = QStringLiteral("https://login.example.com/");
    window.setProfiles({withIssuer}, &m_window->profiles()->vault());
    QCOMPARE(picker->count(), 2);
    picker->setCurrentIndex(1);
    QTRY_COMPARE(window.settings().clientSecret, QByteArray("qa-client-secret-7f3a"));
    const ui::TestLoginSettings s = window.settings();
    QCOMPARE(s.issuer, QStringLiteral("https://login.example.com/"));
    QCOMPARE(s.clientId, QStringLiteral("qa-client"));
    QCOMPARE(s.scopes, QStringLiteral("openid email"));
    QCOMPARE(s.audience, QStringLiteral("https://api.example.com/"));
    QCOMPARE(s.authorizationParameters, QStringLiteral("prompt=login&ui_locales=de"));
    QCOMPARE(s.redirectUri, QStringLiteral("http://127.0.0.1:9/callback"));
    QVERIFY(!window.browser());
}

void TestProfiles::editKeepsSecretsUnlessRetyped()
{
    addProfile(QStringLiteral("Sessions DB"), m_storeUrl, kAppSecret);
    auto *list = m_window->findChild<QListWidget *>(QStringLiteral("profileListWidget"));
    list->setCurrentItem(list->findItems(QStringLiteral("Sessions DB"), Qt::MatchExactly).value(0));
    withDialog([this] { button("editProfileButton")->click(); },
               [&](QDialog *dialog) {
                   auto *secret = dialog->findChild<QLineEdit *>(QStringLiteral("appSecretsLineEdit"));
                   QVERIFY(secret->text().isEmpty()); // never shown back
                   QVERIFY(secret->placeholderText().contains(QLatin1String("unchanged")));
                   setText(dialog, "nameLineEdit", QStringLiteral("Sessions (prod)"));
                   dialog->findChild<QCheckBox *>(QStringLiteral("readOnlyCheckBox"))->setChecked(false);
               });
    const auto profiles = m_window->profiles()->profiles();
    QCOMPARE(profiles.size(), 1);
    QCOMPARE(profiles.first().name, QStringLiteral("Sessions (prod)"));
    QVERIFY(!profiles.first().readOnly);
    ui::KeychainVault keychain;
    QCOMPARE(awaitGui(keychain.read(profiles.first().secretKey(ui::ConnectionProfile::kAppSecrets))).value(),
             kAppSecret);
}

void TestProfiles::duplicateCopiesAndRemoveDeletesSecrets()
{
    addProfile(QStringLiteral("Sessions DB"), m_storeUrl, kAppSecret);
    auto *list = m_window->findChild<QListWidget *>(QStringLiteral("profileListWidget"));
    list->setCurrentItem(list->findItems(QStringLiteral("Sessions DB"), Qt::MatchExactly).value(0));
    button("duplicateProfileButton")->click();
    auto profiles = m_window->profiles()->profiles();
    QCOMPARE(profiles.size(), 2);
    QCOMPARE(profiles.at(1).name, QStringLiteral("Sessions DB (copy)"));
    QVERIFY(profiles.at(1).id != profiles.at(0).id);
    ui::KeychainVault keychain;
    const QString copyKey = profiles.at(1).secretKey(ui::ConnectionProfile::kAppSecrets);
    QTRY_VERIFY_WITH_TIMEOUT(awaitGui(keychain.read(copyKey)).ok(), 5000);
    QCOMPARE(awaitGui(keychain.read(copyKey)).value(), kAppSecret);

    const QString originalKey = profiles.at(0).secretKey(ui::ConnectionProfile::kAppSecrets);
    list->setCurrentItem(list->findItems(QStringLiteral("Sessions DB"), Qt::MatchExactly).value(0));
    button("removeProfileButton")->click();
    QCOMPARE(m_window->profiles()->profiles().size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(awaitGui(keychain.read(originalKey)).error().code == ErrorCode::NotFound, 5000);
    QVERIFY(awaitGui(keychain.read(copyKey)).ok()); // the copy keeps its own
}

void TestProfiles::withoutAKeychainSecretsComeFromTheEnvironment()
{
    addProfile(QStringLiteral("Sessions DB"), m_storeUrl, kAppSecret);
    // Saving said that the secret could not be kept, and how to give it instead.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->banner()->isVisible(), 10000);
    QVERIFY2(m_window->banner()->kind() == MessageBanner::Kind::Warning, qPrintable(m_window->banner()->text()));
    QVERIFY2(m_window->banner()->text().contains(QLatin1String("No keychain service")),
             qPrintable(m_window->banner()->text()));
    QVERIFY(m_window->banner()->text().contains(QLatin1String("SI_PROFILE_")));
    QVERIFY(!settingsText().contains(QLatin1String(kAppSecret)));
    // Given through the environment, the profile opens.
    qputenv("SI_PROFILE_SESSIONS_DB_APP_SECRETS", kAppSecret);
    m_window->profiles()->open(QStringLiteral("Sessions DB"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->findChild<QLabel *>(QStringLiteral("countLabel"))->text(),
                              QStringLiteral("120 sessions"), 10000);
    QTRY_VERIFY(m_window->model()->data(m_window->model()->index(0, 0), ui::SessionTableModel::LoadedRole).toBool());
    QVERIFY(m_window->model()->rowAt(0)->decoded());
    qunsetenv("SI_PROFILE_SESSIONS_DB_APP_SECRETS");
}

// Each mode runs its own functions (the keychain ones with a keyring, the fallback without).
int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QTEST_SET_MAIN_SOURCE_PATH
    TestProfiles test;
    QStringList args = QCoreApplication::arguments();
    if (args.size() == 1) {
        if (qEnvironmentVariable("SI_TEST_KEYRING") == QLatin1String("none"))
            args << QStringLiteral("withoutAKeychainSecretsComeFromTheEnvironment");
        else
            args << QStringLiteral("createdProfileKeepsSecretsOutOfSettings")
                 << QStringLiteral("openingAProfileUsesItsSecrets") << QStringLiteral("tokenKeysFileIsCheckedAndKept")
                 << QStringLiteral("testLoginSettingsAreCheckedAndKept")
                 << QStringLiteral("editKeepsSecretsUnlessRetyped")
                 << QStringLiteral("duplicateCopiesAndRemoveDeletesSecrets");
    }
    return QTest::qExec(&test, args);
}

#include "TestProfiles.moc"
