#pragma once
// Structured logs of the reference server: one line per event on stderr,
//   2026-11-28T00:12:13.123Z info session=17 event=connect peer=127.0.0.1:40312 listener=pop3
// Secrets never reach this layer: the transport logs events, the engine redacts PASS/APOP/AUTH arguments itself.

#include <atomic>
#include <cstdint>
#include <string_view>

#include "config/server_config.hpp"

namespace pop3::server {

/// A thread-safe line logger to stderr with a level threshold. Each line is written with one write(2) call.
class Logger {
  public:
    explicit Logger(LogLevel threshold = LogLevel::info) : threshold_(threshold) {}

    /// Whether a line at `level` would be written (check before building an expensive message).
    bool enabled(LogLevel level) const noexcept {
        return level != LogLevel::off && static_cast<int>(level) >= static_cast<int>(threshold_.load());
    }

    /// Writes "TIME LEVEL session=ID event=EVENT FIELDS"; session 0 means "no session" and is left out.
    void write(LogLevel level, std::uint64_t session, std::string_view event, std::string_view fields = {}) const;

    void set_threshold(LogLevel level) noexcept { threshold_ = level; }

  private:
    std::atomic<LogLevel> threshold_;
};

}  // namespace pop3::server
