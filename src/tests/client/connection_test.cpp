// The client against a well-behaved scripted server: replies, bodies, pipelining, raw bytes, closing, transcripts.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <string>
#include <thread>

#include "client_test_support.hpp"

namespace pop3::client {
namespace {

using namespace test;
using pop3::ReplyKind;
using pop3::testing::Behaviour;
using pop3::testing::ScriptedServer;

TEST(ClientConnection, GreetingAndSingleLineReply) {
    ScriptedServer server;
    server.greeting("+OK POP3 ready <1896.697170952@dbc.mtview.ca.us>\r\n");
    server.on("STAT", "+OK 2 320\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->is_open());
    EXPECT_EQ(c->peer_address(), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_FALSE(c->tls_active());

    auto greeting = c->read_greeting();
    ASSERT_TRUE(greeting) << greeting.error().to_string();
    EXPECT_TRUE(greeting->ok());
    EXPECT_EQ(greeting->text, "POP3 ready <1896.697170952@dbc.mtview.ca.us>");

    ASSERT_TRUE(c->send_line("STAT"));
    auto stat = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(stat) << stat.error().to_string();
    EXPECT_EQ(stat->status, pop3::Status::ok);
    EXPECT_EQ(stat->text, "2 320");
    EXPECT_TRUE(stat->violations.empty());
    EXPECT_EQ(server.received_lines(), std::vector<std::string>{"STAT"});
}

TEST(ClientConnection, ErrReplyWithResponseCode) {
    ScriptedServer server;
    server.on("PASS", "-ERR [IN-USE] mailbox locked\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("PASS x", Secret::pass_argument));
    auto r = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, pop3::Status::err);
    ASSERT_TRUE(r->code.has_value());
    EXPECT_TRUE(r->code->is("IN-USE"));
}

TEST(ClientConnection, MultiLineBodyIsUnstuffed) {
    ScriptedServer server;
    server.on("RETR 1", "+OK 30 octets\r\nSubject: x\r\n\r\n..\r\n..x\r\nend\r\n.\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->multi_line);
    EXPECT_EQ(r->body, "Subject: x\r\n\r\n.\r\n.x\r\nend\r\n");
    EXPECT_EQ(r->body_lines, 5u);
}

TEST(ClientConnection, ErrToMultiLineCommandReadsNoBody) {
    // R1939-CLI-3: -ERR is always one line; the next reply must not be swallowed as a body.
    ScriptedServer server;
    server.on("RETR 9", "-ERR no such message\r\n");
    server.on("NOOP", "+OK\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_raw("RETR 9\r\nNOOP\r\n"));
    auto r = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, pop3::Status::err);
    EXPECT_FALSE(r->multi_line);
    auto n = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(n) << n.error().to_string();
    EXPECT_TRUE(n->ok());
}

TEST(ClientConnection, PipelinedBatchInOneWriteRepliesInOrder) {
    // R2449-CLI-3: replies are matched to commands in order, multi-line ones included.
    ScriptedServer server;
    server.on("STAT", "+OK 2 320\r\n");
    server.on("LIST", "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n");
    server.on("LIST 1", "+OK 1 120\r\n");
    server.on("NOOP", "+OK\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_raw("STAT\r\nLIST\r\nLIST 1\r\nNOOP\r\n"));
    auto r1 = c->read_reply(ReplyKind::single_line);
    auto r2 = c->read_reply(ReplyKind::multi_line_if_ok);
    auto r3 = c->read_reply(ReplyKind::single_line);
    auto r4 = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(r1 && r2 && r3 && r4);
    EXPECT_EQ(r1->text, "2 320");
    EXPECT_EQ(r2->body, "1 120\r\n2 200\r\n");
    EXPECT_EQ(r3->text, "1 120");
    EXPECT_EQ(r4->status_line, "+OK");
    // The batch went out as one entry (one write) in the transcript.
    int sent = 0;
    for (const auto& e : t.entries())
        sent += e.direction == Direction::client_to_server ? 1 : 0;
    EXPECT_EQ(sent, 1);
}

TEST(ClientConnection, RawBytesWithoutCrlfArriveExactly) {
    ScriptedServer server;
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    const std::string raw("NO\0OP", 5);
    ASSERT_TRUE(c->send_raw(raw));
    c->close();
    ASSERT_TRUE(server.wait_sessions_ended(1, 5000ms));
    EXPECT_EQ(server.received_bytes(), raw);
    EXPECT_NE(t.to_text().find("C: NO\\x00OP"), std::string::npos);
}

TEST(ClientConnection, WaitClosedSeesQuitClose) {
    ScriptedServer server;
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("QUIT"));
    auto r = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(r);
    auto w = c->wait_closed(3000ms);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->closed);
    EXPECT_FALSE(c->is_open());
    EXPECT_NE(t.to_text().find("closed by peer"), std::string::npos);
    // Reading after the close is a clear error, not a hang.
    auto again = c->read_reply(ReplyKind::single_line);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, Errc::closed_by_peer);
}

TEST(ClientConnection, WaitClosedTimesOutOnOpenConnection) {
    ScriptedServer server;
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    const auto start = Clock::now();
    auto w = c->wait_closed(300ms);
    ASSERT_TRUE(w);
    EXPECT_FALSE(w->closed);
    EXPECT_GE(ms_since(start), 290);
    EXPECT_LT(ms_since(start), 4000);
    EXPECT_TRUE(c->is_open());
}

TEST(ClientConnection, WaitClosedCountsBytesSentBeforeTheClose) {
    ScriptedServer server;
    server.on("QUIT", Behaviour("+OK bye\r\n-ERR extra\r\n").close());
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("QUIT"));
    auto w = c->wait_closed(3000ms);
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->closed);
    EXPECT_EQ(w->bytes_received, 21u);
}

TEST(ClientConnection, ExpectSilenceReportsWhatArrived) {
    ScriptedServer server;
    server.on("NOOP", "+OK\r\n+OK unexpected\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    auto quiet = c->expect_silence(200ms);
    ASSERT_TRUE(quiet);
    EXPECT_EQ(*quiet, "");
    ASSERT_TRUE(c->send_line("NOOP"));
    ASSERT_TRUE(c->read_reply(ReplyKind::single_line));
    auto noisy = c->expect_silence(300ms);
    ASSERT_TRUE(noisy);
    EXPECT_EQ(*noisy, "+OK unexpected\r\n");
    EXPECT_EQ(c->buffered_bytes(), 0u);
}

TEST(ClientConnection, CloseWithoutQuitEndsTheServerSession) {
    ScriptedServer server;
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    c->close();
    EXPECT_FALSE(c->is_open());
    EXPECT_TRUE(server.wait_sessions_ended(1, 5000ms));
    EXPECT_FALSE(server.saw_reset());
    auto after = c->send_line("NOOP");
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().kind, Errc::not_connected);
}

TEST(ClientConnection, ResetSendsRst) {
    ScriptedServer server;
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    c->reset();
    ASSERT_TRUE(server.wait_sessions_ended(1, 5000ms));
    EXPECT_TRUE(server.saw_reset());
}

TEST(ClientConnection, ConnectRefusedIsTyped) {
    std::uint16_t port = 0;
    {
        asio::io_context io;
        asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        port = a.local_endpoint().port();
    }  // closed: nothing listens there now
    Transcript t;
    auto c = Connection::connect(Endpoint{"127.0.0.1", port}, TlsMode::none, quick_options(), t);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Errc::connect_failed);
}

