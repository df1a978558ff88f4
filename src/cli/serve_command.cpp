// `pop3spec serve`: the reference server in the foreground, with pop3spec-server's flags.
#include <fmt/format.h>

#include <csignal>
#include <ostream>

#include "cli/cli.hpp"

#ifdef POP3SPEC_EMBEDDED_SERVER
#include "config/command_line.hpp"
#include "transport/server.hpp"
#endif

namespace pop3::cli {

int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
#ifndef POP3SPEC_EMBEDDED_SERVER
    (void)args;
    (void)out;
    err << "pop3spec serve: this build has no reference server\n";
    return exit_usage;
#else
    using namespace pop3::server;
    auto parsed = parse_command_line(args);
    if (!parsed) {
        err << "pop3spec serve: " << parsed.error().to_string() << "\n";
        return exit_usage;
    }
    if (parsed.value().help) {
        out << "Usage: pop3spec serve [options]   (the same options as pop3spec-server)\n\n" << usage_text();
        return exit_ok;
    }
    // As pop3spec-server does: block the stop signals in every thread and take them with sigwait here.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    auto started = Server::start(std::move(parsed.value().config));
    if (!started) {
        err << "pop3spec serve: " << started.error << "\n";
        return exit_failures;
    }
    for (const auto& listener : started.server->listeners())
        out << fmt::format("listening {} {}\n", listener.config.kind == ListenerKind::plain ? "pop3" : "pop3s",
                           listener.address);
    out.flush();
    int signal_number = 0;
    sigwait(&stop_signals, &signal_number);
    started.server->stop();
    return exit_ok;
#endif
}

}  // namespace pop3::cli
