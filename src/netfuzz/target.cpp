#include "netfuzz/target.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace pop3::netfuzz {

namespace {

std::string substitute_port(std::string text, std::uint16_t port) {
    const std::string p = std::to_string(port);
    for (auto at = text.find("{port}"); at != std::string::npos; at = text.find("{port}", at + p.size()))
        text.replace(at, 6, p);
    return text;
}

// Runs a shell command to completion; its exit status (or -1).
int run_shell(const std::string& command) {
    if (command.empty()) return 0;
    const int status = std::system(command.c_str());  // NOLINT(cert-env33-c): the user's own seed command
    if (status == -1) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::string describe_status(int status) {
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        const char* name = sigabbrev_np(sig);
        return fmt::format("the server process was killed by signal {} (SIG{})", sig, name ? name : "?");
    }
    if (WIFEXITED(status)) return fmt::format("the server process exited with status {}", WEXITSTATUS(status));
    return "the server process ended";
}

// Connects and reads a greeting, bounded: nullopt when the target answers, else why not.
std::optional<std::string> probe_endpoint(const pop3::client::Endpoint& endpoint) {
    pop3::client::Transcript transcript;
    pop3::client::ClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(2000);
    options.io_timeout = std::chrono::milliseconds(2000);
    options.reply_timeout = std::chrono::milliseconds(2000);
    auto conn = pop3::client::Connection::connect(endpoint, pop3::client::TlsMode::none, options, transcript);
    if (!conn) return conn.error().to_string();
    auto greeting = conn->read_greeting();
    if (!greeting) return "no greeting: " + greeting.error().to_string();
    conn->close();
    return std::nullopt;
}

// The first sanitizer marker at or after `from`, or npos.
std::size_t sanitizer_marker(const std::string& text, std::size_t from) {
    static constexpr std::array<std::string_view, 7> markers{"ERROR: AddressSanitizer",
                                                             "ERROR: LeakSanitizer",
                                                             "WARNING: ThreadSanitizer",
                                                             "WARNING: MemorySanitizer",
                                                             "runtime error:",
                                                             "ERROR: HWAddressSanitizer",
                                                             "SUMMARY: UndefinedBehaviorSanitizer"};
    std::size_t first = std::string::npos;
    for (auto m : markers)
        first = std::min(first, text.find(m, from));
    return first;
}

// The port of the first loopback address in a line ("listening pop3 127.0.0.1:PORT", "[::1]:PORT",
// "localhost:PORT"), or 0. A hand-written scan: no <regex> (GCC 12 warns inside it under the sanitizer flags).
std::uint16_t printed_port(std::string_view line) {
    for (std::string_view prefix : {"127.", "[::1]:", "localhost:"}) {
        for (auto at = line.find(prefix); at != std::string_view::npos; at = line.find(prefix, at + 1)) {
            auto colon = line.find(':', at + (prefix == "[::1]:" ? 5 : 0));
            if (colon == std::string_view::npos) continue;
            // For 127.x.y.z the host part must be digits and dots only.
            if (prefix == "127." &&
                line.substr(at, colon - at).find_first_not_of("0123456789.") != std::string_view::npos)
                continue;
            std::size_t end = colon + 1;
            unsigned long port = 0;
            while (end < line.size() && end - colon <= 5 && line[end] >= '0' && line[end] <= '9')
                port = port * 10 + static_cast<unsigned long>(line[end++] - '0');
            if (end > colon + 1 && port > 0 && port <= 65535) return static_cast<std::uint16_t>(port);
        }
    }
    return 0;
}

class AddressTarget final : public Target {
  public:
    AddressTarget(pop3::client::Endpoint endpoint, std::string seed_cmd)
        : endpoint_(std::move(endpoint)), seed_cmd_(std::move(seed_cmd)) {}

    pop3::client::Endpoint endpoint() const override { return endpoint_; }
    bool restart(std::string& error) override {
        ++generation_;
        if (const int rc = run_shell(seed_cmd_); rc != 0) {
            error = fmt::format("the seed command failed (status {})", rc);
            return false;
        }
        return true;
    }
    bool reseed(std::string& error) override {
        if (seed_cmd_.empty()) {
            error = "no seed command";
            return false;
        }
        return restart(error);
    }
    bool fresh_on_restart() const override { return false; }
    std::optional<std::string> dead(bool probe) override {
        if (!probe) return std::nullopt;
        std::optional<std::string> why;
        // A busy server may refuse one connection: three tries before calling it dead.
        for (int i = 0; i < 3; ++i) {
            why = probe_endpoint(endpoint_);
            if (!why) return std::nullopt;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return "the target no longer accepts connections: " + *why;
    }
    std::optional<std::string> sanitizer_report() override { return std::nullopt; }
    std::uint64_t generation() const override { return generation_; }

  private:
    pop3::client::Endpoint endpoint_;
    std::string seed_cmd_;
    std::atomic<std::uint64_t> generation_{0};
};

class ProcessTarget final : public Target {
  public:
    explicit ProcessTarget(ProcessTargetOptions options) : options_(std::move(options)) {}
    ~ProcessTarget() override { stop(); }

