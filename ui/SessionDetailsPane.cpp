#include "SessionDetailsPane.h"

#include "TokenMask.h"
#include "UntrustedText.h"
#include "core/inspector/AuditLog.h"
#include "core/oidc/ProviderCache.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

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

bool isTimeKey(const QString &key)
{
    return key == QLatin1String("exp") || key == QLatin1String("iat") || key == QLatin1String("nbf") ||
           key == QLatin1String("auth_time") || key.endsWith(QLatin1String("_at"));
}

bool isHmac(jose::SignatureAlgorithm alg)
{
    return alg == jose::SignatureAlgorithm::HS256 || alg == jose::SignatureAlgorithm::HS384 ||
           alg == jose::SignatureAlgorithm::HS512;
}

} // namespace

SessionDetailsPane::SessionDetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_tree(new QTreeWidget(this))
    , m_raw(new QPlainTextEdit(this))
    , m_tokens(new QTreeWidget(this))
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
    makePlain(m_title);
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
    m_tokens->setObjectName(QStringLiteral("tokenTreeWidget"));
    m_tokens->setHeaderLabels({tr("Token"), tr("Value")});
    m_tokens->setAccessibleName(tr("Tokens in this session: header, claims, expiry and signature"));
    m_tokens->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tokens->setUniformRowHeights(true);
    m_tabs->addTab(m_tree, tr("Content"));
    m_tabs->addTab(m_tokens, tr("Tokens"));
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
    m_inspected.clear();
    m_signatures.clear();
    ++m_generation;
    rebuildTokens();
    m_reveal->setChecked(false);
    m_reveal->setEnabled(false);
    m_copy->setEnabled(false);
}

void SessionDetailsPane::setTokenKeys(std::shared_ptr<oidc::ProviderCache> keys)
{
    m_keys = std::move(keys);
}

void SessionDetailsPane::showLoading(const QString &id)
{
    m_detail.reset();
    m_reveal->setChecked(false);
    m_title->setText(tr("Loading session %1…").arg(inspector::sessionFingerprint(id)));
    m_summary->clear();
    m_tree->clear();
    m_raw->clear();
    m_tokens->clear();
}

void SessionDetailsPane::showError(const QString &message)
{
    m_detail.reset();
    m_title->setText(tr("Cannot show this session"));
    m_summary->setText(visibleText(message).toHtmlEscaped());
    m_tree->clear();
    m_raw->clear();
    m_tokens->clear();
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
    m_inspected = oidc::inspectTokens(detail.document, QDateTime::currentSecsSinceEpoch());
    m_signatures.clear();
    checkSignatures();
    rebuild();
}

void SessionDetailsPane::checkSignatures()
{
    const quint64 generation = ++m_generation;
    if (!m_keys)
        return;
    for (const oidc::TokenInspection &token : std::as_const(m_inspected)) {
        if (!token.jwt || !token.jwt->jws.algorithm || isHmac(*token.jwt->jws.algorithm) ||
            token.jwt->stringClaim("iss").value_or(QString()) != m_keys->issuer())
            continue; // signatureText() says why it is not checked
        m_signatures.insert(token.path, std::nullopt);
        // The cache stays alive until the check is done, whatever the pane shows meanwhile; a
        // result for an older session is dropped.
        m_inFlight.append(m_keys);
        m_keys->verify(token.jwt->jws, oidc::inspectableAlgorithms())
            .then(this, [this, keys = m_keys.get(), generation, path = token.path](const Status &status) {
                const auto held = std::find_if(m_inFlight.begin(), m_inFlight.end(),
                                               [keys](const auto &cache) { return cache.get() == keys; });
                if (held != m_inFlight.end())
                    m_inFlight.erase(held);
                if (generation != m_generation)
                    return;
                m_signatures.insert(path, status);
                rebuildTokens();
            });
    }
}

QString SessionDetailsPane::signatureText(const oidc::TokenInspection &token) const
{
    const jose::ParsedJws &jws = token.jwt->jws;
    if (!jws.algorithm)
        return jws.algorithmName == QLatin1String("none") ? tr("✘ not signed (alg \"none\")")
                                                          : tr("✘ unknown algorithm \"%1\"").arg(jws.algorithmName);
    if (isHmac(*jws.algorithm))
        return tr("not checked: %1 is a MAC with the client secret, which the inspector does not hold")
            .arg(jws.algorithmName);
    if (!m_keys)
        return tr("not checked: the profile names no issuer");
    const QString iss = token.jwt->stringClaim("iss").value_or(QString());
    if (iss != m_keys->issuer())
        return tr("not checked: issued by \"%1\", not by the profile's issuer \"%2\"").arg(iss, m_keys->issuer());
    const auto found = m_signatures.constFind(token.path);
    if (found == m_signatures.cend() || !found->has_value())
        return tr("checking against the IdP's keys…");
    const Status &status = **found;
    const QString key = jws.kid.isEmpty() ? QString() : tr(", key %1").arg(jws.kid);
    if (status)
        return tr("✔ valid (%1%2, %3)").arg(jws.algorithmName, key, m_keys->issuer());
    switch (status.error().code) {
    case ErrorCode::NetworkError:
    case ErrorCode::Timeout:
    case ErrorCode::MalformedInput:
        return tr("could not be checked: %1").arg(status.error().toString());
    case ErrorCode::NotFound:
        return tr("✘ no key of the IdP matches (%1%2)").arg(jws.algorithmName, key);
    default:
        return tr("✘ invalid: %1").arg(status.error().message);
    }
}

