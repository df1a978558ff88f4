#include "report/junit_writer.hpp"

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "report/run_labels.hpp"
#include "report/text_escape.hpp"

namespace pop3::report {

using scenario::Outcome;
using scenario::RunResult;
using scenario::ScenarioResult;

namespace {

std::string seconds(double milliseconds) {
    if (!(milliseconds >= 0) || milliseconds > 1e12) milliseconds = 0;
    return fmt::format("{:.3f}", milliseconds / 1000);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

// junit-10.xsd: "when the test was executed. Timezone may not be specified" (yyyy-mm-ddThh:mm:ss).
std::string junit_timestamp(const std::string& iso) {
    constexpr std::string_view form = "dddd-dd-ddTdd:dd:dd";
    if (iso.size() < form.size()) return {};
    for (std::size_t i = 0; i < form.size(); ++i) {
        const char c = iso[i];
        if (form[i] == 'd' ? (c < '0' || c > '9') : c != form[i]) return {};
    }
    return iso.substr(0, form.size());
}

void property(std::ostream& out, std::string_view indent, std::string_view name, std::string_view value) {
    out << indent << "<property name=\"" << escape_attribute(name) << "\" value=\"" << escape_attribute(value)
        << "\"/>\n";
}

// The body of a failure/error/warning: what a person needs to see in the CI log.
std::string details(const ScenarioResult& s, const JunitOptions& options) {
    std::string text;
    std::string outcome(to_string(s.outcome));
    for (char& c : outcome)
        c = static_cast<char>(c - 'a' + 'A');
    text += fmt::format("{} ({}): {}\n", outcome, s.level, s.reason);
    if (s.step) text += fmt::format("step: {}{}\n", *s.step, s.line ? fmt::format(" (line {})", *s.line) : "");
    if (!s.expected.empty()) text += "expected: " + s.expected + "\n";
    if (!s.received.empty()) text += "received: " + s.received + "\n";
    if (!s.refs.empty()) text += "refs: " + join(s.refs, ", ") + "\n";
    if (!s.file.empty()) text += "file: " + s.file + "\n";
    if (s.baselined) text += "known failure (baseline): " + s.baseline_reason + "\n";
    for (const auto& note : s.notes)
        text += "note: " + note + "\n";
    if (!s.transcript.empty()) {
        text += "--- transcript ---\n";
        std::size_t shown = 0;
        for (const auto& line : s.transcript) {
            if (options.max_transcript_lines != 0 && shown == options.max_transcript_lines) {
                text += fmt::format("... {} more lines in the JSON result\n", s.transcript.size() - shown);
                break;
            }
            text += fmt::format("[{:>7} ms] {} {}: {}\n", line.at_ms, line.session, line.direction, line.text);
            ++shown;
        }
        if (s.transcript_truncated) text += "... transcript truncated by the runner\n";
    }
    return text;
}

struct Suite {
    std::string name;
    std::vector<const ScenarioResult*> cases;
    int failures = 0, errors = 0, skipped = 0;
    double time_ms = 0;
};

}  // namespace

void write_junit(const RunResult& run, std::ostream& out, const JunitOptions& options) {
    // Suites in order of first appearance: the run's order is deterministic, so is this file.
    std::vector<Suite> suites;
    std::map<std::string, std::size_t> index;
    for (const auto& s : run.scenarios) {
        auto name = suite_name(s.id);
        auto [it, inserted] = index.try_emplace(name, suites.size());
        if (inserted) suites.push_back(Suite{name, {}, 0, 0, 0, 0});
        auto& suite = suites[it->second];
        suite.cases.push_back(&s);
        suite.time_ms += s.duration_ms > 0 ? s.duration_ms : 0;
        if (s.baselined || s.outcome == Outcome::skip)
            ++suite.skipped;
        else if (s.outcome == Outcome::fail)
            ++suite.failures;
        else if (s.outcome == Outcome::error)
            ++suite.errors;
    }
    int failures = 0, errors = 0, skipped = 0;
    for (const auto& suite : suites) {
        failures += suite.failures;
        errors += suite.errors;
        skipped += suite.skipped;
    }

    const std::string timestamp = junit_timestamp(run.started);
    const std::string hostname = run.target.address.empty() ? "unknown" : run.target.address;
    out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    out << fmt::format(
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
        escape_attribute("pop3spec: " + run_label(run)), run.scenarios.size(), failures, errors, skipped,
        seconds(run.duration_ms));
    int suite_id = 0;
    for (const auto& suite : suites) {
        out << fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" "
            "hostname=\"{}\" id=\"{}\" package=\"pop3spec\"",
            escape_attribute(suite.name), suite.cases.size(), suite.failures, suite.errors, suite.skipped,
            seconds(suite.time_ms), escape_attribute(hostname), suite_id++);
        if (!timestamp.empty()) out << " timestamp=\"" << timestamp << "\"";
        out << ">\n";
        out << "    <properties>\n";
        property(out, "      ", "target", run.target.address);
        property(out, "      ", "tls", run.target.tls);
        property(out, "      ", "greeting", run.target.greeting);
        if (!run.target.implementation.empty()) property(out, "      ", "implementation", run.target.implementation);
        property(out, "      ", "capabilities", join(run.target.capabilities, " | "));
        property(out, "      ", "profile", run.profile);
        property(out, "      ", "seeding", run.seeding);
        property(out, "      ", "tool", run.tool + " " + run.tool_version);
        for (const auto* s : suite.cases)
            if (s->outcome == Outcome::warn && !s->baselined)
                property(out, "      ", "warning", s->id + ": " + s->reason);
        out << "    </properties>\n";
        for (const auto* s : suite.cases) {
            out << fmt::format("    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"", escape_attribute(s->id),
                               escape_attribute(suite.name), seconds(s->duration_ms));
            // GitLab shows the file of a test case; the scenario file is the closest thing to one.
            if (!s->file.empty()) out << " file=\"" << escape_attribute(s->file) << "\"";
            const bool quiet = s->outcome == Outcome::pass && s->notes.empty() && !s->fixed;
            if (quiet) {
                out << "/>\n";
                continue;
            }
            out << ">\n";
            if (s->baselined) {
                out << "      <skipped message=\""
                    << escape_attribute("known failure (baseline): " + s->baseline_reason +
                                        " — now: " + std::string(to_string(s->outcome)) + ": " + s->reason)
                    << "\"/>\n";
                out << "      <system-out>" << escape_markup(details(*s, options)) << "</system-out>\n";
            } else {
                switch (s->outcome) {
                    case Outcome::fail:
                        out << "      <failure message=\"" << escape_attribute(s->reason) << "\" type=\""
                            << escape_attribute(s->level.empty() ? "fail" : s->level) << "\">"
                            << escape_markup(details(*s, options)) << "</failure>\n";
                        break;
                    case Outcome::error:
                        out << "      <error message=\"" << escape_attribute(s->reason) << "\" type=\"error\">"
                            << escape_markup(details(*s, options)) << "</error>\n";
                        break;
                    case Outcome::skip:
                        out << "      <skipped message=\"" << escape_attribute(s->reason) << "\"/>\n";
                        break;
                    case Outcome::warn:
                        out << "      <system-out>" << escape_markup(details(*s, options)) << "</system-out>\n";
                        break;
                    case Outcome::pass: {
                        std::string text;
                        if (s->fixed) text += "fixed: listed in the baseline but passed; remove it from the baseline\n";
                        for (const auto& note : s->notes)
                            text += "note: " + note + "\n";
                        out << "      <system-out>" << escape_markup(text) << "</system-out>\n";
                        break;
                    }
                }
            }
            out << "    </testcase>\n";
        }
        out << "  </testsuite>\n";
    }
    out << "</testsuites>\n";
}

}  // namespace pop3::report
