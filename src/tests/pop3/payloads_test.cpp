// Tests of the typed payload parsers: STAT, LIST, UIDL, unique-ids, CAPA, the APOP timestamp.
#include "pop3/payloads.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using pop3::PayloadError;

std::error_code err(PayloadError e) {
    return pop3::make_error_code(e);
}

TEST(ParseDecimal, StrictAndOverflowChecked) {
    EXPECT_EQ(*pop3::parse_decimal("0"), 0u);
    EXPECT_EQ(*pop3::parse_decimal("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(pop3::parse_decimal("18446744073709551616").error(), err(PayloadError::number_overflow));
    EXPECT_EQ(pop3::parse_decimal("").error(), err(PayloadError::empty));
    EXPECT_EQ(pop3::parse_decimal("+1").error(), err(PayloadError::not_decimal));
    EXPECT_EQ(pop3::parse_decimal("1a").error(), err(PayloadError::not_decimal));
}

TEST(ParseStat, AcceptTable_R1939_CLI_6) {
    auto s = pop3::parse_stat("2 320");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->message_count, 2u);
    EXPECT_EQ(s->maildrop_octets, 320u);
    EXPECT_FALSE(s->trailing_text);
    // R1939-STAT-3: extra text is tolerated and flagged as a warning.
    s = pop3::parse_stat("2 320 extra");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->maildrop_octets, 320u);
    EXPECT_TRUE(s->trailing_text);
    EXPECT_TRUE(pop3::parse_stat("0 0"));
}

TEST(ParseStat, RejectTable_R1939_CLI_6) {
    const std::vector<std::pair<std::string, PayloadError>> cases = {
        {"", PayloadError::empty},
        {"2", PayloadError::missing_field},
        {"2 ", PayloadError::missing_field},
        {" 2 320", PayloadError::bad_separator},
        {"2  320", PayloadError::bad_separator},
        {"2\t320", PayloadError::missing_field},
        {"two 320", PayloadError::not_decimal},
        {"2 320b", PayloadError::not_decimal},
        {"-2 320", PayloadError::not_decimal},
        {"2 99999999999999999999", PayloadError::number_overflow},
    };
    for (const auto& [text, error] : cases)
        EXPECT_EQ(pop3::parse_stat(text).error(), err(error)) << text;
}

TEST(ParseScanListing, SingleAndMultiLine_R1939_LIST) {
    auto l = pop3::parse_scan_listing("1 120");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->message_number, 1u);
    EXPECT_EQ(l->size, 120u);
    EXPECT_TRUE(pop3::parse_scan_listing("1 120 more")->trailing_text);
    EXPECT_EQ(pop3::parse_scan_listing("0 120").error(), err(PayloadError::zero_message_number));
    EXPECT_EQ(pop3::parse_scan_listing("1 x").error(), err(PayloadError::not_decimal));
    auto list = pop3::parse_scan_list("1 120\r\n2 200\r\n2 200\r\n");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list.entries.size(), 3u);  // duplicates kept
    EXPECT_EQ(list.entries[2].size, 200u);
    list = pop3::parse_scan_list("1 120\r\nbad\r\n3 1\r\n");
    EXPECT_FALSE(list.ok());
    EXPECT_EQ(list.bad_line, 2u);
    EXPECT_EQ(list.bad_line_error, err(PayloadError::missing_field));
    EXPECT_EQ(list.entries.size(), 1u);
    EXPECT_TRUE(pop3::parse_scan_list("").ok());
}

TEST(ParseUidListing, DuplicatesAreKept_R1939_CLI_7) {
    auto u = pop3::parse_uid_listing("1 whqtswO00WBw418f9t5JxYwZ");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->unique_id, "whqtswO00WBw418f9t5JxYwZ");
    auto list = pop3::parse_uid_list("1 abc\r\n2 abc\r\n");
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list.entries.size(), 2u);
    EXPECT_EQ(list.entries[0].unique_id, list.entries[1].unique_id);
    EXPECT_EQ(pop3::parse_uid_listing("1 abc def").error(), err(PayloadError::trailing_text));
    EXPECT_EQ(pop3::parse_uid_listing("1").error(), err(PayloadError::missing_field));
}

