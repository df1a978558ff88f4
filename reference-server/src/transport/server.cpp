#include "transport/server.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "config/users_file.hpp"
#include "transport/connection.hpp"
#include "transport/server_state.hpp"
#include "transport/store_factory.hpp"
#include "transport/tls_context.hpp"

namespace pop3::server {
namespace {

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

std::string endpoint_text(const asio::ip::tcp::endpoint& ep) {
    const auto address = ep.address();
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), ep.port())
                           : fmt::format("{}:{}", address.to_string(), ep.port());
}

std::shared_ptr<const SessionConfig> make_session_config(const ServerConfig& config, bool tls_available,
                                                         Logger& logger) {
    auto sc = std::make_shared<SessionConfig>();
    sc->hostname = config.hostname;
    sc->pid = static_cast<std::uint64_t>(::getpid());
    for (const auto& account : config.accounts)
        sc->users[account.user] = account.secret;
    sc->allow_plaintext_auth = config.limits.plaintext_login;
    sc->tls_available = tls_available;
    sc->login_delay = config.limits.login_delay;
    if (sc->login_delay.count() > 0) sc->login_history = std::make_shared<LoginHistory>();
    sc->expire = config.limits.expire_days ? std::to_string(*config.limits.expire_days) : "NEVER";
    sc->failed_auth_delay = config.limits.failed_auth_delay;
    sc->max_bad_commands = static_cast<unsigned>(config.limits.max_bad_commands);
    sc->max_message_size = config.limits.max_message_size;
    sc->authorization_timeout = config.limits.preauth_idle;
    sc->transaction_timeout = config.limits.autologout;
    sc->faults = config.test_session_faults;  // test-only mutants; 0 unless a test sets it
    if (logger.enabled(LogLevel::debug)) {
        // The engine redacts secrets in what it logs; the transport adds the session id.
        sc->log = [&logger](std::string_view line) {
            std::string quoted = "text=\"";
            for (const char c : line) {
                if (c == '"' || c == '\\') quoted += '\\';
                if (static_cast<unsigned char>(c) < 0x20) {
                    quoted += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
                } else {
                    quoted += c;
                }
            }
            quoted += '"';
            logger.write(LogLevel::debug, current_session_id, "protocol", quoted);
        };
    }
    return sc;
}

}  // namespace

struct Server::Impl {
    ServerState state;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<asio::ip::tcp::acceptor> acceptors;
    std::vector<BoundListener> bound;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;

    std::mutex mutex;
    std::condition_variable stopped_cv;
    bool stopping = false;
    bool stopped = false;

    asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, ListenerKind kind);
    void refuse(Socket& socket);
};

asio::awaitable<void> Server::Impl::accept_loop(asio::ip::tcp::acceptor& acceptor, ListenerKind kind) {
    std::size_t next_worker = 0;
    for (;;) {
        // Connections are spread over the workers round-robin and stay on theirs for life.
        Worker& worker = *workers[next_worker++ % workers.size()];
        auto [ec, socket] = co_await acceptor.async_accept(worker.context, nothrow);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            // Out of descriptors or a transient network error: back off briefly instead of spinning.
            state.logger.write(LogLevel::warn, 0, "accept-failed", fmt::format("error=\"{}\"", ec.message()));
            asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
            co_await pause.async_wait(nothrow);
            continue;
        }
        ++state.accepted;
        std::error_code peer_ec;
        const auto remote = socket.remote_endpoint(peer_ec);
        if (peer_ec) continue;  // already gone
        auto address = remote.address().to_string();
        if (!state.admit(address)) {
            ++state.refused;
            state.logger.write(LogLevel::warn, 0, "refused",
                               fmt::format("peer={} reason=connection-limit", endpoint_text(remote)));
            refuse(socket);
            continue;
        }
        auto connection = std::make_shared<Connection>(state, worker, std::move(socket), kind, std::move(address),
                                                       endpoint_text(remote));
        asio::co_spawn(worker.context, Connection::run(std::move(connection)), [](const std::exception_ptr&) {});
    }
}

void Server::Impl::refuse(Socket& socket) {
    // Best effort and never blocking: a line saying why, then close. RFC 3206 §4: a transient condition.
    static constexpr std::string_view line = "-ERR [SYS/TEMP] Too many connections, try again later\r\n";
    std::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(line.data(), line.size()), ec);
    socket.shutdown(asio::socket_base::shutdown_both, ec);
    socket.close(ec);
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    stop();
}

