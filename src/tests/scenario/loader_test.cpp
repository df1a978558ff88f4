#include "scenario/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace pop3::scenario {
namespace {

LoadError load_error(const std::string& yaml) {
    try {
        load_scenarios(yaml, "t.yaml");
    } catch (const LoadError& e) {
        return e;
    }
    ADD_FAILURE() << "no LoadError for:\n" << yaml;
    return LoadError("", 0, 0, "", "");
}

TEST(Loader, CompactScenario) {
    auto all = load_scenarios(R"(
id: rfc1939.stat.basic
title: STAT answers the drop listing
refs: [R1939-STAT-1]
level: MUST
tags: [stat]
needs: [seeded, TOP, "SASL PLAIN", "!STLS"]
steps:
  - connect
  - login
  - cmd: STAT
    expect: {status: ok, line: '^\+OK \d+ \d+$', capture: {n: count, total: size}}
  - {cmd: NOOP, expect: ok}
  - send: [LIST, UIDL]
  - expect: {status: ok, body: {each: '^\d+ \d+$'}, capture: {sizes: listing}}
  - expect: ok
  - check: sum(sizes) == total
  - quit
)",
                              "a.yaml");
    ASSERT_EQ(all.size(), 1u);
    const auto& s = all[0];
    EXPECT_EQ(s.id, "rfc1939.stat.basic");
    EXPECT_EQ(s.level, Level::must);
    EXPECT_TRUE(s.needs.seeded);
    EXPECT_EQ(s.needs.capabilities, (std::vector<std::string>{"TOP", "SASL PLAIN"}));
    EXPECT_EQ(s.needs.not_capabilities, (std::vector<std::string>{"STLS"}));
    ASSERT_EQ(s.steps.size(), 9u);
    EXPECT_EQ(s.steps[0].kind, StepKind::connect);
    EXPECT_EQ(s.steps[2].kind, StepKind::command);
    EXPECT_EQ(s.steps[2].lines, std::vector<std::string>{"STAT"});
    ASSERT_TRUE(s.steps[2].expect);
    EXPECT_EQ(s.steps[2].expect->status, ExpectedStatus::ok);
    ASSERT_EQ(s.steps[2].expect->captures.size(), 2u);
    EXPECT_EQ(s.steps[2].expect->captures[1].source, CaptureSource::stat_size);
    EXPECT_EQ(s.steps[2].where.line, 11);
    EXPECT_EQ(s.steps[4].kind, StepKind::send);
    EXPECT_EQ(s.steps[4].lines.size(), 2u);
    EXPECT_EQ(s.steps[5].kind, StepKind::expect);
    EXPECT_EQ(s.steps[7].kind, StepKind::check);
    EXPECT_EQ(s.steps[8].kind, StepKind::quit);
}

TEST(Loader, SessionsTlsLoginAndRaw) {
    auto all = load_scenarios(R"(
id: a.b
title: t
steps:
  - connect: {tls: starttls, session: b}
  - login: {mech: apop, account: secondary, session: b}
  - login: auth-plain
  - raw: "STAT\r\nNOOP\x00"
  - expect: {any_of: [err, closed]}
  - expect: {silence: 2s}
  - {disconnect: {session: b}, level: SHOULD}
  - sleep: 250ms
  - stls
)",
                              "b.yaml");
    const auto& st = all.at(0).steps;
    EXPECT_EQ(st[0].session, "b");
    EXPECT_EQ(st[0].tls, TlsMode::starttls);
    EXPECT_EQ(st[1].mech, LoginMech::apop);
    EXPECT_EQ(st[1].account, Account::secondary);
    EXPECT_EQ(st[2].mech, LoginMech::auth_plain);
    EXPECT_EQ(st[3].raw, std::string("STAT\r\nNOOP\0", 11));
    EXPECT_EQ(st[4].expect->any_of.size(), 2u);
    EXPECT_TRUE(st[4].expect->any_of[1].closed);
    EXPECT_EQ(st[5].expect->silence, Duration(2000));
    EXPECT_EQ(st[6].session, "b");
    EXPECT_EQ(st[6].level, Level::should);
    EXPECT_EQ(st[7].sleep, Duration(250));
    EXPECT_EQ(st[8].kind, StepKind::tls);
    EXPECT_EQ(st[8].lines, std::vector<std::string>{"STLS"});
}

