// Unit tests of the network fuzzer's pure parts: dictionary, generator determinism, reproducer escaping,
// delta debugging, sanitizer report detection.
#include <gtest/gtest.h>

#include <algorithm>

#include "netfuzz/dictionary.hpp"
#include "netfuzz/minimizer.hpp"
#include "netfuzz/reproducer.hpp"
#include "netfuzz/session_plan.hpp"
#include "netfuzz/target.hpp"
#include "scenario/loader.hpp"

namespace nf = pop3::netfuzz;

namespace {

std::string flatten(const nf::SessionPlan& p) {
    std::string s;
    for (const auto& op : p.ops) {
        s += op.kind == nf::OpKind::login ? "<login>" : op.bytes;
        for (auto at : op.splits)
            s += "|" + std::to_string(at);
        s += "\n--\n";
    }
    return s;
}

}  // namespace

TEST(NetfuzzDictionary, ParsesNamedAndBareTokensWithEscapes) {
    auto tokens =
        nf::parse_dictionary("# comment\ncrlf=\"\\x0d\\x0a\"\n\"USER \"\nq=\"a\\\"b\\\\c\"\nbroken=\"\\x0\"\n\n");
    ASSERT_GE(tokens.size(), 3u);
    EXPECT_EQ(tokens[0], "\r\n");
    EXPECT_EQ(tokens[1], "USER ");
    EXPECT_EQ(tokens[2], "a\"b\\c");
}

TEST(NetfuzzDictionary, LoadsTheProjectDictionaryAndSeeds) {
    auto tokens = nf::load_dictionary(std::filesystem::path(POP3SPEC_SOURCE_DIR) / "fuzz/pop3.dict");
    EXPECT_GT(tokens.size(), 20u);
    EXPECT_NE(std::find(tokens.begin(), tokens.end(), "STLS"), tokens.end());
    auto lines = nf::scenario_seed_lines(std::filesystem::path(POP3SPEC_SOURCE_DIR) / "scenarios");
    EXPECT_GT(lines.size(), 20u);
    EXPECT_NE(std::find(lines.begin(), lines.end(), "STAT"), lines.end());
    for (const auto& l : lines)
        EXPECT_EQ(l.find("${"), std::string::npos) << l;
}

