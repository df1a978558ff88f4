#pragma once
// Short texts every report format shares: the name of a run's server, a scenario's suite, durations.

#include <string>
#include <string_view>

#include "scenario/result.hpp"

namespace pop3::report {

/// What to call the server of a run: its IMPLEMENTATION string (RFC 2449 §6.9) if it advertised one, "pop3spec
/// reference server" for the embedded target, else its greeting text after "+OK", else its address.
std::string run_label(const scenario::RunResult& run);

/// The suite (JUnit testsuite, report group) of a scenario: its id up to the second dot ("rfc1939.stat" for
/// "rfc1939.stat.drop-listing"); ids with fewer dots give their first part, or "pop3spec" when empty.
std::string suite_name(std::string_view scenario_id);

/// "850 ms", "12.4 s", "3 min 05 s".
std::string format_duration(double milliseconds);

/// "pass" → "✅", "fail" → "❌", "warn" → "⚠️", "skip" → "⏭️", "error" → "💥".
std::string_view outcome_symbol(scenario::Outcome outcome);

/// The outcomes in the order every report lists them.
inline constexpr scenario::Outcome all_outcomes[] = {scenario::Outcome::pass, scenario::Outcome::fail,
                                                     scenario::Outcome::warn, scenario::Outcome::skip,
                                                     scenario::Outcome::error};

/// The count of an outcome in a summary.
int count_of(const scenario::Summary& summary, scenario::Outcome outcome);

}  // namespace pop3::report
