#pragma once
// A result document for the report tests: every outcome, levels, refs in and out of the catalog, a baselined
// failure, a fixed one, notes, and hostile bytes (NUL, invalid UTF-8, markup, script end tags) in every text field.

#include <string>

#include "scenario/result.hpp"

namespace pop3::report::testing {

/// Bytes a hostile server could send: NUL, C0/C1 controls, invalid and overlong UTF-8, a surrogate, markup.
std::string hostile_text();

/// A run whose every text field holds pseudo-random bytes (deterministic for a seed): for the writers' "never an
/// invalid document" property.
scenario::RunResult random_bytes_run(unsigned seed, int scenarios = 20);

/// The sample run (summary computed). `variant` 1 changes some outcomes, for comparison tests.
scenario::RunResult sample_run(int variant = 0);

}  // namespace pop3::report::testing
