#pragma once
// Runs a suite: probes the target once (greeting, CAPA, login), seeds, runs the scenarios on N workers (each with
// its own accounts, so maildrop locks never collide) and returns the result document in a deterministic order.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "scenario/executor.hpp"
#include "scenario/result.hpp"
#include "scenario/seeding.hpp"

namespace pop3::scenario {

/// Everything a run needs.
struct RunConfig {
    pop3::client::Endpoint endpoint;
    pop3::client::TlsMode tls = pop3::client::TlsMode::none;
    /// The implicit-TLS port besides a plaintext endpoint (see ExecutionConfig::implicit_endpoint).
    std::optional<pop3::client::Endpoint> implicit_endpoint;
    /// One account set per possible worker; at least one. `jobs` is capped by their number.
    std::vector<AccountSet> account_sets;
    Fixtures fixtures;
    /// Null: no seeding (scenarios needing known content skip; destructive ones never run).
    Seeder* seeder = nullptr;
    bool strict = false;
    unsigned jobs = 1;
    std::chrono::milliseconds step_timeout{10000};
    std::chrono::milliseconds scenario_timeout{120000};
    /// The whole run; scenarios not started by then end as errors at once.
    std::chrono::milliseconds global_timeout{std::chrono::minutes(30)};
    pop3::client::ClientOptions client_options{};
    /// Called after each scenario (from worker threads, serialised), e.g. for progress output.
    std::function<void(const ScenarioResult&, std::size_t done, std::size_t total)> on_result;
};

/// Connects once, reads the greeting and CAPA, logs in with the first account set (to learn whether the
/// credentials work and the CAPA of the TRANSACTION state) and QUITs. `facts.reachable` is false when no greeting
/// came (then `error` says why).
ServerFacts probe(const RunConfig& config, std::string& error);

/// Known failures: scenario id -> reason (scenarios/baselines/*.yaml).
struct Baseline {
    std::map<std::string, std::string> known;
};

/// Loads a baseline: `known_failures: [{id, reason}, ...]` or a plain mapping id: reason. Throws LoadError.
Baseline load_baseline(const std::string& path);

/// Marks baselined and fixed results and recomputes the summary.
void apply_baseline(RunResult& run, const Baseline& baseline);

/// Runs the scenarios (after probe()) and fills run.scenarios (in the given order), run.summary and the target
/// facts. Never throws for anything the server does.
void run_scenarios(const std::vector<Scenario>& scenarios, const RunConfig& config, const ServerFacts& facts,
                   RunResult& run);

/// The current time as ISO 8601 UTC ("2026-11-28T01:02:03Z").
std::string utc_now_iso8601();

}  // namespace pop3::scenario
