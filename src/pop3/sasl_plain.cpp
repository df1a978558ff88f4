#include "pop3/sasl_plain.hpp"

#include <algorithm>

#include "pop3/base64.hpp"

namespace pop3 {
namespace {

class SaslPlainCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.sasl_plain"; }
    std::string message(int ev) const override {
        switch (static_cast<SaslPlainError>(ev)) {
            case SaslPlainError::bad_base64:
                return "PLAIN message is not valid base64";
            case SaslPlainError::wrong_nul_count:
                return "PLAIN message needs exactly two NUL separators";
            case SaslPlainError::empty_authcid:
                return "PLAIN authcid is empty";
            case SaslPlainError::empty_password:
                return "PLAIN password is empty";
            case SaslPlainError::field_too_long:
                return "PLAIN field longer than 255 octets";
            case SaslPlainError::invalid_utf8:
                return "PLAIN field is not valid UTF-8";
        }
        return "unknown SASL PLAIN error";
    }
};

// RFC 3629 §4: well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            const unsigned char min = (k == 1) ? lo : 0x80;
            const unsigned char max = (k == 1) ? hi : 0xBF;
            if (cc < min || cc > max) return false;
        }
        i += n + 1;
    }
    return true;
}

}  // namespace

const std::error_category& sasl_plain_category() noexcept {
    static const SaslPlainCategory category;
    return category;
}

std::error_code make_error_code(SaslPlainError e) noexcept {
    return {static_cast<int>(e), sasl_plain_category()};
}

std::string sasl_plain_message(const SaslPlainCredentials& credentials) {
    std::string out;
    out.reserve(credentials.authzid.size() + credentials.authcid.size() + credentials.password.size() + 2);
    out += credentials.authzid;
    out.push_back('\0');
    out += credentials.authcid;
    out.push_back('\0');
    out += credentials.password;
    return out;
}

std::string sasl_plain_encode(const SaslPlainCredentials& credentials) {
    return base64_encode(sasl_plain_message(credentials));
}

Result<SaslPlainCredentials> sasl_plain_parse(std::string_view message) {
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd; each field 1*SAFE (authzid optional),
    // SAFE excludes NUL; fields up to 255 octets.
    if (std::count(message.begin(), message.end(), '\0') != 2) return SaslPlainError::wrong_nul_count;
    const std::size_t first = message.find('\0');
    const std::size_t second = message.find('\0', first + 1);
    SaslPlainCredentials c;
    c.authzid = std::string(message.substr(0, first));
    c.authcid = std::string(message.substr(first + 1, second - first - 1));
    c.password = std::string(message.substr(second + 1));
    if (c.authcid.empty()) return SaslPlainError::empty_authcid;
    if (c.password.empty()) return SaslPlainError::empty_password;
    for (const std::string* f : {&c.authzid, &c.authcid, &c.password}) {
        if (f->size() > 255) return SaslPlainError::field_too_long;
        if (!is_valid_utf8(*f)) return SaslPlainError::invalid_utf8;
    }
    return c;
}

Result<SaslPlainCredentials> sasl_plain_decode(std::string_view base64_text) {
    auto raw = base64_decode(base64_text);
    if (!raw) return SaslPlainError::bad_base64;
    return sasl_plain_parse(*raw);
}

}  // namespace pop3
