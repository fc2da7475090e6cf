#include "TextSinks.h"

#include "core/text/ControlText.h"
#include "tests/support/TestSupport.h"

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QComboBox>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTabBar>
#include <QTextDocument>
#include <QTextEdit>
#include <QtCharts/QChartView>

namespace si::test {

namespace {

QString objectLabel(const QObject *o)
{
    return QStringLiteral("%1 %2").arg(QLatin1String(o->metaObject()->className()), o->objectName());
}

// Qt's own rule for labels in AutoText and for tooltips.
TextSink sink(const QString &where, const QString &raw, bool rich)
{
    TextSink s{where, raw, raw, rich};
    if (rich) {
        QTextDocument doc;
        doc.setHtml(raw);
        s.visible = doc.toPlainText();
    }
    return s;
}

TextSink autoSink(const QString &where, const QString &raw)
{
    return sink(where, raw, Qt::mightBeRichText(raw));
}

void addModel(const QAbstractItemModel *model, const QModelIndex &parent, const QString &where, int depth,
              QList<TextSink> &out)
{
    const int rows = qMin(model->rowCount(parent), 500);
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < model->columnCount(parent); ++c) {
            const QModelIndex index = model->index(r, c, parent);
            const QString at = QStringLiteral("%1 [%2/%3,%4]").arg(where).arg(depth).arg(r).arg(c);
            const QString display = model->data(index, Qt::DisplayRole).toString();
            if (!display.isEmpty())
                out << sink(at, display, false);
            const QString tip = model->data(index, Qt::ToolTipRole).toString();
            if (!tip.isEmpty())
                out << autoSink(at + QStringLiteral(" tooltip"), tip);
            if (c == 0 && model->hasChildren(index) && depth < 12)
                addModel(model, index, where, depth + 1, out);
        }
    }
    for (int c = 0; c < model->columnCount(parent) && depth == 0; ++c) {
        const QString header = model->headerData(c, Qt::Horizontal).toString();
        if (!header.isEmpty())
            out << sink(where + QStringLiteral(" header"), header, false);
    }
}

void addWidget(const QWidget *w, QList<TextSink> &out)
{
    const QString where = objectLabel(w);
    if (!w->toolTip().isEmpty())
        out << autoSink(where + QStringLiteral(" tooltip"), w->toolTip());
    if (w->isWindow() && !w->windowTitle().isEmpty())
        out << sink(where + QStringLiteral(" title"), w->windowTitle(), false);
    if (const auto *label = qobject_cast<const QLabel *>(w)) {
        const Qt::TextFormat f = label->textFormat();
        const bool rich = f == Qt::RichText || (f == Qt::AutoText && Qt::mightBeRichText(label->text()));
        if (f == Qt::MarkdownText) {
            QTextDocument doc;
            doc.setMarkdown(label->text());
            out << TextSink{where, label->text(), doc.toPlainText(), true};
        } else {
            out << sink(where, label->text(), rich);
        }
    } else if (const auto *button = qobject_cast<const QAbstractButton *>(w)) {
        out << sink(where, button->text(), false);
    } else if (const auto *tabs = qobject_cast<const QTabBar *>(w)) {
        for (int i = 0; i < tabs->count(); ++i) {
            out << sink(where, tabs->tabText(i), false);
            if (!tabs->tabToolTip(i).isEmpty())
                out << autoSink(where + QStringLiteral(" tab tooltip"), tabs->tabToolTip(i));
        }
    } else if (const auto *plain = qobject_cast<const QPlainTextEdit *>(w)) {
        out << sink(where, plain->toPlainText(), false);
    } else if (const auto *edit = qobject_cast<const QTextEdit *>(w)) {
        out << TextSink{where, edit->toHtml(), edit->toPlainText(), true};
    } else if (const auto *line = qobject_cast<const QLineEdit *>(w)) {
        out << sink(where, line->text(), false);
    } else if (const auto *group = qobject_cast<const QGroupBox *>(w)) {
        out << sink(where, group->title(), false);
    } else if (const auto *combo = qobject_cast<const QComboBox *>(w)) {
        for (int i = 0; i < combo->count(); ++i)
            out << sink(where, combo->itemText(i), false);
    } else if (const auto *view = qobject_cast<const QAbstractItemView *>(w)) {
        if (view->model() && !qobject_cast<const QHeaderView *>(w)) // a header shows headerData only
            addModel(view->model(), view->rootIndex(), where, 0, out);
    }
    if (const auto *chart = qobject_cast<const QChartView *>(w)) {
        // Qt Charts draws titles and axis labels as HTML text items.
        for (const QGraphicsItem *item : chart->scene()->items()) {
            if (const auto *text = dynamic_cast<const QGraphicsTextItem *>(item))
                out << TextSink{where + QStringLiteral(" chart text"), text->toHtml(), text->toPlainText(), true};
        }
    }
}

} // namespace

QList<TextSink> collectTextSinks(const QWidget *root)
{
    QList<TextSink> out;
    addWidget(root, out);
    for (const QWidget *w : root->findChildren<QWidget *>())
        addWidget(w, out);
    return out;
}

QString unsafeDisplay(const TextSink &s)
{
    // Rendered, kHostileName is the heading "X" and the link "click", tags gone.
    static const QRegularExpression rendered(QStringLiteral("X\\s*click"));
    if (s.visible.contains(rendered))
        return QStringLiteral("markup rendered (the hostile heading and link)");
    if (s.visible.contains(QLatin1String("gnp.exe")) && !s.visible.contains(QLatin1String("<b>gnp.exe</b>")))
        return QStringLiteral("markup rendered (the hostile <b>)");
    // QTextDocument turns paragraphs into U+2029 in toPlainText: a line break, not an attack.
    QString visible = s.visible;
    visible.replace(QChar(0x2029), QLatin1Char('\n'));
    for (const QChar c : std::as_const(visible)) {
        if (c != QLatin1Char('\n') && text::isControl(c.unicode()))
            return QStringLiteral("control character U+%1 on screen").arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return {};
}

int countShowing(const QList<TextSink> &sinks, const QString &fragment)
{
    int n = 0;
    for (const TextSink &s : sinks)
        n += s.visible.contains(fragment);
    return n;
}

} // namespace si::test
