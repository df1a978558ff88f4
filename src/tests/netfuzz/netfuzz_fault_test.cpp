// The network fuzzer against real servers on loopback: the test-only fault server with a planted crash, hang or
// state violation (each must be found within a bounded number of sessions with a fixed seed, minimised, and its
// saved reproducer must fail against a faulty server and pass against a clean one), and the clean reference server
// (pop3spec-server), where any finding is a real bug.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "netfuzz/fuzzer.hpp"
#include "scenario/executor.hpp"
#include "scenario/loader.hpp"

namespace nf = pop3::netfuzz;
namespace sc = pop3::scenario;

namespace {

std::filesystem::path temp_dir(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / ("pop3spec-netfuzz-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::unique_ptr<nf::Target> fault_server(const std::string& fault) {
    nf::ProcessTargetOptions o;
    o.command = std::string(NETFUZZ_FAULT_SERVER) + " --port {port} --fault " + fault + " --messages 5 --accounts 4";
    std::string error;
    auto t = nf::start_process_target(o, error);
    EXPECT_TRUE(t) << error;
    return t;
}

nf::FuzzOptions options(const std::filesystem::path& out, std::uint64_t sessions) {
    nf::FuzzOptions o;
    o.accounts = {{"alice", "secret"}};
    o.seed = 1;
    o.max_sessions = sessions;
    o.reply_timeout = std::chrono::milliseconds(1000);  // generous for ASan builds on a loaded machine
    o.out_dir = out;
    o.stop_after_findings = 1;
    o.minimize_options.max_trials = 150;
    o.minimize_options.budget = std::chrono::seconds(60);
    o.pool.tokens = nf::load_dictionary(std::filesystem::path(POP3SPEC_SOURCE_DIR) / "fuzz/pop3.dict");
    o.pool.lines = nf::scenario_seed_lines(std::filesystem::path(POP3SPEC_SOURCE_DIR) / "scenarios");
    return o;
}

// Replays a saved reproducer the way `pop3spec run --scenarios FILE` does: the executor, one account.
sc::Outcome replay(const std::filesystem::path& yaml, nf::Target& target) {
    auto scenarios = sc::load_scenario_file(yaml);
    EXPECT_EQ(scenarios.size(), 1u);
    if (scenarios.empty()) return sc::Outcome::error;
    sc::ExecutionConfig config;
    config.endpoint = target.endpoint();
    config.accounts.primary = sc::Credentials{"alice", "secret"};
    config.step_timeout = std::chrono::milliseconds(2000);
    config.scenario_timeout = std::chrono::seconds(20);
    auto result = sc::execute(scenarios[0], config);
    return result.outcome;
}

void find_planted(const std::string& fault, nf::FindingKind kind, const std::string& key) {
    const auto out = temp_dir(fault);
    auto target = fault_server(fault);
    ASSERT_TRUE(target);
    auto o = options(out, 3000);
    auto summary = nf::run_fuzz(*target, o);
    ASSERT_EQ(summary.findings.size(), 1u) << "sessions " << summary.progress.sessions << " " << summary.error;
    const auto& f = summary.findings[0];
    EXPECT_EQ(f.finding.kind, kind) << f.finding.detail;
    EXPECT_EQ(f.finding.key, key) << f.finding.detail;
    EXPECT_LT(f.session, 3000u);
    EXPECT_TRUE(f.minimized);
    EXPECT_TRUE(f.reproduced);
    EXPECT_LE(f.minimize.ops_after, f.minimize.ops_before);
    EXPECT_LE(f.minimize.ops_after, 3u) << f.yaml;
    ASSERT_TRUE(std::filesystem::exists(f.yaml_path));
    ASSERT_TRUE(std::filesystem::exists(f.transcript_path));
    ASSERT_TRUE(std::filesystem::exists(out / "summary.json"));
    // Secrets never reach the saved files.
    std::string transcript(std::filesystem::file_size(f.transcript_path), '\0');
    std::ifstream(f.transcript_path, std::ios::binary)
        .read(transcript.data(), static_cast<std::streamsize>(transcript.size()));
    EXPECT_EQ(transcript.find("secret"), std::string::npos);
    EXPECT_EQ(f.yaml.find("secret"), std::string::npos);

    // The reproducer triggers the fault again on a fresh faulty server, and passes on a clean one.
    auto faulty = fault_server(fault);
    ASSERT_TRUE(faulty);
    EXPECT_NE(replay(f.yaml_path, *faulty), sc::Outcome::pass) << f.yaml;
    if (kind == nf::FindingKind::crash) {
        // The process may take a moment to go (a sanitizer build prints its report first).
        std::optional<std::string> dead;
        for (int i = 0; i < 100 && !dead; ++i) {
            dead = faulty->dead(false);
            if (!dead) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        EXPECT_TRUE(dead) << "the replay did not crash the server";
    }
    auto clean = fault_server("none");
    ASSERT_TRUE(clean);
    EXPECT_EQ(replay(f.yaml_path, *clean), sc::Outcome::pass) << f.yaml;
    std::filesystem::remove_all(out);
}

}  // namespace

TEST(NetfuzzFault, FindsAPlantedCrash) {
    find_planted("crash", nf::FindingKind::crash, "crash");
}

TEST(NetfuzzFault, FindsAPlantedHang) {
    find_planted("hang", nf::FindingKind::hang, "hang");
}

TEST(NetfuzzFault, FindsAPlantedStateViolation) {
    find_planted("state", nf::FindingKind::state_violation, "ok-before-login");
}

TEST(NetfuzzClean, FaultServerWithoutFaultsHasNoFindings) {
    const auto out = temp_dir("clean-engine");
    auto target = fault_server("none");
    ASSERT_TRUE(target);
    auto o = options(out, 1500);
    o.stop_after_findings = 0;
    o.jobs = 2;
    o.accounts = {{"alice", "secret"}, {"alice-1", "secret"}};
    o.reply_timeout = std::chrono::milliseconds(2000);
    auto summary = nf::run_fuzz(*target, o);
    EXPECT_EQ(summary.progress.sessions, 1500u) << summary.error;
    EXPECT_TRUE(summary.error.empty()) << summary.error;
    for (const auto& f : summary.findings)
        ADD_FAILURE() << f.finding.signature() << ": " << f.finding.detail << "\n" << f.yaml;
    std::filesystem::remove_all(out);
}

TEST(NetfuzzClean, ReferenceServerHasNoFindings) {
    const auto dir = temp_dir("clean-reference");
    {
        std::ofstream users(dir / "users");
        users << "alice:secret\n";
    }
    // A Maildir of five messages, rewritten by the seed command after every (re)start.
    const auto seed = dir / "seed.sh";
    {
        std::ofstream s(seed);
        s << "set -e\nrm -rf '" << (dir / "mail").string() << "'\nfor d in cur new tmp; do mkdir -p '"
          << (dir / "mail/alice").string()
          << "/'$d; done\nfor i in 1 2 3 4 5; do printf 'Subject: m%s\\r\\n\\r\\nbody %s\\r\\n' $i $i > '"
          << (dir / "mail/alice/new").string() << "/'$i.msg; done\n";
    }
    ASSERT_EQ(std::system(("sh " + seed.string()).c_str()), 0);
    nf::ProcessTargetOptions po;
    po.command = std::string(NETFUZZ_REFERENCE_SERVER) +
                 " --listen 127.0.0.1:{port} --store maildir:" + (dir / "mail").string() + " --users " +
                 (dir / "users").string() + " --failed-auth-delay 0 --log-level off --threads 1";
    po.seed_cmd = "sh " + seed.string();
    std::string error;
    auto target = nf::start_process_target(po, error);
    ASSERT_TRUE(target) << error;
    auto o = options(dir / "out", 1500);
    o.stop_after_findings = 0;
    o.reply_timeout = std::chrono::milliseconds(2000);
    auto summary = nf::run_fuzz(*target, o);
    EXPECT_EQ(summary.progress.sessions, 1500u) << summary.error;
    EXPECT_TRUE(summary.error.empty()) << summary.error;
    for (const auto& f : summary.findings)
        ADD_FAILURE() << f.finding.signature() << ": " << f.finding.detail << "\n" << f.yaml;
    std::filesystem::remove_all(dir);
}

TEST(NetfuzzTarget, StartsAServerThatPrintsItsAddressAndSeesItDie) {
    nf::ProcessTargetOptions o;
    o.command = std::string(NETFUZZ_FAULT_SERVER) + " --port 0";  // no {port}: it prints 127.0.0.1:PORT
    std::string error;
    auto target = nf::start_process_target(o, error);
    ASSERT_TRUE(target) << error;
    EXPECT_NE(target->endpoint().port, 0);
    EXPECT_FALSE(target->dead(true));
    const auto first = target->generation();
    ASSERT_TRUE(target->restart(error)) << error;
    EXPECT_GT(target->generation(), first);
    EXPECT_FALSE(target->dead(true));

    nf::ProcessTargetOptions bad;
    bad.command = "echo no address here";
    bad.start_timeout = std::chrono::milliseconds(2000);
    EXPECT_FALSE(nf::start_process_target(bad, error));
    EXPECT_NE(error.find("did not print its address"), std::string::npos) << error;
}

TEST(NetfuzzTarget, SanitizerReportOnStderrIsAFinding) {
    const auto out = temp_dir("sanitizer");
    nf::ProcessTargetOptions po;
    // A stand-in for a sanitizer build: the report on stderr, the server still answering.
    po.command = "sh -c 'echo \"==42==ERROR: AddressSanitizer: heap-use-after-free on address 0x1\" >&2; exec " +
                 std::string(NETFUZZ_FAULT_SERVER) + " --port {port}'";
    std::string error;
    auto target = nf::start_process_target(po, error);
    ASSERT_TRUE(target) << error;
    auto o = options(out, 50);
    o.minimize_options.max_trials = 5;
    auto summary = nf::run_fuzz(*target, o);
    ASSERT_EQ(summary.findings.size(), 1u) << summary.error;
    EXPECT_EQ(summary.findings[0].finding.kind, nf::FindingKind::sanitizer);
    EXPECT_NE(summary.findings[0].evidence.find("heap-use-after-free"), std::string::npos);
    EXPECT_NE(summary.findings[0].yaml.find("heap-use-after-free"), std::string::npos);
    std::filesystem::remove_all(out);
}
