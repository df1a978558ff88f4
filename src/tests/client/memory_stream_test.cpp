// The client over the in-memory transport (MemoryStream): a scripted peer, virtual time, no sockets.
#include "client/memory_stream.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "client/connection.hpp"

namespace pop3::client {
namespace {

using namespace std::chrono_literals;
using pop3::ReplyKind;
using RealClock = std::chrono::steady_clock;

struct Memory {
    MemoryStream* peer = nullptr;  // owned by the connection
    Transcript transcript;
    Connection c;
};

// A connection over a fresh MemoryStream. The peer's pointer stays valid while the connection lives.
std::unique_ptr<Memory> over_memory(ClientOptions o = {}) {
    auto m = std::make_unique<Memory>();
    auto stream = std::make_unique<MemoryStream>();
    m->peer = stream.get();
    m->c = Connection::over(std::move(stream), o, m->transcript);
    return m;
}

TEST(ClientMemoryStream, GreetingAndReplyToACommand) {
    auto m = over_memory();
    m->peer->push("+OK POP3 ready\r\n");
    m->peer->on_write = [&](std::string_view bytes) {
        if (bytes == "STAT\r\n") m->peer->push("+OK 2 320\r\n");
    };
    EXPECT_TRUE(m->c.is_open());
    EXPECT_EQ(m->c.peer_address(), "memory:0");
    auto g = m->c.read_greeting();
    ASSERT_TRUE(g) << g.error().to_string();
    EXPECT_EQ(g->text, "POP3 ready");
    ASSERT_TRUE(m->c.send_line("STAT"));
    auto r = m->c.read_reply(ReplyKind::single_line);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->text, "2 320");
    EXPECT_EQ(m->peer->written(), "STAT\r\n");
    EXPECT_NE(m->transcript.to_text().find("S: +OK 2 320"), std::string::npos) << m->transcript.to_text();
}

TEST(ClientMemoryStream, PipelinedRepliesInOddChunks) {
    ClientOptions o;
    o.read_chunk = 5;  // every read takes at most 5 bytes
    auto m = over_memory(o);
    const std::string replies = "+OK 1 10\r\n+OK\r\n1 a\r\n.\r\n+OK\r\n..x\r\n.\r\n";
    // Three segments cutting the replies at arbitrary points.
    m->peer->push(replies.substr(0, 3));
    m->peer->push(replies.substr(3, 14));
    m->peer->push(replies.substr(17));
    ASSERT_TRUE(m->c.send_raw("STAT\r\nLIST\r\nRETR 1\r\n"));
    auto stat = m->c.read_reply(ReplyKind::single_line);
    ASSERT_TRUE(stat) << stat.error().to_string();
    EXPECT_EQ(stat->text, "1 10");
    EXPECT_LE(m->c.buffered_bytes(), o.read_chunk);
    auto list = m->c.read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(list) << list.error().to_string();
    EXPECT_EQ(list->body, "1 a\r\n");
    auto retr = m->c.read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(retr) << retr.error().to_string();
    EXPECT_EQ(retr->body, ".x\r\n");
    EXPECT_EQ(m->c.buffered_bytes(), 0U);
    EXPECT_EQ(m->peer->pending_bytes(), 0U);
}

TEST(ClientMemoryStream, StlsDiscardsEverythingAfterTheOk) {
    ClientOptions o;
    o.read_chunk = 8;
    auto m = over_memory(o);
    // "+OK\r\n" then 13 injected bytes: the client reads 8 at a time, so 3 are buffered and 10 still queued.
    m->peer->push("+OK go\r\n+OK injected\r\n");
    ASSERT_TRUE(m->c.send_line("STLS"));
    auto ok = m->c.read_reply(ReplyKind::single_line);
    ASSERT_TRUE(ok) << ok.error().to_string();
    EXPECT_EQ(ok->text, "go");
    const std::size_t buffered = m->c.buffered_bytes();
    EXPECT_EQ(buffered, 0U);  // the first read ended at the +OK line (8 bytes)
    auto tls = m->c.start_tls();
    ASSERT_TRUE(tls) << tls.error().to_string();
    EXPECT_EQ(tls->discarded_bytes + m->peer->dropped_at_handshake(), 14U);
    EXPECT_TRUE(m->c.tls_active());
    EXPECT_EQ(tls->version, "memory-TLS");
    EXPECT_EQ(m->c.buffered_bytes(), 0U);

    // The same with the injection already read: all 14 bytes are counted by the client.
    ClientOptions big;
    auto m2 = over_memory(big);
    m2->peer->push("+OK go\r\n+OK injected\r\n");
    auto ok2 = m2->c.read_reply(ReplyKind::single_line);
    ASSERT_TRUE(ok2);
    EXPECT_EQ(m2->c.buffered_bytes(), 14U);
    auto tls2 = m2->c.start_tls();
    ASSERT_TRUE(tls2) << tls2.error().to_string();
    EXPECT_EQ(tls2->discarded_bytes, 14U);
    EXPECT_EQ(m2->peer->dropped_at_handshake(), 0U);
    EXPECT_EQ(m2->c.buffered_bytes(), 0U);
    EXPECT_NE(m2->transcript.to_text().find("discarded 14 bytes"), std::string::npos);
    // A second start_tls is refused.
    auto again = m2->c.start_tls();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, Errc::bad_argument);
}

TEST(ClientMemoryStream, FailedHandshakeIsATlsError) {
    auto m = over_memory();
    m->peer->on_start_tls = [] { return false; };
    auto tls = m->c.start_tls();
    ASSERT_FALSE(tls);
    EXPECT_EQ(tls.error().kind, Errc::tls_error);
    EXPECT_FALSE(m->c.tls_active());
}

