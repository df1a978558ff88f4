#pragma once
// The reference server's Asio transport, embeddable: start it from a ServerConfig, learn the ports it bound, stop it.
//
//   ServerConfig config;
//   config.listeners.push_back({"127.0.0.1", 0, ListenerKind::plain});
//   config.accounts.push_back({"alice", "secret"});
//   auto started = Server::start(config);           // runs on its own threads
//   if (!started) { std::cerr << started.error; }
//   std::uint16_t port = started.server->port();
//   ...
//   started.server->stop();                          // sessions closed without UPDATE
//
// Each connection is one C++20 coroutine feeding the pure session engine (engine/session.hpp) and writing what it
// produces; completion is by error code (no exceptions on the I/O path). Plain connections hold no read buffer of
// their own while idle; TLS state is created only for implicit-TLS listeners and after STLS.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/server_config.hpp"
#include "store/store.hpp"

namespace pop3::server {

class Logger;

/// One listener as bound: its configuration with the real port (never 0 once bound).
struct BoundListener {
    ListenerConfig config;
    std::string address;  ///< "HOST:PORT" ("[::1]:PORT" for IPv6), the real port.
};

/// Counters of a running server, for tests and the benchmark.
struct ServerStats {
    std::uint64_t accepted = 0;  ///< Connections accepted (including those refused by a limit).
    std::uint64_t refused = 0;   ///< Connections closed at once because a connection limit was reached.
    std::uint64_t active = 0;    ///< Connections open now.
};

class Server;

/// The outcome of Server::start: a running server, or why it could not start.
struct ServerStart {
    std::unique_ptr<Server> server;
    std::string error;  ///< Empty on success.

    explicit operator bool() const { return server != nullptr; }
};

/// A running reference server: listeners, a small pool of event-loop threads, one coroutine per connection.
class Server {
  public:
    /// Binds every listener, loads the TLS files, builds the store (unless `store` is given: then that store serves
    /// every account, e.g. a seeded memory store) and starts the threads. Never throws.
    static ServerStart start(ServerConfig config, std::shared_ptr<Store> store = nullptr);

    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// The real port of listener `index` (in configuration order).
    std::uint16_t port(std::size_t index = 0) const;

    /// Every listener as bound.
    const std::vector<BoundListener>& listeners() const noexcept;

    /// Graceful shutdown: stop accepting, close every session without applying its deletions (an UPDATE already
    /// running completes first), join the threads. Idempotent; the destructor calls it.
    void stop();

    /// Blocks until stop() has finished (called from another thread or a signal watcher).
    void wait();

    /// Current counters.
    ServerStats stats() const;

    /// The store serving the accounts.
    Store& store() noexcept;

  private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace pop3::server
