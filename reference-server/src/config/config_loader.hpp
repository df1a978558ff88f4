#pragma once
// The YAML configuration file of pop3spec-server. Unknown keys, wrong types and out-of-range values are errors
// that name the file, the line and what is wrong; the server refuses to start rather than guess.
//
//   listen:                       # one or more listeners
//     - address: 127.0.0.1:110
//     - address: 127.0.0.1:995
//       tls: implicit             # plain (default) | implicit
//   tls: {cert: server.crt, key: server.key}
//   store: {kind: maildir, root: /srv/mail}     # memory | maildir | mbox
//   users: users.txt              # one user:secret a line
//   hostname: pop.example.test
//   threads: 2
//   log_level: info
//   limits:
//     autologout_seconds: 600
//     preauth_idle_seconds: 120
//     max_connections: 20000
//     max_connections_per_address: 20000
//     failed_auth_delay_ms: 1000
//     max_message_size: 0
//     plaintext_login: true
//     login_delay_seconds: 0
//     expire_days: never          # or a number
//     max_bad_commands: 20
//
// Relative paths are resolved against the folder of the configuration file.

#include <filesystem>
#include <string_view>

#include "config/config_error.hpp"
#include "config/server_config.hpp"

namespace pop3::server {

/// Reads and validates a configuration file.
ConfigResult<ServerConfig> load_config_file(const std::filesystem::path& file);

/// Validates configuration text; `file` names it in errors, `base` resolves relative paths.
ConfigResult<ServerConfig> load_config_text(std::string_view text, const std::string& file,
                                            const std::filesystem::path& base);

/// Checks a finished configuration (from a file, flags or both): listeners present, TLS files set when an
/// implicit-TLS listener exists, store root set for maildir and mbox, limits sane.
std::optional<ConfigError> validate(const ServerConfig& config);

}  // namespace pop3::server