    bool start(std::string& error) {
        std::lock_guard lock(mutex_);
        return start_locked(error);
    }

    pop3::client::Endpoint endpoint() const override {
        std::lock_guard lock(mutex_);
        return endpoint_;
    }
    bool restart(std::string& error) override {
        std::lock_guard lock(mutex_);
        stop_locked();
        return start_locked(error);
    }
    bool reseed(std::string& error) override {
        std::lock_guard lock(mutex_);
        if (options_.seed_cmd.empty()) {
            stop_locked();
            return start_locked(error);
        }
        ++generation_;
        if (const int rc = run_shell(substitute_port(options_.seed_cmd, endpoint_.port)); rc != 0) {
            error = fmt::format("the seed command failed (status {})", rc);
            return false;
        }
        return true;
    }
    bool fresh_on_restart() const override { return true; }

    std::optional<std::string> dead(bool probe) override {
        pop3::client::Endpoint endpoint;
        {
            std::lock_guard lock(mutex_);
            if (exit_description_) return exit_description_;
            if (pid_ <= 0) return std::string("the server process is not running");
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                exit_description_ = describe_status(status);
                return exit_description_;
            }
            endpoint = endpoint_;
        }
        if (!probe) return std::nullopt;
        if (auto why = probe_endpoint(endpoint)) {
            // It may have died meanwhile: prefer the exit status.
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            std::lock_guard lock(mutex_);
            int status = 0;
            if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                exit_description_ = describe_status(status);
                return exit_description_;
            }
            return "the server no longer accepts connections: " + *why;
        }
        return std::nullopt;
    }

    std::optional<std::string> sanitizer_report() override {
        std::lock_guard lock(io_mutex_);
        if (report_start_ == std::string::npos) return std::nullopt;
        return stderr_text_.substr(report_start_, 4000);
    }
    std::uint64_t generation() const override { return generation_; }

