#pragma once

#include "SessionBackend.h"

#include <string>

namespace si::inspector {

// A listing row's metadata as JSON: id, sub, sid, iss, email, name, times (unix seconds or null),
// sizes, key id, error (null when decoded). What `sessionctl list --json` and exports print.
json::Object rowJson(const SessionRow &row);

// Turns streamed rows into export lines, for sessionctl export and the window's Export.
//   JsonLines: rowJson plus "session" (the decoded document; tokens and secrets masked unless
//              `redacted` is false).
//   Csv:       one header line, then the metadata; cells that a spreadsheet would run as a formula
//              (= + - @) are quoted with a leading apostrophe.
class SessionExporter {
public:
    enum class Format { JsonLines, Csv };
    SessionExporter(Format format, bool redacted);

    // The first line (CSV's header), with its newline; empty for JSON lines.
    std::string header() const;
    // Appends one row's line, with its newline, to `out`.
    void append(const SessionRow &row, const json::Value *document, std::string &out) const;
    bool redacted() const { return m_redacted; }

private:
    Format m_format;
    bool m_redacted;
};

} // namespace si::inspector
