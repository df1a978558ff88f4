#include "report/html_page.hpp"

#include "report/embedded_assets.hpp"
#include "report/text_escape.hpp"

namespace pop3::report::html {

void begin_page(std::ostream& out, std::string_view title, std::string_view body_attributes) {
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        // No network: a policy that forbids every external load, so a stray URL in a transcript can never fetch.
        << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
           "script-src 'unsafe-inline'; img-src data:\">\n"
        << "<meta name=\"generator\" content=\"pop3spec\">\n"
        << "<title>" << escape_markup(title) << "</title>\n<style>\n"
        << embedded_asset(Asset::report_css) << "</style>\n</head>\n<body " << body_attributes << ">\n";
}

void end_page(std::ostream& out, std::string_view footer_html) {
    out << "<footer>" << footer_html << "</footer>\n</main>\n<script>\n"
        << embedded_asset(Asset::report_js) << "</script>\n</body>\n</html>\n";
}

std::string badge(scenario::Outcome outcome, bool known) {
    const auto name = to_string(outcome);
    std::string out = "<span class=\"badge ";
    out += name;
    if (known) out += " known";
    out += "\"";
    if (known) out += " title=\"known failure (baseline)\"";
    out += ">";
    out += name;
    out += "</span>";
    return out;
}

std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string anchor(std::string_view prefix, std::string_view text) {
    std::string out(prefix);
    for (char c : text) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                          c == '_' || c == '.';
        out += keep ? c : '_';
    }
    return out;
}

}  // namespace pop3::report::html
