#include "scenario/result.hpp"

#include <gtest/gtest.h>

#include "scenario/fixtures.hpp"
#include "scenario/json.hpp"

namespace pop3::scenario {
namespace {

TEST(Result, JsonRoundTrip) {
    RunResult run;
    run.tool_version = "0.1.0";
    run.started = "2026-11-28T00:00:00Z";
    run.duration_ms = 12.5;
    run.target.address = "127.0.0.1:110";
    run.target.tls = "none";
    run.target.greeting = "+OK ready <1.2@h>";
    run.target.capabilities = {"USER", "SASL PLAIN"};
    run.target.implementation = "pop3spec \"ref\"";
    ScenarioResult r;
    r.id = "a.b";
    r.title = "T \xC3\xA9";  // UTF-8 stays as it is
    r.refs = {"R1939-STAT-1"};
    r.level = "MUST";
    r.outcome = Outcome::fail;
    r.reason = "step 1: expected +OK, got -ERR";
    r.step = 1;
    r.line = 7;
    r.transcript.push_back({3, "main", "S", "-ERR \\x00 \"q\""});
    r.baselined = true;
    r.baseline_reason = "known";
    run.scenarios.push_back(r);
    ScenarioResult s;
    s.id = "a.c";
    s.outcome = Outcome::skip;
    run.scenarios.push_back(s);
    run.summary = summarize(run.scenarios);
    auto text = to_json(run);
    auto back = from_json(text);
    EXPECT_EQ(back.schema_version, RunResult::current_schema_version);
    EXPECT_EQ(back.target.capabilities, run.target.capabilities);
    EXPECT_EQ(back.target.implementation, run.target.implementation);
    ASSERT_EQ(back.scenarios.size(), 2u);
    EXPECT_EQ(back.scenarios[0].title, r.title);
    EXPECT_EQ(back.scenarios[0].transcript.at(0).text, r.transcript[0].text);
    EXPECT_EQ(back.scenarios[0].step, 1);
    EXPECT_EQ(back.scenarios[1].step, std::nullopt);
    EXPECT_EQ(back.summary.fail, 1);
    EXPECT_EQ(back.summary.baselined, 1);
    EXPECT_EQ(back.summary.new_failures, 0);
    EXPECT_EQ(to_json(back), text);
}

TEST(Json, StrayBytesBecomeReplacementCharacters) {
    EXPECT_EQ(json::escape("a\xff"), "a\\ufffd");
    EXPECT_EQ(json::parse("\"" + json::escape("a\xff") + "\"").as_string(), "a\xEF\xBF\xBD");
}

// RFC 3629 §4: overlong forms, surrogates, code points above U+10FFFF and the bytes 0xF5-0xFF are not UTF-8; each
// becomes U+FFFD so a report of a hostile server's bytes is still a valid JSON document. Well-formed sequences stay.
TEST(Json, IllFormedUtf8SequencesBecomeReplacementCharacters) {
    EXPECT_EQ(json::escape("\xC3\xA9"), "\xC3\xA9");                              // U+00E9
    EXPECT_EQ(json::escape("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");              // U+1F600
    EXPECT_EQ(json::escape("\xE0\x80\xAF"), "\\ufffd\\ufffd\\ufffd");             // overlong '/'
    EXPECT_EQ(json::escape("\xED\xA0\x80"), "\\ufffd\\ufffd\\ufffd");             // surrogate U+D800
    EXPECT_EQ(json::escape("\xF4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // above U+10FFFF
    EXPECT_EQ(json::escape("\xF5\x80\x80"), "\\ufffd\\ufffd\\ufffd");
    EXPECT_EQ(json::escape("\xFF"), "\\ufffd");
    EXPECT_EQ(json::escape("\xC0\xAF"), "\\ufffd\\ufffd");  // overlong 2-byte form
}

TEST(Result, RejectsNewerSchemasAndBadJson) {
    EXPECT_THROW(from_json("{\"schema_version\": 99}"), std::runtime_error);
    EXPECT_THROW(from_json("{"), std::runtime_error);
    EXPECT_THROW(from_json("[]"), std::runtime_error);
}

TEST(Json, ParsesEscapesAndNesting) {
    auto v = json::parse(R"({"a": [1, 2.5, true, null, "x\"\u00e9\ud83d\ude00"], "b": {}})");
    EXPECT_EQ(v.at("a").as_array().size(), 5u);
    EXPECT_EQ(v.at("a").as_array()[4].as_string(), "x\"\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_THROW(json::parse("[1,]"), json::Error);
    EXPECT_THROW(json::parse("\"abc"), json::Error);
}

TEST(Fixtures, RetrievedAndTopForms) {
    EXPECT_EQ(as_retrieved("a\nb"), "a\r\nb\r\n");
    EXPECT_EQ(as_retrieved("a\r\nb\r\n"), "a\r\nb\r\n");
    const std::string msg = "Subject: x\r\nFrom: y\r\n\r\nl1\r\nl2\r\nl3\r\n";
    EXPECT_EQ(as_top(msg, 0), "Subject: x\r\nFrom: y\r\n\r\n");
    EXPECT_EQ(as_top(msg, 2), "Subject: x\r\nFrom: y\r\n\r\nl1\r\nl2\r\n");
    EXPECT_EQ(as_top(msg, 100), msg);
    EXPECT_EQ(as_top("Subject: only headers", 3), "Subject: only headers\r\n");
}

TEST(Fixtures, TheShippedManifestLoadsInOrder) {
    auto f = load_fixtures(std::filesystem::path(POP3SPEC_SOURCE_DIR) / "scenarios" / "fixtures");
    ASSERT_GE(f.messages.size(), 5u);
    EXPECT_EQ(f.at(1)->number, 1);
    EXPECT_EQ(f.at(2)->file.filename().string().substr(0, 2), "m2");
    EXPECT_EQ(f.at(99), nullptr);
}

}  // namespace
}  // namespace pop3::scenario
