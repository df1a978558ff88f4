// pop3spec-loadgen: a POP3 load client for the reference-server benchmark (reference-server/bench/run.sh).
// Many concurrent connections on one thread and one event loop (C++20 coroutines on Asio); it reports its own CPU
// time so a run can show the client was not the bottleneck.
//
//   pop3spec-loadgen sessions PORT USER_PREFIX ACCOUNTS CONCURRENCY SECONDS
//       full sessions (connect, USER/PASS, STAT, LIST, RETR every message, QUIT); worker i uses account
//       USER_PREFIX<i % ACCOUNTS>, so no two concurrent sessions share a maildrop
//   pop3spec-loadgen retr PORT USER COUNT          one session, RETR 1 COUNT times: throughput
//   pop3spec-loadgen idle PORT USER_PREFIX CONNECTIONS AUTHENTICATED SECONDS
//       hold CONNECTIONS greeted sessions, AUTHENTICATED of them logged in on distinct accounts, for SECONDS
//   pop3spec-loadgen ttfr PORT USER                 login, STAT, UIDL: time to the first reply of each
// Every account's secret is "secret". Output: one "key=value ..." line.
#include <sys/resource.h>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// One client connection with a growable buffer and reply framing.
class Conn {
  public:
    explicit Conn(asio::io_context& io) : socket_(io) {}

    asio::awaitable<bool> connect(std::uint16_t port) {
        auto [ec] = co_await socket_.async_connect({asio::ip::make_address("127.0.0.1"), port}, nothrow);
        if (!ec) socket_.set_option(tcp::no_delay(true), ec);
        co_return !ec;
    }

    asio::awaitable<bool> send(std::string_view text) {
        auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(text.data(), text.size()), nothrow);
        co_return !ec;
    }

    /// One status line; empty on error. Consumes it from the buffer.
    asio::awaitable<std::string> line() {
        for (;;) {
            if (const auto at = buffer_.find("\r\n", start_); at != std::string::npos) {
                std::string out = buffer_.substr(start_, at - start_);
                start_ = at + 2;
                compact();
                co_return out;
            }
            const bool filled = co_await fill();
            if (!filled) co_return std::string{};
        }
    }

    /// A multi-line reply: status line, then the body up to ".CRLF". Returns body octets (wire), -1 on error.
    asio::awaitable<long long> multiline() {
        const auto status = co_await line();
        if (status.rfind("+OK", 0) != 0) co_return -1;
        // The body ends at the first CRLF.CRLF, or at ".CRLF" right at the start.
        long long octets = 0;
        for (;;) {
            std::string_view view(buffer_);
            view.remove_prefix(start_);
            if (view.rfind(".\r\n", 0) == 0 && at_line_start_) {
                start_ += 3;
                compact();
                at_line_start_ = true;
                co_return octets;
            }
            const auto end = view.find("\r\n.\r\n");
            if (end != std::string_view::npos) {
                octets += static_cast<long long>(end + 2);
                start_ += end + 5;
                compact();
                at_line_start_ = true;
                co_return octets;
            }
            // Keep the last 4 octets (a terminator may straddle reads); count and drop the rest.
            if (view.size() > 4) {
                const auto drop = view.size() - 4;
                octets += static_cast<long long>(drop);
                start_ += drop;
                at_line_start_ = false;
                compact();
            }
            const bool filled = co_await fill();
            if (!filled) co_return -1;
        }
    }

    asio::awaitable<std::string> command(std::string_view text) {
        const bool sent = co_await send(text);
        if (!sent) co_return std::string{};
        auto reply = co_await line();
        co_return reply;
    }

    void close() {
        std::error_code ec;
        socket_.close(ec);
    }

  private:
    asio::awaitable<bool> fill() {
        char chunk[65536];
        auto [ec, n] = co_await socket_.async_read_some(asio::buffer(chunk), nothrow);
        if (ec) co_return false;
        buffer_.append(chunk, n);
        co_return true;
    }

    void compact() {
        if (start_ > 0 && (start_ == buffer_.size() || start_ > 65536)) {
            buffer_.erase(0, start_);
            start_ = 0;
        }
    }

    tcp::socket socket_;
    std::string buffer_;
    std::size_t start_ = 0;
    bool at_line_start_ = true;
};

// GCC 12 mis-compiles co_await inside && and on temporaries in some forms: every result goes to a local first.
bool ok_reply(const std::string& line) {
    return line.rfind("+OK", 0) == 0;
}

