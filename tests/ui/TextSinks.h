#pragma once

// Every place a window shows text, read back as a person would see it: labels (rich or plain,
// as Qt decides), tooltips, buttons, tabs, window titles, editors, item views (display and
// tooltip data of every row), chart texts, message boxes. For the untrusted-text checks.

#include <QList>
#include <QString>

class QWidget;

namespace si::test {

struct TextSink {
    QString where;   // "QLabel detailsTitleLabel", "sessionTableView row 3 column 1 tooltip", …
    QString raw;     // what the widget was given
    QString visible; // what it shows: the document text when Qt renders `raw` as rich text
    bool rich = false;
};

// `root` and every widget below it.
QList<TextSink> collectTextSinks(const QWidget *root);

// Why a sink shows attacker-controlled text unsafely, or an empty string: markup interpreted (the
// hostile name's heading and link rendered, the hostile sub's <b> applied) or a control character
// on screen (ESC, BEL, C1, bidi overrides).
QString unsafeDisplay(const TextSink &sink);

// How many sinks show `fragment` literally.
int countShowing(const QList<TextSink> &sinks, const QString &fragment);

} // namespace si::test