TEST(ClientConnection, UnresolvableHostIsTyped) {
    Transcript t;
    auto c = Connection::connect(Endpoint{"no-such-host.invalid", 110}, TlsMode::none, quick_options(), t);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Errc::resolve_failed);
}

TEST(ClientConnection, LocalhostNameResolves) {
    ScriptedServer server;
    Transcript t;
    auto c = Connection::connect(Endpoint{"localhost", server.port()}, TlsMode::none, quick_options(), t);
    // localhost may resolve to ::1 first; async_connect tries every address.
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->read_greeting());
}

TEST(ClientConnection, Ipv6Loopback) {
    std::unique_ptr<ScriptedServer> server;
    try {
        ScriptedServer::Options o;
        o.ipv6 = true;
        server = std::make_unique<ScriptedServer>(o);
    } catch (const std::exception&) {
        GTEST_SKIP() << "no IPv6 loopback on this machine";
    }
    Transcript t;
    auto c = Connection::connect(Endpoint{"::1", server->port()}, TlsMode::none, quick_options(), t);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->peer_address(), "[::1]:" + std::to_string(server->port()));
    EXPECT_TRUE(c->read_greeting());
}

TEST(ClientConnection, BodyStreamedToSinkIsNotKept) {
    // A 3.3 MB body through a sink: the client keeps none of it, the sink sees all of it.
    ScriptedServer server;
    server.on("RETR 1", Behaviour("+OK\r\n").stream("0123456789abcdefghijklmnopqrstu\r\n", 33u * 100000).send(".\r\n"));
    Transcript t;
    auto o = quick_options();
    o.parser.limits.max_body = 1024;  // would be exceeded if stored
    auto c = connect_to(server, t, o);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    std::uint64_t seen = 0;
    ReadOptions read;
    read.sink = [&](std::string_view chunk) { seen += chunk.size(); };
    auto r = c->read_reply(ReplyKind::multi_line_if_ok, read);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(seen, 33u * 100000);
    EXPECT_EQ(r->body_octets, 33u * 100000);
    EXPECT_EQ(r->body_lines, 100000u);
    EXPECT_TRUE(r->body.empty());
    EXPECT_TRUE(r->violations.empty());
    // The transcript keeps one bounded entry for the 3.3 MB.
    EXPECT_LT(t.to_text().size(), 16u * 1024);
}

