// `pop3spec fuzz`: stateful network fuzzing of a running POP3 server, or of one pop3spec starts (--server-cmd);
// findings saved as minimised scenarios that `pop3spec run --scenarios DIR/finding-*.yaml` replays (issue 8).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <ostream>

#include "cli/cli.hpp"
#include "netfuzz/fuzzer.hpp"
#include "scenario/loader.hpp"

namespace pop3::cli {

namespace {

constexpr const char* fuzz_help = R"(Usage: pop3spec fuzz (--target HOST:PORT | --server-cmd CMD) [options]

Drives the server with mutated POP3 sessions generated from a model of its states (log in, reach TRANSACTION,
mutate there), watches for crashes, hangs, malformed replies, protocol-state violations, broken maildrop
invariants and sanitizer reports, and saves each distinct finding, minimised, as a scenario and a transcript.

Target:
  --target HOST:PORT       a running server (only ever this address is contacted)
  --server-cmd CMD         start the server with /bin/sh: {port} in CMD becomes a free loopback port (or CMD
                           prints "127.0.0.1:PORT"); its exit status, signals and stderr (sanitizer reports) are
                           watched, and it is restarted after a crash, when its maildrop is empty, and for each
                           minimisation trial
  --user NAME --pass PW    the account (or POP3SPEC_USER / POP3SPEC_PASS); repeat both for more accounts: worker k
                           uses account k mod n (give one per worker to check that no message vanishes)
  --seed-cmd CMD           run through /bin/sh after each (re)start, or to reseed a --target ({port} substituted)
Run:
  --duration SECONDS       stop after this long (default 60 when --sessions is not given)
  --sessions N             stop after N sessions
  --seed X                 the run's seed (default 1): the same seed generates the same sessions
  --jobs N                 parallel workers (default 1)
  --timeout MS             bound of each owed reply in milliseconds (default 3000; keep it above the server's
                           delay after a failed login)
  --out DIR                where findings and summary.json go (default fuzz-findings)
  --no-minimize            save findings as found
  --minimize-trials N      re-runs per finding at most (default 300)
  --scenarios DIR          seed command lines from this scenario folder (default: the installed suite)
  --corpus DIR             seed lines from these libFuzzer corpora (default: corpus/ of the source tree)
  --dict FILE              dictionary (default: fuzz/pop3.dict of the source tree)
  --quiet                  no progress line

Exit codes: 0 no findings, 1 findings, 2 usage error, 3 target unreachable or not startable.
)";

std::uint64_t number(const Arguments& a, const std::string& flag, std::uint64_t fallback) {
    if (!a.has(flag)) return fallback;
    const std::string v = a.get(flag);
    if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument(fmt::format("--{} takes a non-negative number", flag));
    return std::stoull(v);
}

std::filesystem::path source_path(const char* relative) {
#ifdef POP3SPEC_SOURCE_DIR
    return std::filesystem::path(POP3SPEC_SOURCE_DIR) / relative;
#else
    return relative;
#endif
}

}  // namespace

