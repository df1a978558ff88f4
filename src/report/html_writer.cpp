#include "report/html_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "report/html_page.hpp"
#include "report/level_totals.hpp"
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

std::string scenario_anchor(std::size_t index) {
    return fmt::format("s-{}", index);
}

void write_header(std::ostream& out, const RunResult& run, const std::string& label) {
    out << "<header class=\"top\"><h1>POP3 conformance — " << e(label) << "</h1>\n<div class=\"sub\">";
    out << "<span>" << e(run.target.address) << (run.target.embedded ? " (embedded)" : "") << "</span>";
    out << "<span>TLS: " << e(run.target.tls.empty() ? "none" : run.target.tls) << "</span>";
    out << "<span>profile " << e(run.profile) << "</span>";
    if (!run.started.empty()) out << "<span>" << e(run.started) << "</span>";
    out << "<span>" << e(format_duration(run.duration_ms)) << "</span>";
    out << "<span>" << e(run.tool + " " + run.tool_version) << "</span></div></header>\n<main>\n";
}

std::string plural(int n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
}

void write_verdict(std::ostream& out, const scenario::Summary& summary) {
    if (summary.new_failures == 0) {
        out << "<div class=\"verdict ok\" data-verdict=\"ok\">✔ No new failures<span class=\"detail\">";
        out << fmt::format("{}: {} passed, {} warned, {} skipped", plural(summary.total, "scenario", "scenarios"),
                           summary.pass, summary.warn, summary.skip);
    } else {
        out << "<div class=\"verdict bad\" data-verdict=\"fail\">✘ "
            << plural(summary.new_failures, "new failure", "new failures") << "<span class=\"detail\">";
        out << fmt::format("{} failed, {} of {} (baselined ones aside)", summary.fail,
                           plural(summary.error, "error", "errors"), plural(summary.total, "scenario", "scenarios"));
    }
    if (summary.baselined != 0)
        out << " · " << plural(summary.baselined, "known failure", "known failures") << " (baseline)";
    if (summary.fixed != 0) out << " · " << summary.fixed << " fixed: remove from the baseline";
    out << "</span></div>\n";
}

// The inventory writes requirement texts in Markdown: show `code` and **strong** as such (on escaped text, so
// nothing else can become markup).
std::string inline_markdown(std::string_view escaped) {
    std::string out;
    bool code = false, strong = false;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] == '`') {
            out += code ? "</code>" : "<code>";
            code = !code;
        } else if (!code && escaped.substr(i, 2) == "**") {
            out += strong ? "</strong>" : "<strong>";
            strong = !strong;
            ++i;
        } else {
            out += escaped[i];
        }
    }
    if (code) out += "</code>";
    if (strong) out += "</strong>";
    return out;
}

void write_totals(std::ostream& out, const RunResult& run, const scenario::Summary& summary) {
    out << "<section id=\"totals\"><h2>Totals</h2>\n<div class=\"tiles\">";
    out << fmt::format(
        "<div class=\"tile\" data-outcome=\"total\" data-count=\"{0}\"><div class=\"n\">{0}</div>"
        "<div class=\"l\">scenarios</div></div>",
        summary.total);
    for (auto o : all_outcomes) {
        const int n = count_of(summary, o);
        out << fmt::format(
            "<div class=\"tile {0}\" data-outcome=\"{0}\" data-count=\"{1}\"><div class=\"n\">{1}</div>"
            "<div class=\"l\">{0}</div></div>",
            to_string(o), n);
    }
    out << "</div>\n<div class=\"bar\" aria-hidden=\"true\">";
    for (auto o : all_outcomes) {
        const int n = count_of(summary, o);
        if (n > 0 && summary.total > 0)
            out << fmt::format("<span class=\"{}\" style=\"width:{:.3f}%\" title=\"{}: {}\"></span>", to_string(o),
                               100.0 * n / summary.total, to_string(o), n);
    }
    out << "</div>\n";

    out << "<h3>By level</h3>\n<table class=\"levels\"><thead><tr><th>Level</th>";
    for (auto o : all_outcomes)
        out << "<th class=\"num\">" << to_string(o) << "</th>";
    out << "<th class=\"num\">total</th></tr></thead><tbody>\n";
    for (const auto& row : level_totals(run)) {
        out << "<tr data-level=\"" << a(row.level) << "\"><td>" << e(row.level) << "</td>";
        for (auto o : all_outcomes) {
            const int n = count_of(row.counts, o);
            out << "<td class=\"num" << (n == 0 ? " zero" : "") << "\">" << n << "</td>";
        }
        out << "<td class=\"num\">" << row.counts.total << "</td></tr>\n";
    }
    out << "</tbody></table></section>\n";
}

