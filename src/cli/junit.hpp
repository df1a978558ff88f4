#pragma once
// A simple JUnit XML writer for `pop3spec run --junit` (the reports issue brings the full one).

#include <string>

#include "scenario/result.hpp"

namespace pop3::cli {

/// JUnit XML of a run: one testsuite per scenario file, one testcase per scenario; fail → <failure>, error →
/// <error>, skip → <skipped>, warn → passes with the warning in <system-out>.
std::string to_junit(const scenario::RunResult& run);

}  // namespace pop3::cli
