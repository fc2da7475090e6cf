// session-inspector: the desktop inspector. Without arguments it opens the embedded demo store
// (10,000 synthetic sessions in SQLite) read-only.
//
//   session-inspector [--store URL] [--secret-file FILE] [--issuer URL] [--jwks FILE] [--layout NAME]
//                     [--read-write]
#include "core/inspector/AuditLog.h"
#include "core/platform/Hardening.h"
#include "stores/StoreUrl.h"
#include "stores/inspect/Inspection.h"
#include "ui/MainWindow.h"
#include "ui/MessageBanner.h"
#include "ui/ProfilePanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QThreadPool>
#include <QTimer>

#include <memory>

#include <cstdio>

#include <unistd.h>

namespace {

// The demo store next to the build's binaries (build/demo/sessions.db), or SI_DEMO_STORE.
QString demoStorePath()
{
    const QString given = qEnvironmentVariable("SI_DEMO_STORE");
    if (!given.isEmpty())
        return given;
    return QDir::cleanPath(QCoreApplication::applicationDirPath() + QStringLiteral("/../demo/sessions.db"));
}

si::Result<si::SecretList> loadSecrets(const QString &file)
{
    if (!file.isEmpty())
        return si::SecretList::fromFile(file);
    const QString fromEnv = qEnvironmentVariable("SI_SECRET_FILE");
    if (!fromEnv.isEmpty())
        return si::SecretList::fromFile(fromEnv);
    QByteArray value = qgetenv("SI_SECRET");
    if (value.isEmpty())
        return si::SecretList();
    return si::SecretList::fromDelimited(value);
}

// Opens `url` as the command line describes (run off the GUI thread by the store list).
si::Result<si::stores::OpenedInspector> openFromArguments(const QString &url, const QString &secretFile,
                                                          si::stores::InspectOptions options, const QString &layout)
{
    auto parsed = si::stores::StoreUrl::parse(url);
    if (!parsed)
        return parsed.error();
    auto secrets = loadSecrets(secretFile);
    if (!secrets)
        return secrets.error();
    options.secrets = *secrets;
    if (!options.audit)
        options.audit = std::make_shared<si::inspector::AuditLog>(si::inspector::AuditLog::defaultPath());
    if (!layout.isEmpty()) {
        auto kind = si::inspector::SessionLayout::kindFromName(layout);
        if (!kind)
            return si::makeError(si::ErrorCode::InvalidArgument, QObject::tr("unknown layout '%1'").arg(layout),
                                 QObject::tr("native, auth0-fastapi, starsessions or connect-redis"));
        options.layout = *kind;
    }
    return si::stores::openInspector(*parsed, options);
}

} // namespace

int main(int argc, char *argv[])
{
    si::platform::hardenProcess();
    // Chromium (the Test Login window's browser) refuses to start as root with its sandbox on.
    if (::geteuid() == 0 && !qEnvironmentVariableIsSet("QTWEBENGINE_DISABLE_SANDBOX")) {
        qputenv("QTWEBENGINE_DISABLE_SANDBOX", "1");
        std::fprintf(stderr, "session-inspector: running as root: the Test Login browser runs without Chromium's "
                             "sandbox\n");
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("session-inspector"));
    QApplication::setApplicationDisplayName(QStringLiteral("Session Inspector"));
    QApplication::setOrganizationName(QStringLiteral("session-inspector"));
    QApplication::setApplicationVersion(QStringLiteral(SI_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("session-inspector"));

    QCommandLineParser args;
    args.setApplicationDescription(QStringLiteral("Browse, decrypt, expire and revoke login sessions."));
    args.addHelpOption();
    args.addVersionOption();
    args.addOptions({
        {QStringLiteral("store"), QStringLiteral("Store URL (default: the embedded demo store)."),
         QStringLiteral("URL")},
        {QStringLiteral("secret-file"),
         QStringLiteral("Application secrets, one per line (or SI_SECRET_FILE / SI_SECRET)."), QStringLiteral("FILE")},
        {QStringLiteral("issuer"), QStringLiteral("The issuer sub/sid searches and revocations are scoped to."),
         QStringLiteral("URL")},
        {QStringLiteral("jwks"),
         QStringLiteral("Check token signatures against this JWKS (or JWK) file instead of the issuer's published "
                        "keys."),
         QStringLiteral("FILE")},
        {QStringLiteral("layout"),
         QStringLiteral("native, auth0-fastapi, starsessions or connect-redis (default: detect)."),
         QStringLiteral("NAME")},
        {QStringLiteral("read-write"), QStringLiteral("Allow writes (profiles are read-only unless told otherwise).")},
        {QStringLiteral("test-login"), QStringLiteral("Open the Test Login window as well.")},
        {QStringLiteral("screenshot"),
         QStringLiteral("Save the window to FILE once the first rows are shown, then quit."), QStringLiteral("FILE")},
    });
    args.process(app);

    auto owned = std::make_unique<si::ui::MainWindow>();
    si::ui::MainWindow &window = *owned;
    si::ui::ProfilePanel *stores = window.profiles();
    const QString demo = demoStorePath();
    const QString demoName = QObject::tr("Demo store (read-only)");
    if (QFileInfo::exists(demo)) {
        si::stores::InspectOptions options;
        options.readOnly = true; // the demo profile is read-only
        options.issuer = QStringLiteral("https://login.example.com/");
        options.profile = QStringLiteral("demo");
        // The demo issuer does not exist: its tokens are checked against the demo key.
        options.jwksFile = QStringLiteral(SI_DEMO_SIGNING_KEY_FILE);
        stores->addBuiltIn(demoName, [demo, options] {
            return openFromArguments(QStringLiteral("sqlite:") + demo, QStringLiteral(SI_DEMO_SECRET_FILE), options,
                                     QStringLiteral("native"));
        });
    }
    QString first = demoName;
    if (args.isSet(QStringLiteral("store"))) {
        const QString url = args.value(QStringLiteral("store"));
        auto parsed = si::stores::StoreUrl::parse(url);
        first = parsed ? parsed->redacted() : url;
        si::stores::InspectOptions options;
        options.readOnly = !args.isSet(QStringLiteral("read-write"));
        options.issuer = args.value(QStringLiteral("issuer"));
        options.jwksFile = args.value(QStringLiteral("jwks"));
        stores->addBuiltIn(first, [url, options, file = args.value(QStringLiteral("secret-file")),
                                   layout = args.value(QStringLiteral("layout"))] {
            return openFromArguments(url, file, options, layout);
        });
    } else if (!QFileInfo::exists(demo)) {
        window.banner()->show(si::ui::MessageBanner::Kind::Warning,
                              QObject::tr("The demo store is missing (%1): build the demo_store target or run "
                                          "scripts/run.sh. Add a connection to open a store.")
                                  .arg(demo));
    }
    stores->open(first);
    window.show();
    if (args.isSet(QStringLiteral("test-login")))
        window.openTestLogin();

    if (args.isSet(QStringLiteral("screenshot"))) {
        const QString file = args.value(QStringLiteral("screenshot"));
        QTimer::singleShot(1500, &window, [&window, file] {
            const bool saved = window.grab().save(file);
            std::fprintf(stderr, "%s %s\n", saved ? "saved" : "could not save", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    const int code = app.exec();
    // Close the stores (joining their threads), then the decoding pool, while OpenSSL and Qt are
    // intact: a thread that outlived them would run its cleanup into freed library state.
    owned.reset();
    QThreadPool::globalInstance()->waitForDone();
    return code;
}
