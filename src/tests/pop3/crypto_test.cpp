// Tests of APOP (RFC 1939 §7), base64 (RFC 4648, strict as RFC 5034 §4 wants) and SASL PLAIN (RFC 4616).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pop3/apop.hpp"
#include "pop3/base64.hpp"
#include "pop3/sasl_plain.hpp"

namespace {

using pop3::Base64Error;
using pop3::SaslPlainError;

TEST(Apop, Rfc1939Example) {
    EXPECT_EQ(pop3::apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"), "c4c9334bac560ecc979e58001b3e22fb");
    EXPECT_EQ(pop3::apop_digest("", ""), "d41d8cd98f00b204e9800998ecf8427e");  // MD5("")
    EXPECT_TRUE(pop3::is_apop_digest_syntax("c4c9334bac560ecc979e58001b3e22fb"));
    EXPECT_FALSE(pop3::is_apop_digest_syntax("C4C9334BAC560ECC979E58001B3E22FB"));
    EXPECT_FALSE(pop3::is_apop_digest_syntax("c4c9334bac560ecc979e58001b3e22f"));
}

TEST(Apop, SecureEquals) {
    EXPECT_TRUE(pop3::secure_equals("c4c9334bac560ecc979e58001b3e22fb", "c4c9334bac560ecc979e58001b3e22fb"));
    EXPECT_FALSE(pop3::secure_equals("c4c9334bac560ecc979e58001b3e22fb", "c4c9334bac560ecc979e58001b3e22fc"));
    EXPECT_FALSE(pop3::secure_equals("abc", "abcd"));
    EXPECT_TRUE(pop3::secure_equals("", ""));
}

TEST(Base64, Rfc4648Vectors) {
    const std::vector<std::pair<std::string, std::string>> vectors = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(pop3::base64_encode(plain), encoded);
        auto decoded = pop3::base64_decode(encoded);
        ASSERT_TRUE(decoded) << encoded;
        EXPECT_EQ(*decoded, plain);
    }
    std::string all;
    for (int c = 0; c < 256; ++c)
        all.push_back(static_cast<char>(c));
    EXPECT_EQ(*pop3::base64_decode(pop3::base64_encode(all)), all);
}

TEST(Base64, StrictRejects_R5034) {
    const std::vector<std::pair<std::string, Base64Error>> cases = {
        {"Zm9v\r\n", Base64Error::bad_character}, {"Zm 9v", Base64Error::bad_character},
        {"Zm9*", Base64Error::bad_character},     {"Zm=v", Base64Error::bad_padding},
        {"Zg=", Base64Error::bad_length},         {"Zm9", Base64Error::bad_length},
        {"Zg===", Base64Error::bad_padding},      {"Zh==", Base64Error::bad_padding},  // non-zero trailing bits
        {"*", Base64Error::bad_character},        {"=", Base64Error::bad_length},
        {"====", Base64Error::bad_padding},
    };
    for (const auto& [text, error] : cases) {
        auto r = pop3::base64_decode(text);
        EXPECT_FALSE(r) << text;
        EXPECT_EQ(r.error(), pop3::make_error_code(error)) << text << ": " << r.error().message();
    }
}

TEST(SaslPlain, Rfc4616Examples) {
    // RFC 4616 §4: "\0tim\0tanstaaftanstaaf" and "Ursel\0Kurt\0xipj3plmq".
    const pop3::SaslPlainCredentials tim{"", "tim", "tanstaaftanstaaf"};
    EXPECT_EQ(pop3::sasl_plain_message(tim), std::string("\0tim\0tanstaaftanstaaf", 21));
    EXPECT_EQ(pop3::sasl_plain_encode(tim), "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    auto decoded = pop3::sasl_plain_decode("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, tim);
    const pop3::SaslPlainCredentials ursel{"Ursel", "Kurt", "xipj3plmq"};
    EXPECT_EQ(pop3::sasl_plain_encode(ursel), "VXJzZWwAS3VydAB4aXBqM3BsbXE=");
    decoded = pop3::sasl_plain_decode("VXJzZWwAS3VydAB4aXBqM3BsbXE=");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, ursel);
}

TEST(SaslPlain, TypedErrors_RFC4616_2) {
    auto parse = [](std::string_view m) { return pop3::sasl_plain_parse(m).error(); };
    auto e = [](SaslPlainError x) { return pop3::make_error_code(x); };
    EXPECT_EQ(parse(std::string_view("tim\0pw", 6)), e(SaslPlainError::wrong_nul_count));
    EXPECT_EQ(parse(std::string_view("\0tim\0pw\0", 8)), e(SaslPlainError::wrong_nul_count));
    EXPECT_EQ(parse(std::string_view("\0\0pw", 4)), e(SaslPlainError::empty_authcid));
    EXPECT_EQ(parse(std::string_view("\0tim\0", 5)), e(SaslPlainError::empty_password));
    EXPECT_EQ(parse(std::string("\0", 1) + std::string(256, 'a') + std::string("\0pw", 3)),
              e(SaslPlainError::field_too_long));
    EXPECT_FALSE(parse(std::string("\0", 1) + std::string(255, 'a') + std::string("\0pw", 3)));
    EXPECT_EQ(parse(std::string_view("\0tim\0\xFF", 6)), e(SaslPlainError::invalid_utf8));
    EXPECT_EQ(parse(std::string_view("\0tim\0\xC0\xAF", 7)), e(SaslPlainError::invalid_utf8));      // overlong
    EXPECT_EQ(parse(std::string_view("\0tim\0\xED\xA0\x80", 8)), e(SaslPlainError::invalid_utf8));  // surrogate
    EXPECT_EQ(parse(std::string_view("\0tim\0\xE2\x82", 7)), e(SaslPlainError::invalid_utf8));      // truncated
    EXPECT_FALSE(parse(std::string_view("\0j\xC3\xBCrgen\0\xF0\x9F\x94\x91", 13)));                 // valid UTF-8
    EXPECT_EQ(pop3::sasl_plain_decode("not base64!").error(), e(SaslPlainError::bad_base64));
}

}  // namespace
