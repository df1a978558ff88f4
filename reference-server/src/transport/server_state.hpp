#pragma once
// Internal to the transport: what every connection of one server shares, and the event-loop workers.

#include <asio/io_context.hpp>
#include <asio/ssl/context.hpp>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "config/server_config.hpp"
#include "engine/session.hpp"
#include "store/store.hpp"
#include "transport/log.hpp"

namespace pop3::server {

class Connection;

/// The id of the session whose engine call is running on this thread (0: none), so the engine's log lines, which
/// come through one shared callback, carry their session id.
inline thread_local std::uint64_t current_session_id = 0;

/// One event-loop thread with its own single-threaded io_context: a connection lives on one worker for its whole
/// life, so its coroutine, watchdog and engine calls never race and need no strand or lock.
struct Worker {
    asio::io_context context{1};
    std::thread thread;
    /// Open connections of this worker; touched only on its thread.
    std::unordered_set<Connection*> connections;
    /// Set (on this worker's thread) when the server shuts down; connections check it before every operation.
    bool stopping = false;
};

/// Shared, read-mostly server state.
struct ServerState {
    std::shared_ptr<const SessionConfig> session_config;
    std::shared_ptr<Store> store;
    std::unique_ptr<asio::ssl::context> tls;  ///< Null when TLS is not configured.
    Limits limits;
    Logger logger;

    std::atomic<std::uint64_t> next_session_id{1};
    std::atomic<std::uint64_t> accepted{0};
    std::atomic<std::uint64_t> refused{0};
    std::atomic<std::uint64_t> active{0};

    /// Admits a connection from `address` if the total and per-address limits allow it.
    bool admit(const std::string& address) {
        std::lock_guard lock(mutex_);
        if (active.load() >= limits.max_connections) return false;
        auto& count = per_address_[address];
        if (count >= limits.max_connections_per_address) return false;
        ++count;
        ++active;
        return true;
    }

    /// Releases what admit() took.
    void release(const std::string& address) {
        std::lock_guard lock(mutex_);
        if (auto it = per_address_.find(address); it != per_address_.end() && --it->second == 0) {
            per_address_.erase(it);
        }
        --active;
    }

  private:
    std::mutex mutex_;
    std::unordered_map<std::string, std::size_t> per_address_;
};

}  // namespace pop3::server