asio::awaitable<bool> login(Conn& c, const std::string& user) {
    const auto greeting = co_await c.line();
    if (!ok_reply(greeting)) co_return false;
    const auto user_reply = co_await c.command("USER " + user + "\r\n");
    if (!ok_reply(user_reply)) co_return false;
    const auto pass_reply = co_await c.command("PASS secret\r\n");
    co_return ok_reply(pass_reply);
}

struct SessionStats {
    long long sessions = 0;
    long long failures = 0;
    long long messages = 0;
    long long octets = 0;
};

asio::awaitable<void> session_worker(asio::io_context& io, std::uint16_t port, std::string user, Clock::time_point end,
                                     SessionStats& stats) {
    while (Clock::now() < end) {
        Conn c(io);
        bool ok = co_await c.connect(port);
        if (ok) ok = co_await login(c, user);
        long long count = 0;
        if (ok) {
            const auto stat = co_await c.command("STAT\r\n");
            ok = stat.rfind("+OK ", 0) == 0;
            if (ok) count = std::atoll(stat.c_str() + 4);
        }
        if (ok) ok = co_await c.send("LIST\r\n");
        if (ok) {
            const auto listed = co_await c.multiline();
            ok = listed >= 0;
        }
        for (long long i = 1; ok && i <= count; ++i) {
            ok = co_await c.send("RETR " + std::to_string(i) + "\r\n");
            long long octets = -1;
            if (ok) octets = co_await c.multiline();
            ok = octets >= 0;
            stats.octets += ok ? octets : 0;
            stats.messages += ok ? 1 : 0;
        }
        if (ok) {
            const auto bye = co_await c.command("QUIT\r\n");
            ok = ok_reply(bye);
        }
        c.close();
        ++(ok ? stats.sessions : stats.failures);
        if (!ok) {
            asio::steady_timer pause(io, std::chrono::milliseconds(10));
            co_await pause.async_wait(nothrow);
        }
    }
}

int run_sessions(std::uint16_t port, const std::string& prefix, int accounts, int concurrency, double seconds) {
    asio::io_context io(1);
    SessionStats stats;
    const auto t0 = Clock::now();
    const double cpu0 = cpu_seconds();
    const auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (int i = 0; i < concurrency; ++i) {
        asio::co_spawn(io, session_worker(io, port, prefix + std::to_string(i % accounts), end, stats), asio::detached);
    }
    io.run();
    const double wall = since(t0);
    std::printf(
        "mode=sessions sessions=%lld failures=%lld messages=%lld octets=%lld wall_s=%.3f sessions_per_s=%.1f "
        "client_cpu_s=%.3f client_cpu_pct=%.1f\n",
        stats.sessions, stats.failures, stats.messages, stats.octets, wall, stats.sessions / wall, cpu_seconds() - cpu0,
        100.0 * (cpu_seconds() - cpu0) / wall);
    return stats.sessions > 0 ? 0 : 1;
}

int run_retr(std::uint16_t port, const std::string& user, int count) {
    asio::io_context io(1);
    long long octets = 0;
    int done = 0;
    double wall = 0;
    const double cpu0 = cpu_seconds();
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            Conn c(io);
            const bool connected = co_await c.connect(port);
            if (!connected) co_return;
            const bool logged_in = co_await login(c, user);
            if (!logged_in) co_return;
            const auto t0 = Clock::now();
            for (int i = 0; i < count; ++i) {
                const bool sent = co_await c.send("RETR 1\r\n");
                if (!sent) break;
                const auto n = co_await c.multiline();
                if (n < 0) break;
                octets += n;
                ++done;
            }
            wall = since(t0);
            co_await c.command("QUIT\r\n");
        },
        asio::detached);
    io.run();
    std::printf("mode=retr retrievals=%d octets=%lld wall_s=%.3f mib_per_s=%.1f client_cpu_s=%.3f\n", done, octets,
                wall, wall > 0 ? static_cast<double>(octets) / wall / 1048576.0 : 0.0, cpu_seconds() - cpu0);
    return done == count ? 0 : 1;
}

