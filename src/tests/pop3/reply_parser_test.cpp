// Tests of pop3::ReplyParser: split-everywhere equivalence, every typed violation, limits at their boundary.
#include "pop3/reply_parser.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

using pop3::BodyMode;
using pop3::Reply;
using pop3::ReplyKind;
using pop3::ReplyParser;
using pop3::ReplyParserOptions;
using pop3::Status;
using pop3::Strictness;
using pop3::Violation;

// Everything observable about a reply, as one string, so two parses compare with one EXPECT_EQ.
std::string describe(const Reply& r) {
    std::string s = "status=" + std::to_string(static_cast<int>(r.status)) + " line=[" + r.status_line + "] code=[" +
                    (r.code ? r.code->raw() : std::string("-")) + "] text=[" + r.text +
                    "] multi=" + std::to_string(r.multi_line) + " body=[" + r.body +
                    "] octets=" + std::to_string(r.body_octets) + " lines=" + std::to_string(r.body_lines) +
                    " wire=" + std::to_string(r.wire_octets) + " error=" + r.error.message() + " violations=";
    for (Violation v : r.violations)
        s += std::string(pop3::to_string(v)) + ",";
    return s;
}

struct ParseRun {
    std::vector<Reply> replies;
    std::string left;  // bytes the parser did not consume
};

// Feeds `pieces` in order as a client would (keeping unconsumed bytes), then EOF.
ParseRun run_pieces(const std::vector<std::string>& pieces, const std::vector<ReplyKind>& kinds,
                    ReplyParserOptions options = {}) {
    ReplyParser parser(options);
    for (ReplyKind k : kinds)
        parser.expect(k);
    ParseRun run;
    std::string pending;
    for (const std::string& piece : pieces) {
        pending += piece;
        for (;;) {
            const pop3::FeedResult r = parser.feed(pending);
            pending.erase(0, r.consumed);
            if (!r.reply_ready) break;
            run.replies.push_back(*parser.take());
        }
    }
    if (parser.finish().reply_ready) run.replies.push_back(*parser.take());
    run.left = pending;
    return run;
}

std::vector<std::string> describe_all(const ParseRun& run) {
    std::vector<std::string> out;
    for (const Reply& r : run.replies)
        out.push_back(describe(r));
    out.push_back("left=[" + run.left + "]");
    return out;
}

ParseRun run_whole(const std::string& wire, const std::vector<ReplyKind>& kinds, ReplyParserOptions options = {}) {
    return run_pieces({wire}, kinds, options);
}

Reply one(const std::string& wire, ReplyKind kind = ReplyKind::single_line, ReplyParserOptions options = {}) {
    ParseRun run = run_whole(wire, {kind}, options);
    EXPECT_FALSE(run.replies.empty()) << wire;
    return run.replies.empty() ? Reply{} : std::move(run.replies.front());
}

ReplyParserOptions strict() {
    ReplyParserOptions o;
    o.strictness = Strictness::strict;
    return o;
}

// A dialogue touching every reply form: greeting, CAPA, STAT, LIST, RETR with stuffed lines, -ERR to RETR, UIDL n,
// a SASL continuation and the final +OK.
const std::string kDialogue =
    "+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n"
    "+OK Capability list follows\r\nTOP\r\nUIDL\r\nSASL PLAIN\r\n.\r\n"
    "+OK 2 320\r\n"
    "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"
    "+OK 120 octets\r\nSubject: x\r\n\r\n..\r\n...x\r\n.y\r\na.b\r\n\r\n.\r\n"
    "-ERR [SYS/TEMP] no such message\r\n"
    "+OK 1 whqtswO00WBw418f9t5JxYwZ\r\n"
    "+ \r\n"
    "+OK [AUTH] maildrop locked\r\n";
const std::vector<ReplyKind> kDialogueKinds = {ReplyKind::single_line,
                                               ReplyKind::multi_line_if_ok,
                                               ReplyKind::single_line,
                                               ReplyKind::multi_line_if_ok,
                                               ReplyKind::multi_line_if_ok,
                                               ReplyKind::multi_line_if_ok,
                                               ReplyKind::single_line,
                                               ReplyKind::sasl,
                                               ReplyKind::sasl};

