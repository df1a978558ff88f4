#pragma once
// Internal to the transport: one client connection, driven by one coroutine that feeds the session engine.

#include <asio/awaitable.hpp>
#include <asio/basic_waitable_timer.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "config/server_config.hpp"
#include "engine/session.hpp"
#include "transport/server_state.hpp"

namespace pop3::server {

/// One connection: socket (and TLS once needed), the watchdog timer, and the coroutine that runs the session.
///
/// Lifetime: owned by shared_ptr; the coroutine and a pending watchdog handler each hold one, so a late timer
/// completion never touches a freed connection.
/// Sockets and timers bound to a worker's io_context directly (no type-erased executor on the hot path).
using Socket = asio::basic_stream_socket<asio::ip::tcp, asio::io_context::executor_type>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                         asio::io_context::executor_type>;
using TlsStream = asio::ssl::stream<Socket>;

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(ServerState& state, Worker& worker, Socket socket, ListenerKind kind, std::string peer_address,
               std::string peer);

    /// The connection's life: optional implicit-TLS handshake, the session loop, close. Never throws. Takes the
    /// shared_ptr by value so the connection lives as long as its coroutine.
    static asio::awaitable<void> run(std::shared_ptr<Connection> self);

    /// Server shutdown (called on the worker's thread): cancel what is pending; the session ends without UPDATE.
    void shutdown();

  private:
    enum class Io { ok, eof, timeout, stopped, error };

    asio::awaitable<void> serve();
    asio::awaitable<Io> write_output(std::string_view data, std::chrono::milliseconds limit);
    asio::awaitable<Io> read_input(Session& session);
    asio::awaitable<Io> handshake(std::chrono::milliseconds limit);
    asio::awaitable<void> close_tls();
    asio::awaitable<Io> wait_ready(asio::socket_base::wait_type what, std::chrono::milliseconds limit);

    void arm(std::chrono::milliseconds limit);
    void disarm();
    void cancel_io();
    Io failure(const std::error_code& ec) const;
    Socket& socket();

    ServerState& state_;
    Worker& worker_;
    Socket socket_;
    std::unique_ptr<TlsStream> tls_;
    std::unique_ptr<char[]> tls_buffer_;  ///< Read buffer for TLS only; plain reads use a per-thread buffer.
    Timer timer_;
    std::uint64_t id_;
    ListenerKind kind_;
    std::string peer_address_;  ///< Key of the per-address limit.
    std::string peer_;          ///< "address:port", for logs.
    bool timed_out_ = false;
};

}  // namespace pop3::server
