// session-inspector: the desktop inspector. Without arguments it opens the embedded demo store
// (10,000 synthetic sessions in SQLite) read-only.
//
//   session-inspector [--store URL] [--secret-file FILE] [--issuer URL] [--layout NAME] [--read-write]
#include "core/platform/Hardening.h"
#include "stores/StoreUrl.h"
#include "stores/inspect/Inspection.h"
#include "ui/MainWindow.h"
#include "ui/MessageBanner.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTimer>

#include <cstdio>

namespace {

struct Startup {
    QString name;
    si::stores::OpenedInspector opened;
};

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

si::Result<Startup> open(const QCommandLineParser &args)
{
    Startup out;
    si::stores::InspectOptions options;
    QString url = args.value(QStringLiteral("store"));
    QString secretFile = args.value(QStringLiteral("secret-file"));
    options.readOnly = !args.isSet(QStringLiteral("read-write"));
    options.issuer = args.value(QStringLiteral("issuer"));
    if (url.isEmpty()) {
        const QString path = demoStorePath();
        if (!QFileInfo::exists(path))
            return si::makeError(si::ErrorCode::NotFound, QObject::tr("the demo store is missing"),
                                 QObject::tr("build the demo_store target or run scripts/run.sh (%1)").arg(path));
        url = QStringLiteral("sqlite:") + path;
        if (secretFile.isEmpty())
            secretFile = QStringLiteral(SI_DEMO_SECRET_FILE);
        options.readOnly = true; // the demo profile is read-only
        options.issuer = QStringLiteral("https://login.example.com/");
        options.profile = QStringLiteral("demo");
        out.name = QObject::tr("Demo store (read-only)");
    }
    auto parsed = si::stores::StoreUrl::parse(url);
    if (!parsed)
        return parsed.error();
    if (out.name.isEmpty())
        out.name = parsed->redacted();
    auto secrets = loadSecrets(secretFile);
    if (!secrets)
        return secrets.error();
    options.secrets = *secrets;
    if (args.isSet(QStringLiteral("layout"))) {
        const QString name = args.value(QStringLiteral("layout"));
        auto kind = si::inspector::SessionLayout::kindFromName(name);
        if (!kind)
            return si::makeError(si::ErrorCode::InvalidArgument, QObject::tr("unknown layout '%1'").arg(name),
                                 QObject::tr("native, auth0-fastapi, starsessions or connect-redis"));
        options.layout = *kind;
    }
    auto opened = si::stores::openInspector(*parsed, options);
    if (!opened)
        return opened.error();
    out.opened = *opened;
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    si::platform::hardenProcess();
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
        {QStringLiteral("layout"),
         QStringLiteral("native, auth0-fastapi, starsessions or connect-redis (default: detect)."),
         QStringLiteral("NAME")},
        {QStringLiteral("read-write"), QStringLiteral("Allow writes (profiles are read-only unless told otherwise).")},
        {QStringLiteral("screenshot"),
         QStringLiteral("Save the window to FILE once the first rows are shown, then quit."), QStringLiteral("FILE")},
    });
    args.process(app);

    si::ui::MainWindow window;
    auto startup = open(args);
    if (startup)
        window.openStore(startup->name, startup->opened);
    else
        window.banner()->show(si::ui::MessageBanner::Kind::Error, startup.error().toString());
    window.show();

    if (args.isSet(QStringLiteral("screenshot"))) {
        const QString file = args.value(QStringLiteral("screenshot"));
        QTimer::singleShot(1500, &window, [&window, file] {
            const bool saved = window.grab().save(file);
            std::fprintf(stderr, "%s %s\n", saved ? "saved" : "could not save", qPrintable(file));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
