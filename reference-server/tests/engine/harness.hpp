// Drives a Session without sockets: feed bytes, run the transport loop, collect what would be sent.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/session.hpp"
#include "store/fault_store.hpp"
#include "store/memory_store.hpp"

namespace pop3::server::test {

// The fixture maildrop of shared/pop3-requirements.md §0.4 (stored with LF line ends, as other software writes).
inline const std::string m1 =
    "From: a@example.org\nTo: alice@example.org\nSubject: M1\nDate: Sat, 1 Jan 2000 00:00:00 +0000\n"
    "Message-ID: <m1@example.org>\n\nHello\n";
inline const std::string m2 = "Subject: M2\n\n.\n..\n.leading\n. space\nmiddle.\n\nend\n";
inline std::string m3() {
    std::string m = "Subject: M3\r\n\r\n";
    for (int i = 1; i <= 10; ++i)
        m += "line " + std::string(i < 10 ? "0" : "") + std::to_string(i) + "\r\n";
    return m;
}

/// One session on a memory store (wrapped in a FaultStore), with a transport loop that records what happens.
class Harness {
  public:
    explicit Harness(std::shared_ptr<SessionConfig> config = default_config()) : config_(std::move(config)) {}

    static std::shared_ptr<SessionConfig> default_config() {
        auto config = std::make_shared<SessionConfig>();
        config->hostname = "test.example";
        config->pid = 42;
        config->users = {{"alice", "secret"}, {"bob", "secret"}, {"empty", "secret"}, {"spaced", "se cret"}};
        config->failed_auth_delay = std::chrono::milliseconds(0);
        config->clock = [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1'000'000)); };
        config->next_id = [n = std::make_shared<std::uint64_t>(0)] { return ++*n; };
        return config;
    }

    void seed() {
        store.add("alice", m1);
        store.add("alice", m2);
        store.add("alice", m3());
        store.add("bob", m1);
    }

    /// Creates the session and returns the greeting.
    std::string connect(SessionOptions options = {}) {
        session = std::make_unique<Session>(config_, faulty, options);
        session->start();
        return pump();
    }

    /// Feeds bytes and returns everything the session sends until it wants more input (or acts).
    std::string send(std::string_view bytes) {
        std::string out;
        do {
            const std::size_t n = session->feed(bytes);
            bytes.remove_prefix(n);
            out += pump();
            if (n == 0 && last != Session::Next::read) break;  // the session stopped reading (close, TLS)
        } while (!bytes.empty());
        return out;
    }

    /// Runs the transport loop until the session needs input or stops for an action.
    std::string pump() {
        std::string out;
        for (int guard = 0; guard < 10'000'000; ++guard) {
            last = session->next();
            switch (last) {
                case Session::Next::write: {
                    const std::string_view chunk = session->pending_output();
                    EXPECT_FALSE(chunk.empty());
                    max_chunk = std::max(max_chunk, chunk.size());
                    out.append(chunk);
                    session->consume_output(chunk.size());
                    break;
                }
                case Session::Next::wait:
                    ++waits;
                    session->resume();
                    break;
                case Session::Next::read:
                case Session::Next::start_tls:
                case Session::Next::close:
                    return out;
            }
        }
        ADD_FAILURE() << "session never asked for input";
        return out;
    }

    /// USER/PASS login; returns the PASS reply.
    std::string login(std::string_view user = "alice", std::string_view pass = "secret") {
        const std::string u = send("USER " + std::string(user) + "\r\n");
        EXPECT_EQ(u.substr(0, 3), "+OK") << u;
        return send("PASS " + std::string(pass) + "\r\n");
    }

    std::shared_ptr<SessionConfig> config_;
    MemoryStore store;
    FaultStore faulty{store};
    std::unique_ptr<Session> session;
    Session::Next last = Session::Next::read;
    std::size_t max_chunk = 0;
    int waits = 0;
};

/// Feeds `bytes` to a bare session and collects its output until it needs input or acts.
inline std::string drive(Session& session, std::string_view bytes) {
    session.feed(bytes);
    std::string out;
    while (session.next() == Session::Next::write) {
        out += session.pending_output();
        session.consume_output(session.pending_output().size());
    }
    return out;
}

inline bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

/// Splits a reply stream into CRLF-terminated lines (without the CRLF).
inline std::vector<std::string> lines(std::string_view s) {
    std::vector<std::string> result;
    std::size_t pos = 0;
    while (pos < s.size()) {
        const std::size_t end = s.find("\r\n", pos);
        if (end == std::string_view::npos) {
            result.emplace_back(s.substr(pos));
            break;
        }
        result.emplace_back(s.substr(pos, end - pos));
        pos = end + 2;
    }
    return result;
}

}  // namespace pop3::server::test
