// The YAML configuration, the users file and the command line of pop3spec-server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/command_line.hpp"
#include "config/config_loader.hpp"
#include "config/users_file.hpp"

namespace pop3::server {
namespace {

ConfigResult<ServerConfig> load(std::string_view text) {
    return load_config_text(text, "test.yaml", "/etc/pop3");
}

TEST(ServerConfigLoader, FullFileIsRead) {
    const auto result = load(R"(listen:
  - address: 127.0.0.1:1110
  - address: "[::1]:1995"
    tls: implicit
tls: {cert: server.crt, key: /abs/server.key}
store: {kind: maildir, root: mail}
users: users.txt
hostname: pop.example.test
threads: 3
log_level: warn
limits:
  autologout_seconds: 900
  preauth_idle_seconds: 30
  max_connections: 100
  max_connections_per_address: 10
  failed_auth_delay_ms: 250
  max_message_size: 1048576
  plaintext_login: false
  login_delay_seconds: 60
  expire_days: 31
  max_bad_commands: 5
)");
    ASSERT_TRUE(result) << result.error().to_string();
    const auto& c = result.value();
    ASSERT_EQ(c.listeners.size(), 2U);
    EXPECT_EQ(c.listeners[0], (ListenerConfig{"127.0.0.1", 1110, ListenerKind::plain}));
    EXPECT_EQ(c.listeners[1], (ListenerConfig{"::1", 1995, ListenerKind::implicit_tls}));
    EXPECT_EQ(c.tls.cert_file, std::filesystem::path("/etc/pop3/server.crt"));
    EXPECT_EQ(c.tls.key_file, std::filesystem::path("/abs/server.key"));
    EXPECT_EQ(c.store.kind, StoreKind::maildir);
    EXPECT_EQ(c.store.root, std::filesystem::path("/etc/pop3/mail"));
    EXPECT_EQ(c.users_file, std::filesystem::path("/etc/pop3/users.txt"));
    EXPECT_EQ(c.hostname, "pop.example.test");
    EXPECT_EQ(c.threads, 3U);
    EXPECT_EQ(c.log_level, LogLevel::warn);
    EXPECT_EQ(c.limits.autologout.count(), 900);
    EXPECT_EQ(c.limits.preauth_idle.count(), 30);
    EXPECT_EQ(c.limits.max_connections, 100U);
    EXPECT_EQ(c.limits.max_connections_per_address, 10U);
    EXPECT_EQ(c.limits.failed_auth_delay.count(), 250);
    EXPECT_EQ(c.limits.max_message_size, 1048576U);
    EXPECT_FALSE(c.limits.plaintext_login);
    EXPECT_EQ(c.limits.login_delay.count(), 60);
    EXPECT_EQ(c.limits.expire_days, 31);
    EXPECT_EQ(c.limits.max_bad_commands, 5);
}

TEST(ServerConfigLoader, DefaultsFollowTheRfcs) {
    const auto result = load("");
    ASSERT_TRUE(result);
    // RFC 1939 §3: an autologout timer of at least 10 minutes.
    EXPECT_GE(result.value().limits.autologout.count(), 600);
    EXPECT_TRUE(result.value().limits.plaintext_login);
    EXPECT_FALSE(result.value().limits.expire_days.has_value());
}

struct BadCase {
    const char* text;
    int line;
    const char* message_part;
};

TEST(ServerConfigLoader, ErrorsNameLineAndProblem) {
    const BadCase cases[] = {
        {"listen:\n  - address: 127.0.0.1:110\nlisten_typo: 1\n", 3, "unknown key 'listen_typo'"},
        {"limits:\n  autologout_seconds: soon\n", 2, "whole number"},
        {"limits:\n  autologout: 600\n", 2, "unknown key 'autologout'"},
        {"listen:\n  - address: 127.0.0.1\n", 2, "HOST:PORT"},
        {"listen:\n  - address: 127.0.0.1:99999\n", 2, "port"},
        {"listen:\n  - address: 127.0.0.1:110\n    tls: maybe\n", 3, "plain or implicit"},
        {"store: {kind: sql}\n", 1, "memory, maildir or mbox"},
        {"store:\n  kind: maildir\n", 2, "needs a root"},
        {"tls: {cert: a.pem}\n", 1, "both cert and key"},
        {"limits:\n  plaintext_login: perhaps\n", 2, "true or false"},
        {"log_level: loud\n", 1, "log_level"},
        {"listen: [\n", 2, ""},
        {"- a\n- b\n", 1, "mapping"},
        {"limits:\n  preauth_idle_seconds: 0\n", 2, "positive"},
    };
    for (const auto& c : cases) {
        const auto result = load(c.text);
        ASSERT_FALSE(result) << c.text;
        EXPECT_EQ(result.error().file, "test.yaml");
        EXPECT_EQ(result.error().line, c.line) << c.text << " -> " << result.error().to_string();
        EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
            << c.text << " -> " << result.error().to_string();
    }
}

TEST(ServerConfigLoader, MissingFileIsAnError) {
    const auto result = load_config_file("/nonexistent/pop3spec.yaml");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().to_string().find("/nonexistent/pop3spec.yaml"), std::string::npos);
}

TEST(ServerConfigUsers, ParsesCommentsBlanksAndColonsInSecrets) {
    const auto result = parse_users("# accounts\n\nalice:secret\r\n  bob:pa:ss word\nempty:\n", "users");
    ASSERT_TRUE(result) << result.error().to_string();
    const std::vector<Account> expected{{"alice", "secret"}, {"bob", "pa:ss word"}, {"empty", ""}};
    EXPECT_EQ(result.value(), expected);
}

TEST(ServerConfigUsers, ErrorsNameTheLine) {
    auto r = parse_users("alice:x\nnocolon\n", "users");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().line, 2);
    r = parse_users("alice:x\n\nalice:y\n", "users");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().line, 3);
    EXPECT_NE(r.error().message.find("twice"), std::string::npos);
    r = parse_users(":x\n", "users");
    ASSERT_FALSE(r);
    r = parse_users("a b:x\n", "users");
    ASSERT_FALSE(r);
}

