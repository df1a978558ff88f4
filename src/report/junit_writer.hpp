#pragma once
// JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test-report actions), in the shape of the widely used
// Ant/Jenkins junit-10.xsd (reports/schema/junit.xsd): a testsuite per scenario group (the scenario id up to its
// second dot, e.g. "rfc1939.stat"), a testcase per scenario.

#include <cstddef>
#include <ostream>

#include "scenario/result.hpp"

namespace pop3::report {

/// Choices for write_junit.
struct JunitOptions {
    /// Transcript lines kept per failing testcase (the JSON has them all); 0 means no limit.
    std::size_t max_transcript_lines = 2000;
};

/// Writes the run as JUnit XML. Mapping: fail → <failure> (message: the reason; type: the level; body: expected,
/// received, notes and the transcript); error → <error>; skip → <skipped message="reason">; a fail/warn/error the
/// baseline knows → <skipped message="known failure (baseline): ..."> (like pytest's xfail), so it does not turn the
/// CI job red; warn → a passing testcase whose <system-out> starts with "WARN" and carries the transcript, and a
/// `warning` property on its testsuite, so warnings stay visible. The output is well-formed whatever bytes the
/// run holds.
void write_junit(const scenario::RunResult& run, std::ostream& out, const JunitOptions& options = {});

}  // namespace pop3::report
