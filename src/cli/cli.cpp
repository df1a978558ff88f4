#include "cli/cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>
#include <stdexcept>

#include "cli/report_command.hpp"

namespace pop3::cli {

Arguments::Arguments(const std::vector<std::string>& args, const std::vector<Flag>& flags) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.size() < 3 || a.rfind("--", 0) != 0) {
            if (a.size() > 1 && a[0] == '-' && a != "-h")
                throw std::invalid_argument(fmt::format("unknown option '{}'", a));
            if (a == "-h") {
                values_["help"].push_back("");
                continue;
            }
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2);
        std::optional<std::string> value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        auto f = std::find_if(flags.begin(), flags.end(), [&](const Flag& fl) { return fl.name == name; });
        if (f == flags.end()) throw std::invalid_argument(fmt::format("unknown option '--{}'", name));
        if (f->takes_value && !value) {
            if (i + 1 >= args.size()) throw std::invalid_argument(fmt::format("--{} needs a value", name));
            value = args[++i];
        }
        if (!f->takes_value && value) throw std::invalid_argument(fmt::format("--{} takes no value", name));
        auto& slot = values_[name];
        if (!f->repeatable) slot.clear();
        slot.push_back(value.value_or(""));
    }
}

std::string Arguments::get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Arguments::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::filesystem::path default_scenarios_dir() {
    if (const char* env = std::getenv("POP3SPEC_SCENARIOS"); env && *env) return env;
    // An installed pop3spec reads the installed suite; a binary in a build tree reads its source tree's (so a stale
    // installation never shadows the scenarios being edited).
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    std::string prefix = std::string(POP3SPEC_INSTALL_PREFIX) + "/";
    bool installed = !ec && self.rfind(prefix, 0) == 0;
    if ((installed || !std::filesystem::is_directory(POP3SPEC_SOURCE_SCENARIOS, ec)) &&
        std::filesystem::is_directory(POP3SPEC_INSTALLED_SCENARIOS, ec))
        return POP3SPEC_INSTALLED_SCENARIOS;
    return POP3SPEC_SOURCE_SCENARIOS;
}

std::filesystem::path find_suite_file(const std::vector<std::filesystem::path>& scenario_paths,
                                      const std::filesystem::path& marker) {
    std::error_code ec;
    for (const auto& given : scenario_paths) {
        auto dir = std::filesystem::absolute(given, ec);
        if (ec) continue;
        dir = dir.lexically_normal();
        if (dir.filename().empty()) dir = dir.parent_path();  // "rfc2449/" names the folder itself
        if (!std::filesystem::is_directory(dir, ec)) dir = dir.parent_path();
        for (;;) {
            if (std::filesystem::is_regular_file(dir / marker, ec)) return dir / marker;
            if (!dir.has_relative_path()) break;  // the root
            dir = dir.parent_path();
        }
    }
    auto fallback = default_scenarios_dir() / marker;
    if (std::filesystem::is_regular_file(fallback, ec)) return fallback;
    return {};
}

namespace {

constexpr const char* top_help = R"(pop3spec — POP3 conformance testing

Usage: pop3spec <command> [options]

Commands:
  run      run the conformance scenarios against a server (default: the embedded reference server)
  list     list the scenarios (ids, levels, refs); --coverage maps requirement ids to scenarios
  serve    run the reference POP3 server in the foreground
  report   render a saved result again (--html, --md, --junit) or compare several (report compare)
  fuzz     stateful network fuzzing of a POP3 server; findings saved as replayable scenarios

Run `pop3spec <command> --help` for the options of a command.

Exit codes: 0 no failures beyond the baseline, 1 failures, 2 usage or scenario error, 3 target unreachable.
)";

}  // namespace

int main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (args.empty()) {
        err << top_help;
        return exit_usage;
    }
    const std::string& cmd = args[0];
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        out << top_help;
        return exit_ok;
    }
    if (cmd == "--version") {
        out << "pop3spec " << POP3SPEC_VERSION << "\n";
        return exit_ok;
    }
    try {
        if (cmd == "run") return run_command(rest, out, err);
        if (cmd == "list") return list_command(rest, out, err);
        if (cmd == "serve") return serve_command(rest, out, err);
        if (cmd == "report") return report_command(rest, out, err);
        if (cmd == "fuzz") return fuzz_command(rest, out, err);
    } catch (const std::invalid_argument& e) {
        err << "pop3spec " << cmd << ": " << e.what() << "\n(see pop3spec " << cmd << " --help)\n";
        return exit_usage;
    }
    err << "pop3spec: unknown command '" << cmd << "'\n\n" << top_help;
    return exit_usage;
}

}  // namespace pop3::cli
