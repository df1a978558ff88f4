#pragma once
// Escaping for the report formats. Transcripts and server replies hold arbitrary bytes (NUL, control characters,
// invalid UTF-8); whatever they hold, every writer must produce a well-formed document. The functions here first
// make text valid, printable UTF-8 and then apply the target syntax's escapes.

#include <cstddef>
#include <string>
#include <string_view>

namespace pop3::report {

/// Valid UTF-8 that is safe in XML 1.0 and HTML text: bytes that are not part of a well-formed UTF-8 sequence
/// become `\xNN`; control characters other than TAB, LF and CR become `\xNN` (C0, DEL) or `\uNNNN` (C1); the
/// noncharacters U+FFFE and U+FFFF and U+FDD0..U+FDEF become `\uNNNN`. Everything else is kept as is.
std::string sanitize_utf8(std::string_view text);

/// As sanitize_utf8, then `& < > " '` as character entities: safe in XML and HTML text and in quoted attributes.
/// Newlines are kept (use escape_attribute for attributes whose value should keep them).
std::string escape_markup(std::string_view text);

/// As escape_markup, and TAB, LF and CR as character references so attribute-value normalisation keeps them.
std::string escape_attribute(std::string_view text);

/// Text for one Markdown table cell or list item: sanitized, on one line (line breaks become spaces), Markdown
/// punctuation backslash-escaped and `& < >` as entities so no HTML or link reaches the renderer; cut to
/// `max_chars` bytes (at a character boundary) with an ellipsis.
std::string escape_markdown(std::string_view text, std::size_t max_chars = 400);

/// Cuts sanitized UTF-8 to at most `max_bytes` bytes at a character boundary, appending "…" when it cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace pop3::report