void chips(std::ostream& out, const std::vector<std::string>& items, const std::vector<std::string>* before) {
    if (items.empty()) {
        out << "<span class=\"muted\">none</span>";
        return;
    }
    out << "<div class=\"chips\">";
    for (const auto& item : items) {
        bool added = false;
        if (before != nullptr) {
            const auto tag = item.substr(0, item.find(' '));
            added = std::none_of(before->begin(), before->end(), [&](const std::string& b) {
                return html::lower_ascii(b.substr(0, b.find(' '))) == html::lower_ascii(tag);
            });
        }
        out << "<span class=\"chip" << (added ? " added\" title=\"only after login" : "") << "\">" << e(item)
            << "</span>";
    }
    out << "</div>";
}

void write_identity(std::ostream& out, const RunResult& run) {
    const auto& t = run.target;
    out << "<section id=\"identity\"><h2>Target</h2>\n<dl class=\"identity\">";
    out << "<dt>Address</dt><dd class=\"mono\">" << e(t.address) << (t.embedded ? " (embedded reference server)" : "")
        << "</dd>";
    out << "<dt>TLS</dt><dd>" << e(t.tls.empty() ? "none" : t.tls) << "</dd>";
    out << "<dt>Greeting</dt><dd class=\"mono\" id=\"greeting\">" << e(t.greeting) << "</dd>";
    out << "<dt>Implementation</dt><dd>"
        << (t.implementation.empty() ? "<span class=\"muted\">not advertised</span>" : e(t.implementation)) << "</dd>";
    out << "<dt>CAPA before login</dt><dd>";
    chips(out, t.capabilities, nullptr);
    out << "</dd><dt>CAPA after login</dt><dd>";
    chips(out, t.capabilities_after_login, &t.capabilities);
    out << "</dd>";
    out << "<dt>Seeding</dt><dd>" << e(run.seeding) << "</dd>";
    if (!run.seeding_output.empty()) {
        // Folded: it repeats once per reseed, and matters only when seeding went wrong.
        const auto lines = std::count(run.seeding_output.begin(), run.seeding_output.end(), '\n');
        out << "<dt>Seeding output</dt><dd><details class=\"seeding\"><summary>" << lines
            << (lines == 1 ? " line" : " lines") << "</summary><pre class=\"mono\">"
            << e(truncate_utf8(run.seeding_output, 4000)) << "</pre></details></dd>";
    }
    if (!run.filters.empty()) {
        out << "<dt>Filters</dt><dd>";
        for (const auto& f : run.filters)
            out << "<span class=\"chip\">" << e(f) << "</span> ";
        out << "</dd>";
    }
    out << "<dt>Profile</dt><dd>" << e(run.profile) << "</dd>";
    out << "</dl></section>\n";
}

void write_matrix(std::ostream& out, const RunResult& run, const RequirementCatalog& catalog) {
    const auto verdicts = requirement_verdicts(run, catalog);
    out << "<section id=\"requirements\"><h2>Requirements</h2>\n";
    if (verdicts.empty()) {
        out << "<p class=\"muted\">No scenario of this run cites a requirement id.</p></section>\n";
        return;
    }
    std::size_t catalogued = 0;
    for (const auto& v : verdicts)
        if (v.requirement != nullptr) ++catalogued;
    out << fmt::format(
        "<p class=\"muted\">{} requirement ids cited by the run's scenarios ({} of the {} in the inventory). Each "
        "requirement takes the most severe outcome of its scenarios (fail &gt; error &gt; warn &gt; pass &gt; "
        "skip).</p>\n",
        verdicts.size(), catalogued, catalog.entries().size());
    out << "<div class=\"legend\">";
    for (auto o : all_outcomes)
        out << "<span><span class=\"sq " << to_string(o) << "\"></span>" << to_string(o) << "</span>";
    out << "<span><span class=\"sq fail known\"></span>known failure (baseline)</span></div>\n";

    // Heat map: one line per inventory section, one square per requirement.
    out << "<div class=\"heat\">";
    for (std::size_t i = 0; i < verdicts.size();) {
        std::size_t j = i;
        while (j < verdicts.size() && verdicts[j].group == verdicts[i].group)
            ++j;
        out << "<div class=\"name\" title=\"" << a(verdicts[i].group) << "\">" << e(verdicts[i].group)
            << "</div><div class=\"cells\">";
        for (std::size_t k = i; k < j; ++k) {
            const auto& v = verdicts[k];
            out << "<a class=\"sq " << to_string(v.outcome) << (v.baselined ? " known" : "") << "\" href=\"#"
                << a(html::anchor("r-", v.id)) << "\" title=\"" << a(v.id + ": " + std::string(to_string(v.outcome)))
                << "\"></a>";
        }
        out << "</div>";
        i = j;
    }
    out << "</div>\n";

    out << "<table class=\"matrix\"><thead><tr><th>Requirement</th><th>RFC</th><th>Level</th><th>Text</th>"
           "<th>Verdict</th><th>Scenarios</th></tr></thead><tbody>\n";
    std::string group;
    for (const auto& v : verdicts) {
        if (v.group != group || &v == &verdicts.front()) {
            group = v.group;
            out << "<tr class=\"group\"><td colspan=\"6\">" << e(group) << "</td></tr>\n";
        }
        out << "<tr id=\"" << a(html::anchor("r-", v.id)) << "\" data-requirement=\"" << a(v.id) << "\" data-outcome=\""
            << to_string(v.outcome) << "\"><td class=\"rid mono\">" << e(v.id) << "</td>";
        if (v.requirement != nullptr)
            out << "<td>" << e(v.requirement->rfc) << "</td><td>" << e(v.requirement->level)
                << "</td><td class=\"text\">" << inline_markdown(e(truncate_utf8(v.requirement->text, 300))) << "</td>";
        else
            out << "<td colspan=\"3\" class=\"muted\">not in the requirement inventory</td>";
        out << "<td>" << html::badge(v.outcome, v.baselined) << "</td><td class=\"links\">";
        for (auto i : v.scenarios) {
            const auto& s = run.scenarios[i];
            out << "<a class=\"o-" << to_string(s.outcome) << "\" href=\"#" << scenario_anchor(i) << "\" title=\""
                << a(std::string(to_string(s.outcome)) + ": " + s.title) << "\">" << e(s.id) << "</a> ";
        }
        out << "</td></tr>\n";
    }
    out << "</tbody></table></section>\n";
}

