#include "report/requirement_catalog.hpp"

#include <gtest/gtest.h>

#include <map>

#include "report/requirement_verdicts.hpp"
#include "sample_run.hpp"

namespace pop3::report {
namespace {

using scenario::Outcome;

TEST(RequirementCatalog, BuiltinHoldsTheInventory) {
    const auto& catalog = RequirementCatalog::builtin();
    EXPECT_GT(catalog.entries().size(), 200u);
    const auto* found = catalog.find("R1939-STAT-1");
    ASSERT_NE(found, nullptr);
    const Requirement stat = found != nullptr ? *found : Requirement{};
    EXPECT_EQ(stat.rfc, "1939 §5 STAT");
    EXPECT_EQ(stat.section, "1.8");
    EXPECT_EQ(stat.section_title, "STAT");
    EXPECT_EQ(stat.level.rfind("MUST*", 0), 0u);
    EXPECT_EQ(catalog.entries().front().id, "R1939-GREET-1");
    EXPECT_EQ(catalog.find("R9999-NOPE-1"), nullptr);
}

TEST(RequirementCatalog, ParsesTsvAndSkipsMalformedLines) {
    const auto catalog = RequirementCatalog::parse_tsv(
        "# comment\nR1-A-1\t1 §1\tMUST\t1.1\tA\ttext one\r\nbad line\nR1-A-1\tdup\tdup\tdup\tdup\tdup\n"
        "R1-B-2\t1 §2\tMAY\t1.2\tB\ttext two");
    ASSERT_EQ(catalog.entries().size(), 2u);
    EXPECT_EQ(catalog.entries()[0].id, "R1-A-1");
    EXPECT_EQ(catalog.entries()[0].text, "text one");
    EXPECT_EQ(catalog.entries()[1].section_title, "B");
    EXPECT_NE(catalog.find("R1-B-2"), nullptr);
}

TEST(RequirementCatalog, FallbackGroup) {
    EXPECT_EQ(fallback_group("R1939-STAT-9"), "RFC 1939 STAT");
    EXPECT_EQ(fallback_group("R5034-AUTH"), "RFC 5034 AUTH");
    EXPECT_EQ(fallback_group("X-UNKNOWN-REF"), "X-UNKNOWN-REF");
    EXPECT_EQ(fallback_group("Rabc-X-1"), "Rabc-X-1");
}

TEST(RequirementVerdicts, MostSevereOutcomeWins) {
    EXPECT_EQ(worse(Outcome::pass, Outcome::skip), Outcome::pass);
    EXPECT_EQ(worse(Outcome::warn, Outcome::pass), Outcome::warn);
    EXPECT_EQ(worse(Outcome::error, Outcome::warn), Outcome::error);
    EXPECT_EQ(worse(Outcome::error, Outcome::fail), Outcome::fail);

    auto run = testing::sample_run();
    // A second scenario citing R1939-STAT-1 that warns: the requirement warns.
    auto extra = run.scenarios[2];
    extra.id = "extra";
    extra.refs = {"R1939-STAT-1"};
    run.scenarios.push_back(extra);
    const auto verdicts = requirement_verdicts(run, RequirementCatalog::builtin());
    std::map<std::string, RequirementVerdict> by_id;
    for (const auto& v : verdicts)
        by_id.emplace(v.id, v);
    ASSERT_EQ(by_id.count("R1939-STAT-1"), 1u);
    EXPECT_EQ(by_id.at("R1939-STAT-1").outcome, Outcome::warn);
    EXPECT_EQ(by_id.at("R1939-STAT-1").scenarios, (std::vector<std::size_t>{0, run.scenarios.size() - 1}));
    EXPECT_EQ(by_id.at("R1939-STAT-2").outcome, Outcome::fail);
    EXPECT_EQ(by_id.at("R2595-STLS-1").outcome, Outcome::skip);
    EXPECT_TRUE(by_id.at("R2449-IMPL-1").baselined);
    EXPECT_FALSE(by_id.at("R1939-STAT-2").baselined);
    EXPECT_EQ(by_id.at("R1939-STAT-1").group, "1.8 STAT");
    // Catalog order first, unknown ids last.
    EXPECT_EQ(verdicts.front().id, "R1939-GREET-1");
    EXPECT_EQ(verdicts.back().id, "X-UNKNOWN-REF");
    EXPECT_EQ(verdicts.back().requirement, nullptr);
}

}  // namespace
}  // namespace pop3::report
