#include "report/markdown_writer.hpp"

#include <fmt/format.h>

#include <functional>
#include <string>
#include <vector>

#include "report/level_totals.hpp"
#include "report/run_labels.hpp"
#include "report/text_escape.hpp"

namespace pop3::report {

using scenario::Outcome;
using scenario::RunResult;
using scenario::ScenarioResult;

namespace {

std::string refs_text(const ScenarioResult& s) {
    std::string out;
    for (const auto& r : s.refs)
        out += (out.empty() ? "" : ", ") + r;
    return out;
}

void section(std::ostream& out, const RunResult& run, const MarkdownOptions& options, std::string_view heading,
             const std::function<bool(const ScenarioResult&)>& keep, bool collapsed) {
    std::vector<const ScenarioResult*> items;
    for (const auto& s : run.scenarios)
        if (keep(s)) items.push_back(&s);
    if (items.empty()) return;
    if (collapsed)
        out << fmt::format("<details><summary>{} ({})</summary>\n\n", heading, items.size());
    else
        out << fmt::format("### {} ({})\n\n", heading, items.size());
    out << "| Scenario | Level | Reason | Refs |\n|---|---|---|---|\n";
    std::size_t shown = 0;
    for (const auto* s : items) {
        if (shown++ == options.max_items) break;
        std::string reason = s->reason;
        if (s->baselined) reason = "known: " + s->baseline_reason + " — now: " + reason;
        out << fmt::format("| {} {} | {} | {} | {} |\n", outcome_symbol(s->outcome), escape_markdown(s->id, 120),
                           escape_markdown(s->level, 20), escape_markdown(reason), escape_markdown(refs_text(*s), 200));
    }
    if (items.size() > options.max_items)
        out << fmt::format("\n… and {} more (see the HTML or JSON report).\n", items.size() - options.max_items);
    out << (collapsed ? "\n</details>\n\n" : "\n");
}

}  // namespace

void write_markdown(const RunResult& run, std::ostream& out, const MarkdownOptions& options) {
    const auto summary = scenario::summarize(run.scenarios);
    const bool ok = summary.new_failures == 0;
    out << fmt::format(
        "## {} pop3spec: {} — {}\n\n", ok ? "✅" : "❌", escape_markdown(run_label(run), 80),
        ok ? std::string("no new failures")
           : fmt::format("{} new failure{}", summary.new_failures, summary.new_failures == 1 ? "" : "s"));
    out << fmt::format("Target {} (TLS: {}{}) · profile {} · seeding {} · {} scenarios in {}",
                       escape_markdown(run.target.address, 100), escape_markdown(run.target.tls, 20),
                       run.target.embedded ? ", embedded" : "", escape_markdown(run.profile, 20),
                       escape_markdown(run.seeding, 20), summary.total, format_duration(run.duration_ms));
    if (!run.started.empty()) out << " · started " << escape_markdown(run.started, 40);
    out << " · " << escape_markdown(run.tool + " " + run.tool_version, 60) << "\n\n";
    if (!run.target.greeting.empty()) out << "Greeting: " << escape_markdown(run.target.greeting, 300) << "\n\n";

    out << "| | ✅ pass | ❌ fail | ⚠️ warn | ⏭️ skip | 💥 error | total "
           "|\n|---|---|---|---|---|---|---|\n";
    out << fmt::format("| **all** | {} | {} | {} | {} | {} | {} |\n", summary.pass, summary.fail, summary.warn,
                       summary.skip, summary.error, summary.total);
    for (const auto& row : level_totals(run)) {
        out << fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", escape_markdown(row.level, 20),
                           count_of(row.counts, Outcome::pass), count_of(row.counts, Outcome::fail),
                           count_of(row.counts, Outcome::warn), count_of(row.counts, Outcome::skip),
                           count_of(row.counts, Outcome::error), row.counts.total);
    }
    out << "\n";
    if (summary.baselined != 0 || summary.fixed != 0)
        out << fmt::format("Baseline: {} known failure{} · {} fixed (listed but passing: remove them)\n\n",
                           summary.baselined, summary.baselined == 1 ? "" : "s", summary.fixed);

    section(
        out, run, options, "Failures",
        [](const ScenarioResult& s) { return s.outcome == Outcome::fail && !s.baselined; }, false);
    section(
        out, run, options, "Errors",
        [](const ScenarioResult& s) { return s.outcome == Outcome::error && !s.baselined; }, false);
    section(
        out, run, options, "Warnings",
        [](const ScenarioResult& s) { return s.outcome == Outcome::warn && !s.baselined; }, summary.warn > 10);
    section(
        out, run, options, "Fixed (in the baseline, but passed)", [](const ScenarioResult& s) { return s.fixed; },
        false);
    section(
        out, run, options, "Known failures (baseline)", [](const ScenarioResult& s) { return s.baselined; }, true);
    section(
        out, run, options, "Skipped", [](const ScenarioResult& s) { return s.outcome == Outcome::skip; }, true);
}

}  // namespace pop3::report