TEST(ReplyParser, DialogueParsesAsExpected) {
    ParseRun run = run_whole(kDialogue, kDialogueKinds);
    ASSERT_EQ(run.replies.size(), 9u);
    EXPECT_EQ(run.left, "");
    EXPECT_EQ(run.replies[0].status, Status::ok);
    EXPECT_EQ(run.replies[0].text, "POP3 ready <1896.697170952@dbc.mtview.ca.us>");
    EXPECT_EQ(run.replies[1].body, "TOP\r\nUIDL\r\nSASL PLAIN\r\n");
    EXPECT_EQ(run.replies[1].body_lines, 3u);
    EXPECT_EQ(run.replies[2].text, "2 320");
    EXPECT_FALSE(run.replies[2].multi_line);
    EXPECT_EQ(run.replies[3].lines(), (std::vector<std::string_view>{"1 120", "2 200"}));
    // R1939-CLI-2: "..", "...x", ".y" lose one dot; a dot inside a line stays.
    EXPECT_EQ(run.replies[4].body, "Subject: x\r\n\r\n.\r\n..x\r\ny\r\na.b\r\n\r\n");
    EXPECT_EQ(run.replies[4].body_octets, run.replies[4].body.size());
    // R1939-CLI-3: -ERR to a multi-line command is one line; R2449-CLI-2: the code is split off the text.
    EXPECT_EQ(run.replies[5].status, Status::err);
    EXPECT_FALSE(run.replies[5].multi_line);
    ASSERT_TRUE(run.replies[5].code.has_value());
    EXPECT_TRUE(run.replies[5].code->is("SYS/TEMP"));
    EXPECT_EQ(run.replies[5].text, "no such message");
    // R5034-CLI-1: "+ " is an empty challenge.
    EXPECT_EQ(run.replies[7].status, Status::continuation);
    EXPECT_EQ(run.replies[7].text, "");
    EXPECT_EQ(run.replies[8].code->known(), pop3::KnownResponseCode::auth);
    std::uint64_t wire = 0;
    for (const Reply& r : run.replies) {
        EXPECT_TRUE(r.violations.empty()) << describe(r);
        wire += r.wire_octets;
    }
    EXPECT_EQ(wire, kDialogue.size());
}

// The same parse whatever the split: every two-piece split and byte at a time (Beast's "parsegrind").
void expect_split_invariant(const std::string& wire, const std::vector<ReplyKind>& kinds,
                            ReplyParserOptions options = {}) {
    const std::vector<std::string> whole = describe_all(run_whole(wire, kinds, options));
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        const auto split = describe_all(run_pieces({wire.substr(0, cut), wire.substr(cut)}, kinds, options));
        ASSERT_EQ(split, whole) << "split at " << cut;
    }
    std::vector<std::string> bytes;
    for (char c : wire)
        bytes.emplace_back(1, c);
    EXPECT_EQ(describe_all(run_pieces(bytes, kinds, options)), whole) << "byte at a time";
}

TEST(ReplyParser, EverySplitPointGivesTheSameParse) {
    expect_split_invariant(kDialogue, kDialogueKinds);
}

TEST(ReplyParser, EverySplitPointGivesTheSameParseWithViolations) {
    // Tolerant mode: bare LF, bare CR, NUL, "+ok", a bad code, bare-LF terminator, all split-invariant.
    const std::vector<ReplyKind> kinds = {ReplyKind::single_line, ReplyKind::single_line, ReplyKind::multi_line_if_ok,
                                          ReplyKind::single_line, ReplyKind::single_line, ReplyKind::multi_line_if_ok};
    std::string w = "+ok hi\n-ERR [SYS/TEMP oops\r\n+OK list\r\n1 2\n..a\rb\r\nn";
    w.push_back('\0');
    w += "l\r\n.\n+OKfoo\r\ngarbage\r\n+OK rest\r\nabc\r\n.";
    expect_split_invariant(w, kinds);
    ParseRun run = run_whole(w, kinds);
    ASSERT_EQ(run.replies.size(), 6u);
    EXPECT_TRUE(run.replies[0].has(Violation::bare_lf));
    EXPECT_TRUE(run.replies[0].has(Violation::non_canonical_status));
    EXPECT_TRUE(run.replies[1].has(Violation::bad_response_code));
    EXPECT_TRUE(run.replies[2].has(Violation::bare_lf));
    EXPECT_TRUE(run.replies[2].has(Violation::bare_cr));
    EXPECT_TRUE(run.replies[2].has(Violation::nul_byte));
    EXPECT_EQ(run.replies[2].body, std::string("1 2\r\n.a\rb\r\nn\0l\r\n", 16));
    EXPECT_TRUE(run.replies[3].has(Violation::no_space_after_status));
    EXPECT_EQ(run.replies[4].status, Status::invalid);
    EXPECT_TRUE(run.replies[5].has(Violation::missing_terminator_at_eof));
    EXPECT_TRUE(run.replies[5].error);
}

