#include "report/comparison_writer.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <set>
#include <string>

#include "report/html_page.hpp"
#include "report/requirement_verdicts.hpp"
#include "report/run_labels.hpp"
#include "report/text_escape.hpp"

namespace pop3::report {

using scenario::Outcome;
using scenario::RunResult;
using scenario::ScenarioResult;

namespace {

std::string e(std::string_view text) {
    return escape_markup(text);
}
std::string a(std::string_view text) {
    return escape_attribute(text);
}

// One row: a scenario id and, per run, its result there (nullptr: not run there).
struct Row {
    std::string id;
    const ScenarioResult* first = nullptr;  // for title and level
    std::vector<const ScenarioResult*> cells;
    bool differs = false;
};

std::vector<Row> scenario_rows(const std::vector<RunResult>& runs) {
    std::vector<Row> rows;
    std::map<std::string, std::size_t, std::less<>> index;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        for (const auto& s : runs[r].scenarios) {
            auto [it, inserted] = index.try_emplace(s.id, rows.size());
            if (inserted) rows.push_back(Row{s.id, &s, std::vector<const ScenarioResult*>(runs.size()), false});
            auto& row = rows[it->second];
            if (row.cells[r] == nullptr) row.cells[r] = &s;
        }
    }
    for (auto& row : rows) {
        std::set<int> seen;
        for (const auto* c : row.cells)
            seen.insert(c == nullptr ? -1 : static_cast<int>(c->outcome));
        row.differs = seen.size() > 1;
    }
    return rows;
}

// One requirement row: its worst verdict per run (nullopt: no scenario of that run cites it).
struct RequirementRow {
    std::string id;
    std::string group;
    const Requirement* requirement = nullptr;
    std::vector<std::optional<Outcome>> cells;
    bool differs = false;
};

std::vector<RequirementRow> requirement_rows(const std::vector<RunResult>& runs, const RequirementCatalog& catalog) {
    std::map<std::string, RequirementRow, std::less<>> by_id;
    for (std::size_t r = 0; r < runs.size(); ++r) {
        for (const auto& v : requirement_verdicts(runs[r], catalog)) {
            auto [it, inserted] = by_id.try_emplace(v.id);
            auto& row = it->second;
            if (inserted) {
                row.id = v.id;
                row.group = v.group;
                row.requirement = v.requirement;
                row.cells.resize(runs.size());
            }
            row.cells[r] = v.outcome;
        }
    }
    std::vector<RequirementRow> out;
    for (const auto& req : catalog.entries()) {
        if (auto it = by_id.find(req.id); it != by_id.end()) {
            out.push_back(std::move(it->second));
            by_id.erase(it);
        }
    }
    for (auto& [id, row] : by_id)
        out.push_back(std::move(row));
    for (auto& row : out) {
        std::set<int> seen;
        for (const auto& c : row.cells)
            seen.insert(c ? static_cast<int>(*c) : -1);
        row.differs = seen.size() > 1;
    }
    return out;
}

std::string cell_html(const ScenarioResult* s) {
    if (s == nullptr) return "<span class=\"badge none\" title=\"not run\">—</span>";
    std::string out = html::badge(s->outcome, s->baselined);
    // The reason as a tooltip: the matrix stays compact, the detail is a hover away.
    if (!s->reason.empty()) out = "<span title=\"" + a(truncate_utf8(s->reason, 600)) + "\">" + out + "</span>";
    return out;
}

}  // namespace

std::vector<std::string> comparison_labels(const std::vector<RunResult>& runs, const ComparisonOptions& options) {
    std::vector<std::string> labels;
    std::map<std::string, int> used;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        std::string label = i < options.labels.size() && !options.labels[i].empty() ? sanitize_utf8(options.labels[i])
                                                                                    : run_label(runs[i]);
        if (const int n = ++used[label]; n > 1) label += fmt::format(" #{}", n);
        labels.push_back(std::move(label));
    }
    return labels;
}

