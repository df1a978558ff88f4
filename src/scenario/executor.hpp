#pragma once
// Runs one scenario against a target over real connections (pop3::client::Connection) and grades it.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "client/connection.hpp"
#include "pop3/payloads.hpp"
#include "scenario/fixtures.hpp"
#include "scenario/result.hpp"
#include "scenario/scenario.hpp"

namespace pop3::scenario {

/// A user name and password.
struct Credentials {
    std::string user;
    std::string pass;
};

/// The accounts one worker may use: primary (alice), secondary (bob, for two-account scenarios) and an empty
/// maildrop (empty). Parallel workers each get their own set, so their maildrop locks never collide.
struct AccountSet {
    std::optional<Credentials> primary;
    std::optional<Credentials> secondary;
    std::optional<Credentials> empty;
};

/// What the runner learnt about the target before the scenarios (the probe connection).
struct ServerFacts {
    bool reachable = false;
    std::string greeting;  ///< the greeting's status line
    std::optional<std::string> apop_timestamp;
    bool capa_ok = false;             ///< CAPA answered +OK before login
    pop3::Capabilities capabilities;  ///< before login (after STLS when the run uses starttls)
    bool login_ok = false;            ///< the primary account could log in
    std::string login_error;          ///< why not
    pop3::Capabilities capabilities_after_login;
    LoginMech default_mech = LoginMech::user_pass;  ///< USER/PASS, else SASL PLAIN, else APOP
    /// The union of tags before and after login: what `needs` is checked against. "CAPA" alone means the server
    /// answered CAPA with +OK (RFC 2449 §5), for scenarios that need the command itself.
    bool advertises(std::string_view tag_and_args) const;
};

/// How to grade and bound a scenario.
struct ExecutionConfig {
    pop3::client::Endpoint endpoint;
    pop3::client::TlsMode tls = pop3::client::TlsMode::none;
    /// The server's implicit-TLS port (RFC 8314, pop3s), when known besides `endpoint`: `connect: implicit` steps
    /// use it, so one plaintext run also covers implicit TLS.
    std::optional<pop3::client::Endpoint> implicit_endpoint;
    AccountSet accounts;
    const Fixtures* fixtures = nullptr;
    const ServerFacts* facts = nullptr;
    /// The maildrops hold the fixtures (seeded, not changed since): scenarios needing known content may run.
    bool seeded = false;
    /// A seeder exists (destructive scenarios may run; the runner reseeds before each).
    bool can_seed = false;
    /// --strict: SHOULD and implied expectations fail instead of warn.
    bool strict = false;
    /// Default bound of one step (reading one reply, waiting for a close).
    std::chrono::milliseconds step_timeout{10000};
    /// Bound of the whole scenario.
    std::chrono::milliseconds scenario_timeout{120000};
    /// The run's global deadline: nothing runs past it.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    /// Base options of every connection (limits, TLS verification); timeouts are set from the fields above.
    pop3::client::ClientOptions client_options{};
};

/// Why the scenario cannot run here (capability not advertised, no seeding, no second account, ...), or nullopt.
std::optional<std::string> skip_reason(const Scenario& scenario, const ExecutionConfig& config);

/// Runs the scenario (or skips it) and returns its graded result, transcript included. Never throws for anything
/// the server does; every wait is bounded by the step timeout, the scenario timeout and the global deadline.
ScenarioResult execute(const Scenario& scenario, const ExecutionConfig& config);

/// The reply shape a command line asks for (RFC 1939 §5, §7; RFC 2449 §5; RFC 5034 §4; RFC 6856 §3).
pop3::ReplyKind reply_kind_for(std::string_view command_line);

}  // namespace pop3::scenario
