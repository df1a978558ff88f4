#pragma once
// A short Markdown summary of a run, fit for a CI job summary ($GITHUB_STEP_SUMMARY) or a pull-request comment:
// the verdict, totals by outcome and level, then failures, errors and warnings with their reasons.

#include <cstddef>
#include <ostream>

#include "scenario/result.hpp"

namespace pop3::report {

/// Choices for write_markdown.
struct MarkdownOptions {
    /// Entries listed per section (failures, errors, warnings, ...); the rest are counted. Keeps the summary well
    /// under the 1 MiB GitHub allows.
    std::size_t max_items = 100;
};

/// Writes the summary. Every text from the run is escaped (escape_markdown): no HTML or link injection.
void write_markdown(const scenario::RunResult& run, std::ostream& out, const MarkdownOptions& options = {});

}  // namespace pop3::report
