// Tests of RFC 2449 §8 response codes.
#include "pop3/response_code.hpp"

#include <gtest/gtest.h>

namespace {

using pop3::KnownResponseCode;
using pop3::ResponseCode;

TEST(ResponseCode, LevelsAndCaseInsensitiveMatch_R2449_CLI_2) {
    auto code = ResponseCode::parse("sys/temp/foo");
    ASSERT_TRUE(code);
    EXPECT_EQ(code->levels(), (std::vector<std::string>{"sys", "temp", "foo"}));
    EXPECT_TRUE(code->is("SYS/TEMP"));
    EXPECT_TRUE(code->is("SYS"));
    EXPECT_TRUE(code->is("sys/temp/FOO"));
    EXPECT_FALSE(code->is("SYS/PERM"));
    EXPECT_FALSE(code->is("SYS/TEMP/FOO/BAR"));
    EXPECT_EQ(code->known(), KnownResponseCode::sys_temp);
    EXPECT_FALSE(ResponseCode::parse("SYS")->is("SYS/TEMP"));
}

TEST(ResponseCode, KnownCodes) {
    EXPECT_EQ(ResponseCode::parse("IN-USE")->known(), KnownResponseCode::in_use);
    EXPECT_EQ(ResponseCode::parse("login-delay")->known(), KnownResponseCode::login_delay);
    EXPECT_EQ(ResponseCode::parse("SYS/PERM")->known(), KnownResponseCode::sys_perm);
    EXPECT_EQ(ResponseCode::parse("AUTH")->known(), KnownResponseCode::auth);
    EXPECT_EQ(ResponseCode::parse("UTF8")->known(), KnownResponseCode::utf8);
    auto unknown = ResponseCode::parse("X-VENDOR/THING");
    ASSERT_TRUE(unknown);  // unknown codes are kept
    EXPECT_EQ(unknown->known(), KnownResponseCode::unknown);
    EXPECT_EQ(unknown->raw(), "X-VENDOR/THING");
    EXPECT_EQ(ResponseCode::parse("SYSTEM")->known(), KnownResponseCode::unknown);  // "SYS" is a level, not a prefix
}

TEST(ResponseCode, GrammarRejects_RFC2449_8) {
    for (const char* bad : {"", "/", "SYS/", "/SYS", "SYS//TEMP", "A]B", "A\x01", "A\x80"}) {
        EXPECT_FALSE(ResponseCode::parse(bad).has_value()) << bad;
    }
    EXPECT_TRUE(ResponseCode::parse("WITH SPACE").has_value());  // rchar includes SP
}

TEST(MatchResponseCode, AtTheStartOfTheText) {
    auto m = pop3::match_response_code("[SYS/TEMP] busy");
    ASSERT_TRUE(m.code);
    EXPECT_EQ(m.length, 11u);
    m = pop3::match_response_code("[IN-USE]");
    EXPECT_EQ(m.length, 8u);
    m = pop3::match_response_code("no code [SYS/TEMP]");
    EXPECT_FALSE(m.code);
    EXPECT_FALSE(m.malformed);
    m = pop3::match_response_code("[unclosed");
    EXPECT_TRUE(m.malformed);
    m = pop3::match_response_code("[]");
    EXPECT_TRUE(m.malformed);
}

}  // namespace
