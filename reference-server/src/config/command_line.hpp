#pragma once
// pop3spec-server's command line. Flags override the configuration file given by --config.

#include <optional>
#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/server_config.hpp"

namespace pop3::server {

/// What the command line asks for.
struct CommandLine {
    bool help = false;
    /// The finished configuration (file, then flags); valid only when help is false.
    ServerConfig config;
};

/// Parses argv (without argv[0]); loads --config; validates the result. The users file is read by Server::start.
ConfigResult<CommandLine> parse_command_line(const std::vector<std::string>& args);

/// The --help text.
std::string usage_text();

}  // namespace pop3::server
