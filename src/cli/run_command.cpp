// `pop3spec run`: load, filter, probe, seed, run, print, write reports, exit with DESIGN.md's codes.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <ostream>

#include "cli/cli.hpp"
#include "cli/embedded_server.hpp"
#include "cli/report_command.hpp"
#include "scenario/loader.hpp"
#include "scenario/runner.hpp"

namespace pop3::cli {

namespace sc = pop3::scenario;

namespace {

constexpr const char* run_help = R"(Usage: pop3spec run [options]

Runs the conformance scenarios. Without --target, starts the embedded reference server on an ephemeral loopback
port, seeded with the fixtures (accounts alice, bob, empty; password "secret").

Target:
  --target HOST:PORT       the server to test (e.g. 127.0.0.1:110, [::1]:995)
  --implicit-target HOST:PORT
                           the server's implicit-TLS port besides a plaintext --target, for scenarios that
                           connect with implicit TLS (RFC 8314)
  --tls none|starttls|implicit
                           plaintext, STLS after the greeting (RFC 2595), or TLS from the start (RFC 8314)
  --user NAME --pass PW    the account to test with (or POP3SPEC_USER / POP3SPEC_PASS, so secrets stay out of
                           shell history)
  --user2 NAME --pass2 PW  a second account for two-account scenarios (POP3SPEC_USER2 / POP3SPEC_PASS2)
  --empty-user NAME --empty-pass PW
                           an account with an empty maildrop (POP3SPEC_EMPTY_USER / POP3SPEC_EMPTY_PASS)
Seeding (replaces the maildrop with the fixtures; without one, content scenarios skip and destructive ones never run):
  --seed-maildir DIR       write the fixtures into this Maildir ({user} in DIR is replaced by the account name)
  --seed-mbox FILE         rewrite this mbox file ({user} as above)
  --seed-cmd CMD           run CMD with POP3SPEC_FIXTURES (folder of .eml files), POP3SPEC_FIXTURES_LIST and
                           POP3SPEC_USER set; its exit status is checked and its output kept in the report
Selection:
  --scenarios PATH         a scenario file or folder (repeatable; default: the installed suite)
  --fixtures DIR           the fixture messages (default: the nearest fixtures/fixtures.yaml walking up from the
                           scenario paths, else the suite's); a seeded run without fixtures is an error
  --id PATTERN             only scenarios whose id matches (* and ? wildcards; repeatable)
  --tag TAG                only scenarios with this tag (repeatable)
  --exclude-tag TAG        leave out scenarios with this tag (repeatable; applied after --id and --tag)
Execution:
  --jobs N                 parallel workers (each uses its own accounts; the embedded server makes them)
  --timeout DURATION       bound of one step, e.g. 5s (default 10s)
  --scenario-timeout D     bound of one scenario (default 2m)
  --global-timeout D       bound of the whole run (default 30m)
  --strict                 the strict profile: SHOULD and implied expectations fail instead of warn
  --baseline FILE          known failures with reasons: they do not fail the run; a fixed one is reported
Output:
  --json FILE              the result document (versioned JSON)
  --junit FILE             JUnit XML (reports/schema/junit.xsd)
  --html FILE              one self-contained HTML page
  --md FILE                a Markdown summary (for a CI job summary)
  --verbose                print the transcripts of failures
  --color auto|always|never
  --help
)";

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative wildcard match: '*' any run, '?' one character.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

std::optional<pop3::client::Endpoint> parse_target(const std::string& t) {
    pop3::client::Endpoint e;
    std::string port;
    if (!t.empty() && t[0] == '[') {
        auto close = t.find(']');
        if (close == std::string::npos || close + 1 >= t.size() || t[close + 1] != ':') return std::nullopt;
        e.host = t.substr(1, close - 1);
        port = t.substr(close + 2);
    } else {
        auto colon = t.rfind(':');
        if (colon == std::string::npos || colon == 0) return std::nullopt;
        e.host = t.substr(0, colon);
        port = t.substr(colon + 1);
    }
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    int p = std::stoi(port);
    if (p < 1 || p > 65535) return std::nullopt;
    e.port = static_cast<std::uint16_t>(p);
    return e;
}

std::string env_or(const Arguments& a, const std::string& flag, const char* env) {
    if (a.has(flag)) return a.get(flag);
    const char* v = std::getenv(env);
    return v ? v : "";
}

struct Palette {
    bool on = false;
    std::string paint(sc::Outcome o, std::string_view text) const {
        if (!on) return std::string(text);
        const char* c = o == sc::Outcome::pass   ? "\x1b[32m"
                        : o == sc::Outcome::fail ? "\x1b[31m"
                        : o == sc::Outcome::warn ? "\x1b[33m"
                        : o == sc::Outcome::skip ? "\x1b[2m"
                                                 : "\x1b[35m";
        return fmt::format("{}{}\x1b[0m", c, text);
    }
};

std::string verdict(const sc::ScenarioResult& r) {
    std::string v(sc::to_string(r.outcome));
    for (auto& c : v)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return v;
}

bool write_text(const std::string& path, const std::string& text, std::ostream& err) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
        err << "pop3spec run: cannot write " << path << "\n";
        return false;
    }
    return true;
}