void write_toolbar(std::ostream& out, const scenario::Summary& summary) {
    out << "<div class=\"toolbar\" role=\"toolbar\">";
    out << fmt::format(
        "<button type=\"button\" data-filter=\"all\" aria-pressed=\"true\">All<span class=\"c\">{}"
        "</span></button>",
        summary.total);
    out << fmt::format(
        "<button type=\"button\" data-filter=\"problems\" aria-pressed=\"false\">Problems<span "
        "class=\"c\">{}</span></button>",
        summary.fail + summary.error + summary.warn);
    for (auto o : all_outcomes)
        out << fmt::format(
            "<button type=\"button\" data-filter=\"{0}\" aria-pressed=\"false\">{0}<span class=\"c\">"
            "{1}</span></button>",
            to_string(o), count_of(summary, o));
    if (summary.baselined != 0)
        out << fmt::format(
            "<button type=\"button\" data-filter=\"known\" aria-pressed=\"false\">known<span "
            "class=\"c\">{}</span></button>",
            summary.baselined);
    out << "<button type=\"button\" id=\"expand-all\">Expand</button>"
           "<button type=\"button\" id=\"collapse-all\">Collapse</button>"
           "<span class=\"shown\" id=\"shown\"></span>"
           "<input type=\"search\" id=\"q\" placeholder=\"Filter by id, title, requirement, reason…\" "
           "aria-label=\"Filter scenarios\"></div>\n";
}

void write_transcript(std::ostream& out, const ScenarioResult& s, std::size_t max_lines) {
    if (s.transcript.empty()) {
        out << "<p class=\"muted\">No transcript (nothing was exchanged).</p>";
        return;
    }
    out << "<table class=\"transcript\"><tbody>";
    std::size_t shown = 0;
    for (const auto& line : s.transcript) {
        if (max_lines != 0 && shown == max_lines) break;
        ++shown;
        const char* cls = line.direction == "C" ? "C" : line.direction == "S" ? "S" : "ev";
        out << "<tr class=\"" << cls << "\"><td class=\"t\">" << line.at_ms << " ms</td><td class=\"s\">"
            << e(line.session) << "</td><td class=\"d\">" << e(line.direction) << "</td><td>" << e(line.text)
            << "</td></tr>";
    }
    out << "</tbody></table>";
    if (shown < s.transcript.size())
        out << fmt::format("<p class=\"trunc\">… {} more lines in the JSON result.</p>", s.transcript.size() - shown);
    if (s.transcript_truncated) out << "<p class=\"trunc\">The runner truncated this transcript to bound memory.</p>";
}

