// The client against hostile servers: each misbehaviour gives a clear typed error (or a reply with its violation)
// within the timeout, never a hang, and memory stays bounded (the partial reply, the buffer and the transcript are
// all capped).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>
#include <thread>

#include "client_test_support.hpp"

namespace pop3::client {
namespace {

using namespace test;
using pop3::ReplyKind;
using pop3::Violation;
using pop3::testing::Behaviour;
using pop3::testing::ScriptedServer;
namespace hostile = pop3::testing::hostile;

// The process's peak resident set in MiB: if the client kept a 100 MB line, the peak would jump by 100.
long peak_rss_mib() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

// The bound on that growth. Under ASan freed buffers stay resident in its quarantine (and the scripted server's send
// buffers live in the same process), so the bound is looser there; both stay far below the 100 MiB a kept line costs.
#if defined(__SANITIZE_ADDRESS__)
constexpr long rss_growth_bound_mib = 64;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long rss_growth_bound_mib = 64;
#else
constexpr long rss_growth_bound_mib = 32;
#endif
#else
constexpr long rss_growth_bound_mib = 32;
#endif

ClientOptions strict_options() {
    auto o = quick_options();
    o.parser.strictness = pop3::Strictness::strict;
    return o;
}

// Connects and reads the greeting, returning its result and the time it took.
struct Timed {
    Result<pop3::Reply> reply;
    long long ms;
};

Timed greeting_from(ScriptedServer& server, Transcript& t, ClientOptions o = quick_options()) {
    auto c = connect_to(server, t, o);
    if (!c) return {c.error(), 0};
    const auto start = Clock::now();
    auto r = c->read_greeting();
    return {std::move(r), ms_since(start)};
}

TEST(ClientHostile, SilentServerTimesOut) {
    ScriptedServer server;
    server.greeting(hostile::silence());
    Transcript t;
    auto o = quick_options();
    o.io_timeout = 300ms;
    auto [r, ms] = greeting_from(server, t, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::timeout);
    EXPECT_EQ(r.error().received, 0u);
    EXPECT_GE(ms, 290);
    EXPECT_LT(ms, 3000);
    EXPECT_NE(t.to_text().find("timeout"), std::string::npos);
}

TEST(ClientHostile, LineThatNeverEndsTimesOutWithPartial) {
    ScriptedServer server;
    server.greeting(hostile::unterminated_line("+OK this line never ends"));
    Transcript t;
    auto o = quick_options();
    o.io_timeout = 300ms;
    auto [r, ms] = greeting_from(server, t, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::timeout);
    EXPECT_EQ(r.error().partial, "+OK this line never ends");
    EXPECT_LT(ms, 3000);
}

TEST(ClientHostile, EndlessBodyStopsAtTheReplyTimeoutWithBoundedMemory) {
    ScriptedServer server;
    server.on("RETR", hostile::endless_body());
    Transcript t;
    auto o = quick_options();
    o.reply_timeout = 700ms;
    o.parser.limits.max_body = 64 * 1024;
    auto c = connect_to(server, t, o);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    const long rss_before = peak_rss_mib();
    const auto start = Clock::now();
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    const auto ms = ms_since(start);
    ASSERT_FALSE(r);
    EXPECT_LT(peak_rss_mib() - rss_before, rss_growth_bound_mib) << "MiB";
    std::printf("[ figure ] endless body: %zu bytes received in %lld ms, peak RSS growth %ld MiB\n", r.error().received,
                ms, peak_rss_mib() - rss_before);
    EXPECT_EQ(r.error().kind, Errc::timeout);
    EXPECT_GE(ms, 690);
    EXPECT_LT(ms, 4000);
    // Far more arrived than is kept anywhere.
    EXPECT_GT(r.error().received, 1u << 20);
    EXPECT_LE(r.error().partial.size(), o.max_partial_bytes);
    EXPECT_LE(c->buffered_bytes(), o.read_chunk);
    EXPECT_LT(t.to_text().size(), 16u * 1024);
}

TEST(ClientHostile, EndlessBodyInStrictModeIsALimitError) {
    ScriptedServer server;
    server.on("RETR", hostile::endless_body());
    Transcript t;
    auto o = strict_options();
    o.parser.limits.max_body = 64 * 1024;
    auto c = connect_to(server, t, o);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    const auto start = Clock::now();
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::limit_exceeded);
    EXPECT_EQ(r.error().cause, Violation::body_too_large);
    EXPECT_LT(ms_since(start), 3000);
}

TEST(ClientHostile, DrippingServerIsStoppedByTheReplyTimeout) {
    // One byte every 50 ms never trips the 300 ms inactivity bound; the 600 ms reply bound stops it.
    ScriptedServer server;
    server.greeting(hostile::drip("+OK a greeting that drips in slowly\r\n", 50ms));
    Transcript t;
    auto o = quick_options();
    o.io_timeout = 300ms;
    o.reply_timeout = 600ms;
    auto [r, ms] = greeting_from(server, t, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::timeout);
    EXPECT_GE(ms, 590);
    EXPECT_LT(ms, 3000);
    EXPECT_GE(r.error().received, 5u);
    EXPECT_EQ(r.error().partial.substr(0, 3), "+OK");
}

TEST(ClientHostile, DrippingServerIsStoppedByTheOverallDeadline) {
    ScriptedServer server;
    server.greeting(hostile::drip("+OK a greeting that drips in slowly\r\n", 50ms));
    Transcript t;
    auto o = quick_options();
    o.io_timeout = 300ms;
    o.reply_timeout = 10000ms;
    o.overall_deadline = 500ms;
    auto [r, ms] = greeting_from(server, t, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::deadline_exceeded);
    EXPECT_LT(ms, 3000);
}

TEST(ClientHostile, DripThatCompletesInTimeParses) {
    ScriptedServer server;
    server.greeting(hostile::drip("+OK hi\r\n", 20ms));
    Transcript t;
    auto [r, ms] = greeting_from(server, t);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->text, "hi");
    // Eight reads merged into one transcript entry.
    int received = 0;
    for (const auto& e : t.entries())
        received += e.direction == Direction::server_to_client ? 1 : 0;
    EXPECT_EQ(received, 1);
}

