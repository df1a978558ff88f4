// The pure POP3 session engine of the reference server (DESIGN.md "Session engine").
//
// A Session consumes client bytes and produces the bytes to send plus the next thing the transport must do. It owns
// no socket, thread or wall clock: time comes from SessionConfig::clock, unique ids from SessionConfig::next_id and
// storage from an injected Store, so tests and fuzzers drive it in-process.
//
// The transport's loop (one step at a time, in order):
//
//     session.start();                                   // queues the greeting
//     for (;;) switch (session.next()) {
//       case Session::Next::write:     n = write(session.pending_output()); session.consume_output(n); break;
//       case Session::Next::read:      arm idle_timeout(); bytes = read(); session.feed(bytes);   // or timed_out()
//                                      break;                                                     // or disconnected()
//       case Session::Next::wait:      sleep wait_duration(); session.resume(); break;
//       case Session::Next::start_tls: handshake; session.tls_started(); break;   // on failure: close
//       case Session::Next::close:     close the connection; return;
//     }
//
// Pipelined commands are executed one at a time, in order; the next one is not looked at until the whole reply to the
// previous one (a multi-line body streamed from the store in chunks) has been taken with consume_output().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.hpp"

namespace pop3::server {

/// The engine's notion of time: a function returning "now". Injected so tests and fuzzers are deterministic.
using Clock = std::function<std::chrono::system_clock::time_point()>;

/// A source of unique numbers (the APOP banner's counter). Must be safe to call from several threads when the
/// config is shared across threads; tests pass a fixed or counting function.
using IdSource = std::function<std::uint64_t()>;

/// Remembers each user's last successful login, for RFC 2449 §6.5 LOGIN-DELAY. Thread-safe; shared by all sessions.
class LoginHistory {
  public:
    /// Returns true and records `now` as the user's login time if the last login was at least `delay` ago (or there
    /// was none); returns false, recording nothing, otherwise.
    bool try_login(const std::string& user, std::chrono::system_clock::time_point now, std::chrono::seconds delay);

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::chrono::system_clock::time_point> last_;
};

/// Test-only fault flags (issue 5's server "mutants", docs/mutation-testing.md): each one deliberately breaks one RFC
/// rule the way a real server once did. All off by default; the shipped server never sets them (no configuration
/// key or flag reaches SessionConfig::faults). Each is checked with one `if` on the path it breaks.
enum class SessionFault : std::uint64_t {
    none = 0,
    // -- maildrop listing (RFC 1939 §5) --
    stat_counts_deleted = 1ULL << 0,   ///< STAT counts messages marked deleted (billpg/POP3Listener #9)
    list_shows_deleted = 1ULL << 1,    ///< LIST lists messages marked deleted (twisted #9094)
    uidl_shows_deleted = 1ULL << 2,    ///< UIDL lists messages marked deleted (twisted #9094)
    deleted_still_served = 1ULL << 3,  ///< RETR/TOP/LIST n/UIDL n of a deleted message answer +OK (D1)
    dele_twice_accepted = 1ULL << 4,   ///< DELE of a deleted message answers +OK and counts it twice
    renumber_after_dele = 1ULL << 5,   ///< DELE renumbers the messages after it (RFC 1939 §5 forbids)
    numbers_off_by_one = 1ULL << 6,    ///< message n is served as message n+1 (0- vs 1-based index)
    number_atoi = 1ULL << 7,           ///< "1abc" is read as 1, "abc" as 0 (popper's atoi, D3)
    number_zero_is_first = 1ULL << 8,  ///< message number 0 names message 1 (apache/james PR #2575)
    number_wraps_32bit = 1ULL << 9,    ///< 2^32+1 aliases message 1 (D3)
    list_n_multiline = 1ULL << 10,     ///< LIST n answered with the whole listing (mailpit #518)
    sizes_with_lf = 1ULL << 11,        ///< LIST/STAT sizes counted with LF line ends (D10)
    // -- bodies and framing (RFC 1939 §3, §7) --
    no_byte_stuffing = 1ULL << 12,            ///< RETR and TOP send "."-lines unstuffed (mailpit #299, greenmail #475)
    no_byte_stuffing_top = 1ULL << 13,        ///< only TOP forgets the stuffing (hmailserver #126, greenmail #984)
    top_zero_sends_body = 1ULL << 14,         ///< TOP n 0 sends the whole body (0 read as "no limit")
    top_counts_separator = 1ULL << 15,        ///< TOP n k counts the blank separator line as a body line (D24)
    top_advertised_missing = 1ULL << 16,      ///< CAPA lists TOP but TOP answers -ERR (D7: WildDuck, cmail)
    no_final_crlf = 1ULL << 17,               ///< a body without a final line end gets "." glued to its last line
    eight_bit_stripped = 1ULL << 18,          ///< the high bit of body octets is cleared (7-bit transport)
    lf_line_ends = 1ULL << 19,                ///< status lines end with a bare LF (D5)
    empty_listing_unterminated = 1ULL << 20,  ///< an empty LIST/UIDL listing has no terminating "." line
    status_lower_case = 1ULL << 21,           ///< "+ok" instead of "+OK" (RFC 1939 §3, D12)
    reply_over_512 = 1ULL << 22,              ///< -ERR echoes the whole offending line, past 512 octets (RFC 2449 §4)
    // -- UPDATE, RSET, locking (RFC 1939 §4, §6) --
    update_on_disconnect = 1ULL << 23,        ///< deletions are applied when the client drops the connection
    update_on_autologout = 1ULL << 24,        ///< deletions are applied when the autologout timer fires (slow)
    rset_keeps_deletions = 1ULL << 25,        ///< RSET answers +OK but unmarks nothing
    rset_keeps_counters = 1ULL << 26,         ///< RSET unmarks the messages but STAT still subtracts them
    quit_authorization_update = 1ULL << 27,   ///< QUIT in AUTHORIZATION runs UPDATE without a maildrop and fails
    lock_kept_after_disconnect = 1ULL << 28,  ///< a dropped connection leaves the maildrop locked (stale lock)
    // -- UIDL (RFC 1939 §7) --
    uidl_unstable = 1ULL << 29,          ///< unique-ids change from one session to the next (WildDuck, D8)
    uidl_duplicate = 1ULL << 30,         ///< different messages share a unique-id (truncated ids, D8)
    uidl_forbidden_chars = 1ULL << 31,   ///< unique-ids contain octets outside 0x21-0x7E
    uidl_too_long = 1ULL << 32,          ///< unique-ids longer than 70 characters (the Fastmail report, D8)
    uidl_n_without_number = 1ULL << 33,  ///< UIDL n answers "+OK uid" without the number (twisted #9104)
    // -- AUTHORIZATION (RFC 1939 §4, §7; RFC 5034; RFC 3206) --
    pass_without_user = 1ULL << 34,      ///< PASS works without a USER right before it (D15)
    any_password_accepted = 1ULL << 35,  ///< PASS accepts a wrong password for an existing user
    apop_any_digest = 1ULL << 36,        ///< APOP accepts any well-formed digest
    apop_after_user = 1ULL << 37,        ///< APOP is accepted right after a successful USER
    apop_timestamp_reused = 1ULL << 38,  ///< every greeting carries the same APOP timestamp
    no_auth_code = 1ULL << 39,           ///< a bad password gets -ERR without [AUTH] (RFC 3206 §4)
    auth_cancel_ignored = 1ULL << 40,    ///< AUTH's "*" does not cancel: another challenge follows
    // -- states and syntax (RFC 1939 §3) --
    transaction_commands_before_login = 1ULL << 41,  ///< STAT, NOOP, RSET answer +OK in AUTHORIZATION
    login_commands_after_login = 1ULL << 42,         ///< USER, PASS, APOP, AUTH answer +OK in TRANSACTION
    unknown_command_ok = 1ULL << 43,                 ///< unknown commands answer +OK
    keywords_case_sensitive = 1ULL << 44,            ///< only upper-case keywords are recognised
    overlong_line_split = 1ULL << 45,                ///< a line over 255 octets is run as two commands (D6)
    // -- pipelining and STLS (RFC 2449 §6.6, RFC 2595 §4) --
    pipelined_dropped = 1ULL << 46,    ///< commands buffered behind the current one are thrown away
    pipelined_reordered = 1ULL << 47,  ///< a pipelined reply is sent after the reply that follows it
    stls_injection = 1ULL << 48,       ///< plaintext pipelined after STLS runs inside TLS (CVE-2011-0411)
    stls_in_transaction = 1ULL << 49,  ///< STLS is accepted after login (RFC 2595 §4)
    capa_stls_always = 1ULL << 50,     ///< CAPA lists STLS after login and after TLS (RFC 2595 §4)
    // -- response codes (RFC 2449 §8, RFC 3206), graded SHOULD or implied by the suite: strict-profile mutants --
    in_use_without_code = 1ULL << 51,  ///< a login refused for a locked maildrop lacks [IN-USE] (D9)
    auth_code_on_user = 1ULL << 52,    ///< USER of an unknown name answers -ERR [AUTH] (R3206-AUTH-2, D31)
};

/// The bit of a SessionFault, for SessionConfig::faults.
constexpr std::uint64_t fault_bit(SessionFault fault) noexcept {
    return static_cast<std::uint64_t>(fault);
}

/// Everything a session needs to know about the server it belongs to. Shared (read-only) by all sessions of a
/// listener: hold it in a std::shared_ptr<const SessionConfig>.
struct SessionConfig {
    /// Host name in the APOP timestamp `<pid.counter.time@hostname>` (RFC 1939 §7 APOP).
    std::string hostname = "localhost";
    /// The process id part of the APOP timestamp (a fixed value keeps fuzzing deterministic).
    std::uint64_t pid = 0;
    /// Accounts: user name -> shared secret, used by PASS, APOP and AUTH PLAIN.
    std::map<std::string, std::string, std::less<>> users;

