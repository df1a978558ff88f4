// The pop3spec command line, driven in-process: exit codes, --help, errors naming file:line:column, reports.
#include "cli/cli.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/embedded_server.hpp"
#include "scenario/result.hpp"
#include "test_servers/scripted_server.hpp"

namespace pop3::cli {
namespace {

namespace fs = std::filesystem;

struct Output {
    int code = -1;
    std::string out, err;
};

Output run(std::vector<std::string> args) {
    std::ostringstream out, err;
    Output o;
    o.code = main(args, out, err);
    o.out = out.str();
    o.err = err.str();
    return o;
}

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/pop3spec-cli-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return path / name;
    }
};

TEST(Cli, HelpEverywhere) {
    for (auto args : std::vector<std::vector<std::string>>{{"--help"}, {"run", "--help"}, {"list", "--help"}}) {
        auto o = run(args);
        EXPECT_EQ(o.code, exit_ok) << args[0];
        EXPECT_NE(o.out.find("Usage"), std::string::npos) << o.out;
    }
    auto serve = run({"serve", "--help"});
    EXPECT_EQ(serve.code, embedded_server_available() ? exit_ok : exit_usage);
}

TEST(Cli, UsageErrorsExitTwo) {
    EXPECT_EQ(run({}).code, exit_usage);
    EXPECT_EQ(run({"frobnicate"}).code, exit_usage);
    auto o = run({"run", "--no-such-flag"});
    EXPECT_EQ(o.code, exit_usage);
    EXPECT_NE(o.err.find("--no-such-flag"), std::string::npos) << o.err;
    EXPECT_EQ(run({"run", "--tls", "sometimes"}).code, exit_usage);
    EXPECT_EQ(run({"run", "--target", "nocolon", "--user", "a", "--pass", "b"}).code, exit_usage);
    EXPECT_EQ(run({"run", "--jobs", "0"}).code, exit_usage);
    EXPECT_EQ(run({"run", "--target", "127.0.0.1:1"}).code, exit_usage);  // no credentials
}

TEST(Cli, BrokenScenarioNamesFileLineAndColumn) {
    TempDir dir;
    auto f = dir.write("bad.yaml", "id: a\ntitle: t\nsteps:\n  - {cmd: STAT, expct: ok}\n");
    auto o = run({"list", "--scenarios", f.string()});
    EXPECT_EQ(o.code, exit_usage);
    EXPECT_NE(o.err.find(f.string() + ":4:"), std::string::npos) << o.err;
    EXPECT_NE(o.err.find("'expct'"), std::string::npos) << o.err;
}

TEST(Cli, UnreachableTargetExitsThree) {
    std::uint16_t port;
    {
        pop3::testing::ScriptedServer gone;
        port = gone.port();
    }
    TempDir dir;
    auto f = dir.write("s.yaml", "id: a\ntitle: t\nsteps: [connect]\n");
    auto o = run({"run", "--target", "127.0.0.1:" + std::to_string(port), "--user", "a", "--pass", "b", "--scenarios",
                  f.string(), "--timeout", "2s"});
    EXPECT_EQ(o.code, exit_unreachable) << o.err;
    EXPECT_NE(o.err.find("cannot connect"), std::string::npos) << o.err;
}

