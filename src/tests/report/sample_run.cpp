#include "sample_run.hpp"

#include <random>

namespace pop3::report::testing {

using scenario::Outcome;
using scenario::ScenarioResult;
using scenario::TranscriptLine;

std::string hostile_text() {
    std::string text = "<b>&amp;</b> \"quoted\" 'single' </script><script>alert(1)</script> ]]> ";
    text += std::string("nul:\0:", 6);
    text += "bell:\x07 esc:\x1b del:\x7f ";
    text += "c1:\xc2\x85 invalid:\xff\xfe overlong:\xc0\xaf surrogate:\xed\xa0\x80 truncated:\xe2\x82 ";
    text += "nonchar:\xef\xbf\xbe ok:\xc3\xa9\xe2\x82\xac\xf0\x9f\x93\xa7 | `tick` *star* _under_ [link](http://x) #";
    return text;
}

namespace {

ScenarioResult make(std::string id, std::string level, Outcome outcome, std::vector<std::string> refs) {
    ScenarioResult s;
    s.id = std::move(id);
    s.title = "Title of " + s.id;
    s.file = "scenarios/rfc1939/sample.yaml";
    s.refs = std::move(refs);
    s.tags = {"sample"};
    s.level = std::move(level);
    s.outcome = outcome;
    s.duration_ms = 12.5;
    s.transcript = {
        TranscriptLine{0, "main", "*", "connect 127.0.0.1:1110"}, TranscriptLine{1, "main", "S", "+OK ready\\r\\n"},
        TranscriptLine{2, "main", "C", "USER alice\\r\\n"},       TranscriptLine{3, "main", "S", "+OK\\r\\n"},
        TranscriptLine{4, "main", "C", "PASS <redacted>\\r\\n"},  TranscriptLine{5, "main", "S", "+OK\\r\\n"}};
    return s;
}

}  // namespace

scenario::RunResult sample_run(int variant) {
    scenario::RunResult run;
    run.tool_version = "0.1.0-test";
    run.started = "2026-11-28T01:02:03Z";
    run.duration_ms = 4321;
    run.target.address = "127.0.0.1:1110";
    run.target.tls = "none";
    run.target.greeting = variant == 0 ? "+OK pop3spec ready <1.2@example.test>\\r\\n" : "+OK Dovecot ready.\\r\\n";
    run.target.capabilities = {"CAPA", "TOP", "UIDL", "USER", "SASL PLAIN", "STLS"};
    run.target.capabilities_after_login = {"CAPA", "TOP", "UIDL", "USER", "IMPLEMENTATION x"};
    run.target.implementation = variant == 0 ? "" : "Dovecot";
    run.seeding = "embedded";
    run.filters = {"--tag stat"};

    auto pass = make("rfc1939.stat.drop-listing", "MUST", Outcome::pass, {"R1939-STAT-1", "R1939-STATE-2"});
    auto fail = make("rfc1939.stat.excludes-deleted", "MUST", variant == 0 ? Outcome::fail : Outcome::pass,
                     {"R1939-STAT-2", "R1939-RSET-1"});
    if (fail.outcome == Outcome::fail) {
        fail.reason = "step 8 `check count_after == count - 1` (line 52): expected 6, got 7";
        fail.step = 8;
        fail.line = 52;
        fail.expected = "count_after == 6";
        fail.received = "count_after = 7";
    }
    auto warn = make("rfc1939.stat.no-trailing-text", "SHOULD", Outcome::warn, {"R1939-STAT-3"});
    warn.reason = "step 3 `cmd STAT` (line 24): expected line ^\\+OK \\d+ \\d+$, got +OK 7 1051350 extra";
    warn.expected = "^\\+OK \\d+ \\d+$";
    warn.received = "+OK 7 1051350 extra";
    auto skip = make("rfc2595.stls.capa-after", "MUST", Outcome::skip, {"R2595-STLS-1"});
    skip.reason = "needs STLS, which the server does not advertise";
    skip.transcript.clear();
    auto error = make("rfc1939.greeting.single-line", "MUST", Outcome::error, {"R1939-GREET-1"});
    error.reason = "connect: timed out after 5000 ms before the greeting";
    auto hostile = make("rfc1939.retr.hostile", "MUST", Outcome::fail, {"R1939-RETR-1", "X-UNKNOWN-REF"});
    hostile.title = "Hostile " + hostile_text();
    hostile.reason = "step 2 `cmd RETR 1`: got " + hostile_text();
    hostile.expected = "+OK";
    hostile.received = hostile_text();
    hostile.notes = {"note " + hostile_text()};
    hostile.transcript.push_back(TranscriptLine{6, "main", "S", hostile_text()});
    hostile.transcript_truncated = true;
    auto known = make("rfc2449.capa.implementation", "SHOULD", Outcome::warn, {"R2449-IMPL-1"});
    known.reason = "IMPLEMENTATION advertised before login";
    known.baselined = true;
    known.baseline_reason = "Dovecot advertises IMPLEMENTATION in AUTHORIZATION (RFC 2449 §6.9)";
    auto fixed = make("rfc1939.uidl.stable", "MUST", Outcome::pass, {"R1939-UIDL-2"});
    fixed.fixed = true;
    fixed.notes = {"UIDL is stable across sessions"};
    auto info = make("rfc1939.security.apop-offered", "INFO", Outcome::pass, {"R1939-APOP-1"});
    info.notes = {"APOP offered: MD5 digest authentication"};

    run.scenarios = {pass, fail, warn, skip, error, hostile, known, fixed, info};
    if (variant == 1) {
        run.scenarios.pop_back();  // a scenario only the first run has
        run.scenarios.push_back(make("dovecot.only.extra", "MAY", Outcome::pass, {}));
    }
    run.summary = scenario::summarize(run.scenarios);
    return run;
}

scenario::RunResult random_bytes_run(unsigned seed, int scenarios) {
    std::mt19937 rng(seed);
    const auto bytes = [&](std::size_t max) {
        std::string out(std::uniform_int_distribution<std::size_t>(0, max)(rng), '\0');
        for (auto& c : out)
            c = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
        return out;
    };
    const Outcome outcomes[] = {Outcome::pass, Outcome::fail, Outcome::warn, Outcome::skip, Outcome::error};
    scenario::RunResult run;
    run.tool_version = bytes(8);
    run.started = bytes(20);
    run.target.address = bytes(20);
    run.target.greeting = bytes(80);
    run.target.implementation = bytes(20);
    run.target.capabilities = {bytes(20), bytes(20)};
    run.target.capabilities_after_login = {bytes(20)};
    run.seeding_output = bytes(100);
    for (int i = 0; i < scenarios; ++i) {
        ScenarioResult s;
        s.id = bytes(30);
        s.title = bytes(60);
        s.file = bytes(20);
        s.refs = {bytes(12), "R1939-STAT-1"};
        s.tags = {bytes(8)};
        s.level = bytes(6);
        s.outcome = outcomes[static_cast<std::size_t>(i) % 5];
        s.reason = bytes(120);
        s.expected = bytes(60);
        s.received = bytes(200);
        s.notes = {bytes(40)};
        s.baselined = i % 7 == 3;
        s.baseline_reason = bytes(40);
        for (int k = 0; k < 5; ++k)
            s.transcript.push_back(TranscriptLine{k, bytes(4), bytes(1), bytes(100)});
        run.scenarios.push_back(std::move(s));
    }
    run.summary = scenario::summarize(run.scenarios);
    return run;
}

}  // namespace pop3::report::testing