TEST(ClientConnection, BodyDigestThroughSink) {
    // The runner compares huge bodies by digest: hash in the sink.
    ScriptedServer server;
    server.on("RETR 1", "+OK\r\nHello\r\n..dot\r\n.\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("RETR 1"));
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
    ReadOptions read;
    read.sink = [&](std::string_view chunk) { EVP_DigestUpdate(md, chunk.data(), chunk.size()); };
    ASSERT_TRUE(c->read_reply(ReplyKind::multi_line_if_ok, read));
    unsigned char got[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, got, &len);
    EVP_MD_CTX_free(md);
    const std::string body = "Hello\r\n.dot\r\n";
    unsigned char want[EVP_MAX_MD_SIZE];
    unsigned int wlen = 0;
    EVP_Digest(body.data(), body.size(), want, &wlen, EVP_sha256(), nullptr);
    ASSERT_EQ(len, wlen);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(got), len), std::string(reinterpret_cast<char*>(want), wlen));
}

TEST(ClientConnection, DiscardModeCounts) {
    ScriptedServer server;
    server.on("TOP", "+OK\r\na\r\nbb\r\n.\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("TOP 1 0"));
    ReadOptions read;
    read.body_mode = pop3::BodyMode::discard;
    auto r = c->read_reply(ReplyKind::multi_line_if_ok, read);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body_octets, 7u);
    EXPECT_EQ(r->body_lines, 2u);
    EXPECT_TRUE(r->body.empty());
}

TEST(ClientConnection, SaslContinuation) {
    ScriptedServer server;
    server.on("AUTH PLAIN", "+ \r\n");
    server.on("AGFsaWNlAHNlY3JldA==", "+OK welcome\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("AUTH PLAIN"));
    auto cont = c->read_reply(ReplyKind::sasl);
    ASSERT_TRUE(cont);
    EXPECT_EQ(cont->status, pop3::Status::continuation);
    ASSERT_TRUE(c->send_line("AGFsaWNlAHNlY3JldA==", Secret::whole_line));
    auto ok = c->read_reply(ReplyKind::sasl);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->ok());
    EXPECT_EQ(t.to_text().find("AGFsaWNlAHNlY3JldA=="), std::string::npos);
}