    /// Whether USER/PASS, APOP and AUTH PLAIN are allowed on a connection without TLS. When false, CAPA advertises
    /// neither USER nor SASL PLAIN before TLS and all three get -ERR (RFC 2595 §4 and §6, RFC 5034 §6). On by
    /// default for test rigs.
    bool allow_plaintext_auth = true;
    /// Whether APOP is offered (the greeting then carries a timestamp, RFC 1939 §7).
    bool apop_enabled = true;
    /// Whether STLS can be offered (the transport has a certificate and key). CAPA lists STLS only in
    /// AUTHORIZATION and only until TLS is active (RFC 2595 §4).
    bool tls_available = false;

    /// RFC 2449 §6.5 LOGIN-DELAY in seconds; 0 disables it (not advertised, not enforced). Enforced through
    /// login_history when set.
    std::chrono::seconds login_delay{0};
    /// Shared record of last logins for LOGIN-DELAY; required when login_delay > 0, otherwise unused.
    std::shared_ptr<LoginHistory> login_history;
    /// RFC 2449 §6.7 EXPIRE argument advertised in CAPA ("NEVER", or a number of days); empty: not advertised.
    /// Only advertised: the server itself never expires mail.
    std::string expire = "NEVER";
    /// RFC 2449 §6.9 IMPLEMENTATION string, advertised in TRANSACTION only; empty: not advertised.
    std::string implementation = "pop3spec-server";

