#include "CookieHeader.h"

namespace si {

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

QByteArrayView trimmed(QByteArrayView v)
{
    qsizetype begin = 0, end = v.size();
    while (begin < end && isSpace(v[begin]))
        ++begin;
    while (end > begin && isSpace(v[end - 1]))
        --end;
    return v.sliced(begin, end - begin);
}

} // namespace

QList<Cookie> parseCookieHeader(QByteArrayView header)
{
    QByteArrayView rest = trimmed(header);
    if (rest.size() >= 7 && QByteArrayView(rest.first(7)).compare("cookie:", Qt::CaseInsensitive) == 0)
        rest = trimmed(rest.sliced(7));

    QList<Cookie> cookies;
    while (!rest.isEmpty()) {
        qsizetype end = rest.indexOf(';');
        if (end < 0)
            end = rest.size();
        const QByteArrayView pair = trimmed(rest.first(end));
        rest = end < rest.size() ? rest.sliced(end + 1) : QByteArrayView();
        const qsizetype eq = pair.indexOf('=');
        if (eq <= 0)
            continue;
        const QByteArrayView name = trimmed(pair.first(eq));
        QByteArrayView value = trimmed(pair.sliced(eq + 1));
        if (name.isEmpty())
            continue;
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
            value = value.sliced(1, value.size() - 2);
        cookies.append(Cookie{name.toByteArray(), value.toByteArray()});
    }
    return cookies;
}

} // namespace si
