#include "config/server_config.hpp"

#include <charconv>

#include "config/config_error.hpp"

namespace pop3::server {

std::string_view to_string(StoreKind kind) {
    switch (kind) {
        case StoreKind::memory:
            return "memory";
        case StoreKind::maildir:
            return "maildir";
        case StoreKind::mbox:
            return "mbox";
    }
    return "?";
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
        case LogLevel::off:
            return "off";
    }
    return "?";
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
    for (auto level : {LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error, LogLevel::off}) {
        if (to_string(level) == name) return level;
    }
    return std::nullopt;
}

std::optional<ListenerConfig> parse_listen_address(std::string_view text, ListenerKind kind, std::string& why) {
    ListenerConfig listener;
    listener.kind = kind;
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            why = "expected [IPV6]:PORT";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            why = "expected HOST:PORT";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            why = "an IPv6 address must be written [ADDRESS]:PORT";
            return std::nullopt;
        }
    }
    if (host.empty()) {
        why = "the host is empty";
        return std::nullopt;
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535) {
        why = "the port must be a number from 0 to 65535";
        return std::nullopt;
    }
    listener.host = std::string(host);
    listener.port = static_cast<std::uint16_t>(value);
    return listener;
}

std::string ConfigError::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) out += ':' + std::to_string(column);
    }
    if (!out.empty()) out += ": ";
    out += message;
    return out;
}

}  // namespace pop3::server
