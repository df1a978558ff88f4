#include "config/users_file.hpp"

#include <fstream>
#include <set>
#include <sstream>

namespace pop3::server {

ConfigResult<std::vector<Account>> parse_users(std::string_view text, const std::string& file) {
    std::vector<Account> accounts;
    std::set<std::string, std::less<>> seen;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        // Leading blanks are allowed before a comment or an entry; the secret is taken verbatim after the colon.
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
            line.remove_prefix(1);
        if (line.empty() || line.front() == '#') continue;
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) return ConfigError{file, line_no, 0, "expected user:secret"};
        const std::string_view user = line.substr(0, colon);
        if (user.empty()) return ConfigError{file, line_no, 1, "the user name is empty"};
        // RFC 1939 §7: the name is one argument, so it cannot hold a space; 40 octets is the RFC 2449 §4 limit.
        if (user.find_first_of(" \t") != std::string_view::npos || user.size() > 40) {
            return ConfigError{file, line_no, 1, "the user name has a blank or is over 40 octets"};
        }
        if (!seen.insert(std::string(user)).second) {
            return ConfigError{file, line_no, 1, "user '" + std::string(user) + "' is given twice"};
        }
        accounts.push_back(Account{std::string(user), std::string(line.substr(colon + 1))});
    }
    return accounts;
}

ConfigResult<std::vector<Account>> load_users_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return ConfigError{file.string(), 0, 0, "cannot read the users file"};
    std::ostringstream text;
    text << in.rdbuf();
    return parse_users(text.str(), file.string());
}

}  // namespace pop3::server