TEST(ClientConnection, SecretsNeverReachTheTranscript) {
    // PASS argument, APOP digest and AUTH payload masked; a server echoing the password is redacted too.
    ScriptedServer server;
    server.on("PASS", "-ERR bad password tanstaaf\r\n");
    server.on("APOP", "-ERR no\r\n");
    server.on("AUTH", "-ERR no\r\n");
    Transcript t;
    t.add_secret("tanstaaf");
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("PASS tanstaaf", Secret::pass_argument));
    ASSERT_TRUE(c->read_reply(ReplyKind::single_line));
    ASSERT_TRUE(c->send_line("APOP mrose c4c9334bac560ecc979e58001b3e22fb", Secret::apop_digest));
    ASSERT_TRUE(c->read_reply(ReplyKind::single_line));
    ASSERT_TRUE(c->send_line("AUTH PLAIN AG1yb3NlAHRhbnN0YWFm", Secret::auth_payload));
    ASSERT_TRUE(c->read_reply(ReplyKind::single_line));
    const std::string text = t.to_text();
    for (const char* secret : {"tanstaaf", "c4c9334bac560ecc979e58001b3e22fb", "AG1yb3NlAHRhbnN0YWFm"}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << secret;
        for (const auto& e : t.entries()) {
            EXPECT_EQ(e.head.find(secret), std::string::npos);
            EXPECT_EQ(e.tail.find(secret), std::string::npos);
        }
    }
    EXPECT_NE(text.find("PASS <redacted>"), std::string::npos);
    EXPECT_NE(text.find("APOP mrose <redacted>"), std::string::npos);
    EXPECT_NE(text.find("AUTH PLAIN <redacted>"), std::string::npos);
    // The server really got the secret: redaction is for the transcript only.
    EXPECT_EQ(server.received_lines().at(0), "PASS tanstaaf");
}

TEST(ClientConnection, TwoSessionsShareATranscript) {
    ScriptedServer server;
    Transcript t;
    auto o1 = quick_options();
    o1.session = 1;
    auto o2 = quick_options();
    o2.session = 2;
    auto a = connect_to(server, t, o1);
    auto b = connect_to(server, t, o2);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->read_greeting());
    ASSERT_TRUE(b->read_greeting());
    bool saw1 = false;
    bool saw2 = false;
    for (const auto& e : t.entries()) {
        saw1 = saw1 || (e.session == 1 && e.direction == Direction::server_to_client);
        saw2 = saw2 || (e.session == 2 && e.direction == Direction::server_to_client);
    }
    EXPECT_TRUE(saw1 && saw2);
}

TEST(ClientConnection, MovedConnectionStillWorks) {
    ScriptedServer server;
    server.on("NOOP", "+OK\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    Connection moved = std::move(*c);
    ASSERT_TRUE(moved.read_greeting());
    ASSERT_TRUE(moved.send_line("NOOP"));
    EXPECT_TRUE(moved.read_reply(ReplyKind::single_line));
    Connection empty;
    auto r = empty.read_reply(ReplyKind::single_line);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Errc::not_connected);
}

}  // namespace
}  // namespace pop3::client

namespace pop3::client {
namespace {

using namespace test;

// A read whose deadline has already passed still hands over bytes the socket layer took meanwhile (Asio reads
// speculatively when the read starts): they used to be dropped, so the next reply started mid-stream.
TEST(ClientConnection, ExpiredReadKeepsBytesAlreadyTaken) {
    pop3::testing::ScriptedServer server;
    server.greeting("+OK ready\r\n");
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c) << c.error().to_string();
    std::this_thread::sleep_for(200ms);  // the greeting is in the socket buffer
    ReadOptions expired;
    expired.timeout = 0ms;
    auto first = c->read_reply(pop3::ReplyKind::single_line, expired);
    if (first) {
        EXPECT_EQ(first->text, "ready");
        return;
    }
    EXPECT_EQ(first.error().kind, Errc::timeout);
    auto second = c->read_reply(pop3::ReplyKind::single_line);
    ASSERT_TRUE(second) << second.error().to_string();
    EXPECT_EQ(second->text, "ready");
}

}  // namespace
}  // namespace pop3::client