TEST(Loader, SeveralDocumentsInOneFile) {
    auto all = load_scenarios("id: a\ntitle: A\nsteps: [connect]\n---\nid: b\ntitle: B\nsteps: [connect]\n", "m.yaml");
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].id, "b");
    EXPECT_EQ(all[1].where.line, 5);
}

// yaml-cpp 0.7's LoadAll loops forever on this stream (found by fuzz_scenario_loader; jbeder/yaml-cpp#1040): the
// loader must return, with a positioned error or with what it could load, never hang. ctest's timeout catches a hang.
TEST(Loader, MalformedStreamThatHangsYamlCppLoadAllReturns) {
    bool returned = false;
    try {
        load_scenarios("- a\n, b\n", "hang.yaml");
        returned = true;
    } catch (const LoadError& e) {
        returned = true;
        EXPECT_EQ(e.file(), "hang.yaml");
        EXPECT_GE(e.line(), 1);
    }
    EXPECT_TRUE(returned);
}

TEST(Loader, ErrorsInLaterDocumentsKeepTheirLineInTheFile) {
    auto e = load_error(
        "id: a\ntitle: A\nsteps: [connect]\n---\nid: b\ntitle: B\nsteps: [connect]\n---\nid: c\n"
        "title: C\nstepz: []\n");
    EXPECT_EQ(e.line(), 11);
    EXPECT_EQ(e.key(), "stepz");
}

TEST(Loader, UnknownTopLevelKeyNamesFileLineColumnAndKey) {
    auto e = load_error("id: a\ntitle: t\nstepz: []\nsteps: [connect]\n");
    EXPECT_EQ(e.file(), "t.yaml");
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.column(), 1);
    EXPECT_EQ(e.key(), "stepz");
    EXPECT_NE(std::string(e.what()).find("t.yaml:3:1: 'stepz': unknown key"), std::string::npos) << e.what();
}

TEST(Loader, UnknownKeyInsideAnExpectation) {
    auto e = load_error("id: a\ntitle: t\nsteps:\n  - cmd: STAT\n    expect: {status: ok, bodyy: {count: 1}}\n");
    EXPECT_EQ(e.key(), "bodyy");
    EXPECT_EQ(e.line(), 5);
    EXPECT_GT(e.column(), 10);
}

TEST(Loader, BrokenYamlIsALoadErrorWithPosition) {
    auto e = load_error("id: a\ntitle: [unclosed\nsteps: [connect]\n");
    EXPECT_EQ(e.file(), "t.yaml");
    EXPECT_GE(e.line(), 2);
    EXPECT_GE(e.column(), 1);
}

TEST(Loader, RunnerOptionsOfSteps) {
    auto all = load_scenarios(R"Y(
id: t.opts
title: options
steps:
  - connect: {tls: implicit, handshake: false}
  - connect: {greeting: false, session: b}
  - stls: {abort_ok: true}
  - {tls: {abort_ok: true, session: b}}
  - sleep: {seconds: "int(arg(post, 'LOGIN-DELAY', 1))"}
  - {if_open: true, cmd: NOOP, expect: {capture: {t: latency}}}
)Y",
                              "t.yaml");
    ASSERT_EQ(all.size(), 1u);
    const auto& st = all[0].steps;
    EXPECT_FALSE(st[0].handshake);
    EXPECT_FALSE(st[0].read_greeting);
    EXPECT_EQ(st[0].tls, TlsMode::implicit);
    EXPECT_FALSE(st[1].read_greeting);
    EXPECT_TRUE(st[1].handshake);
    EXPECT_TRUE(st[2].abort_ok);
    EXPECT_EQ(st[2].lines, std::vector<std::string>{"STLS"});
    EXPECT_TRUE(st[3].abort_ok);
    EXPECT_EQ(st[3].session, "b");
    EXPECT_EQ(st[4].sleep_seconds, "int(arg(post, 'LOGIN-DELAY', 1))");
    EXPECT_TRUE(st[5].if_open);
    EXPECT_EQ(st[5].expect->captures.at(0).source, CaptureSource::latency);
}

