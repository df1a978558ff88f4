#pragma once
// `pop3spec report` (re-render a saved result document, or compare several) and the report outputs of
// `pop3spec run`; both go through pop3spec::report.

#include <iosfwd>
#include <string>
#include <vector>

#include "scenario/result.hpp"

namespace pop3::cli {

class Arguments;

/// `pop3spec report [--html F] [--md F] [--junit F] [--json F] RESULT.json` and
/// `pop3spec report compare A.json B.json ... [--html F] [--md F] [--label NAME]... [--all]`.
int report_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

/// Writes the report outputs `pop3spec run` was asked for (--junit, --html, --md; run writes --json itself),
/// each rendered from the run's JSON document; false, with a message on `err`, when one could not be written.
bool write_run_reports(const scenario::RunResult& run, const Arguments& arguments, std::ostream& err);

}  // namespace pop3::cli
