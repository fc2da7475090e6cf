#include "BulkDeleteDialog.h"

#include "UntrustedText.h"
#include <QCheckBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace si::ui {

namespace {

constexpr int kPreviewRows = 500; // listed in the dialog; the count covers all

} // namespace

BulkDeleteDialog::BulkDeleteDialog(std::shared_ptr<inspector::SessionBackend> backend, QWidget *parent)
    : QDialog(parent)
    , m_backend(std::move(backend))
    , m_createdBeforeOn(new QCheckBox(tr("Created before"), this))
    , m_createdBefore(new QDateTimeEdit(QDateTime::currentDateTime().addDays(-1), this))
    , m_idleOn(new QCheckBox(tr("No activity since"), this))
    , m_idleSince(new QDateTimeEdit(QDateTime::currentDateTime().addDays(-1), this))
    , m_domain(new QLineEdit(this))
    , m_undecryptable(new QCheckBox(tr("Only sessions this profile's secrets cannot open"), this))
    , m_preview(new QPushButton(tr("&Preview"), this))
    , m_delete(new QPushButton(tr("&Delete"), this))
    , m_cancel(new QPushButton(tr("Cancel scan"), this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_list(new QListWidget(this))
{
    setObjectName(QStringLiteral("bulkDeleteDialog"));
    setWindowTitle(tr("Delete sessions by filter"));
    m_createdBeforeOn->setObjectName(QStringLiteral("createdBeforeCheckBox"));
    m_createdBefore->setObjectName(QStringLiteral("createdBeforeEdit"));
    m_idleOn->setObjectName(QStringLiteral("idleCheckBox"));
    m_idleSince->setObjectName(QStringLiteral("idleSinceEdit"));
    m_domain->setObjectName(QStringLiteral("emailDomainLineEdit"));
    m_domain->setPlaceholderText(QStringLiteral("example.com"));
    m_undecryptable->setObjectName(QStringLiteral("undecryptableCheckBox"));
    m_preview->setObjectName(QStringLiteral("previewButton"));
    m_delete->setObjectName(QStringLiteral("deleteMatchesButton"));
    m_cancel->setObjectName(QStringLiteral("cancelScanButton"));
    m_progress->setObjectName(QStringLiteral("bulkProgressBar"));
    m_status->setObjectName(QStringLiteral("bulkStatusLabel"));
    m_status->setWordWrap(true);
    makePlain(m_status);
    m_list->setObjectName(QStringLiteral("previewListWidget"));
    m_list->setAccessibleName(tr("Sessions that would be deleted"));
    m_progress->setRange(0, 0);
    for (QDateTimeEdit *edit : {m_createdBefore, m_idleSince})
        edit->setCalendarPopup(true);

    auto *form = new QFormLayout;
    form->addRow(m_createdBeforeOn, m_createdBefore);
    form->addRow(m_idleOn, m_idleSince);
    form->addRow(tr("Email domain"), m_domain);
    form->addRow(QString(), m_undecryptable);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_preview);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_delete);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_status);
    layout->addWidget(m_list, 1);
    layout->addWidget(close);
    resize(720, 560);

    confirm = [](const QString &, const QString &) { return false; };
    connect(m_preview, &QPushButton::clicked, this, &BulkDeleteDialog::preview);
    connect(m_delete, &QPushButton::clicked, this, &BulkDeleteDialog::remove);
    connect(m_cancel, &QPushButton::clicked, this, &BulkDeleteDialog::cancelScan);
    // Any change of the criteria invalidates the preview.
    const auto stale = [this] {
        m_previewIds.clear();
        m_delete->setEnabled(false);
    };
    connect(m_createdBeforeOn, &QCheckBox::toggled, this, stale);
    connect(m_idleOn, &QCheckBox::toggled, this, stale);
    connect(m_undecryptable, &QCheckBox::toggled, this, stale);
    connect(m_createdBefore, &QDateTimeEdit::dateTimeChanged, this, stale);
    connect(m_idleSince, &QDateTimeEdit::dateTimeChanged, this, stale);
    connect(m_domain, &QLineEdit::textChanged, this, stale);
    setBusy(false, tr("Choose criteria, then Preview: nothing is deleted before you have seen what would go."));
    m_delete->setEnabled(false);
}

BulkDeleteDialog::~BulkDeleteDialog()
{
    cancelScan();
}

