#pragma once
// The users file: one "user:secret" a line; '#' starts a comment line; blank lines are skipped.

#include <filesystem>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/server_config.hpp"

namespace pop3::server {

/// Reads a users file. Errors name the line: no colon, empty user, a user given twice.
ConfigResult<std::vector<Account>> load_users_file(const std::filesystem::path& file);

/// Parses users-file text; `file` names it in errors.
ConfigResult<std::vector<Account>> parse_users(std::string_view text, const std::string& file);

}  // namespace pop3::server
