// Tests of the server-side command parser and framer (RFC 1939 §3, RFC 2449 §4).
#include "pop3/command_parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

using pop3::Command;
using pop3::CommandError;
using pop3::CommandFramer;
using pop3::LineEnd;

TEST(ParseCommand, AcceptsAndNormalizes) {
    auto c = pop3::parse_command("user alice");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->keyword, "USER");
    EXPECT_EQ(c->args, (std::vector<std::string>{"alice"}));
    EXPECT_EQ(c->rest, "alice");
    c = pop3::parse_command("TOP 1 10");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->args, (std::vector<std::string>{"1", "10"}));
    c = pop3::parse_command("QuIt");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->keyword, "QUIT");
    EXPECT_TRUE(c->args.empty());
    // RFC 1939 §7: a password may contain spaces; PASS keeps the whole rest as one argument.
    c = pop3::parse_command("PASS my secret  phrase ");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->args, (std::vector<std::string>{"my secret  phrase "}));
    // RFC 5034 §4: AUTH's initial response is not bound by the 40-character argument rule.
    const std::string ir(200, 'A');
    c = pop3::parse_command("AUTH PLAIN " + ir);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->args.at(1), ir);
    // RFC 6856: 8-bit octets (UTF-8) are accepted in arguments by default.
    EXPECT_TRUE(pop3::parse_command("USER j\xC3\xBCrgen"));
}

struct Reject {
    std::string line;
    CommandError error;
};

TEST(ParseCommand, RejectTable) {
    std::string nul = "USER a";
    nul.push_back('\0');
    const std::vector<Reject> cases = {
        {"", CommandError::empty_line},
        {"US", CommandError::keyword_too_short},
        {"USERS a", CommandError::keyword_too_long},
        {"US3R a", CommandError::bad_keyword_char},
        {"USER " + std::string(41, 'a'), CommandError::argument_too_long},
        {"AUTH " + std::string(41, 'a'), CommandError::argument_too_long},  // the mechanism is an argument
        {"PASS " + std::string(41, 'a'), CommandError::argument_too_long},
        {"TOP 1 2 3 4 5 6 7 8 9", CommandError::too_many_arguments},
        {nul, CommandError::nul_byte},
        {"USER a\tb", CommandError::control_character},
        {"USER a\rb", CommandError::control_character},
        {"USER a\x7F", CommandError::control_character},
        {" USER a", CommandError::leading_space},
        {"TOP 1  2", CommandError::double_space},
        {"TOP 1 2 ", CommandError::trailing_space},
        {"USER ", CommandError::trailing_space},
    };
    for (const Reject& r : cases) {
        auto c = pop3::parse_command(r.line);
        EXPECT_FALSE(c) << r.line;
        EXPECT_EQ(c.error(), pop3::make_error_code(r.error)) << r.line << ": " << c.error().message();
    }
    pop3::CommandLimits ascii;
    ascii.allow_8bit = false;
    EXPECT_EQ(pop3::parse_command("USER j\xC3\xBCrgen", ascii).error(),
              pop3::make_error_code(CommandError::control_character));
}

TEST(ParseCommand, LineLimitIs255WithCrlf_R2449_LEN_1) {
    // "USER " + 248 octets + CRLF = 255 octets on the wire (the argument limit is lifted to test the line limit).
    pop3::CommandLimits limits;
    limits.max_argument = 1000;
    const std::string at = "USER " + std::string(248, 'a');
    ASSERT_EQ(at.size() + 2, 255u);
    EXPECT_TRUE(pop3::parse_command(at, limits));
    EXPECT_EQ(pop3::parse_command(at + "a", limits).error(), pop3::make_error_code(CommandError::line_too_long));
}

TEST(ParseCommand, ArgumentLimitIs40_R1939_CMD) {
    EXPECT_TRUE(pop3::parse_command("USER " + std::string(40, 'a')));
    EXPECT_FALSE(pop3::parse_command("USER " + std::string(41, 'a')));
}

TEST(ParseCommand, KeywordAndArgumentCountAtTheBoundary_R1939_CMD) {
    EXPECT_TRUE(pop3::parse_command("TOP"));   // 3 characters
    EXPECT_TRUE(pop3::parse_command("UIDL"));  // 4 characters
    EXPECT_EQ(pop3::parse_command("TO").error(), pop3::make_error_code(CommandError::keyword_too_short));
    EXPECT_EQ(pop3::parse_command("UIDLX").error(), pop3::make_error_code(CommandError::keyword_too_long));
    EXPECT_TRUE(pop3::parse_command("XTND 1 2 3 4 5 6 7 8"));  // max_arguments = 8
    EXPECT_EQ(pop3::parse_command("XTND 1 2 3 4 5 6 7 8 9").error(),
              pop3::make_error_code(CommandError::too_many_arguments));
}

TEST(ParseCommand, ToLineRoundTrips) {
    for (const char* line : {"USER alice", "pass a b  c", "top 1 2", "STAT", "AUTH PLAIN AHRpbQB0YW5zdGFhZg==",
                             "UIDL 3", "apop mrose c4c9334bac560ecc979e58001b3e22fb"}) {
        auto c = pop3::parse_command(line);
        ASSERT_TRUE(c) << line;
        const std::string wire = c->to_line();
        ASSERT_EQ(wire.substr(wire.size() - 2), "\r\n");
        auto again = pop3::parse_command(std::string_view(wire).substr(0, wire.size() - 2));
        ASSERT_TRUE(again) << line;
        EXPECT_EQ(*again, *c) << line;
    }
}

