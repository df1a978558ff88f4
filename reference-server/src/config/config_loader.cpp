#include "config/config_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>

namespace pop3::server {
namespace {

// Thrown inside the loader only; turned into a ConfigError at its edge.
struct LoadFailure {
    ConfigError error;
};

class Loader {
  public:
    Loader(std::string file, std::filesystem::path base) : file_(std::move(file)), base_(std::move(base)) {}

    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        const auto mark = node.Mark();
        const bool known = mark.line >= 0;
        throw LoadFailure{ConfigError{file_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0, message}};
    }

    void expect_map(const YAML::Node& node, const std::string& what) const {
        if (!node.IsMap()) fail(node, what + " must be a mapping");
    }

    // Unknown keys are errors: a typo must not silently fall back to a default.
    void only_keys(const YAML::Node& map, const std::string& where, std::initializer_list<std::string_view> keys) {
        for (const auto& entry : map) {
            if (!entry.first.IsScalar()) fail(entry.first, "a key in " + where + " must be a plain name");
            const auto key = entry.first.Scalar();
            bool known = false;
            for (auto k : keys)
                known = known || k == key;
            if (!known) {
                std::string list;
                for (auto k : keys)
                    list += (list.empty() ? "" : ", ") + std::string(k);
                fail(entry.first, "unknown key '" + key + "' in " + where + " (expected one of: " + list + ")");
            }
        }
    }

    std::string scalar(const YAML::Node& node, const std::string& what) const {
        if (!node.IsScalar()) fail(node, what + " must be a single value");
        return node.Scalar();
    }

    std::filesystem::path path(const YAML::Node& node, const std::string& what) const {
        std::filesystem::path p = scalar(node, what);
        if (p.empty()) fail(node, what + " is empty");
        return p.is_relative() ? base_ / p : p;
    }

    std::uint64_t number(const YAML::Node& node, const std::string& what, std::uint64_t max) const {
        const auto text = scalar(node, what);
        std::uint64_t value = 0;
        bool ok = !text.empty();
        for (char c : text) {
            if (c < '0' || c > '9' || value > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) {
                ok = false;
                break;
            }
            value = value * 10 + static_cast<std::uint64_t>(c - '0');
        }
        if (!ok) fail(node, what + " must be a whole number, not '" + text + "'");
        if (value > max) fail(node, what + " must be at most " + std::to_string(max));
        return value;
    }

    bool boolean(const YAML::Node& node, const std::string& what) const {
        const auto text = scalar(node, what);
        if (text == "true" || text == "yes" || text == "on") return true;
        if (text == "false" || text == "no" || text == "off") return false;
        fail(node, what + " must be true or false, not '" + text + "'");
    }

    ServerConfig load(std::string_view text) {
        YAML::Node root;
        try {
            root = YAML::Load(std::string(text));
        } catch (const YAML::ParserException& e) {
            throw LoadFailure{ConfigError{file_, e.mark.line + 1, e.mark.column + 1, e.msg}};
        }
        ServerConfig config;
        if (root.IsNull()) return config;
        expect_map(root, "the configuration");
        only_keys(root, "the configuration",
                  {"listen", "tls", "store", "users", "hostname", "threads", "log_level", "limits"});
        if (const auto n = root["listen"]) load_listeners(n, config);
        if (const auto n = root["tls"]) {
            expect_map(n, "tls");
            only_keys(n, "tls", {"cert", "key"});
            if (n["cert"]) config.tls.cert_file = path(n["cert"], "tls.cert");
            if (n["key"]) config.tls.key_file = path(n["key"], "tls.key");
            if (config.tls.cert_file.empty() != config.tls.key_file.empty()) {
                fail(n, "tls needs both cert and key");
            }
        }
        if (const auto n = root["store"]) load_store(n, config);
        if (const auto n = root["users"]) config.users_file = path(n, "users");
        if (const auto n = root["hostname"]) {
            config.hostname = scalar(n, "hostname");
            if (config.hostname.empty() || config.hostname.find_first_of(" <>@\r\n") != std::string::npos) {
                fail(n, "hostname must be a host name (no blanks, '<', '>' or '@')");
            }
        }
        if (const auto n = root["threads"]) config.threads = static_cast<unsigned>(number(n, "threads", 256));
        if (const auto n = root["log_level"]) {
            const auto level = parse_log_level(scalar(n, "log_level"));
            if (!level) fail(n, "log_level must be one of debug, info, warn, error, off");
            config.log_level = *level;
        }
        if (const auto n = root["limits"]) load_limits(n, config.limits);
        return config;
    }

  private:
    void load_listeners(const YAML::Node& node, ServerConfig& config) {
        if (!node.IsSequence()) fail(node, "listen must be a list of listeners");
        for (const auto& item : node) {
            expect_map(item, "a listener");
            only_keys(item, "a listener", {"address", "tls"});
            if (!item["address"]) fail(item, "a listener needs an address (HOST:PORT)");
            auto kind = ListenerKind::plain;
            if (const auto t = item["tls"]) {
                const auto value = scalar(t, "listener tls");
                if (value == "implicit") {
                    kind = ListenerKind::implicit_tls;
                } else if (value != "plain" && value != "none") {
                    fail(t, "listener tls must be plain or implicit, not '" + value + "'");
                }
            }
            std::string why;
            auto listener = parse_listen_address(scalar(item["address"], "address"), kind, why);
            if (!listener) fail(item["address"], "bad listener address: " + why);
            config.listeners.push_back(*listener);
        }
    }