TEST(ReplyParser, EverySplitPointGivesTheSameParseInStrictMode) {
    expect_split_invariant(kDialogue, kDialogueKinds, strict());
    expect_split_invariant("+OK x\r\n+OK body\r\nline\r\nbad\nline\r\n.\r\n+OK never\r\n",
                           {ReplyKind::single_line, ReplyKind::multi_line_if_ok, ReplyKind::single_line}, strict());
}

// Random streams over a POP3-flavoured alphabet, split at random points: the whole-buffer parse must equal the
// split parse (tolerant mode: everything; strict mode: what the replies say, since a failed stream is out of sync).
TEST(ReplyParser, RandomStreamsAreSplitInvariant) {
    const std::vector<std::string> atoms = {"+OK",        "-ERR", "+",  " ",  ".",
                                            "..",         "\r\n", "\n", "\r", "a",
                                            "[SYS/TEMP]", "[",    "]",  "ok", std::string(1, '\0'),
                                            "\r\n.\r\n"};
    std::mt19937 rng(2449);
    for (int round = 0; round < 3000; ++round) {
        std::string wire;
        const std::size_t n = 1 + rng() % 30;
        for (std::size_t i = 0; i < n; ++i)
            wire += atoms[rng() % atoms.size()];
        std::vector<ReplyKind> kinds;
        for (int i = 0; i < 6; ++i)
            kinds.push_back(static_cast<ReplyKind>(rng() % 3));
        for (Strictness mode : {Strictness::tolerant, Strictness::strict}) {
            ReplyParserOptions o;
            o.strictness = mode;
            o.limits.max_status_line = 16;
            o.limits.max_body_line = 12;
            o.limits.max_body = 20;
            auto summary = [mode](const ParseRun& run) {
                if (mode == Strictness::tolerant) return describe_all(run);
                std::vector<std::string> out;
                for (const Reply& r : run.replies) {
                    out.push_back(std::to_string(static_cast<int>(r.status)) + " " + r.error.message());
                }
                return out;
            };
            const auto whole = summary(run_whole(wire, kinds, o));
            std::vector<std::string> pieces;
            for (std::size_t at = 0; at < wire.size();) {
                const std::size_t len = 1 + rng() % 5;
                pieces.push_back(wire.substr(at, len));
                at += len;
            }
            ASSERT_EQ(summary(run_pieces(pieces, kinds, o)), whole)
                << "mode " << static_cast<int>(mode) << " wire: " << ::testing::PrintToString(wire);
        }
    }
}

TEST(ReplyParser, BareStatusIndicatorsAreValid_R1939_CLI_4) {
    for (const char* wire : {"+OK\r\n", "-ERR\r\n"}) {
        Reply r = one(wire, ReplyKind::single_line, strict());
        EXPECT_FALSE(r.error) << wire;
        EXPECT_TRUE(r.violations.empty()) << wire;
        EXPECT_EQ(r.text, "") << wire;
    }
    EXPECT_EQ(one("+OK\r\n").status, Status::ok);
    EXPECT_EQ(one("-ERR\r\n").status, Status::err);
}

TEST(ReplyParser, FirstTokenDecides_R1939_CLI_1) {
    EXPECT_EQ(one("+OK whatever -ERR\r\n").status, Status::ok);
    EXPECT_EQ(one("-ERR +OK\r\n").status, Status::err);
}

TEST(ReplyParser, ErrToMultiLineCommandIsOneLine_R1939_CLI_3) {
    ParseRun run =
        run_whole("-ERR no such message\r\n+OK next\r\n", {ReplyKind::multi_line_if_ok, ReplyKind::single_line});
    ASSERT_EQ(run.replies.size(), 2u);
    EXPECT_FALSE(run.replies[0].multi_line);
    EXPECT_EQ(run.replies[1].text, "next");
}

