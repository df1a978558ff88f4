#include "report/comparison_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "sample_run.hpp"
#include "test_support.hpp"

namespace pop3::report {
namespace {

using testing::count;
using testing::is_clean_utf8;
using testing::sample_run;

TEST(ComparisonWriter, LabelsDefaultAndAreUnique) {
    const std::vector<scenario::RunResult> runs = {sample_run(0), sample_run(1), sample_run(1)};
    EXPECT_EQ(comparison_labels(runs, {}), (std::vector<std::string>{"pop3spec ready", "Dovecot", "Dovecot #2"}));
    ComparisonOptions options;
    options.labels = {"reference", ""};
    EXPECT_EQ(comparison_labels(runs, options), (std::vector<std::string>{"reference", "Dovecot", "Dovecot #2"}));
}

TEST(ComparisonWriter, HtmlHighlightsDifferingRows) {
    const std::vector<scenario::RunResult> runs = {sample_run(0), sample_run(1)};
    std::ostringstream out;
    write_comparison_html(runs, out);
    const auto page = out.str();
    EXPECT_TRUE(is_clean_utf8(page));
    // 9 scenarios in the first run, plus one only the second has: 10 rows.
    EXPECT_NE(page.find("data-report=\"comparison\" data-runs=\"2\" data-rows=\"10\" data-differing=\"3\""),
              std::string::npos);
    EXPECT_EQ(count(page, "<tr data-item data-differs=\"1\""), 3);
    EXPECT_EQ(count(page, "<tr data-item data-differs=\"0\""), 7);
    EXPECT_NE(page.find("<th class=\"server\">Dovecot</th>"), std::string::npos);
    // excludes-deleted fails on one and passes on the other; the info scenario is missing on the second.
    const auto at =
        page.find("rfc1939.stat.excludes-deleted<div class=\"stitle\">Title of rfc1939.stat.excludes-deleted");
    ASSERT_NE(at, std::string::npos);
    const auto row_start = page.rfind("<tr", at);
    EXPECT_NE(page.substr(row_start, 60).find("data-differs=\"1\""), std::string::npos);
    EXPECT_NE(page.find("<span class=\"badge none\" title=\"not run\">—</span>"), std::string::npos);
    // Requirement rows too.
    EXPECT_NE(page.find("<tr data-requirement=\"R1939-STAT-2\" class=\"differs\">"), std::string::npos);
    EXPECT_EQ(count(page, "<script"), 1);
}

TEST(ComparisonWriter, MarkdownListsDifferences) {
    const std::vector<scenario::RunResult> runs = {sample_run(0), sample_run(1)};
    std::ostringstream out;
    write_comparison_markdown(runs, out);
    const auto md = out.str();
    EXPECT_NE(md.find("| pop3spec ready | 127.0.0.1:1110 | 3 | 2 | 2 | 1 | 1 | 9 |"), std::string::npos);
    EXPECT_NE(md.find("10 scenarios, 3 with differing verdicts."), std::string::npos);
    EXPECT_NE(md.find("| rfc1939.stat.excludes-deleted | MUST | ❌ fail | ✅ pass |"), std::string::npos);
    EXPECT_NE(md.find("| rfc1939.security.apop-offered | INFO | ✅ pass | — |"), std::string::npos);
    EXPECT_EQ(md.find("rfc1939.stat.drop-listing"), std::string::npos);  // same verdict everywhere

    ComparisonOptions all;
    all.all_rows = true;
    std::ostringstream out_all;
    write_comparison_markdown(runs, out_all, all);
    EXPECT_NE(out_all.str().find("| rfc1939.stat.drop-listing | MUST | ✅ pass | ✅ pass |"), std::string::npos);
    EXPECT_NE(out_all.str().find("| **≠** rfc1939.stat.excludes-deleted |"), std::string::npos);
}

TEST(ComparisonWriter, IdenticalRunsHaveNoDifferences) {
    const std::vector<scenario::RunResult> runs = {sample_run(0), sample_run(0)};
    std::ostringstream out;
    write_comparison_markdown(runs, out);
    EXPECT_NE(out.str().find("9 scenarios, 0 with differing verdicts."), std::string::npos);
    EXPECT_EQ(out.str().find("| Scenario |"), std::string::npos);
}

}  // namespace
}  // namespace pop3::report