TEST(ClientHostile, ReadAfterATimeoutBeforeAnyByteUsesTheNewKind) {
    // The first read gives up before the reply starts; the second, with another kind, must get the whole reply.
    ScriptedServer server;
    server.on("LIST", Behaviour().pause(400ms).send("+OK\r\n1 120\r\n.\r\n"));
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("LIST"));
    ReadOptions quick;
    quick.timeout = 100ms;
    auto first = c->read_reply(ReplyKind::single_line, quick);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, Errc::timeout);
    auto second = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(second) << second.error().to_string();
    EXPECT_EQ(second->body, "1 120\r\n");
}

// A read may wait longer than the connection's inactivity limit when the caller says so (a server that holds its
// reply while it waits for a lock); without the override the connection's io_timeout cuts it short.
TEST(ClientHostile, PerReadInactivityTimeoutOutlastsTheConnectionsIoTimeout) {
    ScriptedServer server;
    server.on("STAT", Behaviour().pause(700ms).send("+OK 1 120\r\n"));
    server.on("NOOP", Behaviour().pause(700ms).send("+OK\r\n"));
    Transcript t;
    auto options = quick_options();
    options.io_timeout = 200ms;
    auto c = connect_to(server, t, options);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("STAT"));
    ReadOptions only_reply_bound;
    only_reply_bound.timeout = 3000ms;
    auto cut = c->read_reply(ReplyKind::single_line, only_reply_bound);
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error().kind, Errc::timeout);
    ReadOptions patient;
    patient.timeout = 3000ms;
    patient.inactivity_timeout = 3000ms;
    auto late = c->read_reply(ReplyKind::single_line, patient);  // the STAT reply, once it comes
    ASSERT_TRUE(late) << late.error().to_string();
    EXPECT_EQ(late->text, "1 120");
    ASSERT_TRUE(c->send_line("NOOP"));
    auto r = c->read_reply(ReplyKind::single_line, patient);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, pop3::Status::ok);
}

TEST(ClientHostile, ReadAfterATimeoutMidReplyContinuesIt) {
    ScriptedServer server;
    server.on("LIST", Behaviour().send("+OK\r\n1 1").pause(400ms).send("20\r\n.\r\n"));
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("LIST"));
    ReadOptions quick;
    quick.timeout = 150ms;
    auto first = c->read_reply(ReplyKind::multi_line_if_ok, quick);
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().kind, Errc::timeout);
    EXPECT_EQ(first.error().partial, "+OK\r\n1 1");
    auto second = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(second) << second.error().to_string();
    EXPECT_EQ(second->body, "1 120\r\n");
}