TEST(ReplyParser, Unstuffing_R1939_CLI_2) {
    Reply r = one("+OK\r\n..\r\n...x\r\n.x\r\nx.\r\n.\r\n", ReplyKind::multi_line_if_ok);
    EXPECT_EQ(r.lines(), (std::vector<std::string_view>{".", "..x", "x", "x."}));
}

TEST(ReplyParser, EmptyBody) {
    Reply r = one("+OK\r\n.\r\n", ReplyKind::multi_line_if_ok, strict());
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.multi_line);
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.body_lines, 0u);
}

TEST(ReplyParser, FeedStopsAtTheEndOfAReply) {
    ReplyParser parser;
    const std::string wire = "+OK a\r\n+OK b\r\n";
    const pop3::FeedResult r = parser.feed(wire);
    EXPECT_EQ(r.consumed, 7u);
    EXPECT_TRUE(r.reply_ready);
    // Nothing more is consumed while the reply waits.
    EXPECT_EQ(parser.feed(std::string_view(wire).substr(7)).consumed, 0u);
    EXPECT_EQ(parser.take()->text, "a");
    EXPECT_FALSE(parser.take().has_value());
}

TEST(ReplyParser, PipelinedRepliesComeOutInOrder_R2449_CLI_3) {
    ParseRun run = run_whole("+OK 1\r\n+OK list\r\n1 1\r\n.\r\n-ERR 3\r\n+OK r\r\nx\r\n.\r\n+OK 5\r\n",
                             {ReplyKind::single_line, ReplyKind::multi_line_if_ok, ReplyKind::multi_line_if_ok,
                              ReplyKind::multi_line_if_ok, ReplyKind::single_line});
    ASSERT_EQ(run.replies.size(), 5u);
    EXPECT_EQ(run.replies[0].text, "1");
    EXPECT_EQ(run.replies[1].body, "1 1\r\n");
    EXPECT_EQ(run.replies[2].status, Status::err);
    EXPECT_EQ(run.replies[3].body, "x\r\n");
    EXPECT_EQ(run.replies[4].text, "5");
}

TEST(ReplyParser, BytesAfterStlsOkAreNotParsed_R2595_CLI_1) {
    // The +OK to STLS ends the reply: the injected "+OK fake" stays with the caller, never parsed.
    ReplyParser parser;
    const std::string wire = "+OK begin TLS\r\n+OK fake\r\n";
    const pop3::FeedResult r = parser.feed(wire);
    EXPECT_TRUE(r.reply_ready);
    EXPECT_EQ(wire.size() - r.consumed, 10u);  // the client flags these 10 octets as injection
    ASSERT_TRUE(parser.take().has_value());
    // A partial line already inside the parser is dropped and counted.
    EXPECT_EQ(parser.feed("+OK fa").consumed, 6u);
    EXPECT_TRUE(parser.in_reply());
    EXPECT_EQ(parser.discard_buffered(), 6u);
    EXPECT_FALSE(parser.in_reply());
    // A completed reply not yet taken counts too.
    parser.feed("+OK x\r\n");
    EXPECT_EQ(parser.discard_buffered(), 7u);
    EXPECT_FALSE(parser.has_reply());
    EXPECT_EQ(one("+OK after\r\n").text, "after");
}

TEST(ReplyParser, SaslContinuation_R5034_CLI_1) {
    Reply r = one("+ Zm9v\r\n", ReplyKind::sasl, strict());
    EXPECT_EQ(r.status, Status::continuation);
    EXPECT_EQ(r.text, "Zm9v");
    r = one("+ \r\n", ReplyKind::sasl, strict());
    EXPECT_EQ(r.status, Status::continuation);
    EXPECT_EQ(r.text, "");
    r = one("+\r\n", ReplyKind::sasl);
    EXPECT_EQ(r.status, Status::continuation);
    EXPECT_TRUE(r.has(Violation::no_space_after_status));
    EXPECT_EQ(one("+OK done\r\n", ReplyKind::sasl).status, Status::ok);
    EXPECT_EQ(one("-ERR [AUTH] no\r\n", ReplyKind::sasl).status, Status::err);
    // Outside AUTH, "+ x" is no status indicator.
    r = one("+ Zm9v\r\n", ReplyKind::single_line);
    EXPECT_EQ(r.status, Status::invalid);
    EXPECT_TRUE(r.has(Violation::bad_status_indicator));
}

