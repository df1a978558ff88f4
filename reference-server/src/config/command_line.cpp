#include "config/command_line.hpp"

#include <charconv>

#include "config/config_loader.hpp"

namespace pop3::server {
namespace {

ConfigError usage_error(std::string message) {
    return ConfigError{"command line", 0, 0, std::move(message)};
}

std::optional<std::uint64_t> to_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::string usage_text() {
    return R"(usage: pop3spec-server [--config FILE] [options]

Runs the pop3spec reference POP3 server in the foreground until SIGTERM or SIGINT.
Flags override the configuration file. For each listener it prints one line
"listening pop3 HOST:PORT" (or "listening pop3s HOST:PORT") with the real port.

  --config FILE            YAML configuration (see docs/reference-server.md)
  --listen HOST:PORT       plain POP3 listener (repeatable; port 0 = ephemeral)
  --tls-listen HOST:PORT   implicit TLS listener, RFC 8314 (repeatable)
  --cert FILE --key FILE   PEM certificate chain and key; enables STLS
  --store SPEC             memory | maildir:ROOT (ROOT/USER/ is a Maildir) | mbox:ROOT (ROOT/USER is an mbox)
  --users FILE             accounts, one user:secret a line, '#' comments
  --hostname NAME          host in the APOP banner
  --threads N              event-loop threads (0 = one per core)
  --autologout SECONDS     idle limit after login (RFC 1939 minimum: 600)
  --preauth-idle SECONDS   idle limit before login
  --max-connections N      open connections in all
  --max-per-address N      open connections per client address
  --failed-auth-delay MS   delay before answering a failed login
  --no-plaintext-login     refuse USER/PASS and AUTH PLAIN until TLS is active
  --log-level LEVEL        debug | info | warn | error | off (default info)
  --help                   this text
)";
}

ConfigResult<CommandLine> parse_command_line(const std::vector<std::string>& args) {
    CommandLine out;
    // First pass: --config and --help, so that every other flag overrides the file whatever the order.
    std::string config_file;
    std::vector<std::pair<std::string, std::string>> flags;
    static constexpr std::string_view value_flags[] = {
        "--config",          "--listen",          "--tls-listen",       "--cert",    "--key",        "--store",
        "--users",           "--hostname",        "--log-level",        "--threads", "--autologout", "--preauth-idle",
        "--max-connections", "--max-per-address", "--failed-auth-delay"};
    static constexpr std::string_view switch_flags[] = {"--help", "-h", "--no-plaintext-login"};
    const auto known = [](std::string_view flag, const auto& list) {
        for (auto f : list) {
            if (f == flag) return true;
        }
        return false;
    };
    const auto takes_value = [&](std::string_view flag) { return known(flag, value_flags); };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string flag = args[i];
        std::string value;
        bool has_value = false;
        if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag.resize(eq);
            has_value = true;
        }
        if (!takes_value(flag) && !known(flag, switch_flags)) {
            return usage_error("unknown option '" + flag + "' (see --help)");
        }
        if (takes_value(flag) && !has_value) {
            if (i + 1 >= args.size()) return usage_error(flag + " needs a value");
            value = args[++i];
        }
        if (flag == "--help" || flag == "-h") {
            out.help = true;
            return out;
        }
        if (flag == "--config") {
            config_file = value;
        } else {
            flags.emplace_back(flag, value);
        }
    }
    if (!config_file.empty()) {
        auto loaded = load_config_file(config_file);
        if (!loaded) return loaded.error();
        out.config = std::move(loaded.value());
    }
    ServerConfig& config = out.config;
    bool listeners_replaced = false;
    for (const auto& [flag, value] : flags) {
        if (flag == "--listen" || flag == "--tls-listen") {
            if (!listeners_replaced) {
                config.listeners.clear();
                listeners_replaced = true;
            }
            std::string why;
            const auto kind = flag == "--listen" ? ListenerKind::plain : ListenerKind::implicit_tls;
            auto listener = parse_listen_address(value, kind, why);
            if (!listener) return usage_error(flag + " " + value + ": " + why);
            config.listeners.push_back(*listener);
        } else if (flag == "--cert") {
            config.tls.cert_file = value;
        } else if (flag == "--key") {
            config.tls.key_file = value;
        } else if (flag == "--store") {
            if (value == "memory") {
                config.store = StoreConfig{StoreKind::memory, {}};
            } else if (value.rfind("maildir:", 0) == 0 && value.size() > 8) {
                config.store = StoreConfig{StoreKind::maildir, value.substr(8)};
            } else if (value.rfind("mbox:", 0) == 0 && value.size() > 5) {
                config.store = StoreConfig{StoreKind::mbox, value.substr(5)};
            } else {
                return usage_error("--store must be memory, maildir:ROOT or mbox:ROOT, not '" + value + "'");
            }
        } else if (flag == "--users") {
            config.users_file = value;
        } else if (flag == "--hostname") {
            if (value.empty() || value.find_first_of(" <>@\r\n") != std::string::npos) {
                return usage_error("--hostname must be a host name");
            }
            config.hostname = value;
        } else if (flag == "--log-level") {
            const auto level = parse_log_level(value);
            if (!level) return usage_error("--log-level must be debug, info, warn, error or off");
            config.log_level = *level;
        } else if (flag == "--no-plaintext-login") {
            config.limits.plaintext_login = false;
        } else if (flag == "--threads" || flag == "--autologout" || flag == "--preauth-idle" ||
                   flag == "--max-connections" || flag == "--max-per-address" || flag == "--failed-auth-delay") {
            const auto n = to_number(value);
            if (!n || *n > 100'000'000) return usage_error(flag + " needs a whole number, not '" + value + "'");
            if (flag == "--threads") {
                config.threads = static_cast<unsigned>(std::min<std::uint64_t>(*n, 256));
            } else if (flag == "--autologout") {
                config.limits.autologout = std::chrono::seconds(*n);
            } else if (flag == "--preauth-idle") {
                config.limits.preauth_idle = std::chrono::seconds(*n);
            } else if (flag == "--max-connections") {
                config.limits.max_connections = *n;
            } else if (flag == "--max-per-address") {
                config.limits.max_connections_per_address = *n;
            } else {
                config.limits.failed_auth_delay = std::chrono::milliseconds(*n);
            }
        } else {
            return usage_error("unknown option '" + flag + "' (see --help)");
        }
    }
    if (auto error = validate(config)) {
        if (error->file.empty()) error->file = config_file.empty() ? "command line" : config_file;
        return *error;
    }
    return out;
}

}  // namespace pop3::server