    /// After this many failed authentications in one session the server replies and closes (RFC 1939 §4 allows
    /// closing after any -ERR in AUTHORIZATION). 0: never close for this reason.
    unsigned max_failed_auths = 3;
    /// Delay after each failed authentication, honoured by the transport (Next::wait), not a sleep in the engine.
    std::chrono::milliseconds failed_auth_delay{1000};
    /// After this many consecutive bad commands (unknown, wrong state, bad arguments, over-long) the server replies
    /// and closes. 0: never.
    unsigned max_bad_commands = 20;
    /// Largest message RETR/TOP will serve, in octets as sent; larger ones get -ERR [SYS/PERM]. 0: no limit.
    std::uint64_t max_message_size = 0;

    /// Idle timeout before authentication (RFC 1939 §3 says nothing there; shorter to shed idle connections).
    std::chrono::milliseconds authorization_timeout{std::chrono::minutes(2)};
    /// Autologout timer in TRANSACTION: RFC 1939 §3 requires at least 10 minutes.
    std::chrono::milliseconds transaction_timeout{std::chrono::minutes(10)};

    /// Longest command line in octets including CRLF (RFC 2449 §4: at least 255).
    std::size_t max_command_line = 255;
    /// Longest AUTH continuation line in octets including CRLF (RFC 5034 §4 sets no limit; at least ~2 KiB).
    std::size_t max_auth_line = 8192;
    /// Size of the chunks a multi-line body is streamed in (octets read from the store per refill).
    std::size_t stream_chunk = 64 * 1024;

