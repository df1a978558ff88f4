#include "report/run_labels.hpp"

#include <fmt/format.h>

#include <cmath>

#include "report/text_escape.hpp"

namespace pop3::report {

using scenario::Outcome;

std::string run_label(const scenario::RunResult& run) {
    if (!run.target.implementation.empty()) return truncate_utf8(sanitize_utf8(run.target.implementation), 80);
    if (run.target.embedded) return "pop3spec reference server";
    std::string_view greeting = run.target.greeting;
    if (greeting.substr(0, 3) == "+OK") greeting.remove_prefix(3);
    while (!greeting.empty() && greeting.front() == ' ')
        greeting.remove_prefix(1);
    // RFC 2449 §8: a response code may lead the text ("+OK [XCLIENT] Dovecot ready."); it names no server.
    if (!greeting.empty() && greeting.front() == '[') {
        if (const auto close = greeting.find(']'); close != std::string_view::npos) greeting.remove_prefix(close + 1);
        while (!greeting.empty() && greeting.front() == ' ')
            greeting.remove_prefix(1);
    }
    // The greeting is stored escaped; drop a trailing "\r\n" and an APOP timestamp, which differ per connection.
    while (greeting.size() >= 2 &&
           (greeting.substr(greeting.size() - 2) == "\\r" || greeting.substr(greeting.size() - 2) == "\\n"))
        greeting.remove_suffix(2);
    if (const auto lt = greeting.find('<'); lt != std::string_view::npos && greeting.find('>', lt) != greeting.npos)
        greeting = greeting.substr(0, lt);
    while (!greeting.empty() && greeting.back() == ' ')
        greeting.remove_suffix(1);
    if (!greeting.empty()) return truncate_utf8(sanitize_utf8(greeting), 60);
    return run.target.address.empty() ? std::string("unknown server") : sanitize_utf8(run.target.address);
}

std::string suite_name(std::string_view scenario_id) {
    const auto first = scenario_id.find('.');
    if (first == std::string_view::npos) return scenario_id.empty() ? "pop3spec" : std::string(scenario_id);
    const auto second = scenario_id.find('.', first + 1);
    if (second == std::string_view::npos) return std::string(scenario_id.substr(0, first));
    return std::string(scenario_id.substr(0, second));
}

std::string format_duration(double milliseconds) {
    if (!std::isfinite(milliseconds) || milliseconds < 0) return "–";
    if (milliseconds < 1000) return fmt::format("{:.0f} ms", milliseconds);
    const double seconds = milliseconds / 1000;
    if (seconds < 60) return fmt::format("{:.1f} s", seconds);
    const auto whole = static_cast<long long>(seconds);
    return fmt::format("{} min {:02} s", whole / 60, whole % 60);
}

std::string_view outcome_symbol(Outcome outcome) {
    switch (outcome) {
        case Outcome::pass:
            return "✅";
        case Outcome::fail:
            return "❌";
        case Outcome::warn:
            return "⚠️";
        case Outcome::skip:
            return "⏭️";
        case Outcome::error:
            return "💥";
    }
    return "?";
}

int count_of(const scenario::Summary& summary, Outcome outcome) {
    switch (outcome) {
        case Outcome::pass:
            return summary.pass;
        case Outcome::fail:
            return summary.fail;
        case Outcome::warn:
            return summary.warn;
        case Outcome::skip:
            return summary.skip;
        case Outcome::error:
            return summary.error;
    }
    return 0;
}

}  // namespace pop3::report
