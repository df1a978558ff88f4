#pragma once
// The HTML report of one run: a single self-contained file (inline CSS and a little JavaScript from reports/assets/,
// no network, no external assets) with the target's identity, totals by outcome and level, the matrix of cited
// requirements by inventory section with their verdicts, outcome filters and search, and per scenario an expandable
// transcript with the failing step's expected against received.

#include <cstddef>
#include <ostream>
#include <string>

#include "report/requirement_catalog.hpp"
#include "scenario/result.hpp"

namespace pop3::report {

/// Choices for write_html.
struct HtmlOptions {
    /// Groups and describes requirement ids; nullptr means RequirementCatalog::builtin().
    const RequirementCatalog* catalog = nullptr;
    /// Transcript lines shown per scenario (the JSON has them all); 0 means no limit.
    std::size_t max_transcript_lines = 3000;
    /// The page title; empty means "POP3 conformance: <server>".
    std::string title;
};

/// Writes the page. Machine-readable hooks (used by the Chromium test and handy for scraping): each total is a
/// `.tile[data-outcome][data-count]`, each scenario a `[data-item][data-outcome]`, and the script sets
/// `body[data-js-ready="1"]` when it ran. All text from the run is escaped; the page is valid UTF-8 whatever bytes
/// the run holds.
void write_html(const scenario::RunResult& run, std::ostream& out, const HtmlOptions& options = {});

}  // namespace pop3::report
