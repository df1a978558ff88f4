// pop3spec-server: the reference POP3 server in the foreground until SIGTERM or SIGINT.
#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include "config/command_line.hpp"
#include "transport/server.hpp"

int main(int argc, char** argv) {
    using namespace pop3::server;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = parse_command_line(args);
    if (!parsed) {
        fmt::print(stderr, "pop3spec-server: {}\n", parsed.error().to_string());
        return 2;
    }
    if (parsed.value().help) {
        fmt::print("{}", usage_text());
        return 0;
    }

    // Block the stop signals in every thread (the server's threads inherit the mask) and take them with sigwait
    // here: no async-signal-safety concerns, and a SIGPIPE never kills the process.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    auto started = Server::start(std::move(parsed.value().config));
    if (!started) {
        fmt::print(stderr, "pop3spec-server: {}\n", started.error);
        return 1;
    }
    // One machine-readable line per listener, with the real port (port 0 asks for an ephemeral one).
    for (const auto& listener : started.server->listeners()) {
        fmt::print("listening {} {}\n", listener.config.kind == ListenerKind::plain ? "pop3" : "pop3s",
                   listener.address);
    }
    std::fflush(stdout);

    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    started.server->stop();
    return 0;
}