void SessionDetailsPane::rebuildTokens()
{
    // Keep what the user opened across a rebuild (a signature result arriving, Reveal).
    QSet<QString> expanded;
    for (int i = 0; i < m_tokens->topLevelItemCount(); ++i) {
        QTreeWidgetItem *top = m_tokens->topLevelItem(i);
        if (!top->isExpanded())
            expanded.insert(QStringLiteral("%1/-").arg(i));
        for (int c = 0; c < top->childCount(); ++c) {
            if (top->child(c)->isExpanded())
                expanded.insert(QStringLiteral("%1/%2").arg(i).arg(c));
        }
    }
    const bool restore = m_tokens->topLevelItemCount() == m_inspected.size();
    m_tokens->clear();
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QStyle *style = m_tokens->style();
    int index = 0;
    for (const oidc::TokenInspection &token : std::as_const(m_inspected)) {
        auto *top = new QTreeWidgetItem(m_tokens);
        top->setText(0, visibleText(token.label));
        top->setToolTip(0, plainToolTip(token.path));
        new QTreeWidgetItem(top, {tr("Where"), visibleText(token.path)});
        if (!token.jwt) {
            top->setText(1, visibleText(token.problem));
            top->setIcon(0, style->standardIcon(QStyle::SP_MessageBoxInformation));
        } else {
            const QString signature = signatureText(token);
            const QString expiry = token.expiryText(now);
            top->setText(1, visibleText(QStringLiteral("%1 · %2").arg(signature, expiry)));
            top->setToolTip(1, plainToolTip(top->text(1)));
            QStyle::StandardPixmap icon = QStyle::SP_MessageBoxWarning;
            if (signature.startsWith(u'✔'))
                icon = QStyle::SP_DialogApplyButton;
            else if (signature.startsWith(u'✘'))
                icon = QStyle::SP_MessageBoxCritical;
            top->setIcon(0, style->standardIcon(icon));
            new QTreeWidgetItem(top, {tr("Signature"), visibleText(signature)});
            new QTreeWidgetItem(top, {tr("Expiry"), visibleText(expiry)});
            top->child(1)->setToolTip(1, plainToolTip(signature));
            auto *header = new QTreeWidgetItem(top, {tr("Header")});
            for (const json::Member &m : token.jwt->jws.header)
                addValue(header, QString::fromStdString(m.key), m.value, false);
            auto *claims = new QTreeWidgetItem(top, {tr("Claims")});
            for (const json::Member &m : token.jwt->claims)
                addValue(claims, QString::fromStdString(m.key), m.value, false);
            claims->setText(1, tr("{%1 claims}").arg(token.jwt->claims.size()));
        }
        top->setExpanded(!restore || !expanded.contains(QStringLiteral("%1/-").arg(index)));
        for (int c = 0; c < top->childCount(); ++c) {
            const bool claims = top->child(c)->text(0) == tr("Claims");
            top->child(c)->setExpanded(restore ? expanded.contains(QStringLiteral("%1/%2").arg(index).arg(c)) : claims);
        }
        ++index;
    }
    m_tabs->setTabText(m_tabs->indexOf(m_tokens),
                       m_inspected.isEmpty() ? tr("Tokens") : tr("Tokens (%1)").arg(m_inspected.size()));
}

void SessionDetailsPane::rebuild()
{
    if (!m_detail)
        return;
    const bool reveal = m_reveal->isChecked();
    const inspector::SessionRow &row = m_detail->row;
    const inspector::SessionSummary &s = row.summary;
    const QString who = !s.name.isEmpty() ? s.name : !s.email.isEmpty() ? s.email : s.sub;
    m_title->setText(row.decoded() ? visibleText(who) : tr("Undecodable session"));
    const QLocale locale;
    const auto line = [](const QString &key, const QString &value) {
        return QStringLiteral("<tr><td><b>%1</b>&nbsp;</td><td>%2</td></tr>")
            .arg(key.toHtmlEscaped(), visibleText(value).toHtmlEscaped());
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
    m_raw->setPlainText(visibleText(reveal ? stored : maskedToken(stored), true));
    rebuildTokens();
}

void SessionDetailsPane::addValue(QTreeWidgetItem *parent, const QString &key, const json::Value &value,
                                  bool credential)
{
    auto *item = new QTreeWidgetItem(parent);
    item->setText(0, visibleText(key));
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
        item->setText(1, visibleText(text));
    }
    // Times in claims (exp, iat, expires_at …) read better as dates.
    if (value.isNumber() && isTimeKey(key)) {
        if (auto t = value.toInt64(); t && *t > 1000000000 && *t < 100000000000) {
            item->setText(1, QStringLiteral("%1  (%2)").arg(visibleText(text), when(*t)));
            item->setToolTip(1, QDateTime::fromSecsSinceEpoch(*t).toUTC().toString(Qt::ISODate));
        }
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