void write_comparison_html(const std::vector<RunResult>& runs, std::ostream& out, const ComparisonOptions& options) {
    const auto& catalog = options.catalog != nullptr ? *options.catalog : RequirementCatalog::builtin();
    const auto labels = comparison_labels(runs, options);
    const auto rows = scenario_rows(runs);
    const auto reqs = requirement_rows(runs, catalog);
    std::size_t differing = 0;
    for (const auto& r : rows)
        differing += r.differs ? 1 : 0;

    std::string title = "POP3 comparison:";
    for (std::size_t i = 0; i < labels.size(); ++i)
        title += (i == 0 ? " " : " · ") + labels[i];
    html::begin_page(out, title,
                     fmt::format("data-report=\"comparison\" data-runs=\"{}\" data-rows=\"{}\" data-differing=\"{}\"",
                                 runs.size(), rows.size(), differing));
    out << "<header class=\"top\"><h1>" << e(title) << "</h1><div class=\"sub\">";
    out << fmt::format("<span>{} servers</span><span>{} scenarios</span><span>{} with differing verdicts</span>",
                       runs.size(), rows.size(), differing);
    out << "</div></header>\n<main>\n";

    out << "<section id=\"servers\"><h2>Servers</h2>\n<table class=\"servers\"><thead><tr><th>Server</th>"
           "<th>Address</th><th>Started</th>";
    for (auto o : all_outcomes)
        out << "<th class=\"num\">" << to_string(o) << "</th>";
    out << "<th class=\"num\">total</th><th class=\"num\">new failures</th></tr></thead><tbody>\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto summary = scenario::summarize(runs[i].scenarios);
        out << "<tr data-server=\"" << a(labels[i]) << "\"><td><b>" << e(labels[i]) << "</b><br><span class=\"muted "
            << "mono\">" << e(truncate_utf8(runs[i].target.greeting, 120)) << "</span></td><td class=\"mono\">"
            << e(runs[i].target.address) << "</td><td class=\"nowrap\">" << e(runs[i].started) << "</td>";
        for (auto o : all_outcomes) {
            const int n = count_of(summary, o);
            out << "<td class=\"num" << (n == 0 ? " zero" : "") << "\" data-outcome=\"" << to_string(o) << "\">" << n
                << "</td>";
        }
        out << "<td class=\"num\">" << summary.total << "</td><td class=\"num\">" << summary.new_failures
            << "</td></tr>\n";
    }
    out << "</tbody></table></section>\n";

    out << "<section id=\"matrix\"><h2>Scenarios</h2>\n<div class=\"toolbar\">"
           "<label><input type=\"checkbox\" id=\"only-diff\"> only rows whose verdicts differ</label>"
           "<span class=\"shown\" id=\"shown\"></span>"
           "<input type=\"search\" id=\"q\" placeholder=\"Filter by id, title, requirement…\" aria-label=\"Filter\">"
           "</div>\n<table class=\"compare\"><thead><tr><th>Scenario</th><th>Level</th>";
    for (const auto& l : labels)
        out << "<th class=\"server\">" << e(l) << "</th>";
    out << "</tr></thead><tbody>\n";
    for (const auto& row : rows) {
        std::string search = row.id + " " + row.first->title;
        for (const auto& r : row.first->refs)
            search += " " + r;
        out << "<tr data-item data-differs=\"" << (row.differs ? 1 : 0) << "\" data-search=\""
            << a(html::lower_ascii(search)) << "\"" << (row.differs ? " class=\"differs\"" : "")
            << "><td class=\"sid\">" << e(row.id) << "<div class=\"stitle\">" << e(row.first->title)
            << "</div></td><td class=\"level\">" << e(row.first->level) << "</td>";
        for (const auto* c : row.cells)
            out << "<td class=\"cell\">" << cell_html(c) << "</td>";
        out << "</tr>\n";
    }
    out << "</tbody></table></section>\n";

    out << "<section id=\"requirements\"><h2>Requirements</h2>\n<p class=\"muted\">Each cell is the most severe "
           "outcome of the scenarios citing the requirement on that server.</p>\n<table class=\"compare\"><thead><tr>"
           "<th>Requirement</th><th>RFC</th>";
    for (const auto& l : labels)
        out << "<th class=\"server\">" << e(l) << "</th>";
    out << "</tr></thead><tbody>\n";
    std::string group;
    for (std::size_t k = 0; k < reqs.size(); ++k) {
        const auto& row = reqs[k];
        if (k == 0 || row.group != group) {
            group = row.group;
            out << "<tr class=\"group\"><td colspan=\"" << labels.size() + 2 << "\"><b>" << e(group)
                << "</b></td></tr>\n";
        }
        out << "<tr data-requirement=\"" << a(row.id) << "\"" << (row.differs ? " class=\"differs\"" : "")
            << "><td class=\"sid\"" << (row.requirement ? " title=\"" + a(row.requirement->text) + "\"" : std::string())
            << ">" << e(row.id) << "</td><td class=\"level\">" << (row.requirement ? e(row.requirement->rfc) : "")
            << "</td>";
        for (const auto& c : row.cells)
            out << "<td class=\"cell\">" << (c ? html::badge(*c) : "<span class=\"badge none\">—</span>") << "</td>";
        out << "</tr>\n";
    }
    out << "</tbody></table></section>\n";
    html::end_page(out, "Written by pop3spec from the JSON result documents of each run.");
}

void write_comparison_markdown(const std::vector<RunResult>& runs, std::ostream& out,
                               const ComparisonOptions& options) {
    const auto labels = comparison_labels(runs, options);
    const auto rows = scenario_rows(runs);
    std::size_t differing = 0;
    for (const auto& r : rows)
        differing += r.differs ? 1 : 0;

    out << "## pop3spec comparison\n\n| Server | Address | ✅ pass | ❌ fail | ⚠️ warn | ⏭️ skip | 💥 "
           "error "
           "| "
           "total "
           "|\n"
           "|---|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        const auto s = scenario::summarize(runs[i].scenarios);
        out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", escape_markdown(labels[i], 80),
                           escape_markdown(runs[i].target.address, 80), s.pass, s.fail, s.warn, s.skip, s.error,
                           s.total);
    }
    out << fmt::format("\n{} scenarios, {} with differing verdicts.\n\n", rows.size(), differing);
    if (differing == 0 && !options.all_rows) return;
    out << "| Scenario | Level |";
    for (const auto& l : labels)
        out << " " << escape_markdown(l, 40) << " |";
    out << "\n|---|---|";
    for (std::size_t i = 0; i < labels.size(); ++i)
        out << "---|";
    out << "\n";
    for (const auto& row : rows) {
        if (!row.differs && !options.all_rows) continue;
        out << "| " << (row.differs && options.all_rows ? "**≠** " : "") << escape_markdown(row.id, 120) << " | "
            << escape_markdown(row.first->level, 20) << " |";
        for (const auto* c : row.cells) {
            if (c == nullptr)
                out << " — |";
            else
                out << " " << outcome_symbol(c->outcome) << " " << to_string(c->outcome)
                    << (c->baselined ? " (known)" : "") << " |";
        }
        out << "\n";
    }
    out << "\n";
}

}  // namespace pop3::report
