// Server side: framing client bytes into command lines, and parsing one command line (RFC 1939 §3, RFC 2449 §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pop3/result.hpp"

namespace pop3 {

/// Why a command line was rejected.
enum class CommandError {
    empty_line = 1,      ///< nothing before the line end
    keyword_too_short,   ///< RFC 1939 §3: keywords are 3 or 4 characters
    keyword_too_long,    ///<   "
    bad_keyword_char,    ///< a keyword character that is not an ASCII letter
    argument_too_long,   ///< RFC 1939 §3: an argument is at most 40 characters
    too_many_arguments,  ///< more than CommandLimits::max_arguments
    line_too_long,       ///< RFC 2449 §4: 255 octets with CRLF
    nul_byte,            ///< NUL in the line
    control_character,   ///< another octet below 0x20 (CR, TAB, ...) or DEL
    leading_space,       ///< the line starts with SP
    double_space,        ///< two SP in a row: arguments are separated by a single SP
    trailing_space,      ///< SP before the line end
};

/// The error category of pop3::CommandError ("pop3.command").
const std::error_category& command_category() noexcept;
std::error_code make_error_code(CommandError e) noexcept;

}  // namespace pop3

template <>
struct std::is_error_code_enum<pop3::CommandError> : std::true_type {};

namespace pop3 {

/// The limits of a command line. Defaults are the RFC values.
struct CommandLimits {
    /// RFC 2449 §4: a command line is at most 255 octets, CRLF included.
    std::size_t max_line = 255;
    /// RFC 1939 §3: keywords are three or four characters.
    std::size_t min_keyword = 3;
    std::size_t max_keyword = 4;
    /// RFC 1939 §3: each argument up to 40 characters. Not applied to AUTH's initial response (RFC 5034 §4 sends
    /// it as an argument of up to the line limit).
    std::size_t max_argument = 40;
    std::size_t max_arguments = 8;
    /// Octets of 0x80-0xFF are accepted in arguments (RFC 6856 UTF8 user names and passwords).
    bool allow_8bit = true;
};

/// A parsed command line.
struct Command {
    /// The keyword, upper-cased (keywords are case-insensitive, RFC 1939 §3).
    std::string keyword;
    /// The arguments split on single SP. For PASS the whole rest of the line is one argument (RFC 1939 §7: a
    /// password may contain spaces), so PASS has at most one argument.
    std::vector<std::string> args;
    /// Everything after the keyword and its SP, as received (PASS with spaces, AUTH initial response).
    std::string rest;

    /// The command as a wire line: keyword, SP-separated args, CRLF. parse_command(to_line() minus CRLF) gives an
    /// equal Command (the fuzzers check this).
    std::string to_line() const;
    bool operator==(const Command&) const = default;
};

/// Parses one command line given without its line end. `line.size() + 2` is checked against max_line.
Result<Command> parse_command(std::string_view line_without_crlf, const CommandLimits& limits = {});

/// How a framed line ended.
enum class LineEnd {
    crlf,
    bare_lf,  ///< accepted as a line end: RFC 1939 never asks a server to fail on it (and real clients send it)
};

/// One line out of the CommandFramer.
struct FramedLine {
    /// The line without its line end. For an over-long line: its first max_line octets only.
    std::string text;
    LineEnd end = LineEnd::crlf;
    /// Octets of the line on the wire, line end included.
    std::uint64_t wire_octets = 0;
    /// CommandError::line_too_long when the line exceeded the limit: answer it with one -ERR, do not parse it
    /// (R2449-LEN-3: the overflow is never a second command).
    std::error_code error;
};

/// Splits client bytes into command lines with a bounded buffer (Beast-style push framer, no I/O).
///
/// feed() consumes bytes up to and including the end of one line, then stops (next() hands the line out), so
/// pipelined commands (RFC 2449 §6.6) come out one at a time, in order. A line longer than max_line octets
/// (CRLF included) is not buffered past the limit: the framer skips to the next LF and then yields it once, with
/// error line_too_long; the octets after that LF start a fresh line (resynchronisation). A bare LF ends a line
/// (LineEnd::bare_lf). A CR not followed by LF stays in the line (parse_command rejects it as control_character).
class CommandFramer {
  public:
    explicit CommandFramer(std::size_t max_line = 255) : max_line_(max_line) {}

    /// Consumes bytes; stops after one complete line. Consumes nothing while a line waits in next().
    std::size_t feed(std::string_view bytes);
    /// The completed line, if any.
    std::optional<FramedLine> next();
    /// True when a complete line waits.
    bool has_line() const noexcept { return ready_.has_value(); }
    /// Octets buffered of an incomplete line (bounded by max_line).
    std::size_t buffered() const noexcept { return partial_.size(); }
    /// True while skipping the rest of an over-long line.
    bool discarding() const noexcept { return overflow_; }
    /// Wire octets of the line in progress (also counts skipped octets of an over-long line).
    std::uint64_t line_octets() const noexcept { return line_octets_; }
    /// Drops the partial line and any waiting line; returns the octets dropped (after STLS, RFC 2595 §4: a server
    /// must not act on commands pipelined before the TLS handshake).
    std::size_t discard_buffered();

  private:
    std::size_t max_line_;
    std::string partial_;
    bool overflow_ = false;
    bool last_cr_ = false;  // the last octet of the line so far is CR
    std::uint64_t line_octets_ = 0;
    std::optional<FramedLine> ready_;
};

}  // namespace pop3
