// Tests of the dot-stuffing codec, LIST sizes and the TOP limiter.
#include "pop3/dot_stuffing.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace {

using pop3::DotDecoder;
using pop3::DotStuffer;
using pop3::Violation;

std::string encode(std::string_view message) {
    DotStuffer stuffer;
    std::string out;
    stuffer.encode(message, out);
    stuffer.finish(out);
    return out;
}

// What RETR must deliver after unstuffing: line ends CRLF, a final CRLF added if missing.
std::string normalized(std::string_view message) {
    std::string out;
    for (std::size_t i = 0; i < message.size(); ++i) {
        if (message[i] == '\n' && (i == 0 || message[i - 1] != '\r')) out.push_back('\r');
        out.push_back(message[i]);
    }
    if (!out.empty() && !(out.size() >= 2 && out.compare(out.size() - 2, 2, "\r\n") == 0)) out += "\r\n";
    return out;
}

struct Decoded {
    std::string content;
    std::size_t consumed = 0;
    bool done = false;
    std::vector<Violation> violations;
};

Decoded decode_pieces(const std::vector<std::string_view>& pieces) {
    DotDecoder decoder;
    Decoded d;
    for (std::string_view piece : pieces) {
        const pop3::DotDecodeResult r = decoder.decode(piece, d.content);
        d.consumed += r.consumed;
        if (r.done) {
            d.done = true;
            break;
        }
    }
    d.violations = decoder.violations();
    return d;
}

TEST(DotStuffer, Examples) {
    EXPECT_EQ(encode(""), ".\r\n");
    EXPECT_EQ(encode("a\r\n"), "a\r\n.\r\n");
    EXPECT_EQ(encode(".\r\n"), "..\r\n.\r\n");
    EXPECT_EQ(encode("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n.\r\n");
    EXPECT_EQ(encode("a.b\r\n"), "a.b\r\n.\r\n");                          // a dot inside a line is left alone
    EXPECT_EQ(encode("no final line end"), "no final line end\r\n.\r\n");  // RFC 1939 §11 / issue: CRLF added
    EXPECT_EQ(encode("a\nb\n"), "a\r\nb\r\n.\r\n");                        // RFC 1939 §11: stored LF goes out as CRLF
    EXPECT_EQ(encode(".\n.x"), "..\r\n..x\r\n.\r\n");
    EXPECT_EQ(encode("a\rb\r\n"), "a\rb\r\n.\r\n");  // a lone CR inside a line stays
    EXPECT_EQ(encode("\r\n\r\n"), "\r\n\r\n.\r\n");
}

TEST(DotStuffer, EverySplitGivesTheSameWireForm_R1939_LIST_7) {
    const std::string message = ".a\r\n..b\nc\r.d\r\n\n.\r\n.";
    const std::string whole = encode(message);
    for (std::size_t cut = 0; cut <= message.size(); ++cut) {
        for (std::size_t cut2 = cut; cut2 <= message.size(); ++cut2) {
            DotStuffer stuffer;
            std::string out;
            stuffer.encode(std::string_view(message).substr(0, cut), out);
            stuffer.encode(std::string_view(message).substr(cut, cut2 - cut), out);
            stuffer.encode(std::string_view(message).substr(cut2), out);
            stuffer.finish(out);
            ASSERT_EQ(out, whole) << cut << "," << cut2;
            ASSERT_EQ(stuffer.content_octets(), pop3::size_as_sent(message)) << cut << "," << cut2;
        }
    }
}

TEST(DotStuffer, ReusableAfterFinish) {
    DotStuffer stuffer;
    std::string out;
    stuffer.encode("abc", out);
    stuffer.finish(out);
    EXPECT_EQ(stuffer.content_octets(), 5u);
    stuffer.encode(".x\r\n", out);
    stuffer.finish(out);
    EXPECT_EQ(out, "abc\r\n.\r\n..x\r\n.\r\n");
    EXPECT_EQ(stuffer.content_octets(), 4u);
}

TEST(SizeAsSent, CountsCrlfLineEndsWithoutStuffing_R1939_LIST_7_R1939_FMT_1) {
    EXPECT_EQ(pop3::size_as_sent(""), 0u);
    EXPECT_EQ(pop3::size_as_sent("a\r\n"), 3u);
    EXPECT_EQ(pop3::size_as_sent("a\n"), 3u);          // a stored LF counts two
    EXPECT_EQ(pop3::size_as_sent("a"), 3u);            // the final CRLF is counted
    EXPECT_EQ(pop3::size_as_sent(".\r\n..\r\n"), 7u);  // no stuffing octets
    EXPECT_EQ(pop3::size_as_sent("a\rb"), 5u);         // a lone CR is one octet
    pop3::WireSizeCounter counter;
    counter.add("a\r");
    counter.add("\nb\n");
    EXPECT_EQ(counter.size(), pop3::size_as_sent("a\r\nb\n"));
}

// A fixed-seed generator of bodies made of the lines that break naive codecs.
std::string generated_message(std::mt19937& rng) {
    static const std::vector<std::string> kLines = {".", "..", ".x", "", "x", "a.b", "...", "a\rb", "\r", " .", "x."};
    static const std::vector<std::string> kEnds = {"\r\n", "\n"};
    std::string message;
    const std::size_t lines = rng() % 8;
    for (std::size_t i = 0; i < lines; ++i) {
        message += kLines[rng() % kLines.size()];
        message += kEnds[rng() % 4 == 0 ? 1 : 0];
    }
    if (rng() % 3 == 0) message += kLines[rng() % kLines.size()];  // no final line end
    return message;
}

TEST(DotCodec, DecodeOfEncodeIsTheNormalizedMessage) {
    std::mt19937 rng(1939);
    for (int i = 0; i < 3000; ++i) {
        const std::string message = generated_message(rng);
        const std::string wire = encode(message);
        const Decoded d = decode_pieces({wire});
        ASSERT_TRUE(d.done) << message;
        ASSERT_EQ(d.consumed, wire.size());
        ASSERT_EQ(d.content, normalized(message)) << "message: " << message;
        ASSERT_EQ(d.content.size(), pop3::size_as_sent(message));
        // A message already in wire form (CRLF, final CRLF) comes back byte for byte.
        if (message == normalized(message)) {
            ASSERT_EQ(d.content, message);
        }
    }
}

TEST(DotDecoder, TerminatorSplitAtEveryPoint) {
    const std::string wire = "a\r\n..b\r\n.\r\nNEXT";
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        const Decoded d = decode_pieces({std::string_view(wire).substr(0, cut), std::string_view(wire).substr(cut)});
        EXPECT_TRUE(d.done) << cut;
        EXPECT_EQ(d.content, "a\r\n.b\r\n") << cut;
        EXPECT_EQ(d.consumed, wire.size() - 4) << cut;  // "NEXT" is not consumed
        EXPECT_TRUE(d.violations.empty()) << cut;
    }
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < wire.size(); ++i)
        bytes.push_back(std::string_view(wire).substr(i, 1));
    const Decoded d = decode_pieces(bytes);
    EXPECT_EQ(d.content, "a\r\n.b\r\n");
    EXPECT_EQ(d.consumed, wire.size() - 4);
}

