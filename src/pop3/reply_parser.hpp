// The client-side incremental (push) reply parser: feed it bytes in any split, take complete replies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "pop3/dot_stuffing.hpp"
#include "pop3/reply.hpp"
#include "pop3/violation.hpp"

namespace pop3 {

/// What the caller expects as the next reply (it alone knows which command the reply answers).
enum class ReplyKind {
    single_line,       ///< greeting, USER, PASS, STAT, LIST n, UIDL n, DELE, NOOP, RSET, QUIT, APOP, STLS, ...
    multi_line_if_ok,  ///< LIST, UIDL (no argument), RETR, TOP, CAPA, LANG (no argument): a body follows +OK
    sasl,              ///< during AUTH: "+ base64" continuation, or the final +OK / -ERR (RFC 5034 §4)
};

/// Size limits of the reply parser; each has its own violation. Defaults follow the RFCs where they set one.
struct ReplyLimits {
    /// Status line, CRLF included. RFC 2449 §4: responses (first line) are at most 512 octets.
    std::size_t max_status_line = 512;
    /// Body line on the wire, CRLF included. RFC 1939 §11 sets no limit on content lines; this is a generous
    /// memory guard (R1939-CLI-5: a 64 KiB line must parse).
    std::size_t max_body_line = std::size_t{1} << 20;
    /// Unstuffed body octets kept in Reply::body (BodyMode::store only).
    std::uint64_t max_body = std::uint64_t{64} << 20;
    /// Unstuffed body octets accepted in BodyMode::sink / discard (default: no limit).
    std::uint64_t max_streamed_body = UINT64_MAX;
};

/// Where the body of a multi-line reply goes.
enum class BodyMode {
    store,    ///< into Reply::body (bounded by ReplyLimits::max_body)
    sink,     ///< to the BodySink in chunks of unstuffed content (any split), Reply::body stays empty
    discard,  ///< counted (Reply::body_octets, body_lines) and dropped
};

/// Receives unstuffed body content in BodyMode::sink, in chunks of any size (concatenated, they are the body).
using BodySink = std::function<void(std::string_view chunk)>;

/// Options of a ReplyParser.
struct ReplyParserOptions {
    Strictness strictness = Strictness::tolerant;
    ReplyLimits limits{};
};

/// Result of ReplyParser::feed() / finish().
struct FeedResult {
    /// Octets of the input used. feed() stops right after the end of a reply: the rest (the next reply, or bytes
    /// that must not be parsed, RFC 2595 §4) stays with the caller. Partial lines are buffered inside.
    std::size_t consumed = 0;
    /// A reply is complete and waiting in take().
    bool reply_ready = false;
};

/// Incremental POP3 reply parser (Beast-style push parser, no I/O).
///
/// Usage: `expect(kind)` before each reply (calls queue up, for pipelining: RFC 2449 §6.6); then `feed()` bytes
/// until `reply_ready`, `take()` the reply, erase `consumed` bytes from your buffer and go on. Without an
/// expectation a reply is parsed as single_line (e.g. the greeting). Same result whatever the split of the input.
/// A status line over the limit, bare LF/CR, NUL etc. are typed violations: recorded on the Reply in tolerant
/// mode, ending the reply with Reply::error in strict mode (the parser then consumes nothing until reset()).
class ReplyParser {
  public:
    ReplyParser() = default;
    explicit ReplyParser(ReplyParserOptions options) : options_(options) {}

    /// Queues the kind of the next reply not yet started.
    void expect(ReplyKind kind);
    /// Expectations queued and not yet started.
    std::size_t pending_expectations() const noexcept { return expected_.size(); }

    /// Body handling for the following replies (takes effect at the next status line).
    void set_body_mode(BodyMode mode) noexcept { body_mode_ = mode; }
    /// Sets the sink for BodyMode::sink (and switches to it).
    void set_body_sink(BodySink sink);

