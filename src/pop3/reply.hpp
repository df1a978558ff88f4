// One POP3 reply as the client sees it: status, optional response code, text and, if multi-line, the body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pop3/response_code.hpp"
#include "pop3/violation.hpp"

namespace pop3 {

/// The status indicator of a reply.
enum class Status {
    ok,            ///< "+OK"
    err,           ///< "-ERR" (always single-line, RFC 1939 §3)
    continuation,  ///< "+ base64" in a SASL exchange (RFC 5034 §4)
    invalid,       ///< none of the above (bad_status_indicator was recorded)
};

/// A complete reply handed out by ReplyParser::take().
struct Reply {
    Status status = Status::invalid;
    /// The status line as received, without its line end (truncated at the status-line limit).
    std::string status_line;
    /// The RFC 2449 §8 response code, if the text starts with a valid one.
    std::optional<ResponseCode> code;
    /// The text after the indicator, its SP and the response code (and the SP after it). For a continuation, the
    /// base64 challenge (possibly empty: "+ \r\n", R5034-CLI-1).
    std::string text;
    /// True when a body followed the status line (+OK to a multi_line_if_ok expectation).
    bool multi_line = false;
    /// The dot-unstuffed body, every line ending CRLF, without the terminating ".CRLF". Empty when the body was
    /// streamed to a sink or discarded (BodyMode), or truncated at max_body (body_too_large).
    std::string body;
    /// Octets of unstuffed body content seen (counted in every BodyMode; with CRLF line ends, as LIST counts).
    std::uint64_t body_octets = 0;
    /// Lines of body content seen (counted in every BodyMode).
    std::uint64_t body_lines = 0;
    /// Octets of this reply on the wire (status line, body, terminator).
    std::uint64_t wire_octets = 0;
    /// Each kind of violation met in this reply, at most once each, sorted by value (so the list does not depend
    /// on how the input was split).
    std::vector<Violation> violations;
    /// Set when the reply was ended by a violation (strict mode) or cut by EOF: the reply is incomplete and the
    /// stream is out of sync. Empty for a complete reply, even one with (tolerated) violations.
    std::error_code error;

    /// True for a complete +OK reply.
    bool ok() const noexcept { return status == Status::ok && !error; }
    /// True when `v` was recorded.
    bool has(Violation v) const noexcept;
    /// The body's lines, each without its CRLF (views into `body`).
    std::vector<std::string_view> lines() const;
    /// Calls f(std::string_view line) for each body line without its CRLF; no allocation.
    template <class F>
    void for_each_line(F&& f) const {
        std::string_view rest = body;
        while (!rest.empty()) {
            std::size_t end = rest.find("\r\n");
            if (end == std::string_view::npos) {
                f(rest);
                return;
            }
            f(rest.substr(0, end));
            rest.remove_prefix(end + 2);
        }
    }
};

}  // namespace pop3
