// The network fuzzing loop behind `pop3spec fuzz`: N workers generate sessions from the state model, run them
// against the target with the oracles on, and turn each new finding into a minimised, replayable scenario.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "netfuzz/dictionary.hpp"
#include "netfuzz/finding.hpp"
#include "netfuzz/minimizer.hpp"
#include "netfuzz/session_plan.hpp"
#include "netfuzz/session_runner.hpp"
#include "netfuzz/target.hpp"

namespace pop3::netfuzz {

/// Everything a fuzz run needs besides the target.
struct FuzzOptions {
    /// Accounts; worker k uses account k mod size. The message-gone invariant is only checked when every worker
    /// has an account of its own (otherwise other workers' deletions are legitimate).
    std::vector<Account> accounts;
    std::uint64_t seed = 1;
    /// Stop after this many sessions (0: no bound).
    std::uint64_t max_sessions = 0;
    /// Stop after this long (0: no bound). With neither bound the run lasts 60 s.
    std::chrono::milliseconds duration{0};
    unsigned jobs = 1;
    std::chrono::milliseconds reply_timeout{3000};
    /// Where findings go (finding-NNNN-KIND.yaml, .txt and summary.json); empty: nothing is written.
    std::filesystem::path out_dir;
    bool minimize = true;
    MinimizeOptions minimize_options{};
    /// Stop once this many distinct findings were made (0: never), e.g. for tests.
    std::size_t stop_after_findings = 0;
    /// At most this many distinct findings are saved; further ones are only counted.
    std::size_t max_saved = 100;
    SeedPool pool;
    /// The target can be reseeded (a seed command was given): sessions may then commit deletions even against a
    /// target given by address; the maildrop is refilled whenever it runs empty.
    bool seedable = false;
    /// Called about every progress_interval from the calling thread, and once at the end.
    std::function<void(const struct FuzzProgress&)> on_progress;
    std::chrono::milliseconds progress_interval{1000};
    /// Called when a finding was saved (from a worker thread, serialised).
    std::function<void(const struct FindingRecord&)> on_finding;
};

/// A progress snapshot.
struct FuzzProgress {
    std::uint64_t sessions = 0;
    double elapsed_s = 0;
    double sessions_per_second = 0;
    std::map<FindingKind, std::uint64_t> findings;  ///< distinct findings by kind
    std::uint64_t restarts = 0;

    /// "sessions 12034 (1503/s), findings crash 0 hang 0 ..., elapsed 8.0 s".
    std::string line() const;
};

/// One distinct finding and its reproducer.
struct FindingRecord {
    std::string id;  ///< "finding-0001"
    Finding finding;
    std::uint64_t session = 0;  ///< index of the session that first showed it
    SessionPlan plan;           ///< minimised (or original) plan
    MinimizeStats minimize;
    bool minimized = false;
    bool reproduced = false;       ///< a fresh re-run of `plan` showed it again
    std::uint64_t duplicates = 0;  ///< later sessions with the same signature
    std::string evidence;          ///< exit status, sanitizer excerpt
    std::string yaml;              ///< the reproducer scenario
    std::string transcript;        ///< the raw transcript of the reproducing run (secrets redacted)
    std::filesystem::path yaml_path, transcript_path;
};

/// The result of a run.
struct FuzzSummary {
    std::string target;
    std::uint64_t seed = 0;
    FuzzProgress progress;
    std::vector<FindingRecord> findings;
    std::string error;  ///< why the run stopped early (target unreachable, cannot restart), else empty

    /// The JSON summary (docs/network-fuzzing.md), for people and report writers.
    std::string to_json() const;
};

/// Runs the fuzzer. Blocks until a bound is reached. Never throws for anything the target does.
FuzzSummary run_fuzz(Target& target, const FuzzOptions& options);

}  // namespace pop3::netfuzz
