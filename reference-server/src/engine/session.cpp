// Stub implementation: greeting, QUIT and -ERR for everything else. The full engine replaces it.
#include "engine/session.hpp"

#include <atomic>

namespace pop3::server {

bool LoginHistory::try_login(const std::string& user, std::chrono::system_clock::time_point now,
                             std::chrono::seconds delay) {
    std::lock_guard lock(mutex_);
    auto it = last_.find(user);
    if (it != last_.end() && now - it->second < delay) return false;
    last_[user] = now;
    return true;
}

struct Session::Impl {
    std::shared_ptr<const SessionConfig> config;
    Store* store = nullptr;
    SessionOptions options;
    SessionState state = SessionState::authorization;
    std::string user;
    std::string input;
    std::string output;
    std::size_t output_pos = 0;
    bool closing = false;
};

Session::Session(std::shared_ptr<const SessionConfig> config, Store& store, SessionOptions options)
    : impl_(std::make_unique<Impl>()) {
    impl_->config = std::move(config);
    impl_->store = &store;
    impl_->options = options;
}

Session::~Session() = default;

void Session::start() {
    impl_->output += "+OK POP3 server ready\r\n";
}

std::size_t Session::feed(std::string_view bytes) {
    if (impl_->closing) return bytes.size();
    impl_->input.append(bytes);
    return bytes.size();
}

Session::Next Session::next() {
    auto& s = *impl_;
    while (s.output_pos == s.output.size() && !s.closing) {
        const auto eol = s.input.find("\r\n");
        if (eol == std::string::npos) return Next::read;
        const std::string line = s.input.substr(0, eol);
        s.input.erase(0, eol + 2);
        if (line == "QUIT" || line == "quit") {
            s.output += "+OK bye\r\n";
            s.closing = true;
        } else {
            s.output += "-ERR not implemented yet\r\n";
        }
    }
    if (s.output_pos < s.output.size()) return Next::write;
    return Next::close;
}

std::string_view Session::pending_output() {
    return std::string_view(impl_->output).substr(impl_->output_pos);
}

void Session::consume_output(std::size_t n) {
    impl_->output_pos += n;
    if (impl_->output_pos >= impl_->output.size()) {
        impl_->output.clear();
        impl_->output_pos = 0;
    }
}

void Session::resume() {}
void Session::tls_started() {
    impl_->options.tls_active = true;
}
void Session::timed_out() {
    impl_->closing = true;
}
void Session::disconnected() {
    impl_->closing = true;
}

std::chrono::milliseconds Session::idle_timeout() const noexcept {
    return impl_->state == SessionState::transaction ? impl_->config->transaction_timeout
                                                     : impl_->config->authorization_timeout;
}
std::chrono::milliseconds Session::wait_duration() const noexcept {
    return impl_->config->failed_auth_delay;
}
SessionState Session::state() const noexcept {
    return impl_->state;
}
const std::string& Session::user() const noexcept {
    return impl_->user;
}
bool Session::tls_active() const noexcept {
    return impl_->options.tls_active;
}
std::size_t Session::max_input_buffer() const noexcept {
    return 64 * 1024;
}

}  // namespace pop3::server
