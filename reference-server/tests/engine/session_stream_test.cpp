// Streaming: large bodies leave the engine in bounded chunks, and a pipelined command waits for the whole reply.
#include "harness.hpp"
#include "pop3/dot_stuffing.hpp"

namespace pop3::server::test {
namespace {

// A large message of LF-ended 1000-octet lines, every tenth starting with a dot.
std::string big_message(std::size_t octets, std::size_t& dot_lines) {
    std::string m = "Subject: big\n\n";
    dot_lines = 0;
    std::size_t i = 0;
    while (m.size() < octets) {
        std::string line(999, static_cast<char>('a' + i % 26));
        if (i % 10 == 0) {
            line[0] = '.';
            ++dot_lines;
        }
        m += line;
        m += '\n';
        ++i;
    }
    return m;
}

struct Drain {
    std::uint64_t octets = 0;
    std::size_t max_chunk = 0;
    std::string head;
    std::string tail;
};

// Runs the transport loop without keeping the output: the body is counted, never held whole.
Drain drain(Session& s) {
    Drain d;
    while (s.next() == Session::Next::write) {
        const std::string_view chunk = s.pending_output();
        d.octets += chunk.size();
        d.max_chunk = std::max(d.max_chunk, chunk.size());
        if (d.head.size() < 64) d.head += chunk.substr(0, 64);
        d.tail += chunk;
        if (d.tail.size() > 64) d.tail.erase(0, d.tail.size() - 64);
        s.consume_output(chunk.size());
    }
    return d;
}

TEST(SessionStream, SixtyFourMebibyteRetrInBoundedChunks) {
    std::size_t dot_lines = 0;
    std::string message = big_message(64U << 20, dot_lines);
    const std::uint64_t size = size_as_sent(message);
    Harness h;
    h.store.add("alice", std::move(message));  // moved: the store holds the only copy
    h.connect();
    ASSERT_TRUE(starts_with(h.login(), "+OK"));
    h.session->feed("RETR 1\r\nQUIT\r\n");
    const Drain d = drain(*h.session);
    const std::string status = "+OK " + std::to_string(size) + " octets\r\n";
    EXPECT_EQ(d.head.substr(0, status.size()), status);
    // status line + body with CRLF + one extra dot per dot line + ".\r\n" + the QUIT reply
    const std::string quit_reply = "+OK bye (0 messages deleted)\r\n";
    EXPECT_EQ(d.octets, status.size() + size + dot_lines + 3 + quit_reply.size());
    EXPECT_TRUE(d.tail.ends_with("\r\n.\r\n" + quit_reply)) << d.tail;
    // One chunk is at most stream_chunk stored octets, grown by CRLF and stuffing: never the whole message.
    EXPECT_LE(d.max_chunk, 2 * h.config_->stream_chunk + 512);
    EXPECT_EQ(h.session->next(), Session::Next::close);
}

TEST(SessionStream, TopOfLargeMessageStopsEarly) {
    std::size_t dot_lines = 0;
    Harness h;
    h.store.add("alice", big_message(8U << 20, dot_lines));
    h.connect();
    h.login();
    h.session->feed("TOP 1 3\r\n");
    const Drain d = drain(*h.session);
    EXPECT_EQ(d.octets, std::string("+OK top of message follows\r\n").size() + 14 + 2 + 3 * 1001 + 1 + 3);
}

TEST(SessionStream, NextCommandWaitsForTheWholeBody) {
    std::size_t dot_lines = 0;
    Harness h;
    h.store.add("alice", big_message(1U << 20, dot_lines));
    h.connect();
    h.login();
    h.session->feed("RETR 1\r\nDELE 1\r\nQUIT\r\n");
    ASSERT_EQ(h.session->next(), Session::Next::write);
    h.session->consume_output(h.session->pending_output().size());
    ASSERT_EQ(h.session->next(), Session::Next::write);
    EXPECT_EQ(h.session->state(), SessionState::transaction);
    drain(*h.session);
    EXPECT_EQ(h.session->state(), SessionState::closed);
    EXPECT_TRUE(h.store.contents("alice").empty());
}

TEST(SessionStream, PartialConsumeKeepsTheRest) {
    Harness h;
    h.seed();
    h.connect();
    h.login();
    h.session->feed("UIDL\r\n");
    std::string out;
    while (h.session->next() == Session::Next::write) {
        const std::string_view chunk = h.session->pending_output();
        out += chunk.substr(0, 3);
        h.session->consume_output(std::min<std::size_t>(3, chunk.size()));
    }
    EXPECT_EQ(out, "+OK unique-id listing follows\r\n1 m1\r\n2 m2\r\n3 m3\r\n.\r\n");
}

TEST(SessionStream, HundredThousandMessageListingIsChunked) {
    Harness h;
    for (int i = 0; i < 100'000; ++i)
        h.store.add("alice", "Subject: x\r\n\r\nbody\r\n");
    h.connect();
    const std::string reply = h.login();
    EXPECT_EQ(reply, "+OK maildrop has 100000 messages (2000000 octets)\r\n");
    h.session->feed("LIST\r\n");
    const Drain list = drain(*h.session);
    EXPECT_LE(list.max_chunk, h.config_->stream_chunk + 512);
    EXPECT_EQ(list.tail.substr(list.tail.size() - 3), ".\r\n");
    h.session->feed("UIDL\r\n");
    const Drain uidl = drain(*h.session);
    EXPECT_TRUE(uidl.tail.ends_with("100000 m100000\r\n.\r\n"));
}

TEST(SessionStream, PipelinedFloodAnsweredOncePerCommand) {
    Harness h;
    h.seed();
    h.connect();
    h.login();
    std::string flood;
    while (flood.size() + 6 <= h.session->max_input_buffer())
        flood += "NOOP\r\n";
    const auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(h.session->feed(flood), flood.size());
    const Drain d = drain(*h.session);
    EXPECT_EQ(d.octets, flood.size() / 6 * 5);  // one "+OK\r\n" per NOOP
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

TEST(SessionStream, FeedPushesBackBeyondCapacity) {
    Harness h;
    h.connect();
    const std::string flood(h.session->max_input_buffer() + 100, 'x');
    EXPECT_EQ(h.session->feed(flood), h.session->max_input_buffer());
}

}  // namespace
}  // namespace pop3::server::test
