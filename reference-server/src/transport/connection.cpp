#include "transport/connection.hpp"

#include <fmt/format.h>

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace pop3::server {
namespace {

// Completion by error code: no exceptions on the I/O path.
constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// Plain connections read into this per-thread buffer and hand the bytes to the engine at once, before the next
// co_await, so an idle connection owns no read buffer at all.
std::array<char, 16 * 1024>& thread_read_buffer() {
    thread_local std::array<char, 16 * 1024> buffer;
    return buffer;
}

constexpr std::size_t tls_buffer_size = 4096;
constexpr std::chrono::milliseconds tls_close_limit{1000};

bool would_block(const std::error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

const char* io_reason(int io) {
    static constexpr const char* names[] = {"ok", "eof", "timeout", "shutdown", "error"};
    return names[io];
}

}  // namespace

Connection::Connection(ServerState& state, Worker& worker, Socket socket, ListenerKind kind, std::string peer_address,
                       std::string peer)
    : state_(state),
      worker_(worker),
      socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      id_(state.next_session_id.fetch_add(1)),
      kind_(kind),
      peer_address_(std::move(peer_address)),
      peer_(std::move(peer)) {
    std::error_code ec;
    socket_.non_blocking(true, ec);
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

Socket& Connection::socket() {
    return tls_ ? tls_->next_layer() : socket_;
}

asio::awaitable<void> Connection::run(std::shared_ptr<Connection> self) {
    self->worker_.connections.insert(self.get());
    try {
        co_await self->serve();
    } catch (const std::exception& e) {
        self->state_.logger.write(LogLevel::error, self->id_, "internal-error", fmt::format("what=\"{}\"", e.what()));
    } catch (...) {
        self->state_.logger.write(LogLevel::error, self->id_, "internal-error");
    }
    self->disarm();
    std::error_code ec;
    auto& s = self->socket();
    s.shutdown(asio::socket_base::shutdown_both, ec);
    s.close(ec);
    self->worker_.connections.erase(self.get());
    self->state_.release(self->peer_address_);
    current_session_id = 0;
}

void Connection::shutdown() {
    disarm();
    cancel_io();
}

void Connection::cancel_io() {
    std::error_code ec;
    socket().cancel(ec);
    timer_.cancel();
}

void Connection::arm(std::chrono::milliseconds limit) {
    timer_.expires_after(limit);
    timer_.async_wait([self = shared_from_this()](const std::error_code& ec) {
        // A completion queued before the timer was re-armed or disarmed finds the expiry moved: ignore it.
        if (ec || self->timer_.expiry() > std::chrono::steady_clock::now()) return;
        self->timed_out_ = true;
        std::error_code ignored;
        self->socket().cancel(ignored);
    });
}

void Connection::disarm() {
    timer_.expires_at(std::chrono::steady_clock::time_point::max());
}

Connection::Io Connection::failure(const std::error_code& ec) const {
    if (timed_out_) return Io::timeout;
    if (worker_.stopping) return Io::stopped;
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated || ec == asio::error::connection_reset) {
        return Io::eof;
    }
    return Io::error;
}

asio::awaitable<Connection::Io> Connection::wait_ready(asio::socket_base::wait_type what,
                                                       std::chrono::milliseconds limit) {
    if (worker_.stopping) co_return Io::stopped;
    if (timed_out_) co_return Io::timeout;
    arm(limit);
    auto [ec] = co_await socket_.async_wait(what, nothrow);
    disarm();
    if (ec) co_return failure(ec);
    if (worker_.stopping) co_return Io::stopped;
    co_return Io::ok;
}

asio::awaitable<Connection::Io> Connection::write_output(std::string_view data, std::chrono::milliseconds limit) {
    if (tls_) {
        if (worker_.stopping) co_return Io::stopped;
        arm(limit);
        auto [ec, n] = co_await asio::async_write(*tls_, asio::buffer(data.data(), data.size()), nothrow);
        disarm();
        co_return ec ? failure(ec) : Io::ok;
    }
    // Plain: write straight from the engine's buffer without blocking; wait for room only when the kernel's send
    // buffer is full, so a client that stops reading is bounded by the watchdog.
    while (!data.empty()) {
        std::error_code ec;
        const auto n = socket_.write_some(asio::buffer(data.data(), data.size()), ec);
        if (!ec) {
            data.remove_prefix(n);
            continue;
        }
        if (!would_block(ec)) co_return failure(ec);
        if (const auto io = co_await wait_ready(asio::socket_base::wait_write, limit); io != Io::ok) co_return io;
    }
    co_return Io::ok;
}

asio::awaitable<Connection::Io> Connection::read_input(Session& session) {
    const auto limit = session.idle_timeout();
    if (tls_) {
        if (worker_.stopping) co_return Io::stopped;
        arm(limit);
        auto [ec, n] = co_await tls_->async_read_some(asio::buffer(tls_buffer_.get(), tls_buffer_size), nothrow);
        disarm();
        if (ec) co_return failure(ec);
        current_session_id = id_;
        session.feed(std::string_view(tls_buffer_.get(), n));
        co_return Io::ok;
    }
    for (;;) {
        auto& buffer = thread_read_buffer();
        std::size_t room = buffer.size();
        if (const auto max = session.max_input_buffer(); max > 0 && max < room) room = max;
        std::error_code ec;
        const auto n = socket_.read_some(asio::buffer(buffer.data(), room), ec);
        if (!ec) {
            current_session_id = id_;
            session.feed(std::string_view(buffer.data(), n));
            co_return Io::ok;
        }
        if (!would_block(ec)) co_return failure(ec);
        if (const auto io = co_await wait_ready(asio::socket_base::wait_read, limit); io != Io::ok) co_return io;
    }
}

asio::awaitable<Connection::Io> Connection::handshake(std::chrono::milliseconds limit) {
    tls_ = std::make_unique<TlsStream>(std::move(socket_), *state_.tls);
    tls_buffer_ = std::make_unique<char[]>(tls_buffer_size);
    if (worker_.stopping) co_return Io::stopped;
    arm(limit);
    auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, nothrow);
    disarm();
    if (ec) {
        if (state_.logger.enabled(LogLevel::debug)) {
            state_.logger.write(LogLevel::debug, id_, "tls-handshake-failed",
                                fmt::format("error=\"{}\"", ec.message()));
        }
        const auto io = failure(ec);
        co_return io == Io::ok || io == Io::eof ? Io::error : io;
    }
    co_return Io::ok;
}

asio::awaitable<void> Connection::close_tls() {
    // RFC 8314 §3.4: send close_notify before closing TCP; wait only briefly for the client's.
    if (worker_.stopping) co_return;
    arm(tls_close_limit);
    co_await tls_->async_shutdown(nothrow);
    disarm();
}

asio::awaitable<void> Connection::serve() {
    auto& log = state_.logger;
    if (log.enabled(LogLevel::info)) {
        log.write(LogLevel::info, id_, "connect",
                  fmt::format("peer={} listener={}", peer_, kind_ == ListenerKind::plain ? "pop3" : "pop3s"));
    }
    const auto& config = *state_.session_config;
    if (kind_ == ListenerKind::implicit_tls) {
        // RFC 8314 §3.1: the handshake comes first; the greeting is sent inside TLS.
        if (const auto io = co_await handshake(config.authorization_timeout); io != Io::ok) {
            log.write(LogLevel::info, id_, "close",
                      fmt::format("reason=tls-handshake-{}", io_reason(static_cast<int>(io))));
            co_return;
        }
    }
    current_session_id = id_;
    Session session(state_.session_config, *state_.store, SessionOptions{tls_ != nullptr});
    session.start();
    const char* reason = "closed";
    bool clean = false;
    bool logged_in = false;
    for (;;) {
        current_session_id = id_;
        if (worker_.stopping) {
            session.disconnected();
            reason = "shutdown";
            break;
        }
        const auto next = session.next();
        if (!logged_in && session.state() == SessionState::transaction) {
            logged_in = true;
            if (log.enabled(LogLevel::info))
                log.write(LogLevel::info, id_, "login", fmt::format("user={}", session.user()));
        }
        if (next == Session::Next::write) {
            const auto data = session.pending_output();
            if (const auto io = co_await write_output(data, session.idle_timeout()); io != Io::ok) {
                current_session_id = id_;
                io == Io::timeout ? session.timed_out() : session.disconnected();
                reason = io_reason(static_cast<int>(io));
                break;
            }
            current_session_id = id_;
            session.consume_output(data.size());
        } else if (next == Session::Next::read) {
            if (const auto io = co_await read_input(session); io != Io::ok) {
                current_session_id = id_;
                // RFC 1939 §3: the autologout timer closes without UPDATE and without a reply.
                io == Io::timeout ? session.timed_out() : session.disconnected();
                reason = io_reason(static_cast<int>(io));
                break;
            }
        } else if (next == Session::Next::wait) {
            // The delay after a failed login: nothing is read meanwhile, so pipelined guesses wait too.
            timer_.expires_after(session.wait_duration());
            co_await timer_.async_wait(nothrow);
            current_session_id = id_;
            disarm();
            if (worker_.stopping) continue;
            session.resume();
        } else if (next == Session::Next::start_tls) {
            // RFC 2595 §4: the +OK has been flushed; the engine has already discarded any plaintext the client
            // pipelined after STLS, and bytes still in the kernel's buffer are read by OpenSSL as (bad) TLS records.
            if (!state_.tls || tls_) {
                session.disconnected();
                reason = "error";
                break;
            }
            if (const auto io = co_await handshake(config.authorization_timeout); io != Io::ok) {
                current_session_id = id_;
                session.disconnected();
                reason = "tls-handshake-failed";
                break;
            }
            current_session_id = id_;
            session.tls_started();
            log.write(LogLevel::debug, id_, "stls");
        } else {
            clean = true;
            break;
        }
    }
    if (clean && tls_) co_await close_tls();
    if (log.enabled(LogLevel::info)) {
        log.write(LogLevel::info, id_, "close",
                  session.user().empty() ? fmt::format("reason={}", reason)
                                         : fmt::format("reason={} user={}", reason, session.user()));
    }
}

}  // namespace pop3::server