TEST(ReplyParser, ResponseCodeIsSplitOffTheText_R2449_CLI_2) {
    Reply r = one("-ERR [sys/temp/x] busy\r\n");
    ASSERT_TRUE(r.code.has_value());
    EXPECT_TRUE(r.code->is("SYS/TEMP"));
    EXPECT_EQ(r.code->known(), pop3::KnownResponseCode::sys_temp);
    EXPECT_EQ(r.text, "busy");
    EXPECT_EQ(r.status_line, "-ERR [sys/temp/x] busy");
    r = one("-ERR [IN-USE]\r\n");
    EXPECT_EQ(r.code->known(), pop3::KnownResponseCode::in_use);
    EXPECT_EQ(r.text, "");
}

// ---- each violation, tolerant (recorded) and strict (ends the reply with an error) ----

struct ViolationCase {
    const char* name;
    std::string wire;
    ReplyKind kind;
    Violation violation;
};

std::vector<ViolationCase> violation_cases() {
    std::string nul_status = "+OK a";
    nul_status.push_back('\0');
    nul_status += "b\r\n";
    std::string nul_body = "+OK\r\na";
    nul_body.push_back('\0');
    nul_body += "\r\n.\r\n";
    return {
        {"bare_lf_status", "+OK hi\n", ReplyKind::single_line, Violation::bare_lf},
        {"bare_lf_body", "+OK\r\nline\n.\r\n", ReplyKind::multi_line_if_ok, Violation::bare_lf},
        {"bare_lf_terminator", "+OK\r\nline\r\n.\n", ReplyKind::multi_line_if_ok, Violation::bare_lf},
        {"bare_cr_status", "+OK a\rb\r\n", ReplyKind::single_line, Violation::bare_cr},
        {"bare_cr_body", "+OK\r\na\rb\r\n.\r\n", ReplyKind::multi_line_if_ok, Violation::bare_cr},
        {"bare_cr_after_dot", "+OK\r\n.\rb\r\n.\r\n", ReplyKind::multi_line_if_ok, Violation::bare_cr},
        {"nul_status", nul_status, ReplyKind::single_line, Violation::nul_byte},
        {"nul_body", nul_body, ReplyKind::multi_line_if_ok, Violation::nul_byte},
        {"bad_indicator_plus_err", "+ERR x\r\n", ReplyKind::single_line, Violation::bad_status_indicator},
        {"bad_indicator_ok", "OK x\r\n", ReplyKind::single_line, Violation::bad_status_indicator},
        {"bad_indicator_garbage", "HTTP/1.1 200 OK\r\n", ReplyKind::single_line, Violation::bad_status_indicator},
        {"bad_indicator_empty", "\r\n", ReplyKind::single_line, Violation::bad_status_indicator},
        {"non_canonical_ok", "+ok x\r\n", ReplyKind::single_line, Violation::non_canonical_status},
        {"non_canonical_err", "-Err x\r\n", ReplyKind::single_line, Violation::non_canonical_status},
        {"no_space", "+OKfoo\r\n", ReplyKind::single_line, Violation::no_space_after_status},
        {"bad_code", "-ERR [SYS/TEMP x\r\n", ReplyKind::single_line, Violation::bad_response_code},
        {"bad_code_empty_level", "-ERR [SYS//TEMP] x\r\n", ReplyKind::single_line, Violation::bad_response_code},
    };
}

TEST(ReplyParser, EachViolationIsRecordedInTolerantMode) {
    for (const ViolationCase& c : violation_cases()) {
        Reply r = one(c.wire, c.kind);
        EXPECT_TRUE(r.has(c.violation)) << c.name << ": " << describe(r);
        EXPECT_FALSE(r.error) << c.name;
    }
}

