// The typed protocol violations a POP3 server can commit on the wire, as seen by the client-side parsers.
#pragma once

#include <string_view>
#include <system_error>

namespace pop3 {

/// What the reply parser and the dot decoder do when they meet a violation.
enum class Strictness {
    strict,    ///< a violation ends the reply with an error (the stream is then out of sync: reset before reuse)
    tolerant,  ///< parse on as real clients do (bare LF ends a line, ...) and record the violation
};

/// A protocol violation by the server, or a limit it exceeded. Values are stable (they appear in reports).
enum class Violation {
    bare_lf = 1,                ///< LF not preceded by CR (RFC 1939 §3: lines end with CRLF)
    bare_cr,                    ///< CR not followed by LF
    nul_byte,                   ///< NUL octet in a status line or body
    status_line_too_long,       ///< status line over ReplyLimits::max_status_line (RFC 2449 §4: 512 with CRLF)
    body_line_too_long,         ///< body line over ReplyLimits::max_body_line (a memory guard; RFC sets no limit)
    body_too_large,             ///< stored body over ReplyLimits::max_body
    missing_terminator_at_eof,  ///< EOF inside a multi-line body (no CRLF.CRLF)
    eof_in_status_line,         ///< EOF after part of a status line, before its line end
    bad_status_indicator,       ///< first token is not +OK / -ERR (or "+" in a SASL exchange): "+ERR", "OK", garbage
    non_canonical_status,       ///< "+ok", "-Err": accepted in tolerant mode, RFC 1939 §3 writes them upper case
    no_space_after_status,      ///< "+OKfoo": indicator not followed by SP or line end
    bad_response_code,          ///< text starts with '[' but is not a valid RFC 2449 §8 response code
};

/// The error category of pop3::Violation ("pop3.violation").
const std::error_category& violation_category() noexcept;

/// Makes an error_code of violation_category().
std::error_code make_error_code(Violation v) noexcept;

/// A short stable identifier, e.g. "bare_lf" (for reports and test names).
std::string_view to_string(Violation v) noexcept;

}  // namespace pop3

template <>
struct std::is_error_code_enum<pop3::Violation> : std::true_type {};
