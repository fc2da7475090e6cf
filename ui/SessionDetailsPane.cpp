#include "SessionDetailsPane.h"

#include "TokenMask.h"
#include "core/inspector/AuditLog.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace si::ui {

namespace {

constexpr int kValueRole = Qt::UserRole + 1; // the unmasked text behind an item

QString when(qint64 unix)
{
    if (unix <= 0)
        return QStringLiteral("—");
    return QDateTime::fromSecsSinceEpoch(unix).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString scalarText(const json::Value &value)
{
    switch (value.type()) {
    case json::Type::Null:
        return QStringLiteral("null");
    case json::Type::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case json::Type::Number:
        return QString::fromStdString(value.numberLiteral());
    case json::Type::String:
        return value.toQString();
    default:
        return {};
    }
}

} // namespace

SessionDetailsPane::SessionDetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_tree(new QTreeWidget(this))
    , m_raw(new QPlainTextEdit(this))
    , m_reveal(new QPushButton(tr("&Reveal"), this))
    , m_copy(new QPushButton(tr("&Copy value"), this))
    , m_clipboardTimer(new QTimer(this))
{
    setObjectName(QStringLiteral("sessionDetailsPane"));
    m_title->setObjectName(QStringLiteral("detailsTitleLabel"));
    QFont bold = m_title->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("detailsSummaryLabel"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_tabs->setObjectName(QStringLiteral("detailsTabWidget"));
    m_tree->setObjectName(QStringLiteral("documentTreeWidget"));
    m_tree->setHeaderLabels({tr("Key"), tr("Value")});
    m_tree->setAccessibleName(tr("Decoded session content"));
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setUniformRowHeights(true);
    m_raw->setObjectName(QStringLiteral("rawTextEdit"));
    m_raw->setReadOnly(true);
    m_raw->setAccessibleName(tr("Stored value"));
    m_raw->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_tabs->addTab(m_tree, tr("Content"));
    m_tabs->addTab(m_raw, tr("Stored value"));
    m_reveal->setObjectName(QStringLiteral("revealButton"));
    m_reveal->setCheckable(true);
    m_reveal->setToolTip(tr("Show tokens, secrets and the session id in full"));
    m_copy->setObjectName(QStringLiteral("copyButton"));
    m_copy->setToolTip(tr("Copy the selected value; the clipboard is cleared after 30 seconds"));
    m_clipboardTimer->setSingleShot(true);
    m_clipboardTimer->setInterval(30000);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_reveal);
    buttons->addWidget(m_copy);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(m_tabs, 1);
    layout->addLayout(buttons);

    connect(m_reveal, &QPushButton::toggled, this, &SessionDetailsPane::rebuild);
    connect(m_copy, &QPushButton::clicked, this, &SessionDetailsPane::copySelected);
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this, &SessionDetailsPane::copySelected);
    connect(m_clipboardTimer, &QTimer::timeout, this, [this] {
        QClipboard *clipboard = QApplication::clipboard();
        if (clipboard->text() == m_copied) // something else copied since stays
            clipboard->clear();
        m_copied.clear();
    });
    clear();
}

void SessionDetailsPane::setClipboardTimeout(int ms)
{
    m_clipboardTimer->setInterval(ms);
}

bool SessionDetailsPane::isRevealed() const
{
    return m_reveal->isChecked();
}

void SessionDetailsPane::clear()
{
    m_detail.reset();
    m_title->setText(tr("No session selected"));
    m_summary->setText(tr("Select a session in the table to see what it holds."));
    m_tree->clear();
    m_raw->clear();
    m_reveal->setChecked(false);
    m_reveal->setEnabled(false);
    m_copy->setEnabled(false);
}

void SessionDetailsPane::showLoading(const QString &id)
{
    m_detail.reset();
    m_reveal->setChecked(false);
    m_title->setText(tr("Loading session %1…").arg(inspector::sessionFingerprint(id)));
    m_summary->clear();
    m_tree->clear();
    m_raw->clear();
}

void SessionDetailsPane::showError(const QString &message)
{
    m_detail.reset();
    m_title->setText(tr("Cannot show this session"));
    m_summary->setText(message.toHtmlEscaped());
    m_tree->clear();
    m_raw->clear();
    m_reveal->setEnabled(false);
    m_copy->setEnabled(false);
}

void SessionDetailsPane::showSession(const inspector::SessionDetail &detail)
{
    const bool sameSession = m_detail && m_detail->row.id == detail.row.id;
    m_detail = detail;
    if (!sameSession)
        m_reveal->setChecked(false); // a new session starts masked
    m_reveal->setEnabled(true);
    m_copy->setEnabled(true);
    rebuild();
}

