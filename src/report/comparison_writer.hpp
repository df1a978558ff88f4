#pragma once
// A comparison matrix across servers, like the matrices protocol test suites publish for many implementations:
// scenarios (and cited requirements) as rows, one column per run, rows whose verdicts differ highlighted.

#include <ostream>
#include <string>
#include <vector>

#include "report/requirement_catalog.hpp"
#include "scenario/result.hpp"

namespace pop3::report {

/// Choices for the comparison writers.
struct ComparisonOptions {
    /// Column headings, one per run; missing or empty ones default to run_label() (made unique with "#2", ...).
    std::vector<std::string> labels;
    /// Groups and describes requirement ids; nullptr means RequirementCatalog::builtin().
    const RequirementCatalog* catalog = nullptr;
    /// Markdown only: list every scenario, not just those whose verdicts differ.
    bool all_rows = false;
};

/// The column headings write_comparison_* use for these runs and options.
std::vector<std::string> comparison_labels(const std::vector<scenario::RunResult>& runs,
                                           const ComparisonOptions& options);

/// Writes the matrix as one self-contained HTML page (filters: differences only, search).
void write_comparison_html(const std::vector<scenario::RunResult>& runs, std::ostream& out,
                           const ComparisonOptions& options = {});

/// Writes the matrix as Markdown: totals per server, then the scenarios whose verdicts differ (all with all_rows).
void write_comparison_markdown(const std::vector<scenario::RunResult>& runs, std::ostream& out,
                               const ComparisonOptions& options = {});

}  // namespace pop3::report
