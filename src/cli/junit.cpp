#include "cli/junit.hpp"

#include <fmt/format.h>

#include <map>

namespace pop3::cli {
namespace {

std::string xml(std::string_view s) {
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 forbids most control characters even as references; transcripts are escaped already.
                if (u < 0x20 && c != '\n' && c != '\t' && c != '\r')
                    out += '?';
                else
                    out += c;
        }
    }
    return out;
}

std::string transcript_text(const scenario::ScenarioResult& r) {
    std::string out;
    for (const auto& t : r.transcript)
        out += fmt::format("[{:>6} ms] {} {}: {}\n", t.at_ms, t.session, t.direction, t.text);
    return out;
}

}  // namespace

std::string to_junit(const scenario::RunResult& run) {
    std::map<std::string, std::vector<const scenario::ScenarioResult*>> suites;
    for (const auto& r : run.scenarios) {
        auto name = r.id.substr(0, r.id.rfind('.'));
        suites[name].push_back(&r);
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    const auto& s = run.summary;
    out += fmt::format(
        "<testsuites name=\"pop3spec\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
        s.total, s.fail, s.error, s.skip, run.duration_ms / 1000.0);
    for (const auto& [name, cases] : suites) {
        int f = 0, e = 0, sk = 0;
        double t = 0;
        for (const auto* r : cases) {
            f += r->outcome == scenario::Outcome::fail;
            e += r->outcome == scenario::Outcome::error;
            sk += r->outcome == scenario::Outcome::skip;
            t += r->duration_ms;
        }
        out += fmt::format(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{:.3f}\">\n",
            xml(name), cases.size(), f, e, sk, t / 1000.0);
        for (const auto* r : cases) {
            out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n", xml(name), xml(r->id),
                               r->duration_ms / 1000.0);
            std::string reason = r->reason;
            if (r->baselined) reason = "[baselined: " + r->baseline_reason + "] " + reason;
            switch (r->outcome) {
                case scenario::Outcome::fail:
                    out += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", xml(reason),
                                       xml(r->level), xml(transcript_text(*r)));
                    break;
                case scenario::Outcome::error:
                    out +=
                        fmt::format("      <error message=\"{}\">{}</error>\n", xml(reason), xml(transcript_text(*r)));
                    break;
                case scenario::Outcome::skip:
                    out += fmt::format("      <skipped message=\"{}\"/>\n", xml(reason));
                    break;
                case scenario::Outcome::warn:
                    out += fmt::format("      <system-out>WARN ({}): {}</system-out>\n", xml(r->level), xml(reason));
                    break;
                case scenario::Outcome::pass:
                    break;
            }
            out += "    </testcase>\n";
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

}  // namespace pop3::cli