void SessionDetailsPane::rebuild()
{
    if (!m_detail)
        return;
    const bool reveal = m_reveal->isChecked();
    const inspector::SessionRow &row = m_detail->row;
    const inspector::SessionSummary &s = row.summary;
    const QString who = !s.name.isEmpty() ? s.name : !s.email.isEmpty() ? s.email : s.sub;
    m_title->setText(row.decoded() ? who : tr("Undecodable session"));
    const QLocale locale;
    const auto line = [](const QString &key, const QString &value) {
        return QStringLiteral("<tr><td><b>%1</b>&nbsp;</td><td>%2</td></tr>")
            .arg(key.toHtmlEscaped(), value.toHtmlEscaped());
    };
    QString html = QStringLiteral("<table>");
    html += line(tr("Session"), reveal ? row.id : inspector::sessionFingerprint(row.id));
    if (!row.decoded())
        html += line(tr("Problem"), row.error);
    if (!s.email.isEmpty())
        html += line(tr("Email"), s.email);
    html += line(tr("Subject"), s.sub);
    if (!s.sid.isEmpty())
        html += line(tr("IdP session"), s.sid);
    html += line(tr("Issuer"), s.issuer);
    html += line(tr("Created"), when(row.createdAt));
    html += line(tr("Last activity"), when(row.lastActivity));
    html += line(tr("Expires"), when(row.expiresAt));
    html += line(tr("Size"), tr("%1 stored, %2 as a cookie")
                                 .arg(locale.formattedDataSize(row.size), locale.formattedDataSize(row.cookieSize)));
    if (!row.keyId.isEmpty())
        html += line(tr("Key id"), row.keyId);
    html += QStringLiteral("</table>");
    m_summary->setText(html);

    m_tree->clear();
    if (m_detail->document.isObject() || m_detail->document.isArray()) {
        auto *root = m_tree->invisibleRootItem();
        if (m_detail->document.isObject()) {
            for (const json::Member &m : m_detail->document.object())
                addValue(root, QString::fromStdString(m.key), m.value, inspector::isCredentialKey(m.key));
        } else {
            int i = 0;
            for (const json::Value &v : m_detail->document.array())
                addValue(root, QString::number(i++), v, false);
        }
        m_tree->expandToDepth(1);
    }
    const QString stored = QString::fromLatin1(m_detail->storedValue);
    m_raw->setPlainText(reveal ? stored : maskedToken(stored));
}

void SessionDetailsPane::addValue(QTreeWidgetItem *parent, const QString &key, const json::Value &value,
                                  bool credential)
{
    auto *item = new QTreeWidgetItem(parent);
    item->setText(0, key);
    if (value.isObject()) {
        const auto members = value.object().members().size();
        item->setText(1, members == 1 ? tr("{1 member}") : tr("{%1 members}").arg(members));
        for (const json::Member &m : value.object())
            addValue(item, QString::fromStdString(m.key), m.value, credential || inspector::isCredentialKey(m.key));
        return;
    }
    if (value.isArray()) {
        const auto items = value.array().size();
        item->setText(1, items == 1 ? tr("[1 item]") : tr("[%1 items]").arg(items));
        int i = 0;
        for (const json::Value &v : value.array())
            addValue(item, QString::number(i++), v, credential);
        return;
    }
    const QString text = scalarText(value);
    const bool secret = value.isString() && !text.isEmpty() && (credential || looksLikeJose(text));
    item->setData(1, kValueRole, text);
    if (secret && !m_reveal->isChecked()) {
        item->setText(1, maskedToken(text));
        item->setForeground(1, palette().brush(QPalette::Disabled, QPalette::Text));
        item->setToolTip(1, tr("Masked: press Reveal to show it"));
    } else {
        item->setText(1, text);
    }
    // Times in claims (exp, iat, expires_at …) read better as dates.
    if (value.isNumber() &&
        (key == QLatin1String("exp") || key == QLatin1String("iat") || key == QLatin1String("nbf") ||
         key == QLatin1String("auth_time") || key.endsWith(QLatin1String("_at")))) {
        if (auto t = value.toInt64(); t && *t > 1000000000 && *t < 100000000000)
            item->setToolTip(1, QDateTime::fromSecsSinceEpoch(*t).toUTC().toString(Qt::ISODate));
    }
}

void SessionDetailsPane::copySelected()
{
    QString value;
    if (m_tabs->currentWidget() == m_raw && m_detail)
        value = QString::fromLatin1(m_detail->storedValue);
    else if (QTreeWidgetItem *item = m_tree->currentItem())
        value = item->data(1, kValueRole).toString();
    if (value.isEmpty())
        return;
    QApplication::clipboard()->setText(value);
    m_copied = value;
    m_clipboardTimer->start();
}

} // namespace si::ui
