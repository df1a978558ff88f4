#pragma once
// The `pop3spec` command line: run, list, serve. Everything but main() lives here so tests drive it in-process.

#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pop3::cli {

/// Exit codes (DESIGN.md "The command line").
enum ExitCode : int {
    exit_ok = 0,           ///< no failures beyond the baseline
    exit_failures = 1,     ///< failures (fail or error outcomes not in the baseline)
    exit_usage = 2,        ///< usage or scenario error
    exit_unreachable = 3,  ///< the target could not be reached
};

/// Runs `pop3spec ARGS...` (args without the program name). Output goes to `out`, diagnostics to `err`.
int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// Parsed flags of one subcommand: --name value, --name=value, or a bare --switch.
class Arguments {
  public:
    /// One flag: its name (without dashes), whether it takes a value, whether it may repeat.
    struct Flag {
        std::string name;
        bool takes_value = true;
        bool repeatable = false;
    };
    /// Parses `args` against `flags`; throws std::invalid_argument on an unknown flag or a missing value.
    Arguments(const std::vector<std::string>& args, const std::vector<Flag>& flags);

    bool has(const std::string& name) const { return values_.count(name) > 0; }
    /// The last value given, or `fallback`.
    std::string get(const std::string& name, const std::string& fallback = "") const;
    /// Every value given, in order.
    std::vector<std::string> all(const std::string& name) const;
    /// Arguments that are not flags.
    const std::vector<std::string>& positional() const { return positional_; }

  private:
    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> positional_;
};

/// Where the scenarios live when --scenarios is not given: $POP3SPEC_SCENARIOS, the installed data folder, or the
/// source tree's scenarios/ (for a build that was not installed).
std::filesystem::path default_scenarios_dir();

/// The folder holding `marker` (e.g. "fixtures/fixtures.yaml" or "requirements.yaml") that is nearest to the
/// scenario paths: for each path in order, its folder (a file's parent) and then each ancestor up to the root; else
/// the default suite's (default_scenarios_dir()); else an empty path. So `--scenarios scenarios/rfc2449` finds
/// scenarios/fixtures/ and scenarios/requirements.yaml.
std::filesystem::path find_suite_file(const std::vector<std::filesystem::path>& scenario_paths,
                                      const std::filesystem::path& marker);

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int list_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
/// `pop3spec fuzz` (src/cli/fuzz_command.cpp, the network fuzzer's owner).
int fuzz_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace pop3::cli
