// TLS: implicit (RFC 8314), STLS (RFC 2595) with the response-injection defence (R2595-CLI-1), verification.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "client_test_support.hpp"

namespace pop3::client {
namespace {

using namespace test;
using pop3::ReplyKind;
using pop3::testing::Behaviour;
using pop3::testing::ScriptedServer;
using pop3::testing::TestCertificate;
namespace hostile = pop3::testing::hostile;

std::shared_ptr<const TestCertificate> certificate() {
    static auto cert = TestCertificate::make();
    return cert;
}

ScriptedServer::Options tls_options(bool implicit) {
    ScriptedServer::Options o;
    o.implicit_tls = implicit;
    o.certificate = certificate();
    return o;
}

// A temporary CA file holding the test certificate, removed at scope exit.
struct CaFile {
    std::filesystem::path path;
    CaFile() {
        path = std::filesystem::temp_directory_path() / ("pop3spec-ca-" + std::to_string(::getpid()) + ".pem");
        certificate()->write_certificate(path.string());
    }
    ~CaFile() {
        std::error_code ec;
        std::filesystem::remove(path, ec);
    }
};

TEST(ClientTls, ImplicitTlsGreetingArrivesInsideTls) {
    ScriptedServer server(tls_options(true));
    server.on("CAPA", "+OK\r\nUSER\r\n.\r\n");
    Transcript t;
    auto c = connect_to(server, t, quick_options(), TlsMode::implicit);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->tls_active());
    EXPECT_EQ(c->tls_version().rfind("TLSv1.", 0), 0u) << c->tls_version();
    EXPECT_FALSE(c->tls_cipher().empty());
    auto g = c->read_greeting();
    ASSERT_TRUE(g) << g.error().to_string();
    EXPECT_TRUE(g->ok());
    ASSERT_TRUE(c->send_line("CAPA"));
    auto capa = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(capa);
    EXPECT_EQ(capa->body, "USER\r\n");
    EXPECT_NE(t.to_text().find("TLS started"), std::string::npos);
    c->close();
}

TEST(ClientTls, StlsUpgradesTheConnection) {
    ScriptedServer server(tls_options(false));
    server.on("STLS", Behaviour("+OK begin TLS\r\n").start_tls());
    server.on("CAPA", "+OK\r\nUSER\r\n.\r\n");
    Transcript t;
    auto c = connect_to(server, t, quick_options(), TlsMode::starttls);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    EXPECT_FALSE(c->tls_active());
    ASSERT_TRUE(c->send_line("STLS"));
    auto ok = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(ok && ok->ok());
    auto info = c->start_tls();
    ASSERT_TRUE(info) << info.error().to_string();
    EXPECT_EQ(info->discarded_bytes, 0u);
    EXPECT_FALSE(info->version.empty());
    EXPECT_TRUE(c->tls_active());
    ASSERT_TRUE(c->send_line("CAPA"));
    auto capa = c->read_reply(ReplyKind::multi_line_if_ok);
    ASSERT_TRUE(capa) << capa.error().to_string();
    EXPECT_TRUE(capa->ok());
    // Plaintext and TLS traffic are told apart only by the event between them; both are in the transcript.
    EXPECT_NE(t.to_text().find("CAPA"), std::string::npos);
}

TEST(ClientTls, BytesInjectedAfterStlsOkAreDiscarded) {
    // R2595-CLI-1 (libetpan #386): "+OK\r\n+OK injected\r\n" in one write; the second line must never be parsed.
    ScriptedServer server(tls_options(false));
    server.on("STLS", hostile::stls_injection("+OK injected\r\n"));
    server.on("NOOP", "+OK real\r\n");
    Transcript t;
    auto c = connect_to(server, t, quick_options(), TlsMode::starttls);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("STLS"));
    auto ok = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(ok && ok->ok());
    auto info = c->start_tls();
    ASSERT_TRUE(info) << info.error().to_string();
    EXPECT_EQ(info->discarded_bytes, 14u);
    EXPECT_NE(t.to_text().find("discarded 14 bytes"), std::string::npos);
    ASSERT_TRUE(c->send_line("NOOP"));
    auto real = c->read_reply(ReplyKind::single_line);
    ASSERT_TRUE(real);
    EXPECT_EQ(real->text, "real");
}

TEST(ClientTls, VerifiedConnectionWithTheRightCa) {
    CaFile ca;
    ScriptedServer server(tls_options(true));
    Transcript t;
    auto o = quick_options();
    o.verify_peer = true;
    o.ca_file = ca.path.string();
    auto c = Connection::connect(Endpoint{"localhost", server.port()}, TlsMode::implicit, o, t);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->read_greeting());
}

TEST(ClientTls, VerificationFailsWithoutTheCa) {
    ScriptedServer server(tls_options(true));
    Transcript t;
    auto o = quick_options();
    o.verify_peer = true;  // system CAs: the self-signed test certificate is unknown
    auto c = connect_to(server, t, o, TlsMode::implicit);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Errc::tls_error);
}

TEST(ClientTls, VerificationFailsOnTheWrongName) {
    CaFile ca;
    ScriptedServer server(tls_options(true));
    Transcript t;
    auto o = quick_options();
    o.verify_peer = true;
    o.ca_file = ca.path.string();
    o.sni_host = "mail.example.org";  // not in the certificate's SAN
    auto c = connect_to(server, t, o, TlsMode::implicit);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Errc::tls_error);
}

TEST(ClientTls, ImplicitTlsAgainstPlaintextServerFailsFast) {
    ScriptedServer server;  // sends a plaintext greeting
    Transcript t;
    const auto start = Clock::now();
    auto c = connect_to(server, t, quick_options(), TlsMode::implicit);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, Errc::tls_error);
    EXPECT_LT(ms_since(start), 3000);
}

TEST(ClientTls, StartTlsTwiceIsRefused) {
    ScriptedServer server(tls_options(true));
    Transcript t;
    auto c = connect_to(server, t, quick_options(), TlsMode::implicit);
    ASSERT_TRUE(c);
    auto again = c->start_tls();
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, Errc::bad_argument);
}

TEST(ClientTls, SilentServerAfterStlsOkTimesOutTheHandshake) {
    ScriptedServer server(tls_options(false));
    server.on("STLS", Behaviour("+OK\r\n").hang());
    Transcript t;
    auto o = quick_options();
    o.io_timeout = 400ms;
    auto c = connect_to(server, t, o, TlsMode::starttls);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    ASSERT_TRUE(c->send_line("STLS"));
    ASSERT_TRUE(c->read_reply(ReplyKind::single_line));
    const auto start = Clock::now();
    auto info = c->start_tls();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().kind, Errc::tls_error);
    EXPECT_LT(ms_since(start), 3000);
}

}  // namespace
}  // namespace pop3::client
