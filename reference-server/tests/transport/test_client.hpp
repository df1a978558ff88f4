#pragma once
// A small POP3 test client over loopback for the transport tests: every read has a byte bound and a deadline, so no
// test can hang. Plain, STLS (upgrade in place) and implicit TLS.

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace pop3::server::testing {

using namespace std::chrono_literals;

class TestClient {
  public:
    static constexpr std::size_t max_buffer = 64 * 1024 * 1024;

    /// Connects to 127.0.0.1:port; `tls_context` non-null means implicit TLS (handshake at once).
    explicit TestClient(std::uint16_t port, asio::ssl::context* implicit_tls = nullptr) {
        std::error_code ec;
        run(
            [&](auto done) {
                socket_.async_connect({asio::ip::make_address("127.0.0.1"), port},
                                      [done](std::error_code e) { done(e); });
            },
            5s, ec);
        connected_ = !ec;
        if (connected_ && implicit_tls) connected_ = handshake(*implicit_tls);
    }

    bool connected() const { return connected_; }

    /// Upgrades the connection (after +OK to STLS); false when the handshake fails.
    bool handshake(asio::ssl::context& context) {
        tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(socket_, context);
        std::error_code ec;
        run(
            [&](auto done) {
                tls_->async_handshake(asio::ssl::stream_base::client, [done](std::error_code e) { done(e); });
            },
            5s, ec);
        return !ec;
    }

    bool send(std::string_view bytes) {
        std::error_code ec;
        run(
            [&](auto done) {
                auto handler = [done](std::error_code e, std::size_t) { done(e); };
                if (tls_) {
                    asio::async_write(*tls_, asio::buffer(bytes.data(), bytes.size()), handler);
                } else {
                    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()), handler);
                }
            },
            10s, ec);
        return !ec;
    }

    /// One line with CRLF; empty on timeout or EOF.
    std::string line(std::chrono::milliseconds limit = 5s) { return until("\r\n", limit); }

    /// A whole multi-line reply (status line through ".CRLF"); empty on timeout or EOF.
    std::string multiline(std::chrono::milliseconds limit = 5s) {
        auto status = line(limit);
        if (status.rfind("+OK", 0) != 0) return status;
        if (buffer_.rfind(".\r\n", 0) == 0) {
            buffer_.erase(0, 3);
            return status + ".\r\n";
        }
        return status + until("\r\n.\r\n", limit);
    }

    /// Everything up to and including `terminator`; empty on timeout or EOF (what was read stays buffered).
    std::string until(std::string_view terminator, std::chrono::milliseconds limit = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            if (const auto at = buffer_.find(terminator); at != std::string::npos) {
                auto out = buffer_.substr(0, at + terminator.size());
                buffer_.erase(0, at + terminator.size());
                return out;
            }
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= 0s || eof_ || buffer_.size() > max_buffer) return {};
            read_some(std::chrono::duration_cast<std::chrono::milliseconds>(left));
        }
    }

    /// Whatever arrives within `period` (plus what is buffered).
    std::string drain(std::chrono::milliseconds period) {
        const auto deadline = std::chrono::steady_clock::now() + period;
        for (;;) {
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= 0s || eof_) break;
            read_some(std::chrono::duration_cast<std::chrono::milliseconds>(left));
        }
        return std::exchange(buffer_, {});
    }

    /// Whether the server closes the connection within `limit`; what it sent before is kept in `sent`.
    bool closed_within(std::chrono::milliseconds limit, std::string* sent = nullptr) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!eof_) {
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= 0s) break;
            read_some(std::chrono::duration_cast<std::chrono::milliseconds>(left));
        }
        if (sent) *sent = buffer_;
        return eof_;
    }

    /// Sends a command and reads its one-line reply.
    std::string command(std::string_view cmd) {
        send(std::string(cmd) + "\r\n");
        return line();
    }

    /// USER/PASS login; returns the reply to PASS.
    std::string login(std::string_view user, std::string_view secret) {
        if (command("USER " + std::string(user)).rfind("+OK", 0) != 0) return "-ERR USER";
        return command("PASS " + std::string(secret));
    }

    void close() {
        std::error_code ec;
        socket_.close(ec);
    }

    std::string& buffer() { return buffer_; }

  private:
    template <class Start>
    void run(Start start, std::chrono::milliseconds limit, std::error_code& ec) {
        bool finished = false;
        io_.restart();
        start([&](std::error_code e) {
            finished = true;
            ec = e;
        });
        io_.run_for(limit);
        if (!finished) {
            std::error_code ignored;
            socket_.cancel(ignored);
            io_.restart();
            io_.run_for(1s);
            ec = asio::error::timed_out;
        }
    }

    void read_some(std::chrono::milliseconds limit) {
        char chunk[16384];
        std::size_t got = 0;
        std::error_code ec;
        run(
            [&](auto done) {
                auto handler = [done, &got](std::error_code e, std::size_t n) {
                    got = n;
                    done(e);
                };
                if (tls_) {
                    tls_->async_read_some(asio::buffer(chunk), handler);
                } else {
                    socket_.async_read_some(asio::buffer(chunk), handler);
                }
            },
            limit, ec);
        buffer_.append(chunk, got);
        if (ec && ec != asio::error::timed_out && ec != asio::error::operation_aborted) eof_ = true;
    }

    asio::io_context io_;
    asio::ip::tcp::socket socket_{io_};
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> tls_;
    std::string buffer_;
    bool eof_ = false;
    bool connected_ = false;
};

}  // namespace pop3::server::testing
