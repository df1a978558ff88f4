#pragma once
// The reference server's configuration: what a YAML file (config_loader.hpp) or the command line
// (command_line.hpp) describes. Plain data, defaults chosen for test rigs.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pop3::server {

/// How a listener speaks: plain POP3 (STLS offered when TLS files are set) or implicit TLS (RFC 8314 §3.1).
enum class ListenerKind { plain, implicit_tls };

/// One address the server accepts connections on. Port 0 asks the kernel for an ephemeral port.
struct ListenerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    ListenerKind kind = ListenerKind::plain;

    friend bool operator==(const ListenerConfig&, const ListenerConfig&) = default;
};

/// Certificate chain and private key (PEM files). Both empty: TLS is off (no STLS, no implicit TLS listener).
struct TlsConfig {
    std::filesystem::path cert_file;
    std::filesystem::path key_file;

    bool enabled() const { return !cert_file.empty() && !key_file.empty(); }
};

/// Which maildrop store serves the accounts.
enum class StoreKind { memory, maildir, mbox };

/// The store and where it lives: maildir ROOT/USER/ is that account's Maildir; mbox ROOT/USER is its mbox file.
struct StoreConfig {
    StoreKind kind = StoreKind::memory;
    std::filesystem::path root;
};

/// One account: name and the shared secret used for PASS, APOP and SASL PLAIN.
struct Account {
    std::string user;
    std::string secret;

    friend bool operator==(const Account&, const Account&) = default;
};

/// Limits and policy switches. Defaults follow the RFCs where they set one.
struct Limits {
    /// RFC 1939 §3: the autologout timer, if any, must be at least 10 minutes.
    std::chrono::seconds autologout{600};
    /// The shorter idle limit before login (RFC 1939 leaves it open; see requirements D11).
    std::chrono::seconds preauth_idle{120};
    /// Open connections in all; further connections are accepted and closed at once.
    std::size_t max_connections = 20000;
    /// Open connections per client address.
    std::size_t max_connections_per_address = 20000;
    /// How long the reply to a failed authentication is held back.
    std::chrono::milliseconds failed_auth_delay{1000};
    /// Messages larger than this (octets as sent) are refused by RETR and TOP; 0 means no limit.
    std::uint64_t max_message_size = 0;
    /// USER/PASS and SASL PLAIN without TLS (RFC 2595 §2.3): on by default for test rigs.
    bool plaintext_login = true;
    /// RFC 2449 §6.5 LOGIN-DELAY, in seconds; 0 means none advertised or enforced.
    std::chrono::seconds login_delay{0};
    /// RFC 2449 §6.7 EXPIRE in days; nullopt means NEVER.
    std::optional<int> expire_days;
    /// Command lines over the RFC 2449 §4 limit in a row before the connection is closed.
    int max_bad_commands = 20;
};

/// How much the server logs to stderr.
enum class LogLevel { debug, info, warn, error, off };

/// Everything the server needs to run.
struct ServerConfig {
    std::vector<ListenerConfig> listeners;
    TlsConfig tls;
    StoreConfig store;
    /// The users file ("user:secret" a line); empty when accounts are given in-process.
    std::filesystem::path users_file;
    /// Accounts given in-process (embedded server, tests); merged with the users file.
    std::vector<Account> accounts;
    Limits limits;
    /// The host part of the APOP timestamp banner (RFC 1939 §7) and of the IMPLEMENTATION string.
    std::string hostname = "pop3spec.localhost";
    /// Worker threads running the event loop; 0 means one per core.
    unsigned threads = 0;
    LogLevel log_level = LogLevel::info;
    /// Test-only: SessionFault bits (engine/session.hpp) given to every session, for the mutation self-test
    /// (reference-server/tests/mutants). No configuration key or command-line flag sets it: 0 in the shipped server.
    std::uint64_t test_session_faults = 0;
};

/// "memory", "maildir", "mbox".
std::string_view to_string(StoreKind kind);
/// "debug", "info", "warn", "error", "off".
std::string_view to_string(LogLevel level);
/// Parses a log level name; nullopt when unknown.
std::optional<LogLevel> parse_log_level(std::string_view name);

/// Splits "HOST:PORT" ("[::1]:110" for IPv6) into a listener; nullopt (and a reason) when malformed.
std::optional<ListenerConfig> parse_listen_address(std::string_view text, ListenerKind kind, std::string& why);

}  // namespace pop3::server
