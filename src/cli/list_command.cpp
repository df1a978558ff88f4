// `pop3spec list`: the scenarios, and with --coverage the requirement ids they cover.
#include <fmt/format.h>

#include <ostream>

#include "cli/cli.hpp"
#include "scenario/coverage.hpp"
#include "scenario/loader.hpp"

namespace pop3::cli {

namespace sc = pop3::scenario;

namespace {

constexpr const char* list_help = R"(Usage: pop3spec list [options]

Lists the scenarios: id, level, requirement refs and title.

  --scenarios PATH          a scenario file or folder (repeatable; default: the installed suite)
  --coverage                map every requirement id (scenarios/requirements.yaml) to its scenarios and list the
                            uncovered ones
  --requirements FILE       the requirement list (default: the nearest requirements.yaml walking up from the
                            scenario paths, else the suite's)
  --fail-on-uncovered-must  with --coverage: exit 1 when a server-side MUST id has no MUST scenario
  --help
)";

}  // namespace

int list_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Arguments a(args, {{"help", false},
                       {"scenarios", true, true},
                       {"coverage", false},
                       {"requirements"},
                       {"fail-on-uncovered-must", false}});
    if (a.has("help")) {
        out << list_help;
        return exit_ok;
    }
    if (!a.positional().empty())
        throw std::invalid_argument(fmt::format("unexpected argument '{}'", a.positional()[0]));
    std::vector<std::filesystem::path> paths;
    for (const auto& p : a.all("scenarios"))
        paths.emplace_back(p);
    if (paths.empty()) paths.push_back(default_scenarios_dir());
    std::vector<sc::Scenario> all;
    try {
        all = sc::load_scenarios_from(paths);
    } catch (const sc::LoadError& e) {
        err << "pop3spec list: " << e.what() << "\n";
        return exit_usage;
    }
    if (!a.has("coverage")) {
        for (const auto& s : all) {
            std::string refs;
            for (const auto& r : s.refs)
                refs += (refs.empty() ? "" : ",") + r;
            out << fmt::format("{:<48} {:<7} {:<32} {}\n", s.id, sc::to_string(s.level), refs, s.title);
        }
        out << fmt::format("{} scenario(s)\n", all.size());
        return exit_ok;
    }
    std::filesystem::path req_path = a.has("requirements") ? std::filesystem::path(a.get("requirements"))
                                                           : find_suite_file(paths, "requirements.yaml");
    if (req_path.empty()) {
        err << "pop3spec list: no requirements.yaml above the scenario paths nor in the suite (give --requirements)\n";
        return exit_usage;
    }
    std::vector<sc::Requirement> reqs;
    try {
        reqs = sc::load_requirements(req_path);
    } catch (const sc::LoadError& e) {
        err << "pop3spec list: " << e.what() << "\n";
        return exit_usage;
    }
    std::vector<std::string> unknown;
    auto rows = sc::compute_coverage(reqs, all, unknown);
    int server = 0, covered = 0, must = 0, must_covered = 0;
    std::vector<const sc::CoverageRow*> uncovered;
    out << fmt::format("{:<16} {:<7} {:<6} {}\n", "requirement", "level", "scope", "scenarios");
    for (const auto& row : rows) {
        const auto& r = row.requirement;
        std::string ids;
        for (const auto& id : row.scenarios)
            ids += (ids.empty() ? "" : ", ") + id;
        out << fmt::format("{:<16} {:<7} {:<6} {}\n", r.id, r.level, r.scope, ids.empty() ? "-" : ids);
        if (r.scope != "server") continue;
        ++server;
        bool ok = !row.scenarios.empty() && row.covered_at_level;
        covered += ok;
        if (r.level == "MUST") {
            ++must;
            must_covered += ok;
        }
        if (!ok) uncovered.push_back(&row);
    }
    out << fmt::format("\nserver-side requirements: {}/{} covered; MUST: {}/{} covered by a MUST scenario\n", covered,
                       server, must_covered, must);
    if (!uncovered.empty()) {
        out << "uncovered:\n";
        for (const auto* row : uncovered)
            out << fmt::format("  {:<16} {:<7} {}{}\n", row->requirement.id, row->requirement.level,
                               row->requirement.section,
                               row->scenarios.empty() ? "" : " (cited only by scenarios below MUST)");
    }
    for (const auto& u : unknown)
        out << "unknown requirement id in scenario " << u << "\n";
    if (!unknown.empty()) return exit_usage;
    if (a.has("fail-on-uncovered-must") && must_covered < must) return exit_failures;
    return exit_ok;
}

}  // namespace pop3::cli
