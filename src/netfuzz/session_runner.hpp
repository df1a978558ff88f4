// Runs one session plan against a target over a real connection and applies the oracles to every reply: the
// reply parser's violations, the POP3 state model (RFC 1939 §3), the reply bounds (RFC 2449 §4) and the maildrop
// invariants (RFC 1939 §5-§7). The first finding ends the session.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/connection.hpp"
#include "netfuzz/finding.hpp"
#include "netfuzz/session_plan.hpp"

namespace pop3::netfuzz {

/// A user name and password.
struct Account {
    std::string user;
    std::string pass;
};

/// Everything one session needs.
struct SessionEnv {
    pop3::client::Endpoint endpoint;
    Account account;
    /// Bound for each owed reply (and the greeting): longer than the target's delay after a failed login.
    std::chrono::milliseconds reply_timeout{3000};
    std::chrono::milliseconds connect_timeout{3000};
    /// Messages the maildrop must hold at login, as earlier sessions left it (nullopt: unknown). Fewer is a
    /// message gone without DELE+QUIT (RFC 1939 §6).
    std::optional<std::uint64_t> expected_count;
    /// Called when the connection ended unexpectedly: a description when the target is dead (process gone, or no
    /// longer accepting connections), nullopt when it is alive.
    std::function<std::optional<std::string>()> liveness;
};

/// One reply the session read (or was owed).
struct ReplyRecord {
    std::size_t op = 0;   ///< the op after which it was read
    std::string command;  ///< the line it answers (raw, without line end); "" for the greeting
    pop3::ReplyKind kind = pop3::ReplyKind::single_line;
    bool continuation = false;  ///< a SASL "+ " continuation (RFC 5034 §4)
    bool login = false;         ///< part of a login op (USER/PASS)
    bool missing = false;       ///< owed but never came (timeout or close)
};

/// What a session did and found.
struct SessionResult {
    bool connected = false;
    std::string error;  ///< why the connection could not be made, or how it ended early
    std::optional<Finding> finding;
    std::vector<ReplyRecord> replies;
    /// STAT's count right after login (before any DELE), if the session saw one.
    std::optional<std::uint64_t> login_count;
    /// The count the maildrop holds after this session (login count minus the deletions a QUIT committed), when
    /// known.
    std::optional<std::uint64_t> end_count;
    bool logged_in = false;
};

/// Runs `plan`. Never throws for anything the server does; every wait is bounded by env's timeouts. Secrets (the
/// account's password and its SASL PLAIN form) are registered with `transcript` first.
SessionResult run_session(const SessionPlan& plan, const SessionEnv& env, pop3::client::Transcript& transcript);

}  // namespace pop3::netfuzz
