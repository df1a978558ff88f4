#include "pop3/response_code.hpp"

namespace pop3 {
namespace {

// RFC 2449 §8: rchar = %x20-2E / %x30-5C / %x5E-7F (everything printable but '/' and ']').
bool is_rchar(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7F && c != '/' && c != ']';
}

char ascii_upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
    }
    return true;
}

}  // namespace

std::optional<ResponseCode> ResponseCode::parse(std::string_view inner) {
    ResponseCode code;
    code.raw_ = std::string(inner);
    std::size_t start = 0;
    for (;;) {
        std::size_t end = inner.find('/', start);
        const std::string_view level = inner.substr(start, end == std::string_view::npos ? end : end - start);
        if (level.empty()) return std::nullopt;  // resp-level = 1*rchar
        for (char c : level) {
            if (!is_rchar(c)) return std::nullopt;
        }
        code.levels_.emplace_back(level);
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return code;
}

bool ResponseCode::is(std::string_view prefix) const {
    std::size_t level = 0;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = prefix.find('/', start);
        const std::string_view want = prefix.substr(start, end == std::string_view::npos ? end : end - start);
        if (level >= levels_.size() || !iequals(levels_[level], want)) return false;
        ++level;
        if (end == std::string_view::npos) return true;
        start = end + 1;
    }
}

KnownResponseCode ResponseCode::known() const {
    if (is("IN-USE")) return KnownResponseCode::in_use;
    if (is("LOGIN-DELAY")) return KnownResponseCode::login_delay;
    if (is("SYS/TEMP")) return KnownResponseCode::sys_temp;
    if (is("SYS/PERM")) return KnownResponseCode::sys_perm;
    if (is("AUTH")) return KnownResponseCode::auth;
    if (is("UTF8")) return KnownResponseCode::utf8;
    return KnownResponseCode::unknown;
}

ResponseCodeMatch match_response_code(std::string_view text) {
    ResponseCodeMatch match;
    if (text.empty() || text.front() != '[') return match;
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
        match.malformed = true;
        return match;
    }
    match.code = ResponseCode::parse(text.substr(1, close - 1));
    if (!match.code) {
        match.malformed = true;
        return match;
    }
    match.length = close + 1;
    if (match.length < text.size() && text[match.length] == ' ') ++match.length;
    return match;
}

}  // namespace pop3