TEST(ReplyParser, EachViolationEndsTheReplyInStrictMode) {
    for (const ViolationCase& c : violation_cases()) {
        ReplyParser parser(strict());
        parser.expect(c.kind);
        const pop3::FeedResult fr = parser.feed(c.wire);
        ASSERT_TRUE(fr.reply_ready) << c.name;
        Reply r = *parser.take();
        EXPECT_EQ(r.error, pop3::make_error_code(c.violation)) << c.name << ": " << describe(r);
        EXPECT_TRUE(parser.failed()) << c.name;
        EXPECT_EQ(parser.feed("+OK\r\n").consumed, 0u) << c.name;
        parser.reset();
        EXPECT_TRUE(parser.feed("+OK\r\n").reply_ready) << c.name;
    }
}

TEST(ReplyParser, TolerantModeReadsBareLfLinesAsLines) {
    Reply r = one("+OK\nline one\nline two\n.\n", ReplyKind::multi_line_if_ok);
    EXPECT_EQ(r.body, "line one\r\nline two\r\n");
    EXPECT_FALSE(r.error);
}

TEST(ReplyParser, MissingTerminatorAtEof) {
    for (const std::string wire : {"+OK\r\nabc\r\n", "+OK\r\nabc", "+OK\r\nabc\r\n.", "+OK\r\nabc\r\n.\r"}) {
        Reply r = one(wire, ReplyKind::multi_line_if_ok);
        EXPECT_EQ(r.error, pop3::make_error_code(Violation::missing_terminator_at_eof)) << wire;
        EXPECT_TRUE(r.has(Violation::missing_terminator_at_eof)) << wire;
    }
}

TEST(ReplyParser, EofInStatusLine) {
    Reply r = one("+OK no line end");
    EXPECT_EQ(r.error, pop3::make_error_code(Violation::eof_in_status_line));
    ReplyParser parser;
    EXPECT_FALSE(parser.finish().reply_ready);  // nothing in progress: no reply
}

// ---- limits at the boundary and one past it ----

TEST(ReplyParser, StatusLineLimitIs512WithCrlf_RFC2449_4) {
    const std::string at = "+OK " + std::string(512 - 6, 'x') + "\r\n";
    ASSERT_EQ(at.size(), 512u);
    Reply r = one(at, ReplyKind::single_line, strict());
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.text.size(), 506u);
    const std::string past = "+OK " + std::string(512 - 5, 'x') + "\r\n";
    r = one(past, ReplyKind::single_line, strict());
    EXPECT_EQ(r.error, pop3::make_error_code(Violation::status_line_too_long));
    // Tolerant: recorded, the line is cut at the limit, and the stream stays in sync.
    ParseRun run = run_whole("+OK " + std::string(5000, 'y') + "\r\n+OK next\r\n", {});
    ASSERT_EQ(run.replies.size(), 2u);
    EXPECT_TRUE(run.replies[0].has(Violation::status_line_too_long));
    EXPECT_LE(run.replies[0].status_line.size(), 512u);
    EXPECT_EQ(run.replies[1].text, "next");
    EXPECT_TRUE(run.replies[1].violations.empty());
}

TEST(ReplyParser, BodyLineLimit) {
    ReplyParserOptions o = strict();
    o.limits.max_body_line = 10;  // CRLF included
    EXPECT_FALSE(one("+OK\r\n12345678\r\n.\r\n", ReplyKind::multi_line_if_ok, o).error);
    EXPECT_EQ(one("+OK\r\n123456789\r\n.\r\n", ReplyKind::multi_line_if_ok, o).error,
              pop3::make_error_code(Violation::body_line_too_long));
    // A stuffed line counts its stuffing dot: it is a wire limit.
    EXPECT_FALSE(one("+OK\r\n..234567\r\n.\r\n", ReplyKind::multi_line_if_ok, o).error);
    EXPECT_TRUE(one("+OK\r\n..2345678\r\n.\r\n", ReplyKind::multi_line_if_ok, o).error);
}

TEST(ReplyParser, LongContentLineParsesWithDefaults_R1939_CLI_5) {
    const std::string line(64 * 1024, 'z');
    Reply r = one("+OK\r\n" + line + "\r\n.\r\n", ReplyKind::multi_line_if_ok, strict());
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.body, line + "\r\n");
}