int run_idle(std::uint16_t port, const std::string& prefix, int connections, int authenticated, double seconds) {
    asio::io_context io(1);
    int greeted = 0;
    int logged_in = 0;
    int failed = 0;
    int settled = 0;
    std::vector<std::unique_ptr<Conn>> conns;
    conns.reserve(static_cast<std::size_t>(connections));
    const auto t0 = Clock::now();
    for (int i = 0; i < connections; ++i) {
        conns.push_back(std::make_unique<Conn>(io));
        asio::co_spawn(
            io,
            [&, i, c = conns.back().get()]() -> asio::awaitable<void> {
                struct Settle {
                    int& n;
                    ~Settle() { ++n; }
                } settle{settled};
                const bool connected = co_await c->connect(port);
                std::string greeting;
                if (connected) greeting = co_await c->line();
                if (!ok_reply(greeting)) {
                    ++failed;
                    co_return;
                }
                ++greeted;
                if (i < authenticated) {
                    const auto user = prefix + std::to_string(i);
                    const auto user_reply = co_await c->command("USER " + user + "\r\n");
                    std::string pass_reply;
                    if (ok_reply(user_reply)) pass_reply = co_await c->command("PASS secret\r\n");
                    if (ok_reply(pass_reply)) {
                        ++logged_in;
                    } else {
                        ++failed;
                    }
                }
            },
            asio::detached);
    }
    // Run until every connection is set up, then report and hold them.
    while (settled < connections && since(t0) < 60)
        io.run_for(std::chrono::milliseconds(50));
    std::printf("mode=idle connections=%d greeted=%d authenticated=%d failed=%d setup_s=%.3f holding_s=%.1f\n",
                connections, greeted, logged_in, failed, since(t0), seconds);
    std::fflush(stdout);
    io.restart();
    io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(seconds)));
    for (auto& c : conns)
        c->close();
    return failed == 0 ? 0 : 1;
}

int run_ttfr(std::uint16_t port, const std::string& user) {
    asio::io_context io(1);
    double login_s = -1, stat_s = -1, uidl_first_s = -1, uidl_s = -1;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            Conn c(io);
            const auto t0 = Clock::now();
            const bool connected = co_await c.connect(port);
            if (!connected) co_return;
            const bool logged_in = co_await login(c, user);
            if (!logged_in) co_return;
            login_s = since(t0);
            const auto stat = co_await c.command("STAT\r\n");
            if (stat.rfind("+OK", 0) != 0) co_return;
            stat_s = since(t0);
            const bool sent = co_await c.send("UIDL\r\n");
            if (!sent) co_return;
            const auto status = co_await c.line();
            uidl_first_s = since(t0);
            if (status.rfind("+OK", 0) != 0) co_return;
            // The rest of the listing up to ".CRLF".
            for (;;) {
                const auto l = co_await c.line();
                if (l == "." || l.empty()) break;
            }
            uidl_s = since(t0);
            co_await c.command("QUIT\r\n");
        },
        asio::detached);
    io.run();
    std::printf("mode=ttfr login_ms=%.1f stat_ms=%.1f uidl_first_line_ms=%.1f uidl_complete_ms=%.1f\n", login_s * 1000,
                stat_s * 1000, uidl_first_s * 1000, uidl_s * 1000);
    return uidl_s >= 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> a(argv + 1, argv + argc);
    const auto port = [&] { return static_cast<std::uint16_t>(std::atoi(a.at(1).c_str())); };
    try {
        if (a.size() == 6 && a[0] == "sessions") {
            return run_sessions(port(), a[2], std::atoi(a[3].c_str()), std::atoi(a[4].c_str()),
                                std::atof(a[5].c_str()));
        }
        if (a.size() == 4 && a[0] == "retr") return run_retr(port(), a[2], std::atoi(a[3].c_str()));
        if (a.size() == 6 && a[0] == "idle") {
            return run_idle(port(), a[2], std::atoi(a[3].c_str()), std::atoi(a[4].c_str()), std::atof(a[5].c_str()));
        }
        if (a.size() == 3 && a[0] == "ttfr") return run_ttfr(port(), a[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pop3spec-loadgen: %s\n", e.what());
        return 2;
    }
    std::fprintf(stderr,
                 "usage: pop3spec-loadgen sessions PORT USER_PREFIX ACCOUNTS CONCURRENCY SECONDS\n"
                 "       pop3spec-loadgen retr PORT USER COUNT\n"
                 "       pop3spec-loadgen idle PORT USER_PREFIX CONNECTIONS AUTHENTICATED SECONDS\n"
                 "       pop3spec-loadgen ttfr PORT USER\n");
    return 2;
}
