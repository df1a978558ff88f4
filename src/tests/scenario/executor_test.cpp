// The executor and runner against the scripted, hostile server of src/tests/client/ (loopback, ephemeral ports).
#include "scenario/executor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iostream>

#include "pop3/apop.hpp"
#include "scenario/loader.hpp"
#include "scenario/runner.hpp"
#include "test_servers/scripted_server.hpp"

namespace pop3::scenario {
namespace {

using namespace std::chrono_literals;
using pop3::testing::Behaviour;
using pop3::testing::ScriptedServer;
namespace hostile = pop3::testing::hostile;

Scenario one(const std::string& yaml) {
    auto all = load_scenarios(yaml, "test.yaml");
    EXPECT_EQ(all.size(), 1u);
    return all.at(0);
}

struct Rig {
    ScriptedServer server;
    RunConfig config;
    ServerFacts facts;

    Rig() {
        server.on("CAPA", "+OK\r\nUSER\r\nUIDL\r\n.\r\n");
        server.on("USER", "+OK\r\n");
        server.on("PASS", "+OK logged in\r\n");
        config.endpoint = {server.host(), server.port()};
        config.account_sets.push_back(AccountSet{Credentials{"alice", "s3cret-pw"}, std::nullopt, std::nullopt});
        config.step_timeout = 1000ms;
        config.scenario_timeout = 10s;
    }

    ServerFacts& probe_once() {
        std::string why;
        facts = probe(config, why);
        EXPECT_TRUE(facts.reachable) << why;
        return facts;
    }