    /// Time source (LOGIN-DELAY, APOP timestamp). Defaults to std::chrono::system_clock::now.
    Clock clock = [] { return std::chrono::system_clock::now(); };
    /// Counter for the APOP timestamp; the default is a process-wide atomic counter.
    IdSource next_id;

    /// Optional log sink: one line per event (commands with secrets redacted, replies' status lines, state changes).
    /// Called synchronously; must not call back into the session.
    std::function<void(std::string_view)> log;

    /// Test-only: OR of SessionFault bits. Never set in the shipped server.
    std::uint64_t faults = 0;
};

/// Per-connection facts the transport knows at accept time.
struct SessionOptions {
    /// The connection is already TLS (an RFC 8314 implicit-TLS listener): STLS gets -ERR and plaintext-only
    /// restrictions do not apply.
    bool tls_active = false;
};

/// RFC 1939 §3 session states.
enum class SessionState { authorization, transaction, update, closed };

/// One POP3 session: a state machine from client bytes to server bytes. Not thread-safe (one connection, one strand).
class Session {
  public:
    /// What the transport must do next.
    enum class Next {
        write,      ///< Send pending_output() and report what was sent with consume_output().
        read,       ///< Wait (at most idle_timeout()) for client bytes and pass them to feed().
        wait,       ///< Wait wait_duration() (delay after a failed login), then call resume(). Read nothing.
        start_tls,  ///< Perform the TLS handshake (RFC 2595 §4), then call tls_started(); close on failure.
        close       ///< Close the connection; the session is over.
    };

    /// Creates a session in AUTHORIZATION. `config` and `store` must outlive it.
    Session(std::shared_ptr<const SessionConfig> config, Store& store, SessionOptions options = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// Queues the greeting (RFC 1939 §4), with the APOP timestamp when APOP is enabled.
    void start();

    /// Passes client bytes in; they are processed lazily, one command at a time, as output is consumed. Returns the
    /// number of bytes accepted: all of them unless more than max_input_buffer() bytes are already waiting (a
    /// transport that only reads on Next::read never sees a short count). Bytes fed during Next::start_tls or after
    /// close are discarded (RFC 2595 §4: nothing sent in plaintext after STLS is ever executed).
    std::size_t feed(std::string_view bytes);

    /// The next step; see Next. Advances the engine (processes buffered commands, refills a streamed body) as needed.
    [[nodiscard]] Next next();

    /// Bytes ready to send (empty unless next() said write). Valid until the next call on the session.
    [[nodiscard]] std::string_view pending_output();

    /// Marks the first n bytes of pending_output() as sent.
    void consume_output(std::size_t n);

    /// After Next::wait: the delay has passed.
    void resume();

    /// After Next::start_tls: the handshake succeeded. Input buffered so far is discarded; CAPA changes.
    void tls_started();

    /// The idle timer fired: RFC 1939 §3 autologout. Closes without UPDATE and without a reply.
    void timed_out();

    /// The client went away (EOF, reset, failed handshake, server shutdown). Releases the maildrop without UPDATE:
    /// no deletion is applied.
    void disconnected();

    /// How long the transport may wait for the next client bytes: authorization_timeout before login,
    /// transaction_timeout after.
    [[nodiscard]] std::chrono::milliseconds idle_timeout() const noexcept;

    /// How long to wait on Next::wait.
    [[nodiscard]] std::chrono::milliseconds wait_duration() const noexcept;

    /// The current RFC 1939 state.
    [[nodiscard]] SessionState state() const noexcept;

    /// The authenticated user (empty before login).
    [[nodiscard]] const std::string& user() const noexcept;

    /// Whether TLS is active on this connection (implicit, or after STLS).
    [[nodiscard]] bool tls_active() const noexcept;

    /// The most input bytes buffered before feed() accepts fewer than offered.
    [[nodiscard]] std::size_t max_input_buffer() const noexcept;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace pop3::server
