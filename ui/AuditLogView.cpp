#include "AuditLogView.h"

#include "UntrustedText.h"
#include "core/inspector/AuditLog.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace si::ui {

AuditLogView::AuditLogView(QWidget *parent)
    : QWidget(parent)
    , m_path(new QLabel(this))
    , m_table(new QTableWidget(this))
{
    setObjectName(QStringLiteral("auditLogView"));
    m_table->setObjectName(QStringLiteral("auditTableWidget"));
    m_table->setAccessibleName(tr("Audit log"));
    m_table->setColumnCount(7);
    m_table->setHorizontalHeaderLabels(
        {tr("Time"), tr("Who"), tr("Profile"), tr("Action"), tr("Targets"), tr("Sessions"), tr("Outcome")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_path->setObjectName(QStringLiteral("auditPathLabel"));
    m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
    makePlain(m_path);
    auto *refresh = new QPushButton(tr("Reload"), this);
    refresh->setObjectName(QStringLiteral("reloadAuditButton"));
    connect(refresh, &QPushButton::clicked, this, &AuditLogView::reload);
    auto *top = new QHBoxLayout;
    top->addWidget(m_path, 1);
    top->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
}

void AuditLogView::setLog(std::shared_ptr<inspector::AuditLog> log)
{
    m_log = std::move(log);
    reload();
}

void AuditLogView::reload()
{
    m_table->setRowCount(0);
    if (!m_log) {
        m_path->setText(tr("No audit log"));
        return;
    }
    int skipped = 0;
    auto entries = m_log->read(0, &skipped);
    if (!entries) {
        m_path->setText(visibleText(entries.error().toString()));
        return;
    }
    m_path->setText(skipped > 0 ? tr("%1 (%2 unreadable lines skipped)").arg(m_log->path()).arg(skipped)
                                : m_log->path());
    m_table->setRowCount(int(entries->size()));
    int row = 0;
    for (auto it = entries->crbegin(); it != entries->crend(); ++it, ++row) { // newest first
        const json::Value entry(*it);
        const auto text = [&](const char *key) {
            const json::Value *v = entry.get(key);
            return v ? v->toQString() : QString();
        };
        QStringList targets;
        if (const json::Value *t = entry.get("targets"); t && t->isArray()) {
            for (const json::Value &v : t->array())
                targets << v.toQString();
        }
        const QDateTime when = QDateTime::fromString(text("time"), Qt::ISODateWithMs);
        const QStringList cells{when.isValid() ? when.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                                               : text("time"),
                                QStringLiteral("%1@%2").arg(text("user"), text("host")),
                                text("profile"),
                                text("action"),
                                targets.join(QStringLiteral(", ")),
                                QString::number(entry.get("count") ? entry.get("count")->toInt64().value_or(0) : 0),
                                text("outcome")};
        for (int c = 0; c < cells.size(); ++c)
            m_table->setItem(row, c, new QTableWidgetItem(visibleText(cells.at(c))));
    }
    m_table->resizeColumnsToContents();
}

} // namespace si::ui