TEST(ClientHostile, NulBytesAreAViolation) {
    ScriptedServer server;
    server.greeting(hostile::nul_bytes());
    Transcript t;
    auto [r, ms] = greeting_from(server, t);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->has(Violation::nul_byte));
    EXPECT_NE(t.to_text().find("\\x00"), std::string::npos);

    ScriptedServer strict_server;
    strict_server.greeting(hostile::nul_bytes());
    Transcript t2;
    auto [s, ms2] = greeting_from(strict_server, t2, strict_options());
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().kind, Errc::protocol_violation);
    EXPECT_EQ(s.error().cause, Violation::nul_byte);
}

TEST(ClientHostile, HundredMegabyteLineIsBoundedTolerant) {
    ScriptedServer server;
    server.greeting(hostile::huge_line(100ULL * 1000 * 1000));
    Transcript t;
    auto o = quick_options();
    o.reply_timeout = 15000ms;
    const long rss_before = peak_rss_mib();
    auto [r, ms] = greeting_from(server, t, o);
    const long rss_growth = peak_rss_mib() - rss_before;
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_LT(rss_growth, rss_growth_bound_mib) << "MiB";
    EXPECT_TRUE(r->has(Violation::status_line_too_long));
    EXPECT_LE(r->status_line.size(), 512u);
    EXPECT_EQ(r->wire_octets, 100ULL * 1000 * 1000 + 6);
    EXPECT_LT(t.to_text().size(), 16u * 1024);
    std::printf("[ figure ] 100 MB status line read and dropped in %lld ms, peak RSS growth %ld MiB\n", ms, rss_growth);
}

TEST(ClientHostile, HundredMegabyteLineIsALimitErrorStrict) {
    ScriptedServer server;
    server.greeting(hostile::huge_line(100ULL * 1000 * 1000));
    Transcript t;
    auto [r, ms] = greeting_from(server, t, strict_options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::limit_exceeded);
    EXPECT_EQ(r.error().cause, Violation::status_line_too_long);
    EXPECT_LT(ms, 3000);
}

TEST(ClientHostile, EndlessStatusLineTimesOutWithBoundedMemory) {
    // A status line that never ends and never stops: tolerant mode drops what is over the limit and waits for the
    // line end until the reply bound; strict mode stops at the 513th octet.
    ScriptedServer server;
    server.greeting(Behaviour().send("+OK ").stream("A", 0));
    Transcript t;
    auto o = quick_options();
    o.reply_timeout = 500ms;
    const long rss_before = peak_rss_mib();
    auto [r, ms] = greeting_from(server, t, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::timeout);
    EXPECT_GT(r.error().received, 1u << 20);
    EXPECT_LT(peak_rss_mib() - rss_before, rss_growth_bound_mib) << "MiB";
    EXPECT_LT(ms, 3000);

    ScriptedServer strict_server;
    strict_server.greeting(Behaviour().send("+OK ").stream("A", 0));
    Transcript t2;
    auto [e, ms2] = greeting_from(strict_server, t2, strict_options());
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().kind, Errc::limit_exceeded);
    EXPECT_LT(ms2, 3000);
}

TEST(ClientHostile, WaitClosedSeesAServerReset) {
    ScriptedServer server;
    server.on("QUIT", Behaviour().reset());
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("QUIT"));
    auto w = c->wait_closed(3000ms);
    ASSERT_TRUE(w) << w.error().to_string();
    EXPECT_TRUE(w->closed);
    EXPECT_TRUE(w->reset);
    EXPECT_NE(t.to_text().find("connection reset by peer"), std::string::npos);
}

TEST(ClientHostile, WritingToAServerThatResetIsClosedByPeer) {
    ScriptedServer server;
    server.on("NOOP", Behaviour().reset());
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("NOOP"));
    ASSERT_TRUE(server.wait_sessions_ended(1, 5000ms));
    // The first write after the reset may still be accepted by the kernel; a later one must fail, typed.
    Result<void> sent;
    for (int i = 0; i < 5 && sent.ok(); ++i) {
        sent = c->send_line("NOOP");
        if (sent.ok()) std::this_thread::sleep_for(50ms);
    }
    ASSERT_FALSE(sent.ok());
    EXPECT_EQ(sent.error().kind, Errc::closed_by_peer);
}

TEST(ClientHostile, HugeBodyLineIsALimitErrorStrict) {
    ScriptedServer server;
    server.on("RETR", Behaviour("+OK\r\n").stream("B", 8u << 20).send("\r\n.\r\n"));
    Transcript t;
    auto o = strict_options();
    o.parser.limits.max_body_line = 1u << 20;
    auto c = connect_to(server, t, o);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::limit_exceeded);
    EXPECT_EQ(r.error().cause, Violation::body_line_too_long);
}