    /// Capacity hint for the next stored body (e.g. the size LIST gave before RETR), capped at ReplyLimits::max_body,
    /// so a large body grows in few reallocations. Without a hint, a status text starting "<n> octets" (RFC 1939 §7's
    /// RETR example) is used the same way. The size comes from the server, so it is trusted only in proportion to
    /// what arrives: at most kMaxUpfrontBodyReserve is reserved at the status line, and when the body outgrows its
    /// capacity it grows to at most kHintGrowth times that capacity (never past the hint), so a 20-octet
    /// "+OK 99999999 octets" cannot make the client allocate 64 MiB.
    void reserve_body(std::size_t octets) noexcept { body_reserve_ = octets; }
    /// The most a size hint reserves before any body octet arrived.
    static constexpr std::size_t kMaxUpfrontBodyReserve = std::size_t{1} << 20;
    /// How many times its current capacity a hinted body may grow at once.
    static constexpr std::size_t kHintGrowth = 8;
    /// Storage for the next stored body: its content is cleared, its capacity reused (hand back the body of a reply
    /// you are done with to avoid allocating and page-faulting a fresh buffer for every RETR).
    void recycle_body_buffer(std::string&& buffer) noexcept { body_buffer_ = std::move(buffer); }

    /// Parses a slice of bytes. Consumes nothing while a reply is waiting in take() or after a strict failure.
    FeedResult feed(std::string_view bytes);
    /// Signals EOF. A reply in progress completes with an error: missing_terminator_at_eof inside a body,
    /// eof_in_status_line inside a status line. No reply when nothing was in progress.
    FeedResult finish();

    /// True when a complete reply is waiting.
    bool has_reply() const noexcept { return ready_.has_value(); }
    /// Hands out the completed reply (nullopt if none).
    std::optional<Reply> take();

    /// True between the first octet of a reply and its completion.
    bool in_reply() const noexcept { return phase_ != Phase::idle; }
    /// True after a strict-mode violation or a finish() (feed() then consumes nothing until reset()).
    bool failed() const noexcept { return phase_ == Phase::failed; }

    /// Drops every octet the parser holds that is not part of a reply already handed out: a partial status line or
    /// body, or a completed reply not yet taken. Returns how many wire octets were dropped, so the client can flag
    /// response injection (RFC 2595 §4, R2595-CLI-1: bytes after the +OK to STLS are never parsed). Also drops the
    /// queued expectations. Options, body mode and sink are kept.
    std::size_t discard_buffered();
    /// Back to the initial state (as after construction with the same options); queued expectations dropped.
    void reset();

    const ReplyParserOptions& options() const noexcept { return options_; }

  private:
    enum class Phase { idle, status_line, body, failed };
    void start_reply();
    bool note(Violation v);  // record; true when the reply must stop (strict)
    void finish_status_line();
    void complete();
    void fail(Violation v);
    void grow_hinted_body(std::size_t incoming);

    ReplyParserOptions options_{};
    std::deque<ReplyKind> expected_;
    BodyMode body_mode_ = BodyMode::store;
    BodySink sink_;
    Phase phase_ = Phase::idle;
    ReplyKind kind_ = ReplyKind::single_line;
    BodyMode reply_body_mode_ = BodyMode::store;
    Reply current_;
    std::optional<Reply> ready_;
    std::size_t status_octets_ = 0;  // wire octets of the status line so far
    bool status_last_cr_ = false;    // the last status-line octet was a CR
    bool status_overlong_ = false;
    DotDecoder decoder_{};
    std::string scratch_;      // decoder output in sink/discard mode
    std::string body_buffer_;  // recycled storage for the next stored body
    std::size_t body_reserve_ = 0;
    std::uint64_t body_hint_ = 0;  // the current stored body's size hint (capped at max_body), 0 when none
    std::uint64_t wire_in_reply_ = 0;
};

}  // namespace pop3
