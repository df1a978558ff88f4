#include "suite_run.hpp"

#include <algorithm>

#include "mutant_server.hpp"
#include "scenario/runner.hpp"

namespace pop3::server::mutants {

namespace sc = pop3::scenario;

namespace {

bool in_area(const sc::Scenario& s, std::span<const std::string_view> tags) {
    return std::any_of(s.tags.begin(), s.tags.end(), [&](const std::string& t) {
        return std::find(tags.begin(), tags.end(), std::string_view(t)) != tags.end();
    });
}

}  // namespace

SuiteOutcome run_suite(std::uint64_t faults, std::span<const std::string_view> first_tags, bool stop_at_failure,
                       const std::set<std::string>& ignore, const SuiteOptions& options) {
    SuiteOutcome outcome;
    const auto started = std::chrono::steady_clock::now();
    auto server = MutantServer::start(faults, options.jobs, options.cert, options.key, outcome.error);
    if (!server) return outcome;

    sc::RunConfig config;
    config.endpoint = pop3::client::Endpoint{"127.0.0.1", server->plain_port()};
    if (server->implicit_tls_port() != 0) {
        config.implicit_endpoint = pop3::client::Endpoint{"127.0.0.1", server->implicit_tls_port()};
    }
    config.account_sets = server->accounts();
    config.fixtures = *options.fixtures;
    config.seeder = &server->seeder();
    config.jobs = options.jobs;
    config.strict = options.strict;
    config.step_timeout = options.step_timeout;
    config.scenario_timeout = options.scenario_timeout;
    config.global_timeout = options.global_timeout;

    // A mutant may break the probe itself (a bad greeting): the scenarios still run and judge it, so an unreachable
    // probe is not a verdict here.
    std::string why;
    const sc::ServerFacts facts = sc::probe(config, why);

    // The area's scenarios first, then the rest, each group in suite order.
    std::vector<const sc::Scenario*> first, rest;
    for (const auto& s : *options.scenarios)
        (in_area(s, first_tags) ? first : rest).push_back(&s);
    std::vector<std::vector<const sc::Scenario*>> batches;
    if (!first.empty()) batches.push_back(first);
    for (std::size_t i = 0; i < rest.size(); i += options.batch) {
        batches.emplace_back(rest.begin() + static_cast<std::ptrdiff_t>(i),
                             rest.begin() + static_cast<std::ptrdiff_t>(std::min(rest.size(), i + options.batch)));
    }

    for (const auto& batch : batches) {
        std::vector<sc::Scenario> scenarios;
        scenarios.reserve(batch.size());
        for (const auto* s : batch)
            scenarios.push_back(*s);
        sc::RunResult run;
        sc::run_scenarios(scenarios, config, facts, run);
        for (auto& r : run.scenarios) {
            if (r.outcome == sc::Outcome::fail && !ignore.contains(r.id)) {
                ++outcome.failures;
                if (!outcome.killer) outcome.killer = r;
            }
            outcome.results.push_back(std::move(r));
        }
        if (stop_at_failure && outcome.failures > 0) break;
    }
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

}  // namespace pop3::server::mutants
