// A scripted, possibly hostile, POP3 server for tests: in-process, loopback only, ephemeral port. A test says what
// to answer to each command (and how badly to behave), connects a client, and checks what the client made of it.
//
//     pop3::testing::ScriptedServer server;
//     server.on("STAT", "+OK 2 320\r\n");
//     server.on("RETR", pop3::testing::Behaviour().send("+OK\r\n").stream("line\r\n", 0));  // endless body
//     connect to 127.0.0.1:server.port() ...
//
// Each connection runs on its own thread with blocking sockets; stop() (or the destructor) shuts every socket down,
// so no test hangs on it. Every session is bounded by Options::max_session.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "test_servers/test_certificate.hpp"

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace pop3::testing {

/// What the server does, step by step, in answer to a command (or on connect). Built fluently.
class Behaviour {
  public:
    /// One step of a behaviour.
    struct Step {
        enum class Kind {
            send,       ///< write `bytes` in one write
            drip,       ///< write `bytes` one octet at a time, `interval` apart
            stream,     ///< write `bytes` repeatedly up to `total` octets (0: endless, until the client goes away)
            pause,      ///< sleep `interval`
            hang,       ///< send nothing and read nothing more, until the client closes or the session ends
            close,      ///< close the connection (FIN)
            reset,      ///< close with RST (SO_LINGER 0)
            start_tls,  ///< run the TLS server handshake now (after the +OK to STLS)
        };
        Kind kind = Kind::send;
        std::string bytes;
        std::chrono::milliseconds interval{0};
        std::uint64_t total = 0;
    };

    Behaviour() = default;
    /// A behaviour that sends `bytes` (convenience: the usual case).
    Behaviour(std::string bytes) { send(std::move(bytes)); }  // NOLINT: implicit on purpose
    Behaviour(const char* bytes) { send(bytes); }             // NOLINT: implicit on purpose

    Behaviour& send(std::string bytes);
    Behaviour& drip(std::string bytes, std::chrono::milliseconds interval);
    Behaviour& stream(std::string pattern, std::uint64_t total_octets);
    Behaviour& pause(std::chrono::milliseconds duration);
    Behaviour& hang();
    Behaviour& close();
    Behaviour& reset();
    Behaviour& start_tls();

    const std::vector<Step>& steps() const noexcept { return steps_; }

  private:
    std::vector<Step> steps_;
};

/// Ready-made misbehaviours (each one a Behaviour to pass to on()/greeting()).
namespace hostile {
/// Sends nothing at all (and keeps the connection open).
Behaviour silence();
/// Sends `start` (e.g. "+OK partial") and never ends the line.
Behaviour unterminated_line(std::string start = "+OK this line never ends");
/// "+OK" then an endless multi-line body (never the ".CRLF").
Behaviour endless_body();
/// `bytes` one octet every `interval`.
Behaviour drip(std::string bytes, std::chrono::milliseconds interval);
/// A status line with NULs in it.
Behaviour nul_bytes();
/// "+OK " followed by `octets` of 'A' and then CRLF (default 100 MB).
Behaviour huge_line(std::uint64_t octets = 100ULL * 1000 * 1000);
/// `start` (part of a reply), then close.
Behaviour close_mid_reply(std::string start = "+OK 2 mess");
/// `reply` with every CRLF replaced by a bare LF.
Behaviour bare_lf(std::string reply = "+OK fine\r\n");
/// "+ok" in lower case.
Behaviour lowercase_ok();
/// A status line of `octets` octets (CRLF included), over RFC 2449 §4's 512.
Behaviour too_long_status(std::size_t octets = 600);
/// "+OK" to STLS plus an injected "+OK injected" in the same write, then the TLS handshake (R2595-CLI-1).
Behaviour stls_injection(std::string injected = "+OK injected\r\n");
}  // namespace hostile

/// The scripted server. Starts listening on 127.0.0.1 (port 0) at construction.
class ScriptedServer {
  public:
    /// Options fixed at construction.
    struct Options {
        /// TLS from the first byte (RFC 8314 pop3s).
        bool implicit_tls = false;
        /// Certificate for TLS (implicit or start_tls steps); generated on first need when empty.
        std::shared_ptr<const TestCertificate> certificate;
        /// Every session ends after this long, whatever its script (no server thread outlives a test).
        std::chrono::milliseconds max_session{20000};
        /// Bind to ::1 instead of 127.0.0.1.
        bool ipv6 = false;
    };

    ScriptedServer();
    explicit ScriptedServer(Options options);
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    /// The ephemeral port the server listens on.
    std::uint16_t port() const noexcept { return port_; }
    /// "127.0.0.1" (or "::1").
    std::string host() const { return options_.ipv6 ? "::1" : "127.0.0.1"; }

    /// What happens on connect (default: "+OK scripted server ready\r\n").
    ScriptedServer& greeting(Behaviour b);
    /// What happens when a command arrives. `key` is either an exact line (without CRLF, e.g. "LIST 1") or a
    /// keyword ("LIST", case-insensitive); exact lines win. Several calls with the same key queue behaviours used in
    /// turn, the last one repeating. Unscripted commands get default_reply; QUIT defaults to "+OK bye" + close.
    ScriptedServer& on(std::string key, Behaviour b);
    /// The answer to unscripted commands (default "-ERR unknown command\r\n").
    ScriptedServer& default_reply(Behaviour b);

    /// Lines received (without their line end), all connections, in order.
    std::vector<std::string> received_lines() const;
    /// Raw bytes received (bounded to the first 1 MiB), all connections.
    std::string received_bytes() const;
    /// Connections accepted so far.
    std::size_t connections() const noexcept { return connections_.load(); }
    /// Waits until `n` sessions have ended (client closed, close step, or error). False on timeout.
    bool wait_sessions_ended(std::size_t n, std::chrono::milliseconds timeout) const;
    /// True when a session saw a TCP reset from the client.
    bool saw_reset() const noexcept { return saw_reset_.load(); }

    /// Stops listening, shuts every session down and joins the threads (idempotent).
    void stop();

  private:
    struct Session;
    void accept_loop();
    void run_session(int fd);
    Behaviour behaviour_for(const std::string& line);
    bool sleep_for(std::chrono::milliseconds d) const;  // false when stopping
    ssl_ctx_st* tls_context();

    Options options_;
    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> connections_{0};
    std::atomic<bool> saw_reset_{false};
    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    Behaviour greeting_{"+OK scripted server ready\r\n"};
    Behaviour default_{"-ERR unknown command\r\n"};
    std::map<std::string, std::vector<Behaviour>> exact_;
    std::map<std::string, std::vector<Behaviour>> keyword_;
    std::map<std::string, std::size_t> used_;
    std::vector<std::string> lines_;
    std::string bytes_;
    std::size_t ended_ = 0;
    std::vector<int> session_fds_;
    std::vector<std::thread> threads_;
    std::thread acceptor_;
    ssl_ctx_st* ssl_ctx_ = nullptr;  // created on first TLS need
    std::once_flag ssl_once_;
};

}  // namespace pop3::testing