TEST(Loader, SemanticErrors) {
    struct Case {
        const char* yaml;
        const char* key;
    } cases[] = {
        {"title: t\nsteps: [connect]\n", "id"},
        {"id: A B\ntitle: t\nsteps: [connect]\n", "id"},
        {"id: a\ntitle: t\nlevel: PERHAPS\nsteps: [connect]\n", "level"},
        {"id: a\ntitle: t\nrefs: [STAT-1]\nsteps: [connect]\n", "refs"},
        {"id: a\ntitle: t\nneeds: [lowercase-thing]\nsteps: [connect]\n", "needs"},
        {"id: a\ntitle: t\nsteps: []\n", "steps"},
        {"id: a\ntitle: t\nsteps: [cmd]\n", "cmd"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, send: NOOP}]\n", "send"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: maybe}]\n", "expect"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {line: '(['}}]\n", "line"},
        {"id: a\ntitle: t\nsteps: [{check: 'a =='}]\n", "check"},
        {"id: a\ntitle: t\nsteps: [{raw: 'bad \\q'}]\n", "raw"},
        {"id: a\ntitle: t\nsteps: [{send: NOOP, expect: ok}]\n", "expect"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, timeout: soon}]\n", "timeout"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {capture: {x: nowhere}}}]\n", "x"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {code: '[IN-USE]'}}]\n", "code"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {closed: true, status: ok}}]\n", "expect"},
        {"id: a\ntitle: t\nsteps: [{login: {account: third}}]\n", "account"},
        {"id: a\ntitle: t\nsteps: [{cmd: RETR 1, expect: {body: {top: 2}}}]\n", "top"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {tolerate: [everything]}}]\n", "tolerate"},
        {"id: a\ntitle: t\nsteps: [{connect: {tls: plain, handshake: false}}]\n", "handshake"},
        {"id: a\ntitle: t\nsteps: [{connect: {greeting: false}, expect: ok}]\n", "greeting"},
        {"id: a\ntitle: t\nsteps: [{connect: {tls: starttls, greeting: false}}]\n", "greeting"},
        {"id: a\ntitle: t\nsteps: [{tls: {abort_ok: perhaps}}]\n", "abort_ok"},
        {"id: a\ntitle: t\nsteps: [{quit: {abort_ok: true}}]\n", "abort_ok"},
        {"id: a\ntitle: t\nsteps: [{sleep: {seconds: 'int('}}]\n", "seconds"},
        {"id: a\ntitle: t\nsteps: [{sleep: {minutes: 3}}]\n", "minutes"},
        {"id: a\ntitle: t\nsteps: [{cmd: NOOP, if_open: maybe}]\n", "if_open"},
        // Numbers std::regex would overflow on (undefined behaviour) or expand into huge automata.
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {line: 'a{99999999999999999999}'}}]\n", "line"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {line: 'a{1,1001}'}}]\n", "line"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {line: '(a)\\12345678901234567890'}}]\n", "line"},
        {"id: a\ntitle: t\nsteps: [{cmd: RETR 1, expect: {body: {each: ['x{2000}']}}}]\n", "each"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, timeout: 1e130ms}]\n", "timeout"},
        {"id: a\ntitle: t\nsteps: [{cmd: STAT, timeout: 1441m}]\n", "timeout"},
    };
    for (const auto& c : cases) {
        auto e = load_error(c.yaml);
        EXPECT_EQ(e.key(), c.key) << c.yaml << "\n" << e.what();
        EXPECT_GE(e.line(), 1) << c.yaml;
    }
}