TEST(Cli, RunAgainstATargetWithBaselineAndJson) {
    pop3::testing::ScriptedServer server;
    server.on("USER", "+OK\r\n");
    server.on("PASS", "+OK\r\n");
    server.on("STAT", "+OK 2 320\r\n");
    TempDir dir;
    auto f = dir.write("s.yaml", R"(id: t.good
title: good
steps: [connect, login, {cmd: STAT, expect: ok}]
---
id: t.bad
title: bad
refs: [R1939-STAT-1]
steps: [connect, login, {cmd: STAT, expect: err}]
)");
    std::string target = "127.0.0.1:" + std::to_string(server.port());
    ::setenv("POP3SPEC_PASS", "env-secret-42", 1);
    auto json = (dir.path / "r.json").string();
    auto junit = (dir.path / "r.xml").string();
    auto o = run({"run", "--target", target, "--user", "alice", "--scenarios", f.string(), "--json", json, "--junit",
                  junit, "--timeout", "2s"});
    ::unsetenv("POP3SPEC_PASS");
    EXPECT_EQ(o.code, exit_failures) << o.out << o.err;
    EXPECT_NE(o.out.find("FAIL  t.bad"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("1 passed, 1 failed"), std::string::npos) << o.out;
    std::ifstream in(json);
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str().find("env-secret-42"), std::string::npos);  // redacted
    auto doc = scenario::from_json(text.str());
    ASSERT_EQ(doc.scenarios.size(), 2u);
    EXPECT_EQ(doc.scenarios[1].outcome, scenario::Outcome::fail);
    EXPECT_EQ(doc.target.address, target);
    EXPECT_TRUE(fs::exists(junit));

    auto baseline =
        dir.write("b.yaml", "known_failures:\n  - {id: t.bad, reason: known}\n  - {id: t.good, reason: old}\n");
    o = run({"run", "--target", target, "--user", "alice", "--pass", "x", "--scenarios", f.string(), "--baseline",
             baseline.string(), "--timeout", "2s"});
    EXPECT_EQ(o.code, exit_ok) << o.out << o.err;
    EXPECT_NE(o.out.find("(baselined)"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("fixed: t.good"), std::string::npos) << o.out;
}

TEST(Cli, ListAndCoverage) {
    TempDir dir;
    auto f = dir.write("s.yaml",
                       "id: a.b\ntitle: T\nrefs: [R9999-X-1]\nlevel: MUST\nsteps: [connect]\n---\nid: a.c\ntitle: U\n"
                       "refs: [R9999-X-2]\nlevel: SHOULD\nsteps: [connect]\n");
    auto req =
        dir.write("requirements.yaml",
                  "requirements:\n  - {id: R9999-X-1, level: MUST, scope: server}\n"
                  "  - {id: R9999-X-2, level: MUST, scope: server}\n  - {id: R9999-X-3, level: MAY, scope: server}\n");
    auto o = run({"list", "--scenarios", f.string()});
    EXPECT_EQ(o.code, exit_ok);
    EXPECT_NE(o.out.find("a.b"), std::string::npos);
    EXPECT_NE(o.out.find("R9999-X-1"), std::string::npos);
    o = run({"list", "--coverage", "--scenarios", f.string(), "--requirements", req.string()});
    EXPECT_EQ(o.code, exit_ok) << o.err;
    EXPECT_NE(o.out.find("MUST: 1/2"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("R9999-X-3"), std::string::npos) << o.out;
    o = run(
        {"list", "--coverage", "--fail-on-uncovered-must", "--scenarios", f.string(), "--requirements", req.string()});
    EXPECT_EQ(o.code, exit_failures);
}

TEST(Cli, EmbeddedReferenceServerRun) {
    if (!embedded_server_available()) GTEST_SKIP() << "no reference server in this build";
    fs::path src = POP3SPEC_SOURCE_DIR;
    TempDir dir;
    auto json = (dir.path / "r.json").string();
    auto o = run({"run", "--scenarios", (src / "scenarios" / "rfc1939" / "stat.yaml").string(), "--fixtures",
                  (src / "scenarios" / "fixtures").string(), "--json", json, "--jobs", "2"});
    EXPECT_EQ(o.code, exit_ok) << o.out << o.err;
    std::ifstream in(json);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = scenario::from_json(text.str());
    EXPECT_TRUE(doc.target.embedded);
    EXPECT_GT(doc.summary.pass, 0);
    EXPECT_EQ(doc.summary.fail, 0);
    EXPECT_FALSE(doc.target.capabilities.empty());
}

TEST(Cli, FixturesAndRequirementsFoundByWalkingUp) {
    TempDir dir;
    fs::create_directories(dir.path / "suite" / "fixtures");
    fs::create_directories(dir.path / "suite" / "rfcX" / "deep");
    auto manifest = dir.write("suite/fixtures/fixtures.yaml", "- a.eml\n");
    dir.write("suite/requirements.yaml", "requirements: []\n");
    auto found = find_suite_file({dir.path / "suite" / "rfcX" / "deep"}, fs::path("fixtures") / "fixtures.yaml");
    EXPECT_EQ(found, manifest);
    found = find_suite_file({dir.path / "suite" / "rfcX" / "deep" / ""}, "requirements.yaml");
    EXPECT_EQ(found, dir.path / "suite" / "requirements.yaml");
    // A file path starts from its folder.
    auto f = dir.write("suite/rfcX/s.yaml", "id: a.b\ntitle: T\nsteps: [connect]\n");
    EXPECT_EQ(find_suite_file({f}, fs::path("fixtures") / "fixtures.yaml"), manifest);
    // Outside any suite: the default suite's (the source tree's here), never an unrelated empty folder.
    TempDir lone;
    auto fallback = find_suite_file({lone.path}, fs::path("fixtures") / "fixtures.yaml");
    EXPECT_EQ(fallback, default_scenarios_dir() / "fixtures" / "fixtures.yaml");
}

TEST(Cli, SeededRunWithoutFixturesIsAnError) {
    if (!embedded_server_available()) GTEST_SKIP() << "no reference server in this build";
    TempDir dir;
    auto f = dir.write("s.yaml", "id: a.b\ntitle: T\nsteps: [connect]\n");
    fs::create_directories(dir.path / "nofix");
    auto o = run({"run", "--scenarios", f.string(), "--fixtures", (dir.path / "nofix").string()});
    EXPECT_EQ(o.code, exit_usage) << o.out << o.err;
    EXPECT_NE(o.err.find("no fixtures found"), std::string::npos) << o.err;
}

TEST(Cli, SubfolderRunFindsTheSuiteFixtures) {
    if (!embedded_server_available()) GTEST_SKIP() << "no reference server in this build";
    fs::path src = POP3SPEC_SOURCE_DIR;
    TempDir dir;
    auto json = (dir.path / "r.json").string();
    // A suite subfolder (no fixtures/ in it): the RETR scenarios compare bodies with the fixtures, so with an empty
    // maildrop they would skip or fail.
    auto o =
        run({"run", "--scenarios", (src / "scenarios" / "rfc1939").string(), "--id", "rfc1939.retr.*", "--json", json});
    EXPECT_EQ(o.code, exit_ok) << o.out << o.err;
    std::ifstream in(json);
    std::stringstream text;
    text << in.rdbuf();
    auto doc = scenario::from_json(text.str());
    EXPECT_GT(doc.summary.pass, 0);
    EXPECT_EQ(doc.summary.skip, 0) << o.out;
    EXPECT_EQ(doc.summary.fail, 0) << o.out;
}

TEST(Cli, ExcludeTag) {
    pop3::testing::ScriptedServer server;
    TempDir dir;
    auto f = dir.write("s.yaml", R"(id: t.one
title: one
tags: [slow]
steps: [connect]
---
id: t.two
title: two
tags: [fast, tls]
steps: [connect]
---
id: t.three
title: three
steps: [connect]
)");
    std::string target = "127.0.0.1:" + std::to_string(server.port());
    auto o = run({"run", "--target", target, "--user", "u", "--pass", "p", "--scenarios", f.string(), "--exclude-tag",
                  "slow", "--exclude-tag", "tls", "--timeout", "2s"});
    EXPECT_EQ(o.out.find("t.one"), std::string::npos) << o.out;
    EXPECT_EQ(o.out.find("t.two"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("t.three"), std::string::npos) << o.out;
    EXPECT_NE(o.out.find("1 scenario(s)"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace pop3::cli
