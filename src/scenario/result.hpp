#pragma once
// The result document: one per run, versioned JSON (schema_version; see docs/scenarios.md "Result document").
// Every report format (JUnit, HTML, Markdown, comparison) is written from this model alone.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::scenario {

/// The verdict of one scenario (DESIGN.md "Outcomes").
enum class Outcome {
    pass,   ///< every expectation held (MAY/INFO observations may be recorded in notes)
    fail,   ///< a MUST (or, with --strict, a SHOULD or implied) expectation broke
    warn,   ///< a SHOULD (or implied, default profile) expectation broke
    skip,   ///< not run: capability not advertised, no seeding, no second account, ... (reason says which)
    error,  ///< the run could not decide: network, timeout before the greeting, bad scenario, seeding failed
};

/// "pass", "fail", "warn", "skip", "error".
std::string_view to_string(Outcome outcome);
/// Parses the names above; nullopt otherwise.
std::optional<Outcome> parse_outcome(std::string_view text);

/// One transcript line: what went which way, when.
struct TranscriptLine {
    std::int64_t at_ms = 0;  ///< since the scenario's first connect
    std::string session;     ///< the scenario's session name ("main", "b", ...)
    std::string direction;   ///< "C" (client to server), "S" (server to client), "*" (event)
    std::string text;        ///< bytes escaped for people (\r \n \xNN), secrets already redacted
};

/// The result of one scenario.
struct ScenarioResult {
    std::string id;
    std::string title;
    std::string file;
    std::vector<std::string> refs;
    std::vector<std::string> tags;
    std::string level;  ///< "MUST", "SHOULD", "MAY", "INFO", "IMPLIED"
    Outcome outcome = Outcome::pass;
    /// One line: the step, what was expected and what came, e.g.
    /// "step 4 `cmd RETR 1` (line 12): expected +OK, got -ERR no such message".
    std::string reason;
    std::optional<int> step;         ///< 1-based number of the step the reason is about
    std::optional<int> line;         ///< its line in the scenario file
    std::string expected;            ///< the failing expectation, for "expected against received" views
    std::string received;            ///< what came instead (escaped, bounded)
    std::vector<std::string> notes;  ///< further warnings and MAY/INFO observations, one line each
    double duration_ms = 0;
    std::vector<TranscriptLine> transcript;
    bool transcript_truncated = false;  ///< entries or bytes were dropped to keep memory bounded

    // Baseline (--baseline FILE): known failures that do not fail the run.
    bool baselined = false;       ///< the outcome is fail/warn/error and the baseline lists this id
    std::string baseline_reason;  ///< why it is a known failure (from the baseline file)
    bool fixed = false;           ///< the baseline lists it but it passed: remove it from the baseline
};

/// The server under test, as seen at the start of the run.
struct TargetInfo {
    std::string address;    ///< "127.0.0.1:1110"
    std::string tls;        ///< "none", "starttls", "implicit"
    bool embedded = false;  ///< the embedded reference server started by `pop3spec run` without --target
    std::string greeting;   ///< the greeting line (escaped)
    std::vector<std::string> capabilities;              ///< CAPA lines before login (empty if CAPA failed)
    std::vector<std::string> capabilities_after_login;  ///< CAPA lines in TRANSACTION (if a login was possible)
    std::string implementation;                         ///< IMPLEMENTATION argument (RFC 2449 §6.9), if advertised
};

/// Counts per outcome.
struct Summary {
    int total = 0, pass = 0, fail = 0, warn = 0, skip = 0, error = 0;
    int baselined = 0;  ///< fail/warn/error outcomes covered by the baseline
    int fixed = 0;      ///< baselined ids that passed
    /// Failures (fail + error) not covered by the baseline: the run fails when this is non-zero.
    int new_failures = 0;
};

/// The whole run.
struct RunResult {
    /// Version of this document's shape. Bumped on incompatible changes; readers check it.
    static constexpr int current_schema_version = 1;
    int schema_version = current_schema_version;
    std::string tool = "pop3spec";
    std::string tool_version;
    std::string profile = "default";  ///< "default" or "strict"
    std::string started;              ///< ISO 8601 UTC, e.g. "2026-11-28T01:02:03Z"
    double duration_ms = 0;
    TargetInfo target;
    std::string seeding = "none";      ///< "none", "maildir", "mbox", "cmd", "embedded"
    std::string seeding_output;        ///< output of --seed-cmd runs (bounded)
    std::vector<std::string> filters;  ///< --id / --tag filters as given
    Summary summary;
    std::vector<ScenarioResult> scenarios;  ///< in a deterministic order (as loaded: path, then position)
};

/// Recomputes summary from the scenarios.
Summary summarize(const std::vector<ScenarioResult>& scenarios);

/// The document as pretty-printed JSON.
std::string to_json(const RunResult& run);
/// Reads a document written by to_json (throws std::runtime_error on malformed JSON, a missing member, or a
/// schema_version newer than this build understands).
RunResult from_json(std::string_view text);

}  // namespace pop3::scenario
