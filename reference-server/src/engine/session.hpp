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

/// Test-only fault flags (issue 5's server "mutants"): each one deliberately breaks one RFC rule. All off by default;
/// the shipped server never sets them.
enum class SessionFault : std::uint64_t {
    none = 0,
};

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