TEST(ReplyParser, BodySizeLimit) {
    ReplyParserOptions o = strict();
    o.limits.max_body = 10;
    Reply r = one("+OK\r\n12345678\r\n.\r\n", ReplyKind::multi_line_if_ok, o);  // exactly 10 octets of body
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.body.size(), 10u);
    r = one("+OK\r\n123456789\r\n.\r\n", ReplyKind::multi_line_if_ok, o);
    EXPECT_EQ(r.error, pop3::make_error_code(Violation::body_too_large));
    // Tolerant: the body is cut, counting goes on to the terminator, the next reply is parsed.
    o.strictness = Strictness::tolerant;
    ParseRun run = run_whole("+OK\r\n123456789\r\nabc\r\n.\r\n+OK next\r\n",
                             {ReplyKind::multi_line_if_ok, ReplyKind::single_line}, o);
    ASSERT_EQ(run.replies.size(), 2u);
    EXPECT_TRUE(run.replies[0].has(Violation::body_too_large));
    EXPECT_EQ(run.replies[0].body, "123456789\r");
    EXPECT_EQ(run.replies[0].body_octets, 16u);
    EXPECT_EQ(run.replies[0].body_lines, 2u);
    EXPECT_EQ(run.replies[1].text, "next");
}

TEST(ReplyParser, SinkModeStreamsTheBody) {
    const std::string wire = "+OK\r\nline 1\r\n..dot\r\nline 3\r\n.\r\n+OK after\r\n";
    Reply stored = one(wire, ReplyKind::multi_line_if_ok);
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        ReplyParser parser;
        std::string streamed;
        parser.set_body_sink([&streamed](std::string_view chunk) { streamed += chunk; });
        parser.expect(ReplyKind::multi_line_if_ok);
        std::string pending = wire.substr(0, cut);
        std::size_t used = parser.feed(pending).consumed;
        pending.erase(0, used);
        pending += wire.substr(cut);
        if (!parser.has_reply()) {
            used = parser.feed(pending).consumed;
            pending.erase(0, used);
        }
        ASSERT_TRUE(parser.has_reply()) << cut;
        Reply r = *parser.take();
        EXPECT_EQ(streamed, stored.body) << cut;
        EXPECT_EQ(r.body, "") << cut;
        EXPECT_EQ(r.body_octets, stored.body.size()) << cut;
        EXPECT_EQ(pending, "+OK after\r\n") << cut;
    }
}

TEST(ReplyParser, DiscardModeCountsOnly) {
    ReplyParser parser;
    parser.set_body_mode(BodyMode::discard);
    parser.expect(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(parser.feed("+OK\r\nab\r\n..c\r\n.\r\n").reply_ready);
    Reply r = *parser.take();
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.body_octets, 8u);
    EXPECT_EQ(r.body_lines, 2u);
}

