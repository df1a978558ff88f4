// RFC 1939 §3 byte-stuffing of multi-line bodies, both ways, streaming; plus LIST sizes and the TOP line limiter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pop3/violation.hpp"

namespace pop3 {

/// Server side: turns stored message bytes, fed in any split, into the wire form of a multi-line body.
/// - line ends are normalised to CRLF: a stored bare LF becomes CRLF (RFC 1939 §11); a lone CR inside a line is
///   sent as it is;
/// - a '.' at the start of every line is doubled (RFC 1939 §3);
/// - finish() adds CRLF if the last line lacked one, then the terminator ".CRLF".
/// The output is the same whatever the split of the input.
class DotStuffer {
  public:
    /// Appends the wire form of `chunk` to `out`.
    void encode(std::string_view chunk, std::string& out);
    /// Appends the final CRLF if the message did not end with a line end, then ".\r\n". Resets for a new message.
    void finish(std::string& out);
    /// Octets of content sent so far, with CRLF line ends, without stuffing dots and terminator: after finish(),
    /// equal to size_as_sent(message) (what LIST must report, R1939-LIST-7).
    std::uint64_t content_octets() const noexcept { return content_octets_; }

  private:
    bool at_line_start_ = true;
    bool last_was_cr_ = false;
    bool finished_ = false;  // finish() ran: the next encode() starts a new message
    std::uint64_t content_octets_ = 0;
};

/// The size of a stored message as RETR sends it: octets with every line end counted as CRLF (a bare LF counts
/// two), no stuffing, the final CRLF counted if missing (RFC 1939 §5 LIST, §11; R1939-LIST-7, R1939-FMT-1).
std::uint64_t size_as_sent(std::string_view message);

/// Streaming size_as_sent(): feed the stored message in any split, then read size().
class WireSizeCounter {
  public:
    void add(std::string_view chunk) noexcept;
    /// The size as sent of everything added so far (the final CRLF included if missing).
    std::uint64_t size() const noexcept;

  private:
    std::uint64_t octets_ = 0;
    bool at_line_start_ = true;
    bool last_was_cr_ = false;
};

/// Server side "TOP n k" (RFC 1939 §7): passes the header, the blank line that ends it and the first k body lines
/// of a stored message fed in any split; then stops. A line ends at LF (CRLF or bare LF, as DotStuffer does); the
/// header ends at the first empty line. TOP n 0 gives the header and the blank line. A message without a blank
/// line is all header and passes whole.
class TopLimiter {
  public:
    explicit TopLimiter(std::uint64_t body_lines) noexcept : limit_(body_lines) {}
    /// How many leading octets of `chunk` belong to the TOP output (chunk.size() until the limit is reached).
    std::size_t accept(std::string_view chunk) noexcept;
    /// True once the limit was reached: every further octet is cut.
    bool done() const noexcept { return done_; }

  private:
    std::uint64_t limit_;
    std::uint64_t body_lines_seen_ = 0;
    std::size_t line_octets_ = 0;  // octets of the current line so far, line end excluded
    bool first_is_cr_ = false;     // the current line's first octet is CR (so "\r\n" is an empty line)
    bool in_body_ = false;
    bool done_ = false;
};

/// Result of DotDecoder::decode().
struct DotDecodeResult {
    std::size_t consumed = 0;  ///< octets of the input used; less than its size only when done or failed
    bool done = false;         ///< the terminator ".CRLF" was consumed (bytes after it are not consumed)
    std::error_code error;     ///< strict mode: the violation that stopped decoding (the decoder is then failed)
};

/// Client side: feed the wire bytes of a multi-line body (after the status line), in any split; it appends the
/// unstuffed content (every line ending CRLF) to `out`, finds the terminator CRLF.CRLF even when split across
/// feeds, and leaves the octets after the terminator unconsumed. Violations (bare LF, bare CR, NUL, over-long
/// line) are recorded (each kind once) and, in strict mode, stop the decoder. Scans with memchr; no allocation
/// except growing `out`.
class DotDecoder {
  public:
    struct Options {
        Strictness strictness = Strictness::tolerant;
        /// Longest body line on the wire, CRLF included (a memory guard: RFC 1939 §11 sets no limit on content lines).
        std::size_t max_line = std::size_t{1} << 20;
    };

    DotDecoder() = default;
    explicit DotDecoder(Options options) : options_(options) {}

    /// Decodes a slice of wire bytes, appending content to `out`.
    DotDecodeResult decode(std::string_view wire, std::string& out);
    /// Signals EOF: returns missing_terminator_at_eof unless the terminator was seen. Content of an unterminated
    /// last line is flushed to `out` first.
    std::error_code finish(std::string& out);
    /// Forgets all state for a new body (options kept).
    void reset() noexcept;

    bool done() const noexcept { return state_ == State::done; }
    bool failed() const noexcept { return state_ == State::failed; }
    /// Violations met so far, each kind once, sorted by value.
    const std::vector<Violation>& violations() const noexcept { return violations_; }
    /// Content octets and lines appended so far (after line-end normalisation).
    std::uint64_t content_octets() const noexcept { return content_octets_; }
    std::uint64_t content_lines() const noexcept { return content_lines_; }
    /// Wire octets consumed so far, terminator included.
    std::uint64_t wire_octets() const noexcept { return wire_octets_; }
    const Options& options() const noexcept { return options_; }

  private:
    enum class State { line_start, dot, dot_cr, in_line, done, failed };
    bool note(Violation v);  // records v; returns true when decoding must stop (strict)
    bool seen(Violation v) const noexcept { return (seen_mask_ & (1U << static_cast<unsigned>(v))) != 0; }

    Options options_{};
    State state_ = State::line_start;
    bool last_was_cr_ = false;     // in_line: the previous octet was a CR still waiting for its LF
    std::size_t line_octets_ = 0;  // wire octets of the current line so far
    bool line_too_long_noted_ = false;
    std::uint64_t content_octets_ = 0;
    std::uint64_t content_lines_ = 0;
    std::uint64_t wire_octets_ = 0;
    std::uint32_t seen_mask_ = 0;
    std::error_code error_;
    std::vector<Violation> violations_;
};

}  // namespace pop3
