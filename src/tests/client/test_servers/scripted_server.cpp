#include "test_servers/scripted_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace pop3::testing {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxRecordedBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxLine = std::size_t{1} << 20;

std::string upper(std::string s) {
    for (auto& ch : s)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

void set_timeouts(int fd) {
    // Short socket timeouts let every blocking call notice stop() and the session bound.
    timeval tv{};
    tv.tv_usec = 50 * 1000;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

// ---- Behaviour ----------------------------------------------------------------------------------------------------

Behaviour& Behaviour::send(std::string bytes) {
    steps_.push_back({Step::Kind::send, std::move(bytes), {}, 0});
    return *this;
}
Behaviour& Behaviour::drip(std::string bytes, std::chrono::milliseconds interval) {
    steps_.push_back({Step::Kind::drip, std::move(bytes), interval, 0});
    return *this;
}
Behaviour& Behaviour::stream(std::string pattern, std::uint64_t total_octets) {
    steps_.push_back({Step::Kind::stream, std::move(pattern), {}, total_octets});
    return *this;
}
Behaviour& Behaviour::pause(std::chrono::milliseconds duration) {
    steps_.push_back({Step::Kind::pause, {}, duration, 0});
    return *this;
}
Behaviour& Behaviour::hang() {
    steps_.push_back({Step::Kind::hang, {}, {}, 0});
    return *this;
}
Behaviour& Behaviour::close() {
    steps_.push_back({Step::Kind::close, {}, {}, 0});
    return *this;
}
Behaviour& Behaviour::reset() {
    steps_.push_back({Step::Kind::reset, {}, {}, 0});
    return *this;
}
Behaviour& Behaviour::start_tls() {
    steps_.push_back({Step::Kind::start_tls, {}, {}, 0});
    return *this;
}

namespace hostile {
Behaviour silence() {
    return Behaviour().hang();
}
Behaviour unterminated_line(std::string start) {
    return Behaviour().send(std::move(start)).hang();
}
Behaviour endless_body() {
    return Behaviour().send("+OK here it comes\r\n").stream("an endless body line\r\n", 0);
}
Behaviour drip(std::string bytes, std::chrono::milliseconds interval) {
    return Behaviour().drip(std::move(bytes), interval);
}
Behaviour nul_bytes() {
    return Behaviour().send(std::string("+OK nul\0here\0\r\n", 15));
}
Behaviour huge_line(std::uint64_t octets) {
    return Behaviour().send("+OK ").stream("A", octets).send("\r\n");
}
Behaviour close_mid_reply(std::string start) {
    return Behaviour().send(std::move(start)).close();
}
Behaviour bare_lf(std::string reply) {
    std::string out;
    for (std::size_t i = 0; i < reply.size(); ++i) {
        if (reply[i] == '\r' && i + 1 < reply.size() && reply[i + 1] == '\n') continue;
        out += reply[i];
    }
    return Behaviour().send(std::move(out));
}
Behaviour lowercase_ok() {
    return Behaviour().send("+ok lower case\r\n");
}
Behaviour too_long_status(std::size_t octets) {
    std::string line = "+OK ";
    line.append(octets > line.size() + 2 ? octets - line.size() - 2 : 0, 'x');
    line += "\r\n";
    return Behaviour().send(std::move(line));
}
Behaviour stls_injection(std::string injected) {
    return Behaviour().send("+OK begin TLS negotiation\r\n" + injected).start_tls();
}
}  // namespace hostile

// ---- Session ------------------------------------------------------------------------------------------------------

struct ScriptedServer::Session {
    ScriptedServer& server;
    int fd;
    SSL* ssl = nullptr;
    std::string in;
    bool done = false;
    Clock::time_point end;

    Session(ScriptedServer& s, int f) : server(s), fd(f), end(Clock::now() + s.options_.max_session) {}
    ~Session() {
        if (ssl != nullptr) SSL_free(ssl);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    bool alive() const { return !done && !server.stopping_.load() && Clock::now() < end; }

    void record(std::string_view bytes) {
        std::lock_guard lock(server.mutex_);
        if (server.bytes_.size() < kMaxRecordedBytes) {
            server.bytes_.append(bytes.substr(0, kMaxRecordedBytes - server.bytes_.size()));
        }
    }

    // Reads some bytes into `in`. False on EOF, error, stop or the session bound.
    bool read_more() {
        char buf[16384];
        while (alive()) {
            long n = 0;
            if (ssl != nullptr) {
                int r = SSL_read(ssl, buf, sizeof buf);
                if (r > 0) {
                    n = r;
                } else {
                    int err = SSL_get_error(ssl, r);
                    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
                    if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
                    if (errno == ECONNRESET) server.saw_reset_ = true;
                    return false;
                }
            } else {
                n = ::recv(fd, buf, sizeof buf, 0);
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
                if (n < 0 && errno == ECONNRESET) server.saw_reset_ = true;
                if (n <= 0) return false;
            }
            std::string_view got(buf, static_cast<std::size_t>(n));
            record(got);
            in.append(got);
            return true;
        }
        return false;
    }

    std::optional<std::string> read_line() {
        for (;;) {
            auto nl = in.find('\n');
            if (nl != std::string::npos || in.size() >= kMaxLine) {
                std::size_t len = nl == std::string::npos ? in.size() : nl;
                std::string line = in.substr(0, len);
                in.erase(0, nl == std::string::npos ? len : len + 1);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                return line;
            }
            if (!read_more()) return std::nullopt;
        }
    }

    bool write(std::string_view bytes) {
        while (!bytes.empty()) {
            if (!alive()) return false;
            long n = 0;
            if (ssl != nullptr) {
                int r = SSL_write(ssl, bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), 1 << 20)));
                if (r <= 0) {
                    int err = SSL_get_error(ssl, r);
                    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
                    if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
                    return false;
                }
                n = r;
            } else {
                n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
                if (n < 0) return false;
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    bool tls_accept() {
        SSL_CTX* ctx = server.tls_context();
        ssl = SSL_new(ctx);
        SSL_set_fd(ssl, fd);
        SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
        while (alive()) {
            int r = SSL_accept(ssl);
            if (r == 1) return true;
            int err = SSL_get_error(ssl, r);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
            if (err == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
            ERR_clear_error();
            return false;
        }
        return false;
    }

    void close_gracefully() {
        // FIN, then drain what the client still sends (closing with unread data would send RST instead).
        if (ssl != nullptr) SSL_shutdown(ssl);
        ::shutdown(fd, SHUT_WR);
        auto drain_until = std::min(end, Clock::now() + std::chrono::seconds(2));
        char buf[4096];
        while (!server.stopping_.load() && Clock::now() < drain_until) {
            long n = ::recv(fd, buf, sizeof buf, 0);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
            if (n <= 0) break;
        }
        done = true;
    }

    void run(const Behaviour& b) {
        for (const auto& step : b.steps()) {
            if (!alive()) return;
            switch (step.kind) {
                case Behaviour::Step::Kind::send:
                    if (!write(step.bytes)) done = true;
                    break;
                case Behaviour::Step::Kind::drip:
                    for (char ch : step.bytes) {
                        if (!write(std::string_view(&ch, 1)) || !server.sleep_for(step.interval)) {
                            done = true;
                            break;
                        }
                    }
                    break;
                case Behaviour::Step::Kind::stream: {
                    if (step.bytes.empty()) break;
                    std::string block;
                    while (block.size() < 65536)
                        block += step.bytes;
                    std::uint64_t left = step.total;
                    while (alive() && (step.total == 0 || left > 0)) {
                        std::size_t n = block.size();
                        if (step.total != 0 && left < n) n = static_cast<std::size_t>(left);
                        if (!write(std::string_view(block).substr(0, n))) {
                            done = true;
                            break;
                        }
                        if (step.total != 0) left -= n;
                    }
                    break;
                }
                case Behaviour::Step::Kind::pause:
                    if (!server.sleep_for(step.interval)) done = true;
                    break;
                case Behaviour::Step::Kind::hang:
                    while (read_more())
                        in.clear();
                    done = true;
                    break;
                case Behaviour::Step::Kind::close:
                    close_gracefully();
                    break;
                case Behaviour::Step::Kind::reset: {
                    linger l{1, 0};
                    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
                    done = true;
                    break;
                }
                case Behaviour::Step::Kind::start_tls:
                    // A correct server drops plaintext that came after STLS (RFC 2595 §4): so does this one.
                    in.clear();
                    if (!tls_accept()) done = true;
                    break;
            }
        }
    }
};

// ---- ScriptedServer -----------------------------------------------------------------------------------------------

ScriptedServer::ScriptedServer() : ScriptedServer(Options{}) {}

ScriptedServer::ScriptedServer(Options options) : options_(std::move(options)) {
    // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a client that vanishes would kill the test process with
    // SIGPIPE. Test support may set this process-wide.
    std::signal(SIGPIPE, SIG_IGN);
    const int family = options_.ipv6 ? AF_INET6 : AF_INET;
    listen_fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("scripted server: socket() failed");
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc = 0;
    if (options_.ipv6) {
        sockaddr_in6 addr{};
        addr.sin6_family = AF_INET6;
        addr.sin6_addr = in6addr_loopback;
        addr.sin6_port = 0;
        rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    } else {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        rc = ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    if (rc != 0 || ::listen(listen_fd_, 64) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("scripted server: cannot listen on loopback");
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    port_ = options_.ipv6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                          : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedServer::~ScriptedServer() {
    stop();
    if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
}

void ScriptedServer::stop() {
    if (stopping_.exchange(true)) {
        // Already stopping: threads are (being) joined by the first caller.
        return;
    }
    cv_.notify_all();
    if (acceptor_.joinable()) acceptor_.join();
    {
        std::lock_guard lock(mutex_);
        for (int fd : session_fds_)
            ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    if (listen_fd_ >= 0) ::close(listen_fd_);
    listen_fd_ = -1;
}

void ScriptedServer::accept_loop() {
    while (!stopping_.load()) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        set_timeouts(fd);
        ++connections_;
        std::lock_guard lock(mutex_);
        session_fds_.push_back(fd);
        threads_.emplace_back([this, fd] { run_session(fd); });
    }
}

void ScriptedServer::run_session(int fd) {
    {
        Session s(*this, fd);
        if (options_.implicit_tls && !s.tls_accept()) s.done = true;
        Behaviour greet;
        {
            std::lock_guard lock(mutex_);
            greet = greeting_;
        }
        s.run(greet);
        while (s.alive()) {
            auto line = s.read_line();
            if (!line) break;
            {
                std::lock_guard lock(mutex_);
                lines_.push_back(*line);
            }
            s.run(behaviour_for(*line));
        }
    }
    std::lock_guard lock(mutex_);
    session_fds_.erase(std::remove(session_fds_.begin(), session_fds_.end(), fd), session_fds_.end());
    ::close(fd);
    ++ended_;
    cv_.notify_all();
}

Behaviour ScriptedServer::behaviour_for(const std::string& line) {
    std::lock_guard lock(mutex_);
    auto pick = [&](std::map<std::string, std::vector<Behaviour>>& table, const std::string& key,
                    const std::string& use_key) -> std::optional<Behaviour> {
        auto it = table.find(key);
        if (it == table.end() || it->second.empty()) return std::nullopt;
        std::size_t& used = used_[use_key];
        const Behaviour& b = it->second[std::min(used, it->second.size() - 1)];
        ++used;
        return b;
    };
    if (auto b = pick(exact_, line, "=" + line)) return *b;
    std::string keyword = upper(line.substr(0, line.find(' ')));
    if (auto b = pick(keyword_, keyword, keyword)) return *b;
    if (keyword == "QUIT") return Behaviour().send("+OK bye\r\n").close();
    return default_;
}

bool ScriptedServer::sleep_for(std::chrono::milliseconds d) const {
    std::unique_lock lock(mutex_);
    return !cv_.wait_for(lock, d, [this] { return stopping_.load(); });
}

ScriptedServer& ScriptedServer::greeting(Behaviour b) {
    std::lock_guard lock(mutex_);
    greeting_ = std::move(b);
    return *this;
}

ScriptedServer& ScriptedServer::on(std::string key, Behaviour b) {
    std::lock_guard lock(mutex_);
    // A key with a space (or an exact keyword line such as "LIST") is matched exactly first; a bare keyword also
    // matches any line starting with it.
    exact_[key].push_back(b);
    if (key.find(' ') == std::string::npos) keyword_[upper(key)].push_back(std::move(b));
    return *this;
}

ScriptedServer& ScriptedServer::default_reply(Behaviour b) {
    std::lock_guard lock(mutex_);
    default_ = std::move(b);
    return *this;
}

std::vector<std::string> ScriptedServer::received_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

std::string ScriptedServer::received_bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

bool ScriptedServer::wait_sessions_ended(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return ended_ >= n; });
}

SSL_CTX* ScriptedServer::tls_context() {
    std::call_once(ssl_once_, [this] {
        if (!options_.certificate) options_.certificate = TestCertificate::make();
        SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
        BIO* cbio = BIO_new_mem_buf(options_.certificate->certificate_pem.data(),
                                    static_cast<int>(options_.certificate->certificate_pem.size()));
        X509* cert = PEM_read_bio_X509(cbio, nullptr, nullptr, nullptr);
        BIO* kbio = BIO_new_mem_buf(options_.certificate->private_key_pem.data(),
                                    static_cast<int>(options_.certificate->private_key_pem.size()));
        EVP_PKEY* key = PEM_read_bio_PrivateKey(kbio, nullptr, nullptr, nullptr);
        SSL_CTX_use_certificate(ctx, cert);
        SSL_CTX_use_PrivateKey(ctx, key);
        X509_free(cert);
        EVP_PKEY_free(key);
        BIO_free(cbio);
        BIO_free(kbio);
        ssl_ctx_ = ctx;
    });
    return ssl_ctx_;
}

}  // namespace pop3::testing