TEST(ValidateUniqueId, Range0x21To0x7EAndLength1To70_R1939_UIDL_5) {
    EXPECT_FALSE(pop3::validate_unique_id("!"));
    EXPECT_FALSE(pop3::validate_unique_id("~"));
    EXPECT_FALSE(pop3::validate_unique_id(std::string(70, 'a')));
    EXPECT_EQ(pop3::validate_unique_id(std::string(71, 'a')), err(PayloadError::unique_id_too_long));
    EXPECT_EQ(pop3::validate_unique_id(""), err(PayloadError::unique_id_empty));
    EXPECT_EQ(pop3::validate_unique_id("a b"), err(PayloadError::unique_id_bad_char));
    EXPECT_EQ(pop3::validate_unique_id("a\x7F"), err(PayloadError::unique_id_bad_char));
    EXPECT_EQ(pop3::validate_unique_id("\xC3\xA9"), err(PayloadError::unique_id_bad_char));
    EXPECT_EQ(pop3::parse_uid_listing(std::string("1 ") + std::string(71, 'u')).error(),
              err(PayloadError::unique_id_too_long));
}

TEST(Capabilities, TagsCaseInsensitiveArgumentsSplitOnSpace_R2449_CLI_1) {
    const auto caps = pop3::Capabilities::parse(
        "TOP\r\nuidl\r\nsasl plain LOGIN\r\nLOGIN-DELAY 900\r\nEXPIRE NEVER\r\nX-FOO bar\r\n"
        "IMPLEMENTATION Shlemazle  Plotz v302\r\nPIPELINING\r\nRESP-CODES\r\nSTLS\r\n");
    EXPECT_TRUE(caps.has("TOP"));
    EXPECT_TRUE(caps.has("UIDL"));
    EXPECT_TRUE(caps.has("stls"));
    EXPECT_FALSE(caps.has("USER"));
    EXPECT_EQ(caps.sasl_mechanisms(), (std::vector<std::string>{"PLAIN", "LOGIN"}));
    EXPECT_EQ(caps.argument_of("login-delay"), "900");
    EXPECT_EQ(caps.login_delay(), 900u);
    EXPECT_EQ(caps.expire(), "NEVER");
    EXPECT_EQ(caps.implementation(), "Shlemazle Plotz v302");
    EXPECT_TRUE(caps.has("X-FOO"));  // kept, meaning nothing
    EXPECT_EQ(caps.entries().size(), 10u);
    EXPECT_FALSE(caps.argument_of("TOP").has_value());
    EXPECT_FALSE(pop3::Capabilities::parse("").has("TOP"));
    EXPECT_TRUE(pop3::Capabilities::parse("TOP\r\n").sasl_mechanisms().empty());
    EXPECT_FALSE(pop3::Capabilities::parse("LOGIN-DELAY soon\r\n").login_delay().has_value());
}

TEST(ApopTimestamp, FirstLessThanToNextGreaterThan_R2449_CLI_4) {
    EXPECT_EQ(pop3::find_apop_timestamp("POP3 server ready <1896.697170952@dbc.mtview.ca.us>"),
              "<1896.697170952@dbc.mtview.ca.us>");
    EXPECT_EQ(pop3::find_apop_timestamp("ready <a@b> and <c@d>"), "<a@b>");
    EXPECT_EQ(pop3::find_apop_timestamp("x <a<b@c> y"), "<a<b@c>");  // first '<' to the next '>'
    EXPECT_FALSE(pop3::find_apop_timestamp("no timestamp").has_value());
    EXPECT_FALSE(pop3::find_apop_timestamp("half <open").has_value());
    EXPECT_FALSE(pop3::find_apop_timestamp("> then <").has_value());
}

TEST(ApopTimestamp, WellFormedIsLocalAtDomain) {
    EXPECT_TRUE(pop3::is_well_formed_apop_timestamp("<1896.697170952@dbc.mtview.ca.us>"));
    EXPECT_TRUE(pop3::is_well_formed_apop_timestamp("<a@b>"));
    for (const char* bad : {"<>", "<@>", "<a@>", "<@b>", "<ab>", "<a@b@c>", "<a b@c>", "<a<b@c>", "a@b", "<a@b"}) {
        EXPECT_FALSE(pop3::is_well_formed_apop_timestamp(bad)) << bad;
    }
}

}  // namespace
