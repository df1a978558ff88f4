#include "report/html_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "sample_run.hpp"
#include "test_support.hpp"

namespace pop3::report {
namespace {

using testing::count;
using testing::is_clean_utf8;
using testing::sample_run;

std::string html(const scenario::RunResult& run, const HtmlOptions& options = {}) {
    std::ostringstream out;
    write_html(run, out, options);
    return out.str();
}

TEST(HtmlWriter, TotalsAsTilesAndBodyAttributes) {
    const auto page = html(sample_run());
    EXPECT_NE(page.find("data-total=\"9\" data-pass=\"3\" data-fail=\"2\" data-warn=\"2\" data-skip=\"1\" "
                        "data-error=\"1\" data-new-failures=\"3\""),
              std::string::npos);
    EXPECT_NE(page.find("<div class=\"tile fail\" data-outcome=\"fail\" data-count=\"2\">"), std::string::npos);
    EXPECT_NE(page.find("data-outcome=\"total\" data-count=\"9\""), std::string::npos);
    EXPECT_EQ(count(page, "<details class=\"scenario\""), 9);
    EXPECT_EQ(count(page, "data-item data-id="), 9);
    EXPECT_NE(page.find("<tr data-level=\"MUST\">"), std::string::npos);
    EXPECT_NE(page.find("data-verdict=\"fail\""), std::string::npos);
}

TEST(HtmlWriter, SelfContained) {
    const auto page = html(sample_run());
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_NE(page.find("<style>"), std::string::npos);
    EXPECT_NE(page.find("data-js-ready"), std::string::npos);  // the script is inline
    // Nothing is loaded from anywhere: no src/href to another document, no @import, no url().
    for (const std::string attribute : {"src=\"", "href=\""}) {
        for (auto pos = page.find(attribute); pos != std::string::npos; pos = page.find(attribute, pos + 1))
            EXPECT_EQ(page[pos + attribute.size()], '#') << page.substr(pos, 80);
    }
    EXPECT_EQ(page.find("src ="), std::string::npos);
    EXPECT_EQ(page.find("href ="), std::string::npos);
    EXPECT_EQ(page.find("@import"), std::string::npos);
    EXPECT_EQ(page.find("url("), std::string::npos);
    EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
}

TEST(HtmlWriter, HostileBytesAreEscaped) {
    const auto page = html(sample_run());
    EXPECT_TRUE(is_clean_utf8(page));
    // The only script element is ours.
    EXPECT_EQ(count(page, "<script"), 1);
    EXPECT_EQ(count(page, "</script"), 1);
    EXPECT_EQ(page.find("<b>&amp;</b>"), std::string::npos);
    EXPECT_NE(page.find("&lt;/script&gt;&lt;script&gt;alert(1)"), std::string::npos);
    EXPECT_NE(page.find("nul:\\x00:"), std::string::npos);
}

TEST(HtmlWriter, IdentityAndRequirementMatrix) {
    const auto page = html(sample_run(1));
    EXPECT_NE(page.find("<h1>POP3 conformance — Dovecot</h1>"), std::string::npos);
    EXPECT_NE(page.find("+OK Dovecot ready.\\r\\n"), std::string::npos);
    // CAPA after login: IMPLEMENTATION is new there.
    EXPECT_NE(page.find("<span class=\"chip added\" title=\"only after login\">IMPLEMENTATION x</span>"),
              std::string::npos);
    // Requirements grouped by inventory section, with the RFC clause and the verdict.
    EXPECT_NE(page.find("<tr class=\"group\"><td colspan=\"6\">1.8 STAT</td></tr>"), std::string::npos);
    EXPECT_NE(page.find("<tr id=\"r-R1939-STAT-3\" data-requirement=\"R1939-STAT-3\" data-outcome=\"warn\">"),
              std::string::npos);
    EXPECT_NE(page.find("<td>1939 §5 STAT</td>"), std::string::npos);
    // A ref the inventory lacks is shown, not dropped.
    EXPECT_NE(page.find("data-requirement=\"X-UNKNOWN-REF\""), std::string::npos);
    EXPECT_NE(page.find("not in the requirement inventory"), std::string::npos);
}

TEST(HtmlWriter, FailingStepShowsExpectedAgainstReceived) {
    const auto page = html(sample_run());
    const auto at = page.find("data-id=\"rfc1939.stat.excludes-deleted\"");
    ASSERT_NE(at, std::string::npos);
    const auto one = page.substr(at, page.find("</details>", at) - at);
    EXPECT_NE(one.find("<div class=\"h\">Expected — step 8, line 52</div><pre>count_after == 6</pre>"),
              std::string::npos);
    EXPECT_NE(one.find("<div class=\"h\">Received</div><pre>count_after = 7</pre>"), std::string::npos);
    EXPECT_NE(one.find("<table class=\"transcript\">"), std::string::npos);
    EXPECT_NE(one.find("PASS &lt;redacted&gt;"), std::string::npos);
}

TEST(HtmlWriter, BaselineAndTranscriptLimit) {
    auto run = sample_run();
    for (int i = 0; i < 20; ++i)
        run.scenarios[0].transcript.push_back({100 + i, "main", "S", "line"});
    HtmlOptions options;
    options.max_transcript_lines = 5;
    const auto page = html(run, options);
    EXPECT_NE(page.find("… 21 more lines in the JSON result."), std::string::npos);
    EXPECT_NE(page.find("Known failure (baseline): Dovecot advertises IMPLEMENTATION"), std::string::npos);
    EXPECT_NE(page.find("data-filter=\"known\""), std::string::npos);
    EXPECT_NE(page.find("Fixed: the baseline lists this scenario"), std::string::npos);
}

TEST(HtmlWriter, EmptyRun) {
    scenario::RunResult run;
    const auto page = html(run);
    EXPECT_NE(page.find("data-total=\"0\""), std::string::npos);
    EXPECT_NE(page.find("No scenario of this run cites a requirement id."), std::string::npos);
    EXPECT_NE(page.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace pop3::report