  private:
    bool start_locked(std::string& error) {
        ++generation_;
        exit_description_.reset();
        {
            std::lock_guard lock(io_mutex_);
            stderr_text_.clear();
            report_start_ = std::string::npos;
            printed_port_ = 0;
            stdout_closed_ = false;
        }
        std::uint16_t port = 0;
        const bool has_placeholder = options_.command.find("{port}") != std::string::npos;
        if (has_placeholder && (port = free_loopback_port()) == 0) {
            error = "no free loopback port";
            return false;
        }
        const std::string command = "exec " + substitute_port(options_.command, port);
        int out_pipe[2];
        int err_pipe[2];
        if (pipe2(out_pipe, O_CLOEXEC) != 0) {
            error = std::string("pipe: ") + std::strerror(errno);
            return false;
        }
        if (pipe2(err_pipe, O_CLOEXEC) != 0) {
            error = std::string("pipe: ") + std::strerror(errno);
            close(out_pipe[0]);
            close(out_pipe[1]);
            return false;
        }
        const pid_t pid = fork();
        if (pid < 0) {
            error = std::string("fork: ") + std::strerror(errno);
            return false;
        }
        if (pid == 0) {
            setpgid(0, 0);
            dup2(out_pipe[1], STDOUT_FILENO);
            dup2(err_pipe[1], STDERR_FILENO);
            const int null_fd = open("/dev/null", O_RDONLY);
            if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
            execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        setpgid(pid, pid);
        close(out_pipe[1]);
        close(err_pipe[1]);
        pid_ = pid;
        readers_.emplace_back([this, fd = out_pipe[0]] { read_stdout(fd); });
        readers_.emplace_back([this, fd = err_pipe[0]] { read_stderr(fd); });

        const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
        if (!has_placeholder) {
            std::unique_lock lock(io_mutex_);
            port_cv_.wait_until(lock, deadline, [&] { return printed_port_ != 0 || stdout_closed_; });
            port = printed_port_;
            if (port == 0) {
                lock.unlock();
                error = "the server command did not print its address (127.0.0.1:PORT) within the start timeout";
                stop_locked();
                return false;
            }
        }
        endpoint_ = pop3::client::Endpoint{"127.0.0.1", port};
        while (true) {
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                error = describe_status(status) + " at start";
                std::lock_guard lock(io_mutex_);
                if (!stderr_text_.empty()) error += ": " + stderr_text_.substr(0, 500);
                return false;
            }
            if (!probe_endpoint(endpoint_)) break;
            if (std::chrono::steady_clock::now() > deadline) {
                error = "the server did not answer on " + endpoint_.to_string() + " within the start timeout";
                stop_locked();
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!options_.seed_cmd.empty()) {
            if (const int rc = run_shell(substitute_port(options_.seed_cmd, port)); rc != 0) {
                error = fmt::format("the seed command failed (status {})", rc);
                return false;
            }
        }
        return true;
    }

    void stop() {
        std::lock_guard lock(mutex_);
        stop_locked();
    }
    void stop_locked() {
        if (pid_ > 0) {
            kill(-pid_, SIGKILL);  // the process group we created for it, and only that
            kill(pid_, SIGKILL);
            int status = 0;
            waitpid(pid_, &status, 0);
            pid_ = -1;
        }
        for (auto& t : readers_)
            if (t.joinable()) t.join();
        readers_.clear();
    }

    void read_stdout(int fd) {
        std::string line;
        std::array<char, 4096> buf{};
        while (true) {
            const ssize_t n = ::read(fd, buf.data(), buf.size());
            if (n <= 0) break;
            for (ssize_t i = 0; i < n; ++i) {
                if (buf[static_cast<std::size_t>(i)] != '\n') {
                    if (line.size() < 4096) line.push_back(buf[static_cast<std::size_t>(i)]);
                    continue;
                }
                if (const std::uint16_t port = printed_port(line); port != 0) {
                    std::lock_guard lock(io_mutex_);
                    if (printed_port_ == 0) printed_port_ = port;
                    port_cv_.notify_all();
                }
                line.clear();
            }
        }
        close(fd);
        std::lock_guard lock(io_mutex_);
        stdout_closed_ = true;
        port_cv_.notify_all();
    }

    void read_stderr(int fd) {
        std::array<char, 4096> buf{};
        while (true) {
            const ssize_t n = ::read(fd, buf.data(), buf.size());
            if (n <= 0) break;
            std::lock_guard lock(io_mutex_);
            if (report_start_ != std::string::npos) {
                // Keep the report itself (bounded); later output does not matter.
                if (stderr_text_.size() < report_start_ + 64 * 1024)
                    stderr_text_.append(buf.data(), static_cast<std::size_t>(n));
                continue;
            }
            // Only the new bytes (and a marker's length before them) are scanned; the window stays bounded.
            const std::size_t from = stderr_text_.size() > 64 ? stderr_text_.size() - 64 : 0;
            stderr_text_.append(buf.data(), static_cast<std::size_t>(n));
            if (auto at = sanitizer_marker(stderr_text_, from); at != std::string::npos) {
                const auto line_start = stderr_text_.rfind('\n', at);
                report_start_ = line_start == std::string::npos ? 0 : line_start + 1;
            } else if (stderr_text_.size() > (1u << 20)) {
                stderr_text_.erase(0, stderr_text_.size() - 4096);
            }
        }
        close(fd);
    }

    ProcessTargetOptions options_;
    mutable std::mutex mutex_;
    pid_t pid_ = -1;
    pop3::client::Endpoint endpoint_;
    std::optional<std::string> exit_description_;
    std::vector<std::thread> readers_;
    std::atomic<std::uint64_t> generation_{0};

    std::mutex io_mutex_;
    std::condition_variable port_cv_;
    std::uint16_t printed_port_ = 0;
    bool stdout_closed_ = false;
    std::string stderr_text_;
    std::size_t report_start_ = std::string::npos;
};

}  // namespace

std::unique_ptr<Target> make_address_target(pop3::client::Endpoint endpoint, std::string seed_cmd) {
    return std::make_unique<AddressTarget>(std::move(endpoint), std::move(seed_cmd));
}

std::unique_ptr<Target> start_process_target(ProcessTargetOptions options, std::string& error) {
    auto target = std::make_unique<ProcessTarget>(std::move(options));
    if (!target->start(error)) return nullptr;
    return target;
}

std::uint16_t free_loopback_port() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    std::uint16_t port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    close(fd);
    return port;
}

std::optional<std::string> find_sanitizer_report(const std::string& text) {
    const std::size_t first = sanitizer_marker(text, 0);
    if (first == std::string::npos) return std::nullopt;
    const auto line_start = text.rfind('\n', first);
    const std::size_t from = line_start == std::string::npos ? 0 : line_start + 1;
    return text.substr(from, 4000);
}

}  // namespace pop3::netfuzz