inspector::SessionFilter BulkDeleteDialog::filter() const
{
    inspector::SessionFilter f;
    if (m_createdBeforeOn->isChecked())
        f.createdBefore = m_createdBefore->dateTime().toSecsSinceEpoch();
    if (m_idleOn->isChecked())
        f.idleSince = m_idleSince->dateTime().toSecsSinceEpoch();
    f.emailDomain = m_domain->text().trimmed();
    f.undecryptable = m_undecryptable->isChecked();
    return f;
}

void BulkDeleteDialog::setBusy(bool busy, const QString &text)
{
    m_preview->setEnabled(!busy);
    m_cancel->setVisible(busy);
    m_progress->setVisible(busy);
    m_status->setText(visibleText(text));
}

void BulkDeleteDialog::cancelScan()
{
    if (m_stop)
        m_stop->store(true);
}

void BulkDeleteDialog::preview()
{
    const inspector::SessionFilter f = filter();
    if (f.isEmpty()) {
        m_status->setText(tr("Set at least one criterion."));
        return;
    }
    m_previewIds.clear();
    m_list->clear();
    m_delete->setEnabled(false);
    auto stop = std::make_shared<std::atomic_bool>(false);
    m_stop = stop;
    setBusy(true, tr("Scanning every session for %1…").arg(f.describe()));
    auto backend = m_backend;
    backend->bulkDelete(f, true, CancelToken([stop] { return stop->load(); }))
        .then(this, [this, backend](const Result<inspector::BulkDeleteResult> &result) {
            m_stop.reset();
            if (!result) {
                setBusy(false, result.error().code == ErrorCode::Canceled ? tr("Canceled: nothing was deleted.")
                                                                          : result.error().toString());
                return;
            }
            const QLocale locale;
            for (const inspector::SessionRow &row : result->matched)
                m_previewIds << row.id;
            for (qsizetype i = 0; i < qMin<qsizetype>(result->matched.size(), kPreviewRows); ++i) {
                const inspector::SessionRow &row = result->matched.at(i);
                const QString who = row.decoded() ? (row.summary.email.isEmpty() ? row.summary.sub : row.summary.email)
                                                  : tr("(undecodable) %1").arg(inspector::sessionFingerprint(row.id));
                m_list->addItem(QStringLiteral("%1 — created %2")
                                    .arg(visibleText(who), QDateTime::fromSecsSinceEpoch(row.createdAt)
                                                               .toString(QStringLiteral("yyyy-MM-dd HH:mm"))));
            }
            QString text = tr("%1 of %2 sessions match; these would be deleted.")
                               .arg(locale.toString(result->matched.size()), locale.toString(result->scanned));
            if (result->matched.size() > kPreviewRows)
                text += QLatin1Char(' ') + tr("The first %1 are listed.").arg(kPreviewRows);
            if (result->undecodable > 0 && !m_undecryptable->isChecked())
                text += QLatin1Char(' ') + tr("%1 sessions could not be decoded, so content criteria could not be "
                                              "checked for them.")
                                               .arg(locale.toString(result->undecodable));
            setBusy(false, text);
            m_delete->setText(tr("&Delete %1 sessions").arg(locale.toString(result->matched.size())));
            m_delete->setEnabled(!m_previewIds.isEmpty());
        });
}

void BulkDeleteDialog::remove()
{
    if (m_previewIds.isEmpty())
        return;
    const QString count = QLocale().toString(m_previewIds.size());
    if (!confirm(tr("Delete sessions"), tr("Delete the %1 sessions listed? Their users are logged out of the "
                                           "application. This is recorded in the audit log.")
                                            .arg(count)))
        return;
    m_delete->setEnabled(false);
    setBusy(true, tr("Deleting %1 sessions…").arg(count));
    m_cancel->hide(); // a delete in flight is not interrupted halfway
    auto backend = m_backend;
    backend->remove(m_previewIds).then(this, [this, backend](const Result<qsizetype> &removed) {
        if (!removed) {
            setBusy(false, removed.error().toString());
            return;
        }
        m_removed = *removed;
        setBusy(false, tr("Deleted %1 of the %2 sessions listed (the others had ended already).")
                           .arg(QLocale().toString(*removed), QLocale().toString(m_previewIds.size())));
        m_previewIds.clear();
        m_list->clear();
    });
}

} // namespace si::ui