TEST(DotDecoder, MissingTerminatorAtEof) {
    DotDecoder decoder;
    std::string out;
    EXPECT_FALSE(decoder.decode("abc\r\n.", out).done);
    EXPECT_EQ(decoder.finish(out), pop3::make_error_code(Violation::missing_terminator_at_eof));
    EXPECT_EQ(out, "abc\r\n");
    DotDecoder complete;
    out.clear();
    EXPECT_TRUE(complete.decode(".\r\n", out).done);
    EXPECT_FALSE(complete.finish(out));
}

TEST(DotDecoder, StrictModeStopsAtTheFirstViolation) {
    DotDecoder decoder(DotDecoder::Options{pop3::Strictness::strict, 1024});
    std::string out;
    const pop3::DotDecodeResult r = decoder.decode("ok\r\nbad\nnever\r\n.\r\n", out);
    EXPECT_EQ(r.error, pop3::make_error_code(Violation::bare_lf));
    EXPECT_TRUE(decoder.failed());
    EXPECT_EQ(decoder.decode("more", out).consumed, 0u);
}

TEST(DotDecoder, LineLimitAtTheBoundary) {
    DotDecoder::Options o{pop3::Strictness::strict, 5};
    DotDecoder at(o);
    std::string out;
    EXPECT_TRUE(at.decode("abc\r\n.\r\n", out).done);  // 5 octets with CRLF
    DotDecoder past(o);
    EXPECT_EQ(past.decode("abcd\r\n.\r\n", out).error, pop3::make_error_code(Violation::body_line_too_long));
}

// ---- TOP ----

std::string top(std::string_view message, std::uint64_t n, const std::vector<std::size_t>& cuts = {}) {
    pop3::TopLimiter limiter(n);
    std::string out;
    std::size_t from = 0;
    std::vector<std::size_t> points = cuts;
    points.push_back(message.size());
    for (std::size_t to : points) {
        const std::string_view chunk = message.substr(from, to - from);
        out += chunk.substr(0, limiter.accept(chunk));
        from = to;
    }
    return out;
}

TEST(TopLimiter, HeaderBlankLineAndNBodyLines_R1939_TOP) {
    const std::string message = "H1: a\r\nH2: b\r\n\r\nl1\r\nl2\r\nl3\r\n";
    EXPECT_EQ(top(message, 0), "H1: a\r\nH2: b\r\n\r\n");
    EXPECT_EQ(top(message, 1), "H1: a\r\nH2: b\r\n\r\nl1\r\n");
    EXPECT_EQ(top(message, 2), "H1: a\r\nH2: b\r\n\r\nl1\r\nl2\r\n");
    EXPECT_EQ(top(message, 3), message);
    EXPECT_EQ(top(message, 100), message);
    EXPECT_EQ(top("H: a\nB: b\n\nx\ny\n", 1), "H: a\nB: b\n\nx\n");          // LF-only store
    EXPECT_EQ(top("H: no body\r\n", 0), "H: no body\r\n");                   // no blank line: all header
    EXPECT_EQ(top("H: a\r\n\r\n\r\n\r\nx\r\n", 2), "H: a\r\n\r\n\r\n\r\n");  // empty body lines count
    EXPECT_EQ(top("H: a\r\n\r\nlast line without end", 5), "H: a\r\n\r\nlast line without end");
    EXPECT_EQ(top("H: \r\r\n\r\nx\r\n", 0), "H: \r\r\n\r\n");  // "\r\r\n" is not an empty line
}

TEST(TopLimiter, SameOutputWhateverTheSplit) {
    const std::string message = "H1: a\r\nH2: b\r\n\r\nl1\r\nl2\r\nl3\r\n";
    for (std::uint64_t n : {0, 1, 2, 5}) {
        const std::string whole = top(message, n);
        for (std::size_t cut = 0; cut <= message.size(); ++cut) {
            for (std::size_t cut2 = cut; cut2 <= message.size(); ++cut2) {
                ASSERT_EQ(top(message, n, {cut, cut2}), whole) << n << " " << cut << " " << cut2;
            }
        }
    }
}

}  // namespace