std::string no_fixtures(const std::filesystem::path& tried) {
    if (tried.empty())
        return "no fixtures found: no fixtures/fixtures.yaml above the scenario paths nor in the suite (give "
               "--fixtures DIR)";
    return fmt::format("no fixtures found in {} (give --fixtures DIR)", tried.string());
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Arguments a(args, {{"help", false},
                       {"target"},
                       {"tls"},
                       {"implicit-target"},
                       {"user"},
                       {"pass"},
                       {"user2"},
                       {"pass2"},
                       {"empty-user"},
                       {"empty-pass"},
                       {"seed-maildir"},
                       {"seed-mbox"},
                       {"seed-cmd"},
                       {"scenarios", true, true},
                       {"fixtures"},
                       {"id", true, true},
                       {"tag", true, true},
                       {"exclude-tag", true, true},
                       {"jobs"},
                       {"timeout"},
                       {"scenario-timeout"},
                       {"global-timeout"},
                       {"strict", false},
                       {"baseline"},
                       {"json"},
                       {"junit"},
                       {"html"},
                       {"md"},
                       {"verbose", false},
                       {"color"}});
    if (a.has("help")) {
        out << run_help;
        return exit_ok;
    }
    if (!a.positional().empty())
        throw std::invalid_argument(fmt::format("unexpected argument '{}'", a.positional()[0]));

    sc::RunConfig config;
    auto tls = a.get("tls", "none");
    if (tls == "none") {
        config.tls = pop3::client::TlsMode::none;
    } else if (tls == "starttls") {
        config.tls = pop3::client::TlsMode::starttls;
    } else if (tls == "implicit") {
        config.tls = pop3::client::TlsMode::implicit;
    } else {
        throw std::invalid_argument("--tls takes none, starttls or implicit");
    }
    try {
        config.step_timeout = sc::parse_duration(a.get("timeout", "10s"));
        config.scenario_timeout = sc::parse_duration(a.get("scenario-timeout", "2m"));
        config.global_timeout = sc::parse_duration(a.get("global-timeout", "30m"));
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("bad duration: ") + e.what());
    }
    if (config.step_timeout.count() <= 0) throw std::invalid_argument("--timeout must be positive");
    std::string jobs = a.get("jobs", "1");
    if (jobs.empty() || jobs.find_first_not_of("0123456789") != std::string::npos || std::stoul(jobs) < 1 ||
        std::stoul(jobs) > 64)
        throw std::invalid_argument("--jobs takes a number from 1 to 64");
    config.jobs = static_cast<unsigned>(std::stoul(jobs));
    config.strict = a.has("strict");
    bool verbose = a.has("verbose");
    int seeders = a.has("seed-maildir") + a.has("seed-mbox") + a.has("seed-cmd");
    if (seeders > 1) throw std::invalid_argument("give at most one of --seed-maildir, --seed-mbox, --seed-cmd");

    // Scenarios and fixtures: a broken file is a usage error (exit 2), reported with file:line:column.
    std::vector<std::filesystem::path> paths;
    for (const auto& p : a.all("scenarios"))
        paths.emplace_back(p);
    if (paths.empty()) paths.push_back(default_scenarios_dir());
    std::vector<sc::Scenario> all;
    try {
        all = sc::load_scenarios_from(paths);
    } catch (const sc::LoadError& e) {
        err << "pop3spec run: " << e.what() << "\n";
        return exit_usage;
    }
    std::vector<sc::Scenario> selected;
    auto ids = a.all("id");
    auto tags = a.all("tag");
    auto excluded = a.all("exclude-tag");
    for (auto& s : all) {
        if (!ids.empty() &&
            std::none_of(ids.begin(), ids.end(), [&](const std::string& p) { return glob_match(p, s.id); }))
            continue;
        if (!tags.empty() && std::none_of(tags.begin(), tags.end(), [&](const std::string& t) {
                return std::find(s.tags.begin(), s.tags.end(), t) != s.tags.end();
            }))
            continue;
        if (std::any_of(excluded.begin(), excluded.end(), [&](const std::string& t) {
                return std::find(s.tags.begin(), s.tags.end(), t) != s.tags.end();
            }))
            continue;
        selected.push_back(std::move(s));
    }
    // The fixtures: --fixtures, or the nearest fixtures/fixtures.yaml above the scenario paths, or the suite's.
    std::filesystem::path fixtures_dir;
    if (a.has("fixtures")) {
        fixtures_dir = a.get("fixtures");
    } else if (auto manifest = find_suite_file(paths, std::filesystem::path("fixtures") / "fixtures.yaml");
               !manifest.empty()) {
        fixtures_dir = manifest.parent_path();
    }
    try {
        if (!fixtures_dir.empty() && std::filesystem::is_directory(fixtures_dir))
            config.fixtures = sc::load_fixtures(fixtures_dir);
    } catch (const std::exception& e) {
        err << "pop3spec run: fixtures: " << e.what() << "\n";
        return exit_usage;
    }
    sc::Baseline baseline;
    if (a.has("baseline")) {
        try {
            baseline = sc::load_baseline(a.get("baseline"));
        } catch (const sc::LoadError& e) {
            err << "pop3spec run: " << e.what() << "\n";
            return exit_usage;
        }
    }

    // The target: given, or the embedded reference server.
    std::unique_ptr<EmbeddedServer> embedded;
    std::unique_ptr<sc::Seeder> seeder;
    sc::RunResult run;
    run.tool_version = POP3SPEC_VERSION;
    run.started = sc::utc_now_iso8601();
    for (const auto& i : ids)
        run.filters.push_back("id=" + i);
    for (const auto& t : tags)
        run.filters.push_back("tag=" + t);
    for (const auto& t : excluded)
        run.filters.push_back("exclude-tag=" + t);
    if (a.has("target")) {
        auto endpoint = parse_target(a.get("target"));
        if (!endpoint) throw std::invalid_argument("--target takes HOST:PORT (e.g. 127.0.0.1:110 or [::1]:995)");
        config.endpoint = *endpoint;
        if (a.has("implicit-target")) {
            auto imp = parse_target(a.get("implicit-target"));
            if (!imp) throw std::invalid_argument("--implicit-target takes HOST:PORT");
            config.implicit_endpoint = *imp;
        }
        sc::AccountSet set;
        auto user = env_or(a, "user", "POP3SPEC_USER");
        auto pass = env_or(a, "pass", "POP3SPEC_PASS");
        if (!user.empty()) set.primary = sc::Credentials{user, pass};
        auto user2 = env_or(a, "user2", "POP3SPEC_USER2");
        if (!user2.empty()) set.secondary = sc::Credentials{user2, env_or(a, "pass2", "POP3SPEC_PASS2")};
        auto empty = env_or(a, "empty-user", "POP3SPEC_EMPTY_USER");
        if (!empty.empty()) set.empty = sc::Credentials{empty, env_or(a, "empty-pass", "POP3SPEC_EMPTY_PASS")};
        if (!set.primary)
            throw std::invalid_argument("--target needs --user and --pass (or POP3SPEC_USER/POP3SPEC_PASS)");
        config.account_sets.push_back(set);
        if (config.jobs > 1)
            err << "pop3spec run: --jobs ignored: one set of accounts for an external target (their maildrop locks "
                   "would collide)\n";
        if (a.has("seed-maildir")) seeder = sc::make_maildir_seeder(a.get("seed-maildir"));
        if (a.has("seed-mbox")) seeder = sc::make_mbox_seeder(a.get("seed-mbox"));
        if (a.has("seed-cmd")) seeder = sc::make_command_seeder(a.get("seed-cmd"));
        if (seeder && config.fixtures.empty()) {
            err << "pop3spec run: " << no_fixtures(fixtures_dir) << "\n";
            return exit_usage;
        }
        config.seeder = seeder.get();
    } else {
        if (seeders > 0) throw std::invalid_argument("seeding flags need --target (the embedded server seeds itself)");
        // The embedded server is always seeded: never silently an empty maildrop.
        if (config.fixtures.empty()) {
            err << "pop3spec run: " << no_fixtures(fixtures_dir) << "\n";
            return exit_usage;
        }
        std::string why;
        embedded = EmbeddedServer::start(config.jobs, verbose, why);
        if (!embedded) {
            err << "pop3spec run: " << why << "\n";
            return exit_unreachable;
        }
        config.endpoint.host = "127.0.0.1";
        if (config.tls == pop3::client::TlsMode::implicit) {
            if (embedded->implicit_tls_port() == 0) {
                err << "pop3spec run: the embedded server has no TLS (certificate generation failed)\n";
                return exit_unreachable;
            }
            config.endpoint.port = embedded->implicit_tls_port();
        } else {
            config.endpoint.port = embedded->plain_port();
            if (embedded->implicit_tls_port() != 0)
                config.implicit_endpoint = pop3::client::Endpoint{"127.0.0.1", embedded->implicit_tls_port()};
        }
        config.account_sets = embedded->accounts();
        config.seeder = &embedded->seeder();
        run.target.embedded = true;
    }

    Palette palette;
    auto color = a.get("color", "auto");
    palette.on = color == "always" || (color == "auto" && &out == &std::cout && ::isatty(1) == 1);

    std::string why;
    auto facts = sc::probe(config, why);
    if (!facts.reachable) {
        err << "pop3spec run: " << why << "\n";
        return exit_unreachable;
    }
    out << fmt::format("pop3spec {}: {} scenario(s) against {}{} ({})\n", POP3SPEC_VERSION, selected.size(),
                       config.endpoint.to_string(), run.target.embedded ? " (embedded reference server)" : "",
                       config.strict ? "strict profile" : "default profile");
    out << "greeting: " << facts.greeting << "\n";
    if (!facts.login_ok) out << "warning: " << facts.login_error << "\n";
    out.flush();

    config.on_result = [&](const sc::ScenarioResult& r, std::size_t done, std::size_t total) {
        auto line = fmt::format("[{:>{}}/{}] {:<5} {}", done, std::to_string(total).size(), total,
                                palette.paint(r.outcome, verdict(r)), r.id);
        if (r.outcome != sc::Outcome::pass) line += " — " + r.reason;
        if (baseline.known.count(r.id) && r.outcome != sc::Outcome::pass && r.outcome != sc::Outcome::skip)
            line += " (baselined)";
        out << line << "\n";
        if (verbose &&
            (r.outcome == sc::Outcome::fail || r.outcome == sc::Outcome::error || r.outcome == sc::Outcome::warn)) {
            for (const auto& t : r.transcript)
                out << fmt::format("        [{:>6} ms] {} {}: {}\n", t.at_ms, t.session, t.direction, t.text);
        }
        out.flush();
    };
    sc::run_scenarios(selected, config, facts, run);
    sc::apply_baseline(run, baseline);

    const auto& s = run.summary;
    for (const auto& r : run.scenarios)
        if (r.fixed) out << "fixed: " << r.id << " passes now; remove it from the baseline\n";
    out << fmt::format("{} scenario(s): {} passed, {} failed, {} warned, {} skipped, {} errors", s.total, s.pass,
                       s.fail, s.warn, s.skip, s.error);
    if (s.baselined || s.fixed) out << fmt::format(" ({} baselined, {} fixed)", s.baselined, s.fixed);
    out << fmt::format(" in {:.1f} s\n", run.duration_ms / 1000.0);

    bool written = true;
    if (a.has("json")) written &= write_text(a.get("json"), sc::to_json(run), err);
    written &= write_run_reports(run, a, err);  // --junit, --html, --md (pop3spec::report)
    if (!written) return exit_usage;
    return s.new_failures > 0 ? exit_failures : exit_ok;
}

}  // namespace pop3::cli
