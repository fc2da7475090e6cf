#include "SessionExport.h"

#include "Redaction.h"
#include "core/text/ControlText.h"

#include <QDateTime>

namespace si::inspector {

namespace {

json::Value jsonTime(qint64 t)
{
    return t > 0 ? json::Value(std::int64_t(t)) : json::Value();
}

QString isoTime(qint64 t)
{
    return t > 0 ? QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODate) : QString();
}

QString csvField(const QString &value)
{
    // Spreadsheets run cells that start with = + - @ as formulas, and skip a leading tab or CR
    // before looking (OWASP's CSV injection list). The CSV is a report for people: control
    // characters are escaped (the exact values are in the JSON lines export).
    const bool formula = !value.isEmpty() && QStringLiteral("=+-@\t\r").contains(value.front());
    QString v = text::escapeControls(value);
    if (formula)
        v.prepend(QLatin1Char('\''));
    if (v.contains(QLatin1Char(',')) || v.contains(QLatin1Char('"')) || v.contains(QLatin1Char('\n')) ||
        v.contains(QLatin1Char('\r'))) {
        v.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        v = QLatin1Char('"') + v + QLatin1Char('"');
    }
    return v;
}

} // namespace

json::Object rowJson(const SessionRow &row)
{
    json::Object o;
    o.append("id", row.id);
    o.append("sub", row.summary.sub);
    o.append("sid", row.summary.sid);
    o.append("iss", row.summary.issuer);
    o.append("email", row.summary.email);
    o.append("name", row.summary.name);
    o.append("created_at", jsonTime(row.createdAt));
    o.append("last_activity", jsonTime(row.lastActivity));
    o.append("expires_at", jsonTime(row.expiresAt));
    o.append("size", std::int64_t(row.size));
    o.append("cookie_size", row.cookieSize > 0 ? json::Value(std::int64_t(row.cookieSize)) : json::Value());
    o.append("key_id", row.keyId);
    o.append("error", row.error.isEmpty() ? json::Value() : json::Value(row.error));
    return o;
}

SessionExporter::SessionExporter(Format format, bool redacted)
    : m_format(format)
    , m_redacted(redacted)
{}

std::string SessionExporter::header() const
{
    if (m_format != Format::Csv)
        return {};
    return "id,sub,sid,iss,email,name,created_at,last_activity,expires_at,size,cookie_size,error\n";
}

void SessionExporter::append(const SessionRow &row, const json::Value *document, std::string &out) const
{
    if (m_format == Format::Csv) {
        QStringList f{row.id,
                      row.summary.sub,
                      row.summary.sid,
                      row.summary.issuer,
                      row.summary.email,
                      row.summary.name,
                      isoTime(row.createdAt),
                      isoTime(row.lastActivity),
                      isoTime(row.expiresAt),
                      QString::number(row.size),
                      row.cookieSize > 0 ? QString::number(row.cookieSize) : QString(),
                      row.error};
        for (QString &v : f)
            v = csvField(v);
        out += f.join(QLatin1Char(',')).toStdString();
        out.push_back('\n');
        return;
    }
    json::Object o = rowJson(row);
    if (document) {
        json::Value doc = *document;
        if (m_redacted)
            redact(doc);
        o.append("session", std::move(doc));
    }
    json::serializeTo(json::Value(std::move(o)), json::Style::Line, out);
    out.push_back('\n');
}

} // namespace si::inspector