    void load_store(const YAML::Node& node, ServerConfig& config) {
        expect_map(node, "store");
        only_keys(node, "store", {"kind", "root"});
        if (!node["kind"]) fail(node, "store needs a kind (memory, maildir or mbox)");
        const auto kind = scalar(node["kind"], "store.kind");
        if (kind == "memory") {
            config.store.kind = StoreKind::memory;
        } else if (kind == "maildir") {
            config.store.kind = StoreKind::maildir;
        } else if (kind == "mbox") {
            config.store.kind = StoreKind::mbox;
        } else {
            fail(node["kind"], "store.kind must be memory, maildir or mbox, not '" + kind + "'");
        }
        if (node["root"]) config.store.root = path(node["root"], "store.root");
        if (config.store.kind != StoreKind::memory && config.store.root.empty()) {
            fail(node, "store kind '" + kind + "' needs a root folder");
        }
    }

    void load_limits(const YAML::Node& node, Limits& limits) {
        expect_map(node, "limits");
        only_keys(node, "limits",
                  {"autologout_seconds", "preauth_idle_seconds", "max_connections", "max_connections_per_address",
                   "failed_auth_delay_ms", "max_message_size", "plaintext_login", "login_delay_seconds", "expire_days",
                   "max_bad_commands"});
        constexpr std::uint64_t day = 86400;
        if (const auto n = node["autologout_seconds"]) {
            limits.autologout = std::chrono::seconds(number(n, "autologout_seconds", 7 * day));
            if (limits.autologout.count() == 0) fail(n, "autologout_seconds must be positive");
        }
        if (const auto n = node["preauth_idle_seconds"]) {
            limits.preauth_idle = std::chrono::seconds(number(n, "preauth_idle_seconds", 7 * day));
            if (limits.preauth_idle.count() == 0) fail(n, "preauth_idle_seconds must be positive");
        }
        if (const auto n = node["max_connections"]) {
            limits.max_connections = number(n, "max_connections", 10'000'000);
            if (limits.max_connections == 0) fail(n, "max_connections must be positive");
        }
        if (const auto n = node["max_connections_per_address"]) {
            limits.max_connections_per_address = number(n, "max_connections_per_address", 10'000'000);
            if (limits.max_connections_per_address == 0) fail(n, "max_connections_per_address must be positive");
        }
        if (const auto n = node["failed_auth_delay_ms"]) {
            limits.failed_auth_delay = std::chrono::milliseconds(number(n, "failed_auth_delay_ms", 600'000));
        }
        if (const auto n = node["max_message_size"]) {
            limits.max_message_size = number(n, "max_message_size", std::numeric_limits<std::uint64_t>::max());
        }
        if (const auto n = node["plaintext_login"]) limits.plaintext_login = boolean(n, "plaintext_login");
        if (const auto n = node["login_delay_seconds"]) {
            limits.login_delay = std::chrono::seconds(number(n, "login_delay_seconds", 365 * day));
        }
        if (const auto n = node["expire_days"]) {
            if (n.IsScalar() && (n.Scalar() == "never" || n.Scalar() == "NEVER")) {
                limits.expire_days.reset();
            } else {
                limits.expire_days = static_cast<int>(number(n, "expire_days", 100'000));
            }
        }
        if (const auto n = node["max_bad_commands"]) {
            limits.max_bad_commands = static_cast<int>(number(n, "max_bad_commands", 1'000'000));
            if (limits.max_bad_commands == 0) fail(n, "max_bad_commands must be positive");
        }
    }

    std::string file_;
    std::filesystem::path base_;
};

}  // namespace

ConfigResult<ServerConfig> load_config_text(std::string_view text, const std::string& file,
                                            const std::filesystem::path& base) {
    try {
        Loader loader(file, base);
        return loader.load(text);
    } catch (const LoadFailure& failure) {
        return failure.error;
    } catch (const YAML::Exception& e) {
        return ConfigError{file, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0,
                           e.msg};
    }
}

ConfigResult<ServerConfig> load_config_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return ConfigError{file.string(), 0, 0, "cannot read the configuration file"};
    std::ostringstream text;
    text << in.rdbuf();
    return load_config_text(text.str(), file.string(), file.parent_path());
}

std::optional<ConfigError> validate(const ServerConfig& config) {
    if (config.listeners.empty()) return ConfigError{"", 0, 0, "no listener: give --listen HOST:PORT or 'listen:'"};
    for (const auto& l : config.listeners) {
        if (l.kind == ListenerKind::implicit_tls && !config.tls.enabled()) {
            return ConfigError{"", 0, 0,
                               "an implicit-TLS listener needs a certificate and a key (--cert/--key or 'tls:')"};
        }
    }
    if (config.tls.cert_file.empty() != config.tls.key_file.empty()) {
        return ConfigError{"", 0, 0, "TLS needs both a certificate and a key"};
    }
    if (config.store.kind != StoreKind::memory && config.store.root.empty()) {
        return ConfigError{"", 0, 0, "the " + std::string(to_string(config.store.kind)) + " store needs a root"};
    }
    if (config.limits.autologout.count() <= 0 || config.limits.preauth_idle.count() <= 0) {
        return ConfigError{"", 0, 0, "timeouts must be positive"};
    }
    return std::nullopt;
}

}  // namespace pop3::server
