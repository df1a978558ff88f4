// Helpers shared by the client's test files.
#pragma once

#include <chrono>

#include "client/connection.hpp"
#include "test_servers/scripted_server.hpp"

namespace pop3::client::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Options bounded tightly enough that a hostile case fails in well under a second.
inline ClientOptions quick_options() {
    ClientOptions o;
    o.connect_timeout = 2000ms;
    o.io_timeout = 1000ms;
    o.reply_timeout = 3000ms;
    o.overall_deadline = 20000ms;
    return o;
}

/// Connects to the scripted server (asserting success is the caller's job).
inline Result<Connection> connect_to(const pop3::testing::ScriptedServer& server, Transcript& transcript,
                                     ClientOptions options = quick_options(), TlsMode mode = TlsMode::none) {
    return Connection::connect(Endpoint{server.host(), server.port()}, mode, options, transcript);
}

/// Milliseconds since `start`. Upper bounds in the tests are the timeout plus ~2.5 s of slack for a loaded
/// 2-core machine: a hang would blow far past them, and ctest's timeout is the last resort.
inline long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace pop3::client::test