int fuzz_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Arguments a(args, {{"help", false},
                       {"target"},
                       {"server-cmd"},
                       {"user", true, true},
                       {"pass", true, true},
                       {"seed-cmd"},
                       {"duration"},
                       {"sessions"},
                       {"seed"},
                       {"jobs"},
                       {"timeout"},
                       {"out"},
                       {"no-minimize", false},
                       {"minimize-trials"},
                       {"scenarios"},
                       {"corpus"},
                       {"dict"},
                       {"quiet", false}});
    if (a.has("help")) {
        out << fuzz_help;
        return exit_ok;
    }
    if (!a.positional().empty())
        throw std::invalid_argument(fmt::format("unexpected argument '{}'", a.positional()[0]));
    if (a.has("target") == a.has("server-cmd")) throw std::invalid_argument("give one of --target or --server-cmd");

    netfuzz::FuzzOptions o;
    auto users = a.all("user");
    auto passes = a.all("pass");
    if (users.empty())
        if (const char* u = std::getenv("POP3SPEC_USER")) users.emplace_back(u);
    if (passes.empty())
        if (const char* p = std::getenv("POP3SPEC_PASS")) passes.emplace_back(p);
    if (users.empty() || users.size() != passes.size())
        throw std::invalid_argument("give --user and --pass (as often as each other), or POP3SPEC_USER/POP3SPEC_PASS");
    for (std::size_t i = 0; i < users.size(); ++i)
        o.accounts.push_back({users[i], passes[i]});
    o.seed = number(a, "seed", 1);
    o.max_sessions = number(a, "sessions", 0);
    o.duration = std::chrono::seconds(number(a, "duration", 0));
    o.jobs = static_cast<unsigned>(number(a, "jobs", 1));
    if (o.jobs < 1 || o.jobs > 64) throw std::invalid_argument("--jobs takes a number from 1 to 64");
    o.reply_timeout = std::chrono::milliseconds(number(a, "timeout", 3000));
    if (o.reply_timeout.count() <= 0) throw std::invalid_argument("--timeout must be positive");
    o.out_dir = a.get("out", "fuzz-findings");
    o.minimize = !a.has("no-minimize");
    o.minimize_options.max_trials = number(a, "minimize-trials", 300);
    o.seedable = a.has("seed-cmd");

    o.pool.tokens =
        netfuzz::load_dictionary(a.has("dict") ? std::filesystem::path(a.get("dict")) : source_path("fuzz/pop3.dict"));
    o.pool.lines = netfuzz::scenario_seed_lines(a.has("scenarios") ? std::filesystem::path(a.get("scenarios"))
                                                                   : default_scenarios_dir());
    auto corpus =
        netfuzz::corpus_seed_lines(a.has("corpus") ? std::filesystem::path(a.get("corpus")) : source_path("corpus"));
    o.pool.lines.insert(o.pool.lines.end(), corpus.begin(), corpus.end());

    std::unique_ptr<netfuzz::Target> target;
    if (a.has("server-cmd")) {
        std::string error;
        netfuzz::ProcessTargetOptions po;
        po.command = a.get("server-cmd");
        po.seed_cmd = a.get("seed-cmd");
        target = netfuzz::start_process_target(po, error);
        if (!target) {
            err << "pop3spec fuzz: cannot start the server: " << error << "\n";
            return exit_unreachable;
        }
    } else {
        const std::string t = a.get("target");
        const auto colon = t.rfind(':');
        if (colon == std::string::npos || colon + 1 >= t.size() ||
            t.find_first_not_of("0123456789", colon + 1) != std::string::npos)
            throw std::invalid_argument("--target takes HOST:PORT");
        std::string host = t.substr(0, colon);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        const unsigned long port = std::stoul(t.substr(colon + 1));
        if (port == 0 || port > 65535) throw std::invalid_argument("--target port must be 1-65535");
        target = netfuzz::make_address_target({host, static_cast<std::uint16_t>(port)}, a.get("seed-cmd"));
        if (a.has("seed-cmd")) {
            std::string error;
            if (!target->restart(error)) {
                err << "pop3spec fuzz: " << error << "\n";
                return exit_unreachable;
            }
        }
    }

    const bool quiet = a.has("quiet");
    const bool tty = isatty(2) != 0;
    o.on_progress = [&](const netfuzz::FuzzProgress& p) {
        if (quiet) return;
        err << (tty ? "\r" : "") << p.line() << (tty ? "\x1b[K" : "\n") << std::flush;
    };
    o.on_finding = [&](const netfuzz::FindingRecord& f) {
        if (quiet) return;
        err << (tty ? "\r\x1b[K" : "") << "finding " << f.id << " " << netfuzz::to_string(f.finding.kind) << ": "
            << f.finding.detail << (f.minimized ? fmt::format(" (minimised to {} ops)", f.minimize.ops_after) : "")
            << " -> " << f.yaml_path.string() << "\n";
    };
    auto summary = netfuzz::run_fuzz(*target, o);
    if (!quiet && tty) err << "\n";
    out << summary.to_json();
    if (!summary.error.empty()) err << "pop3spec fuzz: " << summary.error << "\n";
    if (summary.progress.sessions == 0 && !summary.error.empty()) return exit_unreachable;
    std::uint64_t distinct = 0;
    for (const auto& [kind, n] : summary.progress.findings)
        distinct += n;
    return distinct == 0 ? exit_ok : exit_failures;
}

}  // namespace pop3::cli
