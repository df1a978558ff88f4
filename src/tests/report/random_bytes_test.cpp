// Whatever bytes a run holds, every writer produces clean UTF-8 without stray markup.

#include <gtest/gtest.h>

#include <sstream>

#include "report/comparison_writer.hpp"
#include "report/html_writer.hpp"
#include "report/junit_writer.hpp"
#include "report/markdown_writer.hpp"
#include "sample_run.hpp"
#include "test_support.hpp"

namespace pop3::report {
namespace {

using testing::count;
using testing::is_clean_utf8;
using testing::random_bytes_run;

TEST(RandomBytes, EveryWriterGivesCleanDocuments) {
    for (unsigned seed = 1; seed <= 20; ++seed) {
        const auto run = random_bytes_run(seed);
        std::ostringstream junit, html, md, compare_html, compare_md;
        write_junit(run, junit);
        write_html(run, html);
        write_markdown(run, md);
        write_comparison_html({run, random_bytes_run(seed + 1000)}, compare_html);
        write_comparison_markdown({run, random_bytes_run(seed + 1000)}, compare_md);
        for (const auto* doc : {&junit, &html, &md, &compare_html, &compare_md})
            EXPECT_TRUE(is_clean_utf8(doc->str())) << "seed " << seed;
        // Markup comes only from the writers: one script element, one testcase element per scenario.
        EXPECT_EQ(count(html.str(), "<script"), 1) << "seed " << seed;
        EXPECT_EQ(count(compare_html.str(), "<script"), 1) << "seed " << seed;
        EXPECT_EQ(count(junit.str(), "<testcase "), static_cast<int>(run.scenarios.size())) << "seed " << seed;
        EXPECT_EQ(count(html.str(), "<details class=\"scenario\""), static_cast<int>(run.scenarios.size()));
        EXPECT_EQ(md.str().find("<script"), std::string::npos);
    }
}

}  // namespace
}  // namespace pop3::report
