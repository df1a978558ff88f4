// Properties over many random sessions: no crash, every line within 512 octets, the engine never stalls; and the
// memory an idle session costs.
#include <malloc.h>

#include <random>

#include "harness.hpp"
#include "pop3/sasl_plain.hpp"

namespace pop3::server::test {
namespace {

std::string random_input(std::mt19937& random) {
    static const std::vector<std::string> vocabulary = {"USER alice",
                                                        "USER bob",
                                                        "PASS secret",
                                                        "PASS wrong",
                                                        "APOP alice 0123456789abcdef0123456789abcdef",
                                                        "AUTH PLAIN",
                                                        "AUTH PLAIN " + sasl_plain_encode({"", "alice", "secret"}),
                                                        "*",
                                                        "=",
                                                        "STLS",
                                                        "CAPA",
                                                        "STAT",
                                                        "LIST",
                                                        "LIST 1",
                                                        "LIST 0",
                                                        "LIST 99",
                                                        "UIDL",
                                                        "UIDL 2",
                                                        "RETR 1",
                                                        "RETR 2",
                                                        "RETR 3",
                                                        "TOP 2 0",
                                                        "TOP 3 5",
                                                        "DELE 1",
                                                        "DELE 2",
                                                        "DELE 3",
                                                        "NOOP",
                                                        "RSET",
                                                        "QUIT",
                                                        "XYZZY",
                                                        "",
                                                        " ",
                                                        "LIST  1",
                                                        "RETR 4294967297",
                                                        std::string(300, 'A'),
                                                        "stat",
                                                        "retr 1",
                                                        "list 1 2",
                                                        "TOP 1"};
    std::string input;
    const int commands = static_cast<int>(random() % 30);
    for (int i = 0; i < commands; ++i) {
        if (random() % 10 == 0) {
            const int n = static_cast<int>(random() % 40);
            for (int j = 0; j < n; ++j)
                input += static_cast<char>(random() % 256);
        } else {
            input += vocabulary[random() % vocabulary.size()];
        }
        input += random() % 8 == 0 ? "\n" : "\r\n";
    }
    return input;
}

TEST(SessionRobustness, RandomSessionsKeepTheInvariants) {
    std::mt19937 random(5034);
    auto config = Harness::default_config();
    config->tls_available = true;
    config->max_bad_commands = 50;
    config->max_failed_auths = 10;
    for (int round = 0; round < 3000; ++round) {
        Harness h(config);
        h.seed();
        h.connect();
        const std::string input = random_input(random);
        std::string out;
        std::size_t pos = 0;
        while (pos < input.size()) {
            const std::size_t step = 1 + random() % 64;
            out += h.send(std::string_view(input).substr(pos, step));
            pos += step;
            if (h.last == Session::Next::start_tls) h.session->tls_started();
            if (h.last == Session::Next::close) break;
        }
        for (const auto& line : lines(out))
            ASSERT_LE(line.size() + 2, 512U) << "round " << round;
        const auto first = lines(out);
        if (!first.empty()) {
            EXPECT_TRUE(starts_with(first[0], "+OK") || starts_with(first[0], "-ERR") || first[0] == "+ ")
                << "round " << round << ": " << first[0];
        }
        // Whatever happened, dropping the session releases the lock.
        h.session.reset();
        EXPECT_FALSE(h.store.locked("alice"));
    }
}

TEST(SessionFootprint, IdleGreetedSessionCostsLittleMemory) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer replaces malloc: mallinfo2 counts nothing";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    GTEST_SKIP() << "AddressSanitizer replaces malloc: mallinfo2 counts nothing";
#endif
#endif
    Harness h;
    std::vector<std::unique_ptr<Session>> sessions;
    sessions.reserve(10'000);
    const auto before = ::mallinfo2().uordblks;
    for (int i = 0; i < 10'000; ++i) {
        auto s = std::make_unique<Session>(h.config_, h.faulty);
        s->start();
        drive(*s, "");
        sessions.push_back(std::move(s));
    }
    const auto per_session = (::mallinfo2().uordblks - before) / sessions.size();
    RecordProperty("heap_bytes_per_idle_session", static_cast<int>(per_session));
    std::printf("heap bytes per idle greeted session: %zu\n", per_session);
    EXPECT_LT(per_session, 4096U);
}

}  // namespace
}  // namespace pop3::server::test
