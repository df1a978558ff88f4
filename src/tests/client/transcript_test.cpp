#include "client/transcript.hpp"

#include <gtest/gtest.h>

#include <string>

namespace pop3::client {
namespace {

// Every stored byte of every entry, joined: what a report could ever show.
std::string everything(const Transcript& t) {
    std::string all;
    for (const auto& e : t.entries())
        all += e.head + "|" + e.tail + "|";
    return all + t.to_text();
}

TEST(ClientTranscriptEscape, ShowsLineEndsNulAndNonPrintables) {
    EXPECT_EQ(Transcript::escape(std::string("+OK a\tb\r\n\0\x7f\xff\\", 13)), "+OK a\\tb\\r\\n\\x00\\x7F\\xFF\\\\");
    EXPECT_EQ(Transcript::escape(""), "");
}

TEST(ClientTranscriptMask, EachSecretKindRedactsItsPart) {
    EXPECT_EQ(Transcript::mask_line("PASS my secret\r\n", Secret::pass_argument), "PASS <redacted>\r\n");
    EXPECT_EQ(Transcript::mask_line("APOP alice c4c9334bac560ecc979e58001b3e22fb\r\n", Secret::apop_digest),
              "APOP alice <redacted>\r\n");
    EXPECT_EQ(Transcript::mask_line("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n", Secret::auth_payload),
              "AUTH PLAIN <redacted>\r\n");
    EXPECT_EQ(Transcript::mask_line("AUTH PLAIN\r\n", Secret::auth_payload), "AUTH PLAIN\r\n");
    EXPECT_EQ(Transcript::mask_line("AGFsaWNlAHNlY3JldA==\r\n", Secret::whole_line), "<redacted>\r\n");
    EXPECT_EQ(Transcript::mask_line("STAT\r\n", Secret::none), "STAT\r\n");
}

TEST(ClientTranscriptRedaction, PassArgumentNeverStored) {
    Transcript t;
    t.record_sent("PASS tanstaaf\r\n", Secret::pass_argument);
    ASSERT_EQ(t.entries().size(), 1u);
    EXPECT_EQ(t.entries()[0].head, "PASS <redacted>\r\n");
    EXPECT_EQ(everything(t).find("tanstaaf"), std::string::npos);
}

TEST(ClientTranscriptRedaction, PipelinedBatchMasksOnlyTheSecretCommand) {
    Transcript t;
    t.record_sent("USER alice\r\nPASS tanstaaf\r\nSTAT\r\n", Secret::pass_argument);
    EXPECT_EQ(t.entries()[0].head, "USER alice\r\nPASS <redacted>\r\nSTAT\r\n");
}

TEST(ClientTranscriptRedaction, RegisteredSecretRedactedInEveryDirection) {
    Transcript t;
    t.add_secret("tanstaaf");
    t.record_sent("XTRA tanstaaf\r\n");
    t.record_received("-ERR wrong password tanstaaf\r\n");
    t.record_event("login with tanstaaf failed");
    EXPECT_EQ(everything(t).find("tanstaaf"), std::string::npos);
    EXPECT_NE(everything(t).find("<redacted>"), std::string::npos);
}

TEST(ClientTranscriptRedaction, SecretSplitAcrossReadsIsRedacted) {
    Transcript t;
    t.add_secret("tanstaaf");
    t.record_received("-ERR echo tans");
    t.record_received("taaf\r\n");
    ASSERT_EQ(t.entries().size(), 1u);
    EXPECT_EQ(t.entries()[0].head, "-ERR echo <redacted>\r\n");
}

TEST(ClientTranscriptRedaction, SecretSplitAcrossReadsInTruncatedEntryIsRedacted) {
    Transcript t;
    t.add_secret("tanstaaf");
    t.record_received(std::string(100000, 'x'));
    t.record_received("tans");
    t.record_received("taaf");
    t.record_received("yy");
    const auto& e = t.entries().back();
    EXPECT_TRUE(e.truncated());
    EXPECT_EQ(everything(t).find("tanstaaf"), std::string::npos);
    EXPECT_NE(e.tail.find("<redacted>yy"), std::string::npos);
}

TEST(ClientTranscriptBounds, HugeReceptionBecomesOneBoundedEntry) {
    Transcript t;
    const std::string chunk(16384, 'a');
    for (int i = 0; i < 64; ++i)
        t.record_received(chunk);  // 1 MiB
    t.record_received("\r\n.\r\n");
    ASSERT_EQ(t.entries().size(), 1u);
    const auto& e = t.entries()[0];
    EXPECT_EQ(e.total, 64u * 16384 + 5);
    EXPECT_EQ(e.head.size(), 4096u);
    EXPECT_EQ(e.tail.size(), 512u);
    EXPECT_EQ(e.tail.substr(507), "\r\n.\r\n");
    EXPECT_EQ(e.omitted(), e.total - 4096 - 512);
    EXPECT_NE(e.escaped().find("bytes omitted"), std::string::npos);
}

TEST(ClientTranscriptBounds, ExactlyHeadPlusTailIsNotTruncated) {
    Transcript t;
    t.record_received(std::string(4096 + 512, 'b'));
    EXPECT_FALSE(t.entries()[0].truncated());
    t.record_received("c");
    EXPECT_TRUE(t.entries()[0].truncated());
    EXPECT_EQ(t.entries()[0].omitted(), 1u);
    EXPECT_EQ(t.entries()[0].tail.back(), 'c');
}

TEST(ClientTranscriptBounds, EntryCountIsBounded) {
    Transcript t(TranscriptLimits{64, 16, 10});
    for (int i = 0; i < 25; ++i)
        t.record_sent("NOOP\r\n");
    EXPECT_EQ(t.entries().size(), 10u);
    EXPECT_EQ(t.dropped_entries(), 15u);
    EXPECT_NE(t.to_text().find("15 further entries dropped"), std::string::npos);
}

TEST(ClientTranscriptEntries, DirectionsSessionsAndMerging) {
    Transcript t;
    t.start_clock();
    t.record_received("+OK ", 1);
    t.record_received("ready\r\n", 1);
    t.record_received("+OK other\r\n", 2);
    t.record_sent("STAT\r\n", Secret::none, 1);
    t.record_event("closed by peer", 1);
    ASSERT_EQ(t.entries().size(), 4u);
    EXPECT_EQ(t.entries()[0].head, "+OK ready\r\n");
    EXPECT_EQ(t.entries()[1].session, 2u);
    EXPECT_EQ(t.entries()[2].direction, Direction::client_to_server);
    EXPECT_EQ(t.entries()[3].direction, Direction::event);
    EXPECT_NE(t.to_text().find("S: +OK ready\\r\\n"), std::string::npos);
}

}  // namespace
}  // namespace pop3::client
