// The Asio transport over real loopback sockets: plain, STLS and implicit TLS, pipelining, the maildrop lock across
// connections, UPDATE only on QUIT, STLS command injection, idle timeouts, connection limits, over-long lines and
// graceful shutdown.
#include <gtest/gtest.h>

#include <atomic>
#include <span>
#include <thread>

#include "store/memory_store.hpp"
#include "test_client.hpp"
#include "tls_files.hpp"
#include "transport/server.hpp"

namespace pop3::server {
namespace {

using testing::TestClient;
using testing::TlsFiles;
using namespace std::chrono_literals;

struct Running {
    std::shared_ptr<MemoryStore> store;
    std::unique_ptr<Server> server;
    std::uint16_t port(std::size_t i = 0) const { return server->port(i); }
};

ServerConfig base_config() {
    ServerConfig config;
    config.listeners.push_back(ListenerConfig{"127.0.0.1", 0, ListenerKind::plain});
    config.accounts = {{"alice", "secret"}, {"bob", "secret"}};
    config.limits.failed_auth_delay = 50ms;
    config.log_level = LogLevel::warn;
    config.threads = 2;
    return config;
}

ServerConfig tls_config() {
    auto config = base_config();
    const auto& files = TlsFiles::get();
    config.tls.cert_file = files.cert;
    config.tls.key_file = files.key;
    config.listeners.push_back(ListenerConfig{"127.0.0.1", 0, ListenerKind::implicit_tls});
    return config;
}

Running start(ServerConfig config) {
    Running r;
    r.store = std::make_shared<MemoryStore>();
    for (int i = 1; i <= 5; ++i)
        r.store->add("alice", "Subject: " + std::to_string(i) + "\r\n\r\nbody " + std::to_string(i) + "\r\n");
    r.store->add("bob", "Subject: bob\r\n\r\n.starts with a dot\r\n");
    auto started = Server::start(std::move(config), r.store);
    EXPECT_TRUE(started) << started.error;
    r.server = std::move(started.server);
    return r;
}

std::unique_ptr<asio::ssl::context> client_context(int max_version = 0) {
    auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    context->set_verify_mode(asio::ssl::verify_none);  // self-signed test certificate
    if (max_version != 0) {
        SSL_CTX_set_min_proto_version(context->native_handle(), 0);
        SSL_CTX_set_max_proto_version(context->native_handle(), max_version);
        SSL_CTX_set_security_level(context->native_handle(), 0);
    }
    return context;
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.rfind(prefix, 0) == 0;
}

TEST(Transport, GreetsAndAnswersOverPlainTcp) {
    auto r = start(base_config());
    TestClient c(r.port());
    ASSERT_TRUE(c.connected());
    const auto greeting = c.line();
    EXPECT_TRUE(starts_with(greeting, "+OK")) << greeting;
    // RFC 1939 §7 APOP: the greeting carries a timestamp.
    EXPECT_NE(greeting.find('<'), std::string::npos);
    c.send("CAPA\r\n");
    const auto capa = c.multiline();
    EXPECT_NE(capa.find("\r\nPIPELINING\r\n"), std::string::npos) << capa;
    EXPECT_EQ(capa.find("STLS"), std::string::npos) << "no TLS configured, so no STLS: " << capa;
    EXPECT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
    EXPECT_TRUE(starts_with(c.command("STAT"), "+OK 5 "));
    c.send("RETR 2\r\n");
    EXPECT_EQ(c.multiline(), "+OK 22 octets\r\nSubject: 2\r\n\r\nbody 2\r\n.\r\n");
    EXPECT_TRUE(starts_with(c.command("QUIT"), "+OK"));
    EXPECT_TRUE(c.closed_within(2s));
}

TEST(Transport, PipelinedCommandsAreAnsweredInOrder) {
    auto r = start(base_config());
    TestClient c(r.port());
    c.line();
    std::string batch = "USER alice\r\nPASS secret\r\n";
    for (int i = 0; i < 200; ++i)
        batch += "LIST " + std::to_string(i % 5 + 1) + "\r\n";
    ASSERT_TRUE(c.send(batch));
    EXPECT_TRUE(starts_with(c.line(), "+OK"));
    EXPECT_TRUE(starts_with(c.line(), "+OK"));
    for (int i = 0; i < 200; ++i) {
        const auto reply = c.line();
        ASSERT_TRUE(starts_with(reply, "+OK " + std::to_string(i % 5 + 1) + " ")) << i << ": " << reply;
    }
}

TEST(Transport, PipelinedLargeRetrievalsStreamWhileTheClientReads) {
    // RFC 2449 §6.6: the server keeps reading while its replies queue up; 40 x 256 KiB exceeds any socket buffer.
    auto config = base_config();
    Running r;
    r.store = std::make_shared<MemoryStore>();
    std::string big;
    while (big.size() < 256 * 1024)
        big += "line of text that fills the message up to a quarter mebibyte\r\n";
    r.store->add("carol", big);
    config.accounts.push_back({"carol", "secret"});
    auto started = Server::start(config, r.store);
    ASSERT_TRUE(started) << started.error;
    TestClient c(started.server->port());
    c.line();
    std::string batch = "USER carol\r\nPASS secret\r\n";
    for (int i = 0; i < 40; ++i)
        batch += "RETR 1\r\n";
    ASSERT_TRUE(c.send(batch));
    c.line();
    c.line();
    for (int i = 0; i < 40; ++i) {
        const auto reply = c.multiline(10s);
        ASSERT_EQ(reply.size(), std::string("+OK ").size() + std::to_string(big.size()).size() +
                                    std::string(" octets\r\n").size() + big.size() + 3)
            << i;
    }
}

TEST(Transport, SecondSessionOnALockedMaildropGetsInUse) {
    auto r = start(base_config());
    TestClient a(r.port());
    a.line();
    ASSERT_TRUE(starts_with(a.login("alice", "secret"), "+OK"));
    TestClient b(r.port());
    b.line();
    const auto reply = b.login("alice", "secret");
    // RFC 2449 §8.1.2: [IN-USE]
    EXPECT_TRUE(starts_with(reply, "-ERR [IN-USE]")) << reply;
    EXPECT_TRUE(starts_with(b.login("bob", "secret"), "+OK")) << "the session goes on";
    a.command("QUIT");
    ASSERT_TRUE(a.closed_within(2s));
    TestClient c(r.port());
    c.line();
    EXPECT_TRUE(starts_with(c.login("alice", "secret"), "+OK")) << "the lock is released by QUIT";
}

TEST(Transport, DisconnectWithoutQuitAppliesNoDeletion) {
    auto r = start(base_config());
    {
        TestClient c(r.port());
        c.line();
        ASSERT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
        ASSERT_TRUE(starts_with(c.command("DELE 1"), "+OK"));
        ASSERT_TRUE(starts_with(c.command("DELE 2"), "+OK"));
        c.close();  // RFC 1939 §6: no QUIT, no UPDATE
    }
    for (int i = 0; i < 100 && r.store->locked("alice"); ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_FALSE(r.store->locked("alice"));
    EXPECT_EQ(r.store->contents("alice").size(), 5U);
    TestClient c(r.port());
    c.line();
    ASSERT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
    EXPECT_TRUE(starts_with(c.command("STAT"), "+OK 5 "));
    ASSERT_TRUE(starts_with(c.command("DELE 1"), "+OK"));
    EXPECT_TRUE(starts_with(c.command("QUIT"), "+OK"));
    EXPECT_TRUE(c.closed_within(2s));
    EXPECT_EQ(r.store->contents("alice").size(), 4U) << "QUIT from TRANSACTION applies the deletion";
}

TEST(Transport, StlsUpgradesAndDropsStlsFromCapa) {
    if (!TlsFiles::get().ok) GTEST_SKIP() << "openssl could not make a certificate";
    auto r = start(tls_config());
    TestClient c(r.port(0));
    c.line();
    c.send("CAPA\r\n");
    EXPECT_NE(c.multiline().find("\r\nSTLS\r\n"), std::string::npos);
    EXPECT_EQ(c.command("STLS").substr(0, 3), "+OK");
    auto context = client_context();
    ASSERT_TRUE(c.handshake(*context));
    c.send("CAPA\r\n");
    const auto capa = c.multiline();
    EXPECT_TRUE(starts_with(capa, "+OK")) << capa;
    EXPECT_EQ(capa.find("STLS"), std::string::npos) << capa;  // RFC 2595 §4
    EXPECT_TRUE(starts_with(c.command("STLS"), "-ERR"));
    EXPECT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
    c.send("RETR 1\r\n");
    EXPECT_EQ(c.multiline(), "+OK 22 octets\r\nSubject: 1\r\n\r\nbody 1\r\n.\r\n");
    EXPECT_TRUE(starts_with(c.command("QUIT"), "+OK"));
    EXPECT_TRUE(c.closed_within(3s));
}

TEST(Transport, PlaintextPipelinedAfterStlsIsNeverExecuted) {
    // RFC 2595 §4, CERT VU#555316: "STLS\r\nCAPA\r\n" in one write; no CAPA reply may arrive inside TLS.
    if (!TlsFiles::get().ok) GTEST_SKIP() << "openssl could not make a certificate";
    auto r = start(tls_config());
    TestClient c(r.port(0));
    c.line();
    ASSERT_TRUE(c.send("STLS\r\nCAPA\r\n"));
    const auto ok = c.line();
    ASSERT_TRUE(starts_with(ok, "+OK")) << ok;
    ASSERT_TRUE(c.buffer().empty()) << "a plaintext reply followed the +OK: " << c.buffer();
    auto context = client_context();
    if (!c.handshake(*context)) {
        SUCCEED() << "the server aborted the connection: an accepted alternative";
        return;
    }
    EXPECT_EQ(c.drain(1500ms), "") << "the injected CAPA was executed";
    c.send("CAPA\r\n");
    const auto capa = c.multiline();
    EXPECT_TRUE(starts_with(capa, "+OK")) << capa;
    EXPECT_EQ(c.drain(300ms), "") << "exactly one CAPA reply";
}

TEST(Transport, ImplicitTlsGreetsInsideTls) {
    if (!TlsFiles::get().ok) GTEST_SKIP() << "openssl could not make a certificate";
    auto r = start(tls_config());
    auto context = client_context();
    TestClient c(r.port(1), context.get());
    ASSERT_TRUE(c.connected());
    EXPECT_TRUE(starts_with(c.line(), "+OK"));
    c.send("CAPA\r\n");
    EXPECT_EQ(c.multiline().find("STLS"), std::string::npos);
    EXPECT_TRUE(starts_with(c.command("STLS"), "-ERR"));  // RFC 2595 §4: TLS already active
    EXPECT_TRUE(starts_with(c.login("bob", "secret"), "+OK"));
    c.send("RETR 1\r\n");
    EXPECT_EQ(c.multiline(), "+OK 36 octets\r\nSubject: bob\r\n\r\n..starts with a dot\r\n.\r\n");
    EXPECT_TRUE(starts_with(c.command("QUIT"), "+OK"));
    EXPECT_TRUE(c.closed_within(3s));
}

TEST(Transport, ImplicitTlsSendsNothingInCleartext) {
    if (!TlsFiles::get().ok) GTEST_SKIP() << "openssl could not make a certificate";
    auto r = start(tls_config());
    TestClient c(r.port(1));
    EXPECT_EQ(c.drain(500ms), "");  // RFC 8314 §3.1: no plaintext greeting
}

TEST(Transport, TlsBelow12IsRefused) {
    if (!TlsFiles::get().ok) GTEST_SKIP() << "openssl could not make a certificate";
    auto r = start(tls_config());
    auto old = client_context(TLS1_1_VERSION);
    TestClient c(r.port(1), old.get());
    EXPECT_FALSE(c.connected());  // RFC 8314 §4: TLS 1.2 or later
    auto modern = client_context(TLS1_2_VERSION);
    TestClient d(r.port(1), modern.get());
    EXPECT_TRUE(d.connected());
}

TEST(Transport, GarbageInsteadOfClientHelloClosesWithoutPop3) {
    if (!TlsFiles::get().ok) GTEST_SKIP() << "openssl could not make a certificate";
    auto r = start(tls_config());
    TestClient c(r.port(0));
    c.line();
    ASSERT_TRUE(starts_with(c.command("STLS"), "+OK"));
    c.send("CAPA\r\nUSER alice\r\n");  // RFC 2595 §2.5, R2595-STLS-14
    std::string sent;
    EXPECT_TRUE(c.closed_within(3s, &sent));
    EXPECT_EQ(sent.find("+OK"), std::string::npos) << sent;
}

TEST(Transport, IdleConnectionsAreClosedSilentlyWithoutUpdate) {
    auto config = base_config();
    config.limits.preauth_idle = 1s;
    config.limits.autologout = 1s;
    auto r = start(config);
    {
        TestClient c(r.port());
        c.line();
        std::string sent;
        const auto t0 = std::chrono::steady_clock::now();
        EXPECT_TRUE(c.closed_within(4s, &sent));
        EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
        EXPECT_EQ(sent, "");  // RFC 1939 §3: closed without a response
    }
    TestClient c(r.port());
    c.line();
    ASSERT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
    ASSERT_TRUE(starts_with(c.command("DELE 1"), "+OK"));
    std::string sent;
    EXPECT_TRUE(c.closed_within(4s, &sent));
    EXPECT_EQ(sent, "");
    for (int i = 0; i < 100 && r.store->locked("alice"); ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(r.store->contents("alice").size(), 5U) << "RFC 1939 §3: the autologout timer does not enter UPDATE";
}

TEST(Transport, ActivityResetsTheIdleTimer) {
    auto config = base_config();
    config.limits.preauth_idle = 2s;
    auto r = start(config);
    TestClient c(r.port());
    c.line();
    for (int i = 0; i < 4; ++i) {  // 2.8 s in all, more than the limit: only resets keep the session open
        std::this_thread::sleep_for(700ms);
        ASSERT_TRUE(starts_with(c.command("NOOP"), "-ERR")) << "NOOP is a TRANSACTION command; still connected";
    }
}

TEST(Transport, AClientThatStopsReadingIsBoundedByTheWatchdog) {
    // A write blocked on a full socket buffer waits at most the idle limit; other sessions are unaffected.
    auto config = base_config();
    config.limits.autologout = 1s;
    config.accounts.push_back({"carol", "secret"});
    Running r;
    r.store = std::make_shared<MemoryStore>();
    r.store->add("carol", std::string(512 * 1024, 'x') + "\r\n");
    r.store->add("alice", "Subject: hi\r\n\r\nhi\r\n");
    auto started = Server::start(config, r.store);
    ASSERT_TRUE(started) << started.error;
    TestClient slow(started.server->port());
    slow.line();
    ASSERT_TRUE(starts_with(slow.login("carol", "secret"), "+OK"));
    std::string batch;
    for (int i = 0; i < 40; ++i)
        batch += "RETR 1\r\n";
    ASSERT_TRUE(slow.send(batch));  // ~20 MiB of replies that nobody reads
    const auto t0 = std::chrono::steady_clock::now();
    TestClient other(started.server->port());
    other.line();
    EXPECT_TRUE(starts_with(other.login("alice", "secret"), "+OK"));
    EXPECT_TRUE(starts_with(other.command("QUIT"), "+OK"));
    EXPECT_LT(std::chrono::steady_clock::now() - t0, 1s) << "the stuck writer does not hold up other sessions";
    for (int i = 0; i < 300 && started.server->stats().active > 1; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(started.server->stats().active, 1U) << "one open session left: ours, untouched";
    std::this_thread::sleep_for(1500ms);
    for (int i = 0; i < 300 && started.server->stats().active > 0; ++i)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(started.server->stats().active, 0U) << "the watchdog closed the connection that stopped reading";
    EXPECT_FALSE(r.store->locked("carol"));
}

TEST(Transport, ConnectionLimitsPerAddressAndInAll) {
    auto config = base_config();
    config.limits.max_connections_per_address = 2;
    auto r = start(config);
    TestClient a(r.port());
    TestClient b(r.port());
    EXPECT_TRUE(starts_with(a.line(), "+OK"));
    EXPECT_TRUE(starts_with(b.line(), "+OK"));
    TestClient c(r.port());
    std::string sent;
    EXPECT_TRUE(c.closed_within(2s, &sent));
    EXPECT_TRUE(starts_with(sent, "-ERR [SYS/TEMP]")) << sent;
    a.command("QUIT");
    ASSERT_TRUE(a.closed_within(2s));
    for (int i = 0; i < 100 && r.server->stats().active > 1; ++i)
        std::this_thread::sleep_for(10ms);
    TestClient d(r.port());
    EXPECT_TRUE(starts_with(d.line(), "+OK")) << "a slot is free again";
    EXPECT_GE(r.server->stats().refused, 1U);

    auto config2 = base_config();
    config2.limits.max_connections = 1;
    auto r2 = start(config2);
    TestClient e(r2.port());
    EXPECT_TRUE(starts_with(e.line(), "+OK"));
    TestClient f(r2.port());
    EXPECT_TRUE(f.closed_within(2s, &sent));
    EXPECT_TRUE(starts_with(sent, "-ERR [SYS/TEMP]")) << sent;
}

TEST(Transport, OverLongLinesGetErrAndRepeatedAbuseCloses) {
    auto r = start(base_config());
    TestClient c(r.port());
    c.line();
    // RFC 2449 §4: 255 octets including CRLF.
    EXPECT_TRUE(starts_with(c.command(std::string(300, 'A')), "-ERR"));
    EXPECT_TRUE(starts_with(c.command("CAPA"), "+OK")) << "the session goes on";
    c.multiline();
    // A megabyte without a line end is not buffered whole, and a stream of long lines ends the session.
    std::string flood;
    for (int i = 0; i < 64; ++i)
        flood += std::string(16 * 1024, 'x') + "\r\n";
    c.send(flood);
    EXPECT_TRUE(c.closed_within(5s));
    TestClient d(r.port());
    EXPECT_TRUE(starts_with(d.line(), "+OK")) << "the server still serves";
}

TEST(Transport, FailedLoginReplyIsDelayed) {
    auto config = base_config();
    config.limits.failed_auth_delay = 400ms;
    auto r = start(config);
    TestClient c(r.port());
    c.line();
    c.command("USER alice");
    // The engine answers at once and then holds the session: the next command is read only after the delay.
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(c.send("PASS wrong\r\nNOOP\r\n"));
    EXPECT_TRUE(starts_with(c.line(), "-ERR"));
    EXPECT_FALSE(c.line().empty());
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 350ms);
}

TEST(Transport, ShutdownClosesSessionsWithoutApplyingDeletions) {
    auto r = start(base_config());
    TestClient c(r.port());
    c.line();
    ASSERT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
    ASSERT_TRUE(starts_with(c.command("DELE 1"), "+OK"));
    std::thread stopper([&] { r.server->stop(); });
    EXPECT_TRUE(c.closed_within(5s));
    stopper.join();
    EXPECT_EQ(r.store->contents("alice").size(), 5U);
    EXPECT_FALSE(r.store->locked("alice"));
    TestClient late(r.port());
    EXPECT_FALSE(late.connected() && !late.closed_within(1s)) << "no longer accepting";
}

// A store whose UPDATE takes a while, to stop the server in the middle of one.
class SlowCommitStore final : public Store {
  public:
    SlowCommitStore(std::shared_ptr<Store> inner, std::chrono::milliseconds delay)
        : inner_(std::move(inner)), delay_(delay) {}

    std::unique_ptr<Maildrop> lock(std::string_view user, std::error_code& ec) override {
        auto drop = inner_->lock(user, ec);
        if (!drop) return nullptr;
        return std::make_unique<Drop>(std::move(drop), *this);
    }

    std::atomic<bool> committing{false};

  private:
    class Drop final : public Maildrop {
      public:
        Drop(std::unique_ptr<Maildrop> inner, SlowCommitStore& store) : inner_(std::move(inner)), store_(store) {}
        const std::vector<MessageInfo>& messages() const noexcept override { return inner_->messages(); }
        std::unique_ptr<MessageReader> open(std::size_t number, std::error_code& ec) override {
            return inner_->open(number, ec);
        }
        std::error_code commit(std::span<const std::size_t> deleted) override {
            store_.committing = true;
            std::this_thread::sleep_for(store_.delay_);
            return inner_->commit(deleted);
        }

      private:
        std::unique_ptr<Maildrop> inner_;
        SlowCommitStore& store_;
    };

    std::shared_ptr<Store> inner_;
    std::chrono::milliseconds delay_;
};

TEST(Transport, ShutdownLetsAnUpdateInFlightComplete) {
    auto memory = std::make_shared<MemoryStore>();
    for (int i = 1; i <= 5; ++i)
        memory->add("alice", "Subject: " + std::to_string(i) + "\r\n\r\nbody\r\n");
    auto slow = std::make_shared<SlowCommitStore>(memory, 500ms);
    auto started = Server::start(base_config(), slow);
    ASSERT_TRUE(started) << started.error;
    TestClient c(started.server->port());
    c.line();
    ASSERT_TRUE(starts_with(c.login("alice", "secret"), "+OK"));
    ASSERT_TRUE(starts_with(c.command("DELE 2"), "+OK"));
    ASSERT_TRUE(c.send("QUIT\r\n"));
    for (int i = 0; i < 200 && !slow->committing; ++i)
        std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(slow->committing);
    started.server->stop();  // while the UPDATE sleeps
    EXPECT_EQ(memory->contents("alice").size(), 4U) << "the UPDATE in flight completed";
    EXPECT_TRUE(starts_with(c.line(), "+OK"));
    EXPECT_TRUE(c.closed_within(2s));
}

TEST(Transport, StartFailsCleanlyOnBadSettings) {
    auto config = base_config();
    config.listeners[0].host = "203.0.113.1";  // not an address of this machine
    EXPECT_FALSE(Server::start(config));
    config = base_config();
    config.tls.cert_file = "/nonexistent/cert.pem";
    config.tls.key_file = "/nonexistent/key.pem";
    const auto s = Server::start(config);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error.find("/nonexistent/cert.pem"), std::string::npos) << s.error;
    config = base_config();
    config.store = StoreConfig{StoreKind::maildir, "/nonexistent/maildirs"};
    EXPECT_FALSE(Server::start(config));
}

TEST(Transport, ManySessionsAtOnce) {
    auto r = start(base_config());
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int i = 0; i < 200; ++i)
        clients.push_back(std::make_unique<TestClient>(r.port()));
    for (auto& c : clients)
        ASSERT_TRUE(starts_with(c->line(), "+OK"));
    EXPECT_EQ(r.server->stats().active, 200U);
    for (auto& c : clients)
        ASSERT_TRUE(starts_with(c->command("QUIT"), "+OK"));
}

}  // namespace
}  // namespace pop3::server