TEST(NetfuzzGenerator, SameSeedSamePlansOtherSeedOtherPlans) {
    nf::SeedPool pool;
    pool.tokens = {"+OK", "\r\n", "TOP "};
    pool.lines = {"LIST 1", "UIDL"};
    nf::Generator gen(&pool);
    nf::GeneratorContext ctx{5, true};
    std::string a, b, c;
    for (std::uint64_t i = 0; i < 50; ++i) {
        nf::Rng r1(nf::session_seed(7, i)), r2(nf::session_seed(7, i)), r3(nf::session_seed(8, i));
        a += flatten(gen.generate(r1, ctx));
        b += flatten(gen.generate(r2, ctx));
        c += flatten(gen.generate(r3, ctx));
    }
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST(NetfuzzGenerator, ReachesTransactionAndMutatesThere) {
    nf::Generator gen;
    nf::GeneratorContext ctx{5, false};
    std::size_t logins = 0, nul = 0, high = 0, batches = 0, split = 0, stls = 0, auth = 0;
    for (std::uint64_t i = 0; i < 2000; ++i) {
        nf::Rng rng(nf::session_seed(1, i));
        auto plan = gen.generate(rng, ctx);
        bool in_transaction = false, deleted = false, quit_after_dele = false;
        for (const auto& op : plan.ops) {
            if (op.kind == nf::OpKind::login) {
                ++logins;
                in_transaction = true;
            }
            if (op.bytes.find('\0') != std::string::npos) ++nul;
            if (std::any_of(op.bytes.begin(), op.bytes.end(), [](char ch) { return (ch & 0x80) != 0; })) ++high;
            if (std::count(op.bytes.begin(), op.bytes.end(), '\n') >= 3) ++batches;
            if (!op.splits.empty()) ++split;
            if (op.bytes.rfind("STLS", 0) == 0) ++stls;
            if (op.bytes.find("AUTH PLAIN\r\n") != std::string::npos) ++auth;
            if (in_transaction && op.bytes.find("DELE") != std::string::npos) deleted = true;
            if (deleted && op.bytes == "QUIT\r\n") quit_after_dele = true;
        }
        // Without a way to reseed, deletions are never committed by the generator's own ending.
        EXPECT_FALSE(quit_after_dele) << flatten(plan);
    }
    EXPECT_GT(logins, 1500u);
    EXPECT_GT(nul, 20u);
    EXPECT_GT(high, 20u);
    EXPECT_GT(batches, 300u);
    EXPECT_GT(split, 100u);
    EXPECT_GT(stls, 10u);
    EXPECT_GT(auth, 10u);
}

TEST(NetfuzzReproducer, RawLiteralRoundTripsThroughTheScenarioEscapes) {
    std::string bytes;
    for (int c = 0; c < 256; ++c)
        bytes.push_back(static_cast<char>(c));
    bytes += "'quoted' \\ back";
    const std::string literal = nf::yaml_raw_literal(bytes);
    ASSERT_GE(literal.size(), 2u);
    // The single-quoted YAML scalar: '' is one quote.
    std::string inner = literal.substr(1, literal.size() - 2);
    std::string unquoted;
    for (std::size_t i = 0; i < inner.size(); ++i) {
        unquoted += inner[i];
        if (inner[i] == '\'') ++i;
    }
    EXPECT_EQ(pop3::scenario::decode_escapes(unquoted), bytes);
}

TEST(NetfuzzReproducer, WritesALoadableScenario) {
    nf::SessionPlan plan;
    plan.ops.push_back({nf::OpKind::login, {}, {}});
    plan.ops.push_back({nf::OpKind::bytes, std::string("LIST\r\nNOOP\x00${user}\r\n", 20), {3}});
    std::vector<nf::ReplyRecord> replies(5);
    replies[1].login = replies[2].login = true;
    replies[1].op = replies[2].op = 0;
    replies[3].op = replies[4].op = 1;
    replies[3].kind = pop3::ReplyKind::multi_line_if_ok;
    replies[3].command = "LIST";
    nf::Finding f;
    f.kind = nf::FindingKind::state_violation;
    f.key = "ok-before-login";
    f.detail = "+OK to 'NOOP' before login";
    f.reply = 4;
    nf::ReproducerInfo info;
    info.id = "fuzz.finding-0001";
    const std::string yaml = nf::reproducer_yaml(f, plan, replies, info);
    auto scenarios = pop3::scenario::load_scenarios(yaml, "finding.yaml");
    ASSERT_EQ(scenarios.size(), 1u) << yaml;
    const auto& s = scenarios[0];
    EXPECT_EQ(s.id, "fuzz.finding-0001");
    // connect, login, raw (split at 3), raw, raw (the ${ is split so the executor does not expand it), expect x2
    ASSERT_EQ(s.steps.size(), 7u) << yaml;
    EXPECT_EQ(s.steps[1].kind, pop3::scenario::StepKind::login);
    EXPECT_EQ(s.steps[2].raw + s.steps[3].raw + s.steps[4].raw, plan.ops[1].bytes);
    EXPECT_EQ(s.steps[5].expect->multiline, std::optional<bool>(true));
    EXPECT_EQ(s.steps[6].expect->any_of.size(), 2u);
}

TEST(NetfuzzMinimizer, DeltaDebuggingFindsTheNeededOpsLinesAndBytes) {
    nf::SessionPlan plan;
    for (int i = 0; i < 12; ++i)
        plan.ops.push_back({nf::OpKind::bytes, "NOOP " + std::to_string(i) + "\r\n", {}});
    plan.ops[7].bytes = "STAT\r\nDELE 1\r\nRSET\r\nLIST\r\n";
    plan.ops.insert(plan.ops.begin() + 3, nf::Op{nf::OpKind::login, {}, {}});
    plan.ops.push_back({nf::OpKind::bytes, "RETR 1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABOOM\r\n", {}});
    // The "bug": a login, then DELE 1 and RSET in one write, and later a RETR line containing BOOM.
    auto reproduces = [](const nf::SessionPlan& p) {
        bool login = false, dele_rset = false, boom = false;
        for (const auto& op : p.ops) {
            if (op.kind == nf::OpKind::login) login = true;
            if (login && op.bytes.find("DELE 1\r\n") != std::string::npos &&
                op.bytes.find("RSET\r\n") != std::string::npos)
                dele_rset = true;
            if (dele_rset && op.bytes.find("BOOM") != std::string::npos && op.bytes.rfind("RETR", 0) == 0) boom = true;
        }
        return boom;
    };
    ASSERT_TRUE(reproduces(plan));
    nf::MinimizeStats stats;
    auto small = nf::minimize(plan, reproduces, {}, stats);
    EXPECT_TRUE(reproduces(small));
    ASSERT_EQ(small.ops.size(), 3u) << flatten(small);
    EXPECT_EQ(small.ops[0].kind, nf::OpKind::login);
    EXPECT_EQ(small.ops[1].bytes, "DELE 1\r\nRSET\r\n");
    EXPECT_LE(small.ops[2].bytes.size(), std::string("RETRBOOM\r\n").size() + 2);
    EXPECT_EQ(stats.ops_before, 14u);
    EXPECT_EQ(stats.ops_after, 3u);
    EXPECT_GT(stats.trials, 5u);
}

TEST(NetfuzzMinimizer, StopsAtTheTrialBudget) {
    nf::SessionPlan plan;
    for (int i = 0; i < 64; ++i)
        plan.ops.push_back({nf::OpKind::bytes, "NOOP\r\n", {}});
    std::size_t calls = 0;
    nf::MinimizeStats stats;
    nf::MinimizeOptions options;
    options.max_trials = 10;
    auto out = nf::minimize(
        plan,
        [&](const nf::SessionPlan& p) {
            ++calls;
            return p.ops.size() >= 40;
        },
        options, stats);
    EXPECT_EQ(calls, 10u);
    EXPECT_GE(out.ops.size(), 40u);
}

TEST(NetfuzzTarget, FindsSanitizerReports) {
    EXPECT_FALSE(nf::find_sanitizer_report("listening 127.0.0.1:1\nC: STAT\n"));
    auto asan = nf::find_sanitizer_report("noise\n==123==ERROR: AddressSanitizer: heap-buffer-overflow on ...\n#0 x");
    ASSERT_TRUE(asan);
    EXPECT_EQ(asan->rfind("==123==ERROR: AddressSanitizer", 0), 0u);
    EXPECT_TRUE(nf::find_sanitizer_report("session.cpp:12:3: runtime error: signed integer overflow"));
    EXPECT_NE(nf::free_loopback_port(), 0);
}
