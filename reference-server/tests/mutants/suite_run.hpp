#pragma once
// Runs the conformance suite (the scenario runner library, scenario/runner.hpp) against one server of the mutation
// self-test, scenarios of the mutant's area first and in batches, stopping after the batch with the first failure.

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/fixtures.hpp"
#include "scenario/result.hpp"
#include "scenario/scenario.hpp"

namespace pop3::server::mutants {

/// What a suite run needs besides the server.
struct SuiteOptions {
    const std::vector<scenario::Scenario>* scenarios = nullptr;
    const scenario::Fixtures* fixtures = nullptr;
    std::filesystem::path cert, key;  ///< TLS files (both empty: no TLS)
    unsigned jobs = 3;                ///< parallel scenario workers (each with its own accounts)
    std::size_t batch = 24;           ///< scenarios per batch after the area's own
    bool strict = false;              ///< the strict profile: SHOULD and implied expectations fail
    /// Bound of one step. The clean runs keep the CLI's 10 s; mutants use 5 s, since only mutants that hang a reply
    /// ever reach it.
    std::chrono::milliseconds step_timeout{10000};
    std::chrono::milliseconds scenario_timeout{60000};
    std::chrono::milliseconds global_timeout{std::chrono::minutes(5)};
};

/// The outcome of one run.
struct SuiteOutcome {
    std::string error;                              ///< the server did not start (nothing ran)
    std::vector<scenario::ScenarioResult> results;  ///< every scenario run, in run order
    /// The first failing scenario (run order) not in the ignore set, if any: the one that killed the mutant.
    std::optional<scenario::ScenarioResult> killer;
    std::size_t failures = 0;  ///< failing scenarios not in the ignore set
    double seconds = 0;
};

/// Starts a server with `faults`, runs the suite on it and stops it. Scenarios carrying one of `first_tags` run first
/// (in one batch), then the rest in batches of options.batch; with `stop_at_failure` no batch starts after one that
/// had a failure. Failures of scenarios in `ignore` (those failing on the clean server) do not count.
SuiteOutcome run_suite(std::uint64_t faults, std::span<const std::string_view> first_tags, bool stop_at_failure,
                       const std::set<std::string>& ignore, const SuiteOptions& options);

}  // namespace pop3::server::mutants
