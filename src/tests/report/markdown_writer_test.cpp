#include "report/markdown_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "sample_run.hpp"
#include "test_support.hpp"

namespace pop3::report {
namespace {

using testing::is_clean_utf8;
using testing::sample_run;

std::string markdown(const scenario::RunResult& run, const MarkdownOptions& options = {}) {
    std::ostringstream out;
    write_markdown(run, out, options);
    return out.str();
}

TEST(MarkdownWriter, VerdictTotalsAndFailures) {
    const auto md = markdown(sample_run());
    EXPECT_EQ(md.rfind("## ❌ pop3spec: pop3spec ready — 3 new failures\n", 0), 0u) << md.substr(0, 200);
    EXPECT_NE(md.find("| **all** | 3 | 2 | 2 | 1 | 1 | 9 |"), std::string::npos);
    EXPECT_NE(md.find("| MUST | 2 | 2 | 0 | 1 | 1 | 6 |"), std::string::npos);
    EXPECT_NE(md.find("### Failures (2)"), std::string::npos);
    EXPECT_NE(md.find("### Errors (1)"), std::string::npos);
    EXPECT_NE(md.find("| ❌ rfc1939.stat.excludes-deleted | MUST | step 8 \\`check count\\_after == count - 1\\`"),
              std::string::npos);
    EXPECT_NE(md.find("Known failures (baseline) (1)"), std::string::npos);
    EXPECT_NE(md.find("Fixed (in the baseline, but passed) (1)"), std::string::npos);
}

TEST(MarkdownWriter, PassingRun) {
    auto run = sample_run(1);
    run.scenarios.erase(run.scenarios.begin() + 3, run.scenarios.begin() + 6);  // drop skip, error, hostile fail
    const auto md = markdown(run);
    EXPECT_EQ(md.rfind("## ✅ pop3spec: Dovecot — no new failures\n", 0), 0u) << md.substr(0, 200);
    EXPECT_EQ(md.find("### Failures"), std::string::npos);
}

TEST(MarkdownWriter, HostileTextCannotInjectMarkupOrBreakTables) {
    const auto md = markdown(sample_run());
    EXPECT_TRUE(is_clean_utf8(md));
    EXPECT_EQ(md.find("<script"), std::string::npos);
    EXPECT_EQ(md.find("<b>"), std::string::npos);
    EXPECT_EQ(md.find("[link](http"), std::string::npos);
    EXPECT_NE(md.find("\\[link\\](http"), std::string::npos);
    // Every table row has the same number of unescaped pipes as its header.
    std::istringstream lines(md);
    std::string line;
    int rows = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("| ", 0) != 0 || line.find("Reason") != std::string::npos) continue;
        if (line.find(" | Level | Reason") != std::string::npos) continue;
        int pipes = 0;
        for (std::size_t i = 0; i < line.size(); ++i)
            if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++pipes;
        if (line.find("rfc1939.retr.hostile") != std::string::npos) {
            EXPECT_EQ(pipes, 5) << line;
            ++rows;
        }
    }
    EXPECT_EQ(rows, 1);
}

TEST(MarkdownWriter, ItemLimit) {
    auto run = sample_run();
    for (int i = 0; i < 30; ++i) {
        auto s = run.scenarios[1];
        s.id += std::to_string(i);
        run.scenarios.push_back(s);
    }
    MarkdownOptions options;
    options.max_items = 5;
    const auto md = markdown(run, options);
    EXPECT_NE(md.find("### Failures (32)"), std::string::npos);
    EXPECT_NE(md.find("… and 27 more (see the HTML or JSON report)."), std::string::npos);
}

}  // namespace
}  // namespace pop3::report