TEST(ClientHostile, CloseMidReplyIsClosedByPeerWithPartial) {
    ScriptedServer server;
    server.on("STAT", hostile::close_mid_reply("+OK 2 mess"));
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("STAT"));
    const auto start = Clock::now();
    auto r = c->read_reply(ReplyKind::single_line);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::closed_by_peer);
    EXPECT_EQ(r.error().partial, "+OK 2 mess");
    EXPECT_LT(ms_since(start), 3000);
    EXPECT_FALSE(c->is_open());
}

TEST(ClientHostile, CloseMidBodyIsClosedByPeer) {
    ScriptedServer server;
    server.on("RETR", Behaviour("+OK\r\nline one\r\nline tw").close());
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::closed_by_peer);
    EXPECT_EQ(r.error().cause, Violation::missing_terminator_at_eof);
    EXPECT_EQ(r.error().partial, "+OK\r\nline one\r\nline tw");
}

TEST(ClientHostile, CloseBeforeGreeting) {
    ScriptedServer server;
    server.greeting(Behaviour().close());
    Transcript t;
    auto [r, ms] = greeting_from(server, t);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::closed_by_peer);
    EXPECT_TRUE(r.error().partial.empty());
    EXPECT_LT(ms, 3000);
}

TEST(ClientHostile, ResetByServer) {
    ScriptedServer server;
    server.on("STAT", Behaviour().reset());
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("STAT"));
    auto r = c->read_reply(ReplyKind::single_line);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::closed_by_peer);
}

TEST(ClientHostile, BareLfToleratedAndFlagged) {
    ScriptedServer server;
    server.on("LIST", hostile::bare_lf("+OK\r\n1 120\r\n.\r\n"));
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("LIST"));
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->has(Violation::bare_lf));
    EXPECT_EQ(r->lines(), std::vector<std::string_view>{"1 120"});
}

TEST(ClientHostile, BareLfIsAnErrorStrict) {
    ScriptedServer server;
    server.greeting(hostile::bare_lf("+OK hi\r\n"));
    Transcript t;
    auto [r, ms] = greeting_from(server, t, strict_options());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::protocol_violation);
    EXPECT_EQ(r.error().cause, Violation::bare_lf);
}

TEST(ClientHostile, LowercaseOkIsNonCanonical) {
    ScriptedServer server;
    server.greeting(hostile::lowercase_ok());
    Transcript t;
    auto [r, ms] = greeting_from(server, t);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, pop3::Status::ok);
    EXPECT_TRUE(r->has(Violation::non_canonical_status));
}

TEST(ClientHostile, PlusErrIsNotSuccess) {
    // D12: "+ERR" must never read as success.
    ScriptedServer server;
    server.greeting("+ERR Server error\r\n");
    Transcript t;
    auto [r, ms] = greeting_from(server, t);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok());
    EXPECT_TRUE(r->has(Violation::bad_status_indicator));
}

TEST(ClientHostile, TooLongStatusLine) {
    ScriptedServer server;
    server.greeting(hostile::too_long_status(600));
    Transcript t;
    auto [r, ms] = greeting_from(server, t);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->has(Violation::status_line_too_long));

    ScriptedServer s2;
    s2.greeting(hostile::too_long_status(600));
    Transcript t2;
    auto [e, ms2] = greeting_from(s2, t2, strict_options());
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().kind, Errc::limit_exceeded);
}

TEST(ClientHostile, StatusLineAtTheLimitIsFine) {
    ScriptedServer server;
    server.greeting(hostile::too_long_status(512));
    Transcript t;
    auto [r, ms] = greeting_from(server, t, strict_options());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->violations.empty());
}

TEST(ClientHostile, ConnectToServerThatNeverAcceptsTlsTimesOut) {
    // Implicit TLS against a server that says nothing: the handshake is bounded by connect_timeout.
    ScriptedServer server;
    server.greeting(hostile::silence());
    Transcript t;
    auto o = quick_options();
    o.connect_timeout = 400ms;
    const auto start = Clock::now();
    auto c = connect_to(server, t, o, TlsMode::implicit);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Errc::tls_error);
    EXPECT_LT(ms_since(start), 3000);
}

}  // namespace
}  // namespace pop3::client