std::vector<pop3::FramedLine> frame(const std::vector<std::string>& pieces, std::size_t max_line = 255) {
    CommandFramer framer(max_line);
    std::vector<pop3::FramedLine> lines;
    for (const std::string& piece : pieces) {
        std::string_view rest = piece;
        while (!rest.empty()) {
            const std::size_t used = framer.feed(rest);
            rest.remove_prefix(used);
            if (auto line = framer.next()) lines.push_back(std::move(*line));
            EXPECT_LE(framer.buffered(), max_line);
        }
    }
    return lines;
}

std::string describe(const std::vector<pop3::FramedLine>& lines) {
    std::string s;
    for (const auto& l : lines) {
        s += "[" + l.text + "] end=" + std::to_string(static_cast<int>(l.end)) +
             " wire=" + std::to_string(l.wire_octets) + " err=" + l.error.message() + "\n";
    }
    return s;
}

TEST(CommandFramer, SplitsPipelinedCommands_R2449_PIPE) {
    auto lines = frame({"USER a\r\nPASS b\r\nSTAT\nQUIT\r\n"});
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].text, "USER a");
    EXPECT_EQ(lines[1].text, "PASS b");
    EXPECT_EQ(lines[2].text, "STAT");
    EXPECT_EQ(lines[2].end, LineEnd::bare_lf);  // accepted: RFC 1939 asks no server to fail on it
    EXPECT_EQ(lines[3].end, LineEnd::crlf);
    EXPECT_EQ(lines[0].wire_octets, 8u);
}

TEST(CommandFramer, OverlongLineIsOneErrorAndResyncs_R2449_LEN_3) {
    const std::string wire = "USER " + std::string(1000, 'A') + "\r\nQUIT\r\n";
    auto lines = frame({wire});
    ASSERT_EQ(lines.size(), 2u) << describe(lines);
    EXPECT_EQ(lines[0].error, pop3::make_error_code(CommandError::line_too_long));
    EXPECT_EQ(lines[0].wire_octets, 1007u);
    EXPECT_EQ(lines[1].text, "QUIT");
    EXPECT_FALSE(lines[1].error);
    // Byte at a time: the same events, and the buffer never holds more than the limit.
    std::vector<std::string> bytes;
    for (char c : wire)
        bytes.emplace_back(1, c);
    EXPECT_EQ(describe(frame(bytes)), describe(lines));
}

TEST(CommandFramer, LimitAtTheBoundary) {
    const std::string at = "USER " + std::string(248, 'a') + "\r\n";  // 255 octets
    ASSERT_EQ(at.size(), 255u);
    auto lines = frame({at});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_FALSE(lines[0].error);
    EXPECT_EQ(lines[0].text.size(), 253u);
    lines = frame({"USER " + std::string(249, 'a') + "\r\n"});
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].error, pop3::make_error_code(CommandError::line_too_long));
}

TEST(CommandFramer, EverySplitGivesTheSameLines) {
    const std::string wire = "USER a\r\nPASS b c\nSTAT\r\nX" + std::string(300, 'x') + "\r\nQUIT\r\n";
    const std::string whole = describe(frame({wire}));
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        ASSERT_EQ(describe(frame({wire.substr(0, cut), wire.substr(cut)})), whole) << cut;
    }
}

// Random client streams, random splits: the buffer never exceeds the limit, every LF ends exactly one line, and the
// lines are the same as for the whole stream (R2449-LEN-3: an over-long line never becomes two).
TEST(CommandFramer, RandomStreamsStayInSync) {
    const std::vector<std::string> atoms = {"USER a", "\r\n", "\n", "\r", " ", std::string(100, 'x'), "PASS", "."};
    std::mt19937 rng(255);
    for (int round = 0; round < 2000; ++round) {
        std::string wire;
        const std::size_t n = 1 + rng() % 20;
        for (std::size_t i = 0; i < n; ++i)
            wire += atoms[rng() % atoms.size()];
        std::vector<std::string> pieces;
        for (std::size_t at = 0; at < wire.size();) {
            const std::size_t len = 1 + rng() % 40;
            pieces.push_back(wire.substr(at, len));
            at += len;
        }
        const auto lines = frame(pieces, 64);
        ASSERT_EQ(lines.size(), static_cast<std::size_t>(std::count(wire.begin(), wire.end(), '\n')));
        ASSERT_EQ(describe(lines), describe(frame({wire}, 64)));
        std::uint64_t octets = 0;
        for (const auto& l : lines) {
            octets += l.wire_octets;
            ASSERT_EQ(static_cast<bool>(l.error), l.wire_octets > 64);
            ASSERT_LE(l.text.size(), 64u);
        }
        ASSERT_EQ(octets, wire.rfind('\n') == std::string::npos ? 0 : wire.rfind('\n') + 1);
    }
}

TEST(CommandFramer, DiscardBufferedDropsPipelinedBytes_R2595) {
    CommandFramer framer;
    EXPECT_EQ(framer.feed("STLS\r\nUSER evil\r\nPA"), 6u);
    ASSERT_TRUE(framer.next().has_value());
    EXPECT_EQ(framer.feed("USER evil\r\nPA"), 11u);
    EXPECT_EQ(framer.discard_buffered(), 11u);  // the waiting line
    EXPECT_EQ(framer.feed("PA"), 2u);
    EXPECT_EQ(framer.discard_buffered(), 2u);  // the partial line
    EXPECT_FALSE(framer.has_line());
}

}  // namespace
