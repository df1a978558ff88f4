// `pop3spec fuzz` end to end through the command line: usage errors, a run with --server-cmd that finds the planted
// state violation, a JSON summary on stdout, and `pop3spec run --scenarios DIR/finding-*.yaml` failing on a faulty
// server with the saved reproducer.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

#include "cli/cli.hpp"
#include "netfuzz/target.hpp"
#include "scenario/json.hpp"

namespace {

int run_cli(const std::vector<std::string>& args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    const int rc = pop3::cli::main(args, o, e);
    out = o.str();
    err = e.str();
    return rc;
}

}  // namespace

TEST(NetfuzzCli, UsageErrorsAndHelp) {
    std::string out, err;
    EXPECT_EQ(run_cli({"fuzz", "--help"}, out, err), pop3::cli::exit_ok);
    EXPECT_NE(out.find("--server-cmd"), std::string::npos);
    EXPECT_EQ(run_cli({"fuzz", "--user", "a", "--pass", "b"}, out, err), pop3::cli::exit_usage);
    EXPECT_NE(err.find("--target or --server-cmd"), std::string::npos);
    EXPECT_EQ(run_cli({"fuzz", "--target", "127.0.0.1:1", "--user", "a"}, out, err), pop3::cli::exit_usage);
    EXPECT_EQ(run_cli({"fuzz", "--target", "nonsense", "--user", "a", "--pass", "b"}, out, err), pop3::cli::exit_usage);
    EXPECT_EQ(run_cli({"fuzz", "--server-cmd", "exit 3", "--user", "a", "--pass", "b"}, out, err),
              pop3::cli::exit_unreachable);
}

TEST(NetfuzzCli, FindsSavesAndReplaysAFinding) {
    const auto dir = std::filesystem::temp_directory_path() / ("pop3spec-netfuzz-cli-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::string out, err;
    const int rc = run_cli({"fuzz", "--server-cmd", std::string(NETFUZZ_FAULT_SERVER) + " --port {port} --fault state",
                            "--user", "alice", "--pass", "secret", "--sessions", "1500", "--seed", "1", "--timeout",
                            "1000", "--out", dir.string(), "--quiet"},
                           out, err);
    EXPECT_EQ(rc, pop3::cli::exit_failures) << err;
    auto summary = pop3::scenario::json::parse(out);
    EXPECT_EQ(summary.at("sessions").as_int(), 1500);
    EXPECT_EQ(summary.at("findings_by_kind").at("state-violation").as_int(), 1);
    EXPECT_EQ(summary.at("findings_by_kind").at("crash").as_int(), 0);
    std::vector<std::filesystem::path> findings;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".yaml") findings.push_back(e.path());
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].filename().string().rfind("finding-0001-state-violation", 0), 0u);

    // The reproducer, replayed by `pop3spec run`, fails on a faulty server.
    pop3::netfuzz::ProcessTargetOptions po;
    po.command = std::string(NETFUZZ_FAULT_SERVER) + " --port {port} --fault state";
    std::string error;
    auto faulty = pop3::netfuzz::start_process_target(po, error);
    ASSERT_TRUE(faulty) << error;
    EXPECT_EQ(run_cli({"run", "--target", faulty->endpoint().to_string(), "--user", "alice", "--pass", "secret",
                       "--scenarios", findings[0].string()},
                      out, err),
              pop3::cli::exit_failures)
        << out << err;
    std::filesystem::remove_all(dir);
}