    ScenarioResult run(const std::string& yaml, bool strict = false) {
        if (!facts.reachable) probe_once();
        ExecutionConfig ec;
        ec.endpoint = config.endpoint;
        ec.accounts = config.account_sets[0];
        ec.facts = &facts;
        ec.strict = strict;
        ec.step_timeout = config.step_timeout;
        ec.scenario_timeout = config.scenario_timeout;
        return execute(one(yaml), ec);
    }
};

std::string fmt_yaml(const std::string& command) {
    return "id: t.hostile\ntitle: h\nsteps:\n  - connect\n  - {cmd: '" + command + "', expect: ok}\n";
}

std::string fmt_scenario(int i) {
    // Even ids pass, odd ones fail.
    return "id: t.s" + std::to_string(i) +
           "\ntitle: s\nsteps: [connect, {cmd: STAT, expect: " + (i % 2 == 0 ? "ok" : "err") + "}]\n";
}

const char* stat_scenario = R"(
id: t.stat
title: STAT
steps:
  - connect
  - login
  - cmd: STAT
    expect: {status: ok, capture: {n: count, total: size}}
  - cmd: LIST
    expect: {status: ok, capture: {sizes: listing}}
  - check: sum(sizes) == total
  - check: count(sizes) == n
  - quit
)";

TEST(Executor, PassesAGoodDialogue) {
    Rig rig;
    rig.server.on("STAT", "+OK 2 320\r\n");
    rig.server.on("LIST", "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
    auto r = rig.run(stat_scenario);
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    EXPECT_FALSE(r.transcript.empty());
}

TEST(Executor, AFailedComparisonNamesTheStepAndBothValues) {
    Rig rig;
    rig.server.on("STAT", "+OK 2 999\r\n");
    rig.server.on("LIST", "+OK\r\n1 120\r\n2 200\r\n.\r\n");
    auto r = rig.run(stat_scenario);
    EXPECT_EQ(r.outcome, Outcome::fail);
    EXPECT_EQ(r.step, 5);
    EXPECT_NE(r.reason.find("step 5 `check sum(sizes) == total`"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("320"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("999"), std::string::npos) << r.reason;
}

TEST(Executor, WrongStatusIsAFailWithExpectedAndReceived) {
    Rig rig;
    rig.server.on("STAT", "-ERR no way\r\n");
    auto r = rig.run(stat_scenario);
    EXPECT_EQ(r.outcome, Outcome::fail);
    EXPECT_NE(r.reason.find("expected +OK"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("-ERR no way"), std::string::npos) << r.reason;
    EXPECT_EQ(r.line, 7);
}

TEST(Executor, PasswordsNeverReachTheTranscript) {
    Rig rig;
    rig.server.on("STAT", "+OK 0 0\r\n");
    auto r = rig.run(R"(
id: t.secret
title: secret
steps:
  - connect
  - login
  - {cmd: 'PASS ${pass}', expect: any}
  - send: ['USER ${user}', 'PASS ${pass}']
  - expect: any
  - expect: any
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    bool saw_pass = false;
    for (const auto& t : r.transcript) {
        EXPECT_EQ(t.text.find("s3cret-pw"), std::string::npos) << t.text;
        saw_pass |= t.text.find("PASS") != std::string::npos;
    }
    EXPECT_TRUE(saw_pass);
}

TEST(Executor, EchoedSecretsAreScrubbedFromReasons) {
    Rig rig;
    rig.probe_once();
    rig.server.on("PASS", "-ERR wrong password s3cret-pw\r\n");
    auto r = rig.run("id: t.echo\ntitle: e\nsteps: [connect, login]\n");
    EXPECT_EQ(r.outcome, Outcome::fail);
    EXPECT_EQ(r.reason.find("s3cret-pw"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("<redacted>"), std::string::npos) << r.reason;
    for (const auto& t : r.transcript)
        EXPECT_EQ(t.text.find("s3cret-pw"), std::string::npos) << t.text;
}

TEST(Executor, ShouldStepsWarnAndStrictFails) {
    Rig rig;
    rig.server.on("STAT", "+OK 2 320 extra text\r\n");
    const char* yaml = R"(
id: t.should
title: should
level: MUST
steps:
  - connect
  - login
  - cmd: STAT
    expect: {status: ok, line: '^\+OK \d+ \d+$'}
    level: SHOULD
  - {cmd: NOOP, expect: err}
)";
    auto r = rig.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::warn) << r.reason;
    EXPECT_NE(r.reason.find("step 3"), std::string::npos);
    auto strict = rig.run(yaml, true);
    EXPECT_EQ(strict.outcome, Outcome::fail);
}

TEST(Executor, InfoLevelIsOnlyRecorded) {
    Rig rig;
    auto r = rig.run(R"(
id: t.info
title: info
level: INFO
steps:
  - connect
  - {cmd: XYZZY, expect: ok}
)");
    EXPECT_EQ(r.outcome, Outcome::pass);
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes[0].find("recorded (INFO)"), std::string::npos) << r.notes[0];
}

TEST(Executor, SkipsWhatItCannotRun) {
    Rig rig;
    auto r = rig.run("id: t.top\ntitle: t\nneeds: [TOP]\nsteps: [connect]\n");
    EXPECT_EQ(r.outcome, Outcome::skip);
    EXPECT_NE(r.reason.find("TOP is not advertised"), std::string::npos) << r.reason;
    r = rig.run("id: t.seed\ntitle: t\nneeds: [seeded]\nsteps: [connect]\n");
    EXPECT_EQ(r.outcome, Outcome::skip);
    r = rig.run("id: t.destr\ntitle: t\nneeds: [destructive]\nsteps: [connect]\n");
    EXPECT_EQ(r.outcome, Outcome::skip);
    EXPECT_NE(r.reason.find("never run without seeding"), std::string::npos);
    r = rig.run("id: t.two\ntitle: t\nsteps: [connect, {login: {account: secondary}}]\n");
    EXPECT_EQ(r.outcome, Outcome::skip);
    r = rig.run("id: t.uidl\ntitle: t\nneeds: [UIDL, '!TOP']\nsteps: [connect]\n");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
}

TEST(Executor, AlternativesAcceptErrOrClose) {
    Rig rig;
    rig.server.on("XCLOSE", Behaviour().close());
    auto r = rig.run(R"(
id: t.alt
title: alt
steps:
  - connect
  - {cmd: XCLOSE, expect: {any_of: [err, closed]}}
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    r = rig.run(R"(
id: t.alt2
title: alt
steps:
  - connect
  - {cmd: XOTHER, expect: {any_of: [err, closed]}}
  - {cmd: NOOP, expect: err}
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
}

TEST(Executor, PipelinedRepliesAreMatchedInOrder) {
    Rig rig;
    rig.server.on("STAT", "+OK 2 320\r\n");
    rig.server.on("LIST", "+OK\r\n1 120\r\n2 200\r\n.\r\n");
    rig.server.on("NOOP", "+OK\r\n");
    auto r = rig.run(R"(
id: t.pipe
title: pipe
steps:
  - connect
  - login
  - send: [STAT, LIST, NOOP]
  - expect: {status: ok, capture: {total: size}}
  - expect: {status: ok, body: {count: 2}, capture: {sizes: listing}}
  - expect: ok
  - check: sum(sizes) == total
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
}

TEST(Executor, QuitNeedsTheServerToClose) {
    Rig rig;
    rig.server.on("QUIT", "+OK but I stay\r\n");
    auto r = rig.run("id: t.q\ntitle: q\nsteps: [connect, quit]\n");
    EXPECT_EQ(r.outcome, Outcome::fail);
    EXPECT_NE(r.reason.find("still open"), std::string::npos) << r.reason;
}

TEST(Executor, WireViolationsFailUnlessTolerated) {
    Rig rig;
    rig.server.on("NOOP", hostile::bare_lf("+OK fine\r\n"));
    auto r = rig.run("id: t.lf\ntitle: lf\nsteps: [connect, {cmd: NOOP, expect: ok}]\n");
    EXPECT_EQ(r.outcome, Outcome::fail);
    EXPECT_NE(r.reason.find("bare_lf"), std::string::npos) << r.reason;
    r = rig.run("id: t.lf2\ntitle: lf\nsteps: [connect, {cmd: NOOP, expect: {status: ok, tolerate: [bare_lf]}}]\n");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    rig.server.on("RSET", hostile::lowercase_ok());
    r = rig.run("id: t.lc\ntitle: lc\nsteps: [connect, {cmd: RSET, expect: ok}]\n");
    EXPECT_EQ(r.outcome, Outcome::fail);
    EXPECT_NE(r.reason.find("non_canonical_status"), std::string::npos) << r.reason;
}

// Each hostile behaviour gives a clear fail or error within its timeout, and the next scenario still runs.
struct HostileCase {
    const char* name;
    Behaviour behaviour;
    const char* command;
    Outcome outcome;
    const char* reason_part;
};

TEST(ExecutorHostile, EveryMisbehaviourEndsInTimeAndTheRunGoesOn) {
    std::vector<HostileCase> cases = {
        {"nothing sent", hostile::silence(), "STAT", Outcome::fail, "timeout"},
        {"no line end", hostile::unterminated_line(), "STAT", Outcome::fail, "timeout"},
        {"endless body", hostile::endless_body(), "RETR 1", Outcome::fail, ""},
        {"dripping", hostile::drip("+OK 1 2\r\n", 400ms), "STAT", Outcome::fail, "timeout"},
        {"NULs", hostile::nul_bytes(), "STAT", Outcome::fail, "nul_byte"},
        {"100 MB line", hostile::huge_line(), "STAT", Outcome::fail, ""},
        {"close mid-reply", hostile::close_mid_reply(), "STAT", Outcome::fail, "closed_by_peer"},
    };
    for (auto& c : cases) {
        SCOPED_TRACE(c.name);
        Rig rig;
        rig.server.on(c.command, c.behaviour);
        rig.server.on("NOOP", "+OK\r\n");
        auto start = std::chrono::steady_clock::now();
        auto r = rig.run(fmt_yaml(c.command));
        auto took = std::chrono::steady_clock::now() - start;
        EXPECT_EQ(r.outcome, c.outcome) << r.reason;
        EXPECT_NE(r.reason.find(c.reason_part), std::string::npos) << r.reason;
        EXPECT_LT(took, 8s) << r.reason;
        // The transcript stays bounded whatever the server sent.
        std::size_t bytes = 0;
        for (const auto& t : r.transcript)
            bytes += t.text.size();
        EXPECT_LT(bytes, 256u * 1024) << c.name;
        auto next = rig.run("id: t.next\ntitle: next\nsteps: [connect, {cmd: NOOP, expect: ok}]\n");
        EXPECT_EQ(next.outcome, Outcome::pass) << next.reason;
    }
}

TEST(ExecutorHostile, SilentGreetingIsAnErrorWithinTheTimeout) {
    Rig rig;
    rig.facts.reachable = true;  // no probe: the greeting never comes
    rig.server.greeting(hostile::silence());
    auto start = std::chrono::steady_clock::now();
    auto r = rig.run("id: t.g\ntitle: g\nsteps: [connect]\n");
    EXPECT_EQ(r.outcome, Outcome::error);
    EXPECT_NE(r.reason.find("no greeting"), std::string::npos) << r.reason;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(ExecutorHostile, StlsResponseInjectionFails) {
    Rig rig;
    rig.server.on("CAPA", "+OK\r\nSTLS\r\nUSER\r\n.\r\n");
    rig.server.on("STLS", hostile::stls_injection());
    auto r = rig.run("id: t.stls\ntitle: s\nneeds: [STLS]\nsteps: [connect, stls]\n");
    EXPECT_EQ(r.outcome, Outcome::fail) << r.reason;
    EXPECT_NE(r.reason.find("injection"), std::string::npos) << r.reason;
}

TEST(Executor, TlsAbortEndsThePassWhenAllowed) {
    // RFC 2595 injection scenarios: "Acceptable alternative: the server aborts the connection".
    const char* yaml = R"(
id: t.abort
title: abort
steps:
  - connect
  - send: [STLS, CAPA]
  - expect: ok
  - {tls: {abort_ok: ALLOWED}}
  - {cmd: CAPA, expect: ok}
)";
    for (bool allowed : {true, false}) {
        SCOPED_TRACE(allowed);
        Rig rig;
        rig.server.on("STLS", Behaviour().send("+OK go ahead\r\n").close());
        std::string text = yaml;
        text.replace(text.find("ALLOWED"), 7, allowed ? "true" : "false");
        auto r = rig.run(text);
        if (allowed) {
            EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
            ASSERT_FALSE(r.notes.empty());
            EXPECT_NE(r.notes.back().find("aborted the connection"), std::string::npos) << r.notes.back();
        } else {
            EXPECT_EQ(r.outcome, Outcome::fail) << r.reason;
        }
    }
    // A connection the server closed before the handshake step (seen by a silence check) is an abort too.
    Rig rig;
    rig.server.on("STLS", Behaviour().send("+OK go ahead\r\n").close());
    auto r = rig.run(R"(
id: t.abort2
title: abort
steps:
  - connect
  - send: [STLS, CAPA]
  - expect: ok
  - expect: {silence: 300ms}
  - tls: {abort_ok: true}
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    // A handshake answered with plaintext is no abort: it stays a failure.
    Rig plain;
    plain.server.on("STLS", Behaviour().send("+OK go ahead\r\n").pause(100ms).send("+OK not tls\r\n"));
    r = plain.run("id: t.abort3\ntitle: a\nsteps: [connect, {send: STLS}, {expect: ok}, {tls: {abort_ok: true}}]\n");
    EXPECT_EQ(r.outcome, Outcome::fail) << r.reason;
}

TEST(Executor, ConnectWithoutReadingTheGreeting) {
    const char* yaml = "id: t.silent\ntitle: s\nsteps: [{connect: {greeting: false}}, {expect: {silence: 300ms}}]\n";
    Rig talkative;
    auto r = talkative.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::fail) << r.reason;  // the greeting is the unexpected data
    Rig quiet;
    quiet.probe_once();
    quiet.server.greeting(hostile::silence());
    r = quiet.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
}

TEST(Executor, SleepForACapturedNumberOfSeconds) {
    Rig rig;
    rig.server.on("XDELAY", "+OK 1\r\n");
    auto yaml = R"(
id: t.sleep
title: s
steps:
  - connect
  - cmd: XDELAY
    expect: {status: ok, capture: {d: {regex: '^\+OK (\S+)'}}}
  - sleep: {seconds: d}
)";
    auto start = std::chrono::steady_clock::now();
    auto r = rig.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    EXPECT_GE(std::chrono::steady_clock::now() - start, 1s);
    // A wait longer than the scenario's time left is a skip with the reason, not a cut-short verdict.
    rig.server.on("XDELAY", "+OK 3600\r\n");
    start = std::chrono::steady_clock::now();
    r = rig.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::skip) << r.reason;
    EXPECT_NE(r.reason.find("3600 s"), std::string::npos) << r.reason;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    // An earlier warning stands; the wait that does not fit is noted.
    r = rig.run(R"(
id: t.sleep2
title: s
steps:
  - connect
  - {cmd: NOOP, expect: ok, level: SHOULD}
  - cmd: XDELAY
    expect: {status: ok, capture: {d: {regex: '^\+OK (\S+)'}}}
  - sleep: {seconds: d}
)");
    EXPECT_EQ(r.outcome, Outcome::warn) << r.reason;
    ASSERT_FALSE(r.notes.empty());
    EXPECT_NE(r.notes.back().find("the rest not run"), std::string::npos) << r.notes.back();
    rig.server.on("XDELAY", "+OK soon\r\n");
    r = rig.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::error) << r.reason;
}

TEST(Executor, ApopDigestVariants) {
    Rig rig;
    rig.server.greeting("+OK ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    rig.server.on("XTS", "+OK <1.2@other>\r\n");
    rig.server.on("APOP", "-ERR no\r\n");
    rig.config.account_sets[0].primary->pass = "tanstaaf";
    auto r = rig.run(R"(
id: t.apop
title: a
steps:
  - connect
  - {cmd: 'APOP alice ${apop_digest}', expect: err}
  - {cmd: 'APOP alice ${apop_digest_upper}', expect: err}
  - {cmd: XTS, expect: {status: ok, capture: {old: {regex: '(<[^>]*>)'}}}}
  - {cmd: 'APOP alice ${apop_digest:old}', expect: err}
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    auto lines = rig.server.received_lines();
    // RFC 1939 §7's example digest, lower and upper case; then the digest over the captured timestamp.
    auto digest_other = pop3::apop_digest("<1.2@other>", "tanstaaf");
    EXPECT_NE(std::find(lines.begin(), lines.end(), "APOP alice c4c9334bac560ecc979e58001b3e22fb"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "APOP alice C4C9334BAC560ECC979E58001B3E22FB"), lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "APOP alice " + digest_other), lines.end());
    for (const auto& t : r.transcript) {  // every variant is redacted
        EXPECT_EQ(t.text.find("c4c9334b"), std::string::npos) << t.text;
        EXPECT_EQ(t.text.find("C4C9334B"), std::string::npos) << t.text;
        EXPECT_EQ(t.text.find(digest_other), std::string::npos) << t.text;
    }
    r = rig.run("id: t.apop2\ntitle: a\nsteps: [connect, {cmd: 'APOP alice ${apop_digest:nothing}'}]\n");
    EXPECT_EQ(r.outcome, Outcome::error) << r.reason;
}

TEST(Executor, IfOpenStepsSkipOnceTheServerClosed) {
    const char* yaml = R"(
id: t.ifopen
title: i
steps:
  - connect
  - {cmd: USER alice, expect: ok}
  - {cmd: PASS wrong, expect: {any_of: [err, closed]}}
  - {if_open: true, cmd: STAT, expect: err}
  - {if_open: true, cmd: NOOP, expect: err}
)";
    Rig closing;
    closing.server.on("PASS wrong", Behaviour().send("-ERR bad\r\n").close());
    auto r = closing.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
    EXPECT_EQ(std::count_if(r.notes.begin(), r.notes.end(),
                            [](const std::string& n) { return n.find("not run") != std::string::npos; }),
              2);
    Rig staying;
    staying.server.on("PASS wrong", "-ERR bad\r\n");
    staying.server.on("STAT", "+OK 0 0\r\n");  // a server that stays open is still checked
    r = staying.run(yaml);
    EXPECT_EQ(r.outcome, Outcome::fail) << r.reason;
    EXPECT_NE(r.reason.find("STAT"), std::string::npos) << r.reason;
}

TEST(Executor, LatencyCapture) {
    Rig rig;
    rig.server.on("XSLOW", Behaviour().pause(300ms).send("-ERR slow\r\n"));
    auto r = rig.run(R"(
id: t.lat
title: l
steps:
  - connect
  - {cmd: XSLOW, expect: {status: err, capture: {t: latency}}}
  - {cmd: NOOP, expect: {capture: {fast: latency}}}
  - check: t >= 250 && fast < 250
)");
    EXPECT_EQ(r.outcome, Outcome::pass) << r.reason;
}

TEST(Executor, OpenLoggedInSessionsAreClosedWithRsetAndQuit) {
    // A scenario that stops early leaves no session holding the maildrop lock (RFC 1939 §8), and deletes nothing.
    Rig rig;
    rig.server.on("STAT", "+OK 2 320\r\n");
    rig.server.on("RSET", "+OK\r\n");
    auto r = rig.run("id: t.early\ntitle: e\nsteps: [connect, login, {cmd: DELE 1, expect: ok}, {cmd: STAT}]\n");
    EXPECT_EQ(r.outcome, Outcome::fail) << r.reason;
    auto lines = rig.server.received_lines();
    ASSERT_GE(lines.size(), 2u);
    EXPECT_EQ(lines[lines.size() - 2], "RSET");
    EXPECT_EQ(lines.back(), "QUIT");
    // A session that never logged in is just closed.
    Rig plain;
    r = plain.run("id: t.nologin\ntitle: n\nsteps: [connect, {cmd: NOOP}]\n");
    auto l2 = plain.server.received_lines();
    EXPECT_EQ(std::count(l2.begin(), l2.end(), "RSET"), 0);
}

TEST(Runner, DeterministicOrderAndBaseline) {
    Rig rig;
    rig.server.on("STAT", "+OK 2 320\r\n");
    rig.server.on("NOOP", "+OK\r\n");
    std::vector<Scenario> scenarios;
    for (int i = 0; i < 6; ++i)
        scenarios.push_back(one(fmt_scenario(i)));
    rig.config.jobs = 3;
    rig.config.account_sets.resize(3, rig.config.account_sets[0]);
    auto& facts = rig.probe_once();
    RunResult run;
    run_scenarios(scenarios, rig.config, facts, run);
    ASSERT_EQ(run.scenarios.size(), 6u);
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(run.scenarios[static_cast<std::size_t>(i)].id, "t.s" + std::to_string(i));
    EXPECT_EQ(run.summary.fail, 3);
    EXPECT_EQ(run.summary.new_failures, 3);
    Baseline b;
    b.known["t.s1"] = "known";
    b.known["t.s0"] = "was broken";
    apply_baseline(run, b);
    EXPECT_TRUE(run.scenarios[1].baselined);
    EXPECT_TRUE(run.scenarios[0].fixed);
    EXPECT_EQ(run.summary.new_failures, 2);
}

TEST(Runner, GlobalDeadlineEndsTheRun) {
    Rig rig;
    rig.server.on("STAT", hostile::silence());
    std::vector<Scenario> scenarios;
    for (int i = 0; i < 5; ++i)
        scenarios.push_back(
            one("id: t.d" + std::to_string(i) + "\ntitle: d\nsteps: [connect, {cmd: STAT, expect: ok}]\n"));
    rig.config.global_timeout = 1500ms;
    auto& facts = rig.probe_once();
    RunResult run;
    auto start = std::chrono::steady_clock::now();
    run_scenarios(scenarios, rig.config, facts, run);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    for (const auto& r : run.scenarios)
        std::cerr << r.id << ": " << r.reason << "\n";
    EXPECT_EQ(run.scenarios.back().outcome, Outcome::error);
    EXPECT_NE(run.scenarios.back().reason.find("deadline"), std::string::npos) << run.scenarios.back().reason;
}

TEST(Runner, ProbeReportsAnUnreachableTarget) {
    RunConfig config;
    {
        ScriptedServer gone;
        config.endpoint = {gone.host(), gone.port()};
    }  // closed: nothing listens there any more
    config.step_timeout = 1000ms;
    config.account_sets.push_back({});
    std::string why;
    auto facts = probe(config, why);
    EXPECT_FALSE(facts.reachable);
    EXPECT_NE(why.find("cannot connect"), std::string::npos) << why;
}

}  // namespace
}  // namespace pop3::scenario