TEST(ServerConfigCommandLine, FlagsAloneMakeAConfig) {
    const auto r = parse_command_line({"--listen", "127.0.0.1:0", "--listen=[::1]:0", "--tls-listen", "127.0.0.1:0",
                                       "--cert", "c.pem", "--key", "k.pem", "--store", "maildir:/srv/mail",
                                       "--log-level", "debug", "--no-plaintext-login", "--autologout", "700"});
    ASSERT_TRUE(r) << r.error().to_string();
    const auto& c = r.value().config;
    ASSERT_EQ(c.listeners.size(), 3U);
    EXPECT_EQ(c.listeners[1].host, "::1");
    EXPECT_EQ(c.listeners[2].kind, ListenerKind::implicit_tls);
    EXPECT_EQ(c.store.kind, StoreKind::maildir);
    EXPECT_EQ(c.store.root, std::filesystem::path("/srv/mail"));
    EXPECT_EQ(c.log_level, LogLevel::debug);
    EXPECT_FALSE(c.limits.plaintext_login);
    EXPECT_EQ(c.limits.autologout.count(), 700);
}

TEST(ServerConfigCommandLine, FlagsOverrideTheFile) {
    const auto dir = std::filesystem::temp_directory_path() / ("pop3spec-config-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "server.yaml") << "listen:\n  - address: 127.0.0.1:1110\nstore: {kind: mbox, root: mail}\n"
                                              "limits: {max_connections: 5}\n";
    }
    const auto r = parse_command_line({"--config", (dir / "server.yaml").string(), "--listen", "127.0.0.1:0"});
    ASSERT_TRUE(r) << r.error().to_string();
    const auto& c = r.value().config;
    ASSERT_EQ(c.listeners.size(), 1U);
    EXPECT_EQ(c.listeners[0].port, 0);
    EXPECT_EQ(c.store.kind, StoreKind::mbox);
    EXPECT_EQ(c.store.root, dir / "mail");
    EXPECT_EQ(c.limits.max_connections, 5U);
    std::filesystem::remove_all(dir);
}

TEST(ServerConfigCommandLine, RefusesWhatItCannotHonour) {
    EXPECT_FALSE(parse_command_line({}));                                      // no listener
    EXPECT_FALSE(parse_command_line({"--listen", "127.0.0.1:0", "--bogus"}));  // unknown flag
    EXPECT_FALSE(parse_command_line({"--listen"}));                            // missing value
    EXPECT_FALSE(parse_command_line({"--tls-listen", "127.0.0.1:0"}));         // TLS without files
    EXPECT_FALSE(parse_command_line({"--listen", "127.0.0.1:0", "--store", "maildir:"}));
    EXPECT_FALSE(parse_command_line({"--listen", "127.0.0.1:0", "--threads", "two"}));
    EXPECT_FALSE(parse_command_line({"--config", "/nonexistent.yaml"}));
    const auto help = parse_command_line({"--listen", "bad", "--help"});
    ASSERT_TRUE(help);
    EXPECT_TRUE(help.value().help);
    EXPECT_NE(usage_text().find("--tls-listen"), std::string::npos);
}

}  // namespace
}  // namespace pop3::server
