#include "report/junit_writer.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "sample_run.hpp"
#include "test_support.hpp"

namespace pop3::report {
namespace {

using testing::count;
using testing::is_clean_utf8;
using testing::sample_run;

std::string junit(const scenario::RunResult& run) {
    std::ostringstream out;
    write_junit(run, out);
    return out.str();
}

TEST(JunitWriter, SuitesPerGroupAndCasesPerScenario) {
    const auto xml = junit(sample_run());
    EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 0), 0u);
    EXPECT_EQ(count(xml, "<testcase "), 9);
    // rfc1939.stat, rfc2595.stls, rfc1939.greeting, rfc1939.retr, rfc2449.capa, rfc1939.uidl, rfc1939.security
    EXPECT_EQ(count(xml, "<testsuite "), 7);
    EXPECT_NE(xml.find("<testsuite name=\"rfc1939.stat\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\""),
              std::string::npos);
    // Totals: fail (excludes-deleted, hostile), error (greeting), skips (stls + the baselined warn).
    EXPECT_NE(xml.find("tests=\"9\" failures=\"2\" errors=\"1\" skipped=\"2\" time=\"4.321\""), std::string::npos);
    EXPECT_NE(xml.find("timestamp=\"2026-11-28T01:02:03\""), std::string::npos);
}

TEST(JunitWriter, FailureCarriesReasonExpectedReceivedAndTranscript) {
    const auto xml = junit(sample_run());
    const auto at = xml.find("<testcase name=\"rfc1939.stat.excludes-deleted\"");
    ASSERT_NE(at, std::string::npos);
    const auto end = xml.find("</testcase>", at);
    const auto one = xml.substr(at, end - at);
    EXPECT_NE(one.find("<failure message=\"step 8 `check count_after == count - 1` (line 52): expected 6, got 7\" "
                       "type=\"MUST\">"),
              std::string::npos);
    EXPECT_NE(one.find("expected: count_after == 6"), std::string::npos);
    EXPECT_NE(one.find("received: count_after = 7"), std::string::npos);
    EXPECT_NE(one.find("--- transcript ---"), std::string::npos);
    EXPECT_NE(one.find("PASS &lt;redacted&gt;"), std::string::npos);
}

TEST(JunitWriter, SkipsErrorsWarningsAndKnownFailures) {
    const auto xml = junit(sample_run());
    EXPECT_NE(xml.find("<skipped message=\"needs STLS, which the server does not advertise\"/>"), std::string::npos);
    EXPECT_NE(xml.find("<error message=\"connect: timed out after 5000 ms before the greeting\" type=\"error\">"),
              std::string::npos);
    // A warning passes but shows: in system-out and as a suite property.
    EXPECT_NE(xml.find("<system-out>WARN (SHOULD): step 3"), std::string::npos);
    EXPECT_NE(xml.find("<property name=\"warning\" value=\"rfc1939.stat.no-trailing-text: step 3"), std::string::npos);
    // A baselined failure is skipped with the baseline's reason (like pytest's xfail), never a <failure>.
    const auto at = xml.find("<testcase name=\"rfc2449.capa.implementation\"");
    ASSERT_NE(at, std::string::npos);
    const auto one = xml.substr(at, xml.find("</testcase>", at) - at);
    EXPECT_NE(one.find("<skipped message=\"known failure (baseline): Dovecot advertises"), std::string::npos);
    EXPECT_EQ(one.find("<failure"), std::string::npos);
    // A passing scenario without notes is an empty element.
    EXPECT_NE(xml.find("<testcase name=\"rfc1939.stat.drop-listing\" classname=\"rfc1939.stat\" time=\"0.013\" "
                       "file=\"scenarios/rfc1939/sample.yaml\"/>"),
              std::string::npos);
}

TEST(JunitWriter, HostileBytesStayWellFormed) {
    const auto xml = junit(sample_run());
    EXPECT_TRUE(is_clean_utf8(xml));
    EXPECT_EQ(xml.find("<script"), std::string::npos);
    EXPECT_EQ(xml.find("<b>"), std::string::npos);
    EXPECT_NE(xml.find("nul:\\x00:"), std::string::npos);
    EXPECT_NE(xml.find("invalid:\\xFF\\xFE"), std::string::npos);
    // Attribute values keep no raw line breaks.
    for (auto pos = xml.find("message=\""); pos != std::string::npos; pos = xml.find("message=\"", pos + 1)) {
        const auto close = xml.find('"', pos + 9);
        ASSERT_NE(close, std::string::npos);
        EXPECT_EQ(xml.substr(pos, close - pos).find('\n'), std::string::npos);
    }
}

TEST(JunitWriter, TranscriptLimit) {
    auto run = sample_run();
    for (int i = 0; i < 50; ++i)
        run.scenarios[1].transcript.push_back({100 + i, "main", "S", "line"});
    std::ostringstream out;
    write_junit(run, out, JunitOptions{10});
    EXPECT_NE(out.str().find("... 46 more lines in the JSON result"), std::string::npos);
}

TEST(JunitWriter, EmptyRun) {
    scenario::RunResult run;
    const auto xml = junit(run);
    EXPECT_NE(xml.find("<testsuites name=\"pop3spec: unknown server\" tests=\"0\""), std::string::npos);
    EXPECT_NE(xml.find("</testsuites>"), std::string::npos);
}

}  // namespace
}  // namespace pop3::report
