// netfuzz_fault_server: a TEST-ONLY POP3 server for the network fuzzer's tests. It runs the reference session
// engine over a seeded memory store, one thread per connection, and can plant one fault (--fault), so the tests
// can require the fuzzer to find it. The shipped pop3spec-server has no such flag: faults live only here, in front
// of the engine, and nothing outside src/tests/netfuzz/ builds this file.
//
//   netfuzz_fault_server [--port P] [--fault none|crash|hang|state] [--messages N] [--accounts N]
//
// Prints "listening 127.0.0.1:PORT" once bound. Accounts: alice, alice-1, ... alice-(N-1); password "secret".
// Planted faults (each decided on whole command lines, before the engine sees them):
//   crash  RSET after a DELE in the same session: abort() (SIGABRT), the whole process dies
//   hang   UIDL n with n one past the last message: the session stops answering (and reading)
//   state  NOOP or STAT before login: "+OK" instead of -ERR (RFC 1939 §3 says -ERR)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "engine/session.hpp"
#include "pop3/command_parser.hpp"
#include "store/memory_store.hpp"

namespace {

using pop3::server::Session;

enum class Fault { none, crash, hang, state };

struct Shared {
    std::shared_ptr<const pop3::server::SessionConfig> config;
    std::shared_ptr<pop3::server::MemoryStore> store;
    Fault fault = Fault::none;
    std::size_t messages = 0;
};

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// Drives the engine until it wants input; false when the connection is over.
bool drive(Session& session, int fd) {
    while (true) {
        switch (session.next()) {
            case Session::Next::write: {
                const auto out = session.pending_output();
                if (!send_all(fd, out)) return false;
                session.consume_output(out.size());
                break;
            }
            case Session::Next::read:
                return true;
            case Session::Next::wait:
                std::this_thread::sleep_for(session.wait_duration());
                session.resume();
                break;
            case Session::Next::start_tls:
            case Session::Next::close:
                return false;
        }
    }
}

// A session that stopped answering: read and drop until the client goes away.
void hang(int fd) {
    char buf[4096];
    while (::recv(fd, buf, sizeof buf, 0) > 0) {
    }
}

void serve(int fd, const Shared& shared) {
    Session session(shared.config, *shared.store);
    session.start();
    pop3::CommandFramer framer(1u << 20);
    bool saw_dele = false;
    bool ok = drive(session, fd);
    char buf[16384];
    while (ok) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 120000) <= 0) break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        std::string_view in(buf, static_cast<std::size_t>(n));
        while (!in.empty() && ok) {
            const std::size_t used = framer.feed(in);
            in.remove_prefix(used);
            auto line = framer.next();
            if (!line) continue;
            const std::string text = upper(line->text);
            const bool authorization = session.state() == pop3::server::SessionState::authorization;
            if (shared.fault == Fault::crash && text.rfind("DELE", 0) == 0) saw_dele = true;
            if (shared.fault == Fault::crash && text == "RSET" && saw_dele && !authorization) std::abort();
            if (shared.fault == Fault::hang && text == "UIDL " + std::to_string(shared.messages + 1) && !authorization)
                return hang(fd);
            if (shared.fault == Fault::state && authorization && (text == "NOOP" || text == "STAT")) {
                ok = send_all(fd, "+OK\r\n");
                continue;
            }
            // The engine gets the line as it came (over-long lines are re-framed by the engine itself).
            std::string wire = line->text;
            wire += line->end == pop3::LineEnd::crlf ? "\r\n" : "\n";
            if (line->error) wire = std::string(300, 'X') + "\r\n";
            session.feed(wire);
            ok = drive(session, fd);
        }
    }
    session.disconnected();
}

}  // namespace

int main(int argc, char** argv) {
    int port = 0;
    Fault fault = Fault::none;
    std::size_t messages = 5;
    std::size_t accounts = 4;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--port") {
            port = std::atoi(value.c_str());
        } else if (flag == "--fault") {
            fault = value == "crash"   ? Fault::crash
                    : value == "hang"  ? Fault::hang
                    : value == "state" ? Fault::state
                                       : Fault::none;
        } else if (flag == "--messages") {
            messages = static_cast<std::size_t>(std::atoi(value.c_str()));
        } else if (flag == "--accounts") {
            accounts = static_cast<std::size_t>(std::atoi(value.c_str()));
        }
    }
    ::signal(SIGPIPE, SIG_IGN);

    auto config = std::make_shared<pop3::server::SessionConfig>();
    config->failed_auth_delay = std::chrono::milliseconds(0);
    config->pid = 1;
    auto store = std::make_shared<pop3::server::MemoryStore>();
    for (std::size_t a = 0; a < accounts; ++a) {
        const std::string user = a == 0 ? "alice" : "alice-" + std::to_string(a);
        config->users[user] = "secret";
        for (std::size_t m = 1; m <= messages; ++m)
            store->add(user, "From: fuzz@example.org\r\nSubject: message " + std::to_string(m) + "\r\n\r\n" +
                                 std::string(m * 37, 'x') + "\r\n.dot line\r\n");
    }
    Shared shared{config, store, fault, messages};

    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    socklen_t len = sizeof addr;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 512) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::fprintf(stderr, "netfuzz_fault_server: bind: %s\n", std::strerror(errno));
        return 1;
    }
    std::printf("listening 127.0.0.1:%u\n", static_cast<unsigned>(ntohs(addr.sin_port)));
    std::fflush(stdout);
    while (true) {
        const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        std::thread([fd, &shared] {
            serve(fd, shared);
            ::close(fd);
        }).detach();
    }
}