TEST(ReplyParser, StreamedBodyLimit) {
    ReplyParserOptions o = strict();
    o.limits.max_streamed_body = 4;
    ReplyParser parser(o);
    parser.set_body_mode(BodyMode::discard);
    parser.expect(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(parser.feed("+OK\r\nab\r\n.\r\n").reply_ready);
    EXPECT_FALSE(parser.take()->error);
    parser.expect(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(parser.feed("+OK\r\nabc\r\n.\r\n").reply_ready);
    EXPECT_EQ(parser.take()->error, pop3::make_error_code(Violation::body_too_large));
}

TEST(ReplyParser, BodyCapacityHintsAreBoundedByMaxBody) {
    // "<n> octets" in the status text (RFC 1939 §7's RETR example) reserves the body once.
    Reply r = one("+OK 100000 octets\r\nabc\r\n.\r\n", ReplyKind::multi_line_if_ok);
    EXPECT_EQ(r.body, "abc\r\n");
    EXPECT_GE(r.body.capacity(), 100000u);
    // A hostile announcement cannot reserve more than max_body.
    ReplyParserOptions o;
    o.limits.max_body = 1000;
    r = one("+OK 999999999999999 octets\r\nabc\r\n.\r\n", ReplyKind::multi_line_if_ok, o);
    EXPECT_LT(r.body.capacity(), 4096u);
    // An explicit hint, and a recycled buffer whose content is cleared but capacity kept.
    ReplyParser parser;
    parser.expect(ReplyKind::multi_line_if_ok);
    parser.reserve_body(50000);
    ASSERT_TRUE(parser.feed("+OK\r\nx\r\n.\r\n").reply_ready);
    r = *parser.take();
    EXPECT_GE(r.body.capacity(), 50000u);
    std::string old(70000, 'q');
    parser.recycle_body_buffer(std::move(old));
    parser.expect(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(parser.feed("+OK\r\ny\r\n.\r\n").reply_ready);
    r = *parser.take();
    EXPECT_EQ(r.body, "y\r\n");
    EXPECT_GE(r.body.capacity(), 70000u);
}

TEST(ReplyParser, AnnouncedSizeReservesAtMostOneMiBBeforeTheBody) {
    // A hostile server's 20 octets "+OK 99999999 octets\r\n" used to reserve min(99999999, max_body) = 64 MiB before
    // any body octet arrived. The capacity right after the status line (the body's terminator follows at once):
    constexpr std::size_t kUpfront = ReplyParser::kMaxUpfrontBodyReserve;
    static_assert(kUpfront == std::size_t{1} << 20);
    Reply r = one("+OK 99999999 octets\r\n.\r\n", ReplyKind::multi_line_if_ok);
    EXPECT_EQ(r.body, "");
    EXPECT_GE(r.body.capacity(), kUpfront);  // the hint is still used, up to the cap
    EXPECT_LE(r.body.capacity(), kUpfront);
    // The same at EOF right after the status line, and for an explicit hint (LIST's size is the server's word too).
    ReplyParser parser;
    parser.expect(ReplyKind::multi_line_if_ok);
    EXPECT_EQ(parser.feed("+OK 99999999 octets\r\n").consumed, 21u);
    parser.finish();
    r = *parser.take();
    EXPECT_LE(r.body.capacity(), kUpfront);
    parser.reset();
    parser.expect(ReplyKind::multi_line_if_ok);
    parser.reserve_body(std::size_t{64} << 20);
    ASSERT_TRUE(parser.feed("+OK\r\nx\r\n.\r\n").reply_ready);
    r = *parser.take();
    EXPECT_EQ(r.body, "x\r\n");
    EXPECT_LE(r.body.capacity(), kUpfront);
}

TEST(ReplyParser, AnnouncedSizeGrowsWithTheBodyThatArrives) {
    constexpr std::size_t kUpfront = ReplyParser::kMaxUpfrontBodyReserve;
    const std::string line(1000, 'a');
    std::string body;
    while (body.size() < 3 * kUpfront)
        body += line + "\r\n";
    // 1.5 MiB of a 64 MiB announcement, then EOF: the buffer holds at most kHintGrowth times the up-front cap.
    ReplyParser parser;
    parser.expect(ReplyKind::multi_line_if_ok);
    const std::string half = body.substr(0, body.size() / 2);
    const std::string status = "+OK 67108000 octets\r\n";
    EXPECT_EQ(parser.feed(status + half).consumed, status.size() + half.size());
    parser.finish();
    Reply r = *parser.take();
    EXPECT_EQ(r.body, half);
    EXPECT_LE(r.body.capacity(), ReplyParser::kHintGrowth * kUpfront);
    // An exact announcement over the cap: the body is complete and the buffer grew straight to the announced size
    // (no doubling past it), fed in 64 KiB slices as a client reads.
    const std::string wire = "+OK " + std::to_string(body.size()) + " octets\r\n" + body + ".\r\n";
    parser.reset();
    parser.expect(ReplyKind::multi_line_if_ok);
    for (std::size_t at = 0; at < wire.size() && !parser.has_reply();)
        at += parser.feed(std::string_view(wire).substr(at, std::size_t{64} << 10)).consumed;
    ASSERT_TRUE(parser.has_reply());
    r = *parser.take();
    EXPECT_EQ(r.body, body);
    EXPECT_GE(r.body.capacity(), body.size());
    EXPECT_LT(r.body.capacity(), body.size() + 4096);
}

TEST(ReplyParser, ViolationCategoryHasMessages) {
    const std::error_code ec = Violation::bare_lf;
    EXPECT_STREQ(ec.category().name(), "pop3.violation");
    EXPECT_FALSE(ec.message().empty());
    EXPECT_EQ(pop3::to_string(Violation::missing_terminator_at_eof), "missing_terminator_at_eof");
}

}  // namespace