ServerStart Server::start(ServerConfig config, std::shared_ptr<Store> store) {
    ServerStart out;
    try {
        if (!config.users_file.empty()) {
            auto users = load_users_file(config.users_file);
            if (!users) {
                out.error = users.error().to_string();
                return out;
            }
            for (auto& account : users.value())
                config.accounts.push_back(std::move(account));
        }
        if (config.listeners.empty()) {
            out.error = "no listener configured";
            return out;
        }
        auto impl = std::make_unique<Impl>();
        auto& state = impl->state;
        state.logger.set_threshold(config.log_level);
        state.limits = config.limits;
        if (config.tls.enabled()) {
            state.tls = make_tls_context(config.tls, out.error);
            if (!state.tls) return out;
        }
        for (const auto& l : config.listeners) {
            if (l.kind == ListenerKind::implicit_tls && !state.tls) {
                out.error = "an implicit-TLS listener needs a certificate and a key";
                return out;
            }
        }
        state.store = store ? std::move(store) : make_store(config.store, out.error);
        if (!state.store) return out;
        state.session_config = make_session_config(config, state.tls != nullptr, state.logger);

        const unsigned threads =
            config.threads > 0 ? config.threads : std::max(1U, std::thread::hardware_concurrency());
        for (unsigned i = 0; i < threads; ++i)
            impl->workers.push_back(std::make_unique<Worker>());

        // Bind every listener before any thread runs, so a bad address fails start() cleanly.
        auto& accept_context = impl->workers.front()->context;
        for (const auto& listener : config.listeners) {
            std::error_code ec;
            asio::ip::tcp::endpoint endpoint;
            const auto address = asio::ip::make_address(listener.host, ec);
            if (!ec) {
                endpoint = asio::ip::tcp::endpoint(address, listener.port);
            } else {
                asio::ip::tcp::resolver resolver(accept_context);
                const auto results = resolver.resolve(listener.host, std::to_string(listener.port),
                                                      asio::ip::resolver_base::passive, ec);
                if (ec || results.empty()) {
                    out.error = fmt::format("cannot resolve listener host '{}': {}", listener.host,
                                            ec ? ec.message() : "no address");
                    return out;
                }
                endpoint = results.begin()->endpoint();
            }
            asio::ip::tcp::acceptor acceptor(accept_context);
            acceptor.open(endpoint.protocol(), ec);
            if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
            if (!ec && endpoint.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
            if (!ec) acceptor.bind(endpoint, ec);
            if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
            if (ec) {
                out.error = fmt::format("cannot listen on {}: {}", endpoint_text(endpoint), ec.message());
                return out;
            }
            const auto local = acceptor.local_endpoint(ec);
            impl->bound.push_back(
                BoundListener{ListenerConfig{listener.host, local.port(), listener.kind}, endpoint_text(local)});
            impl->acceptors.push_back(std::move(acceptor));
        }
        for (std::size_t i = 0; i < impl->acceptors.size(); ++i) {
            asio::co_spawn(accept_context, impl->accept_loop(impl->acceptors[i], config.listeners[i].kind),
                           [](const std::exception_ptr&) {});
        }
        for (auto& worker : impl->workers) {
            impl->guards.push_back(asio::make_work_guard(worker->context));
        }
        for (auto& worker : impl->workers) {
            Worker* w = worker.get();
            Logger* logger = &state.logger;
            w->thread = std::thread([w, logger] {
                for (;;) {
                    try {
                        w->context.run();
                        return;
                    } catch (const std::exception& e) {
                        logger->write(LogLevel::error, 0, "internal-error", fmt::format("what=\"{}\"", e.what()));
                    }
                }
            });
        }
        for (const auto& b : impl->bound) {
            state.logger.write(
                LogLevel::info, 0, "listening",
                fmt::format("address={} kind={}", b.address, b.config.kind == ListenerKind::plain ? "pop3" : "pop3s"));
        }
        out.server.reset(new Server(std::move(impl)));
    } catch (const std::exception& e) {
        out.server.reset();
        out.error = std::string("cannot start: ") + e.what();
    }
    return out;
}

std::uint16_t Server::port(std::size_t index) const {
    return index < impl_->bound.size() ? impl_->bound[index].config.port : 0;
}

const std::vector<BoundListener>& Server::listeners() const noexcept {
    return impl_->bound;
}

void Server::stop() {
    bool first = false;
    {
        std::lock_guard lock(impl_->mutex);
        first = !impl_->stopping;
        impl_->stopping = true;
    }
    if (!first) {
        wait();  // a second caller waits for the first one to finish
        return;
    }
    impl_->state.logger.write(LogLevel::info, 0, "shutdown");
    // 1. Stop accepting. 2. On each worker, end every session without UPDATE; a worker busy in an UPDATE runs these
    // handlers only after it, so an UPDATE in flight completes. 3. Let the loops run dry and join them.
    asio::post(impl_->workers.front()->context, [impl = impl_.get()] {
        for (auto& acceptor : impl->acceptors) {
            std::error_code ec;
            acceptor.close(ec);
        }
    });
    for (auto& worker : impl_->workers) {
        asio::post(worker->context, [w = worker.get()] {
            w->stopping = true;
            // shutdown() may end a connection's coroutine only later, so iterate over a copy.
            std::vector<Connection*> open(w->connections.begin(), w->connections.end());
            for (auto* c : open)
                c->shutdown();
        });
    }
    impl_->guards.clear();
    for (auto& worker : impl_->workers) {
        if (worker->thread.joinable()) worker->thread.join();
    }
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopped = true;
    }
    impl_->stopped_cv.notify_all();
}

void Server::wait() {
    std::unique_lock lock(impl_->mutex);
    impl_->stopped_cv.wait(lock, [this] { return impl_->stopped; });
}

ServerStats Server::stats() const {
    return ServerStats{impl_->state.accepted.load(), impl_->state.refused.load(), impl_->state.active.load()};
}

Store& Server::store() noexcept {
    return *impl_->state.store;
}

}  // namespace pop3::server
