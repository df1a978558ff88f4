#include "transport/log.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

namespace pop3::server {

void Logger::write(LogLevel level, std::uint64_t session, std::string_view event, std::string_view fields) const {
    if (!enabled(level)) return;
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    ::gmtime_r(&t, &utc);
    fmt::memory_buffer line;
    fmt::format_to(std::back_inserter(line), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {}", utc.tm_year + 1900,
                   utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, ms, to_string(level));
    if (session != 0) fmt::format_to(std::back_inserter(line), " session={}", session);
    fmt::format_to(std::back_inserter(line), " event={}", event);
    if (!fields.empty()) fmt::format_to(std::back_inserter(line), " {}", fields);
    line.push_back('\n');
    // One write(2) per line keeps lines from different threads whole.
    const char* p = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const auto n = ::write(STDERR_FILENO, p, left);
        if (n <= 0) break;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

}  // namespace pop3::server