void write_scenario(std::ostream& out, const ScenarioResult& s, std::size_t index, const HtmlOptions& options) {
    std::string search =
        s.id + " " + s.title + " " + s.reason + " " + s.level + " " + std::string(to_string(s.outcome));
    for (const auto& r : s.refs)
        search += " " + r;
    for (const auto& t : s.tags)
        search += " " + t;
    out << "<details class=\"scenario\" id=\"" << scenario_anchor(index) << "\" data-item data-id=\"" << a(s.id)
        << "\" data-outcome=\"" << to_string(s.outcome) << "\" data-known=\"" << (s.baselined ? 1 : 0)
        << "\" data-search=\"" << a(html::lower_ascii(search)) << "\">\n<summary>"
        << html::badge(s.outcome, s.baselined) << "<span><span class=\"sid\">" << e(s.id)
        << "</span> <span class=\"title\">" << e(s.title) << "</span>";
    if (s.outcome != Outcome::pass && !s.reason.empty())
        out << "<span class=\"why\">" << e(truncate_utf8(s.reason, 400)) << "</span>";
    out << "</span><span class=\"meta\">" << e(s.level) << " · " << e(format_duration(s.duration_ms))
        << "</span></summary>\n<div class=\"body\"><div class=\"facts\">";
    if (!s.refs.empty()) {
        out << "<span>Refs: ";
        for (const auto& r : s.refs)
            out << "<a href=\"#" << a(html::anchor("r-", r)) << "\">" << e(r) << "</a> ";
        out << "</span>";
    }
    if (!s.tags.empty()) {
        out << "<span>";
        for (const auto& t : s.tags)
            out << "<span class=\"tag\">" << e(t) << "</span> ";
        out << "</span>";
    }
    if (!s.file.empty())
        out << "<span class=\"mono\">" << e(s.file) << (s.line ? fmt::format(":{}", *s.line) : "") << "</span>";
    out << "</div>\n";
    if (!s.reason.empty()) out << "<div class=\"reason\">" << e(s.reason) << "</div>";
    if (s.baselined) out << "<div class=\"known-note\">Known failure (baseline): " << e(s.baseline_reason) << "</div>";
    if (s.fixed)
        out << "<div class=\"known-note\">Fixed: the baseline lists this scenario, but it passed. Remove it from the "
               "baseline.</div>";
    if (!s.expected.empty() || !s.received.empty()) {
        std::string where = s.step ? fmt::format(" — step {}", *s.step) : std::string();
        if (s.line) where += fmt::format(", line {}", *s.line);
        // Side by side when both are known; a lone panel otherwise (an error often has only what came).
        out << "<div class=\"diff" << (s.expected.empty() || s.received.empty() ? " single" : "") << "\">";
        if (!s.expected.empty())
            out << "<div class=\"exp\"><div class=\"h\">Expected" << e(where) << "</div><pre>" << e(s.expected)
                << "</pre></div>";
        if (!s.received.empty())
            out << "<div class=\"got\"><div class=\"h\">Received" << (s.expected.empty() ? e(where) : "")
                << "</div><pre>" << e(s.received) << "</pre></div>";
        out << "</div>\n";
    }
    if (!s.notes.empty()) {
        out << "<ul class=\"notes\">";
        for (const auto& n : s.notes)
            out << "<li>" << e(n) << "</li>";
        out << "</ul>";
    }
    write_transcript(out, s, options.max_transcript_lines);
    out << "</div></details>\n";
}

}  // namespace

void write_html(const RunResult& run, std::ostream& out, const HtmlOptions& options) {
    const auto& catalog = options.catalog != nullptr ? *options.catalog : RequirementCatalog::builtin();
    const auto summary = scenario::summarize(run.scenarios);
    const std::string label = run_label(run);
    const std::string title = options.title.empty() ? "POP3 conformance: " + label : options.title;

    html::begin_page(out, title,
                     fmt::format("data-report=\"run\" data-total=\"{}\" data-pass=\"{}\" data-fail=\"{}\" "
                                 "data-warn=\"{}\" data-skip=\"{}\" data-error=\"{}\" data-new-failures=\"{}\"",
                                 summary.total, summary.pass, summary.fail, summary.warn, summary.skip, summary.error,
                                 summary.new_failures));
    write_header(out, run, label);
    write_verdict(out, summary);
    write_totals(out, run, summary);
    write_identity(out, run);
    write_matrix(out, run, catalog);
    out << "<section id=\"scenarios\"><h2>Scenarios</h2>\n";
    write_toolbar(out, summary);
    for (std::size_t i = 0; i < run.scenarios.size(); ++i)
        write_scenario(out, run.scenarios[i], i, options);
    out << "</section>\n";
    html::end_page(out, fmt::format("Written by {} from the JSON result document (schema version {}).",
                                    e(run.tool + " " + run.tool_version), run.schema_version));
}

}  // namespace pop3::report