TEST(ClientMemoryStream, SilentPeerTimesOutAtOnceInVirtualTime) {
    ClientOptions o;
    o.io_timeout = 10000ms;
    o.reply_timeout = 30000ms;
    auto m = over_memory(o);
    const auto before = m->peer->now();
    const auto wall = RealClock::now();
    auto r = m->c.read_greeting();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::timeout);
    EXPECT_EQ(r.error().received, 0U);
    EXPECT_EQ(m->peer->now() - before, std::chrono::milliseconds(10000));  // one inactivity bound, virtually
    EXPECT_LT(RealClock::now() - wall, 1000ms);                            // and no real wait
    // A reply dripping one byte every 4 s never trips the 10 s inactivity bound, but the 30 s reply bound stops it.
    auto m2 = over_memory(o);
    for (char ch : std::string("+OK dripping slowly\r\n"))
        m2->peer->push(std::string(1, ch), 4000ms);
    auto r2 = m2->c.read_greeting();
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().kind, Errc::timeout);
    EXPECT_EQ(r2.error().received, 7U);  // bytes at 4, 8, ..., 28 s
    // The overall deadline is virtual too.
    ClientOptions d = o;
    d.overall_deadline = 5000ms;
    auto m3 = over_memory(d);
    auto r3 = m3->c.read_greeting();
    ASSERT_FALSE(r3);
    EXPECT_EQ(r3.error().kind, Errc::deadline_exceeded);
    EXPECT_EQ(m3->c.time_left(), 0ms);
}

TEST(ClientMemoryStream, PastTheDeadlineOnlyBytesAlreadyThereAreTaken) {
    ClientOptions o;
    o.overall_deadline = 1000ms;
    auto m = over_memory(o);
    m->peer->advance(2000ms);
    // Already there: parsed, though the read itself timed out (a socket read cancelled after taking them).
    m->peer->push("+OK late\r\n");
    auto g = m->c.read_greeting();
    ASSERT_TRUE(g) << g.error().to_string();
    EXPECT_EQ(g->text, "late");
    // Two segments: one read takes the first, then the call ends with the deadline; nothing is lost.
    m->peer->push("+OK pa");
    m->peer->push("rt\r\n");
    auto r = m->c.read_reply(ReplyKind::single_line);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::deadline_exceeded);
    EXPECT_EQ(r.error().received, 6U);
    auto rest = m->c.read_reply(ReplyKind::single_line);
    ASSERT_TRUE(rest) << rest.error().to_string();
    EXPECT_EQ(rest->text, "part");
    // A delayed segment is not there yet.
    m->peer->push("+OK later\r\n", 10ms);
    auto d = m->c.read_reply(ReplyKind::single_line);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().kind, Errc::deadline_exceeded);
    EXPECT_EQ(d.error().received, 0U);
}

TEST(ClientMemoryStream, EofMidReplyIsClosedByPeerWithThePartialBytes) {
    auto m = over_memory();
    m->peer->push("+OK 2 messages\r\nline one\r\nline t");
    m->peer->push_close();
    auto r = m->c.read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::closed_by_peer);
    EXPECT_EQ(r.error().partial, "+OK 2 messages\r\nline one\r\nline t");
    EXPECT_EQ(r.error().received, 32U);
    EXPECT_FALSE(m->c.is_open());
    auto w = m->c.wait_closed(1000ms);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->closed);
    EXPECT_FALSE(w->reset);
}

TEST(ClientMemoryStream, PeerResetAndWriteFailures) {
    auto m = over_memory();
    m->peer->push("+OK hi\r\n");
    m->peer->push_close(true);
    auto w = m->c.wait_closed(1000ms);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->closed);
    EXPECT_TRUE(w->reset);
    EXPECT_EQ(w->bytes_received, 8U);
    auto s = m->c.send_line("NOOP");
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, Errc::closed_by_peer);

    auto m2 = over_memory();
    m2->peer->fail_writes(StreamStatus::failed);
    auto s2 = m2->c.send_line("NOOP");
    ASSERT_FALSE(s2);
    EXPECT_EQ(s2.error().kind, Errc::io_error);
    m2->c.close();
    EXPECT_FALSE(m2->c.is_open());
    auto s3 = m2->c.send_line("NOOP");
    ASSERT_FALSE(s3);
    EXPECT_EQ(s3.error().kind, Errc::not_connected);
}

TEST(ClientMemoryStream, ExpectSilenceReturnsWhatArrived) {
    ClientOptions o;
    o.read_chunk = 16;
    auto m = over_memory(o);
    auto quiet = m->c.expect_silence(500ms);
    ASSERT_TRUE(quiet);
    EXPECT_EQ(*quiet, "");
    m->peer->push(std::string(40, 'x'), 100ms);
    auto noisy = m->c.expect_silence(500ms);
    ASSERT_TRUE(noisy);
    EXPECT_EQ(*noisy, std::string(16, 'x'));  // at most read_chunk bytes kept
    EXPECT_EQ(m->peer->pending_bytes(), 0U);  // all consumed
}

TEST(ClientMemoryStream, SecretsStayOutOfTheTranscript) {
    auto m = over_memory();
    ASSERT_TRUE(m->c.send_line("PASS open sesame", Secret::pass_argument));
    ASSERT_TRUE(m->c.send_raw("USER a\r\nAPOP a c4c9334bac560ecc979e58001b3e22fb\r\n", Secret::apop_digest));
    EXPECT_NE(m->peer->written().find("open sesame"), std::string::npos);
    const std::string text = m->transcript.to_text();
    EXPECT_EQ(text.find("open sesame"), std::string::npos) << text;
    EXPECT_EQ(text.find("c4c9334bac560ecc979e58001b3e22fb"), std::string::npos) << text;
}

}  // namespace
}  // namespace pop3::client
