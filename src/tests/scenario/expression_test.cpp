#include "scenario/expression.hpp"

#include <gtest/gtest.h>

namespace pop3::scenario {
namespace {

bool holds(const std::string& text, const Captures& c, std::string* why = nullptr) {
    std::string error;
    auto e = Expression::parse(text, error);
    EXPECT_TRUE(e) << error;
    if (!e) return false;
    std::string reason;
    bool eval_error = false;
    bool ok = evaluate_check(*e, c, reason, eval_error);
    if (why) *why = reason;
    return ok;
}

TEST(Expression, ArithmeticAndComparison) {
    Captures c{{"count", std::int64_t{5}}, {"after", std::int64_t{4}}, {"s", std::string("12")}};
    EXPECT_TRUE(holds("after == count - 1", c));
    EXPECT_FALSE(holds("after == count", c));
    EXPECT_TRUE(holds("s == 12", c));  // numeric strings compare as numbers
    EXPECT_TRUE(holds("count > after && after >= 4", c));
    EXPECT_TRUE(holds("!(count < after)", c));
}

TEST(Expression, ListingFunctions) {
    Listing sizes{{1, "100"}, {2, "250"}, {3, "50"}};
    Listing uids{{1, "a"}, {2, "b"}, {3, "c"}};
    Captures c{{"sizes", sizes}, {"uids", uids}, {"size", std::int64_t{400}}, {"n", std::int64_t{3}}};
    EXPECT_TRUE(holds("sum(sizes) == size", c));
    EXPECT_TRUE(holds("count(sizes) == n", c));
    EXPECT_TRUE(holds("unique(uids)", c));
    EXPECT_TRUE(holds("uids[2] == 'b'", c));
    EXPECT_TRUE(holds("count(without(uids, 2)) == 2", c));
    EXPECT_FALSE(holds("has(without(uids, 2), 2)", c));
    EXPECT_TRUE(holds("contains(uids, \"c\")", c));
}

TEST(Expression, PrefixOfBodies) {
    Captures c{{"top", Lines{"a", "b"}}, {"retr", Lines{"a", "b", "c"}}};
    EXPECT_TRUE(holds("prefix(top, retr)", c));
    EXPECT_FALSE(holds("prefix(retr, top)", c));
}

TEST(Expression, FailureNamesBothSides) {
    Captures c{{"a", std::int64_t{1}}, {"b", std::int64_t{2}}};
    std::string why;
    EXPECT_FALSE(holds("a == b", c, &why));
    EXPECT_NE(why.find("a is 1"), std::string::npos) << why;
    EXPECT_NE(why.find("b is 2"), std::string::npos) << why;
}

TEST(Expression, UnknownNameIsAnEvaluationError) {
    std::string error;
    auto e = Expression::parse("missing == 1", error);
    ASSERT_TRUE(e);
    std::string reason;
    bool eval_error = false;
    EXPECT_FALSE(evaluate_check(*e, {}, reason, eval_error));
    EXPECT_TRUE(eval_error);
    EXPECT_NE(reason.find("never captured"), std::string::npos);
}

TEST(Expression, SyntaxErrors) {
    for (const char* bad : {"a ==", "(a", "a[1", "f(a,", "a == 'x", "1 2", "#"}) {
        std::string error;
        EXPECT_FALSE(Expression::parse(bad, error)) << bad;
        EXPECT_FALSE(error.empty()) << bad;
    }
}

TEST(Expression, CapabilityFunctions) {
    Lines pre{"TOP", "sasl PLAIN", "STLS", "EXPIRE 30 USER"};
    Lines post{"top", "SASL PLAIN", "EXPIRE NEVER", "IMPLEMENTATION x"};
    Captures c{{"pre", pre}, {"post", post}};
    EXPECT_TRUE(holds("subset(without(tags(pre), 'STLS'), tags(post))", c));
    EXPECT_FALSE(holds("subset(tags(pre), tags(post))", c));  // STLS is missing after login
    EXPECT_FALSE(holds("subset(tags(post), tags(pre))", c));
    EXPECT_TRUE(holds("arg(pre, 'expire', 1) == 30 && arg(pre, 'EXPIRE', 2) == 'USER'", c));
    EXPECT_TRUE(holds("arg(post, 'EXPIRE', 1) == 'NEVER' && arg(post, 'EXPIRE', 2) == ''", c));
    EXPECT_TRUE(holds("arg(post, 'LOGIN-DELAY', 1) == ''", c));
    EXPECT_TRUE(holds("count(without(pre, 'TOP')) == 3", c));
}

}  // namespace
}  // namespace pop3::scenario