TEST(Loader, DuplicateIdsAcrossFilesAreRejected) {
    namespace fs = std::filesystem;
    auto dir = fs::temp_directory_path() /
               ("pop3spec-loader-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(dir / "x");
    {
        std::ofstream(dir / "a.yaml") << "id: same\ntitle: t\nsteps: [connect]\n";
        std::ofstream(dir / "x" / "b.yaml") << "id: same\ntitle: t\nsteps: [connect]\n";
        std::ofstream(dir / "requirements.yaml") << "not: a scenario\n";
    }
    try {
        load_scenarios_from({dir});
        ADD_FAILURE() << "duplicate accepted";
    } catch (const LoadError& e) {
        EXPECT_EQ(e.key(), "id");
        EXPECT_NE(std::string(e.what()).find("duplicate id 'same'"), std::string::npos);
    }
    fs::remove_all(dir);
}

TEST(Loader, PatternsWithinTheBoundsCompile) {
    auto list = load_scenarios(
        "id: a\ntitle: t\nsteps: [{cmd: STAT, expect: {line: '^\\+OK [0-9]{1,10} \\d{1,1000} (x)\\1 [{]'}}]\n",
        "t.yaml");
    ASSERT_EQ(list.size(), 1U);
}

TEST(Loader, DurationsAndEscapes) {
    EXPECT_EQ(parse_duration("250ms"), Duration(250));
    EXPECT_EQ(parse_duration("5s"), Duration(5000));
    EXPECT_EQ(parse_duration("2"), Duration(2000));
    EXPECT_EQ(parse_duration("1m"), Duration(60000));
    EXPECT_EQ(parse_duration("1440m"), Duration(86400000));
    // Beyond a day (and far beyond what Duration holds) is an error, not an overflow.
    EXPECT_THROW(parse_duration("1441m"), std::invalid_argument);
    EXPECT_THROW(parse_duration(std::string(200, '9') + "s"), std::invalid_argument);
    EXPECT_THROW(parse_duration("1" + std::string(130, '0') + "ms"), std::invalid_argument);
    EXPECT_THROW(parse_duration("5 hours"), std::invalid_argument);
    EXPECT_EQ(decode_escapes("a\\r\\n\\x41\\\\"), "a\r\nA\\");
    EXPECT_THROW(decode_escapes("\\x4"), std::invalid_argument);
    EXPECT_THROW(decode_escapes("\\"), std::invalid_argument);
}

TEST(Loader, ScenarioLevelTimeoutIsTheTimeTheScenarioNeeds) {
    auto all = load_scenarios(R"(
id: rfc1939.timer.slow
title: slow
timeout: 12m
tags: [slow]
steps: [connect]
)",
                              "t.yaml");
    ASSERT_EQ(all.size(), 1u);
    ASSERT_TRUE(all[0].timeout.has_value());
    EXPECT_EQ(*all[0].timeout, Duration(12 * 60000));
    auto none = load_scenarios("id: a\ntitle: t\nsteps: [connect]\n", "t.yaml");
    EXPECT_FALSE(none.at(0).timeout.has_value());
    auto e = load_error("id: a\ntitle: t\ntimeout: soon\nsteps: [connect]\n");
    EXPECT_EQ(e.key(), "timeout");
    EXPECT_EQ(e.line(), 3);
}

TEST(Loader, TheShippedSuiteLoads) {
    auto all = load_scenarios_from({std::filesystem::path(POP3SPEC_SOURCE_DIR) / "scenarios"});
    EXPECT_FALSE(all.empty());
}

}  // namespace
}  // namespace pop3::scenario
