#include "pop3/base64.hpp"

#include <array>
#include <cstdint>

namespace pop3 {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_decode_table() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table)
        v = -1;
    for (std::size_t i = 0; i < kAlphabet.size(); ++i)
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    return table;
}
constexpr auto kDecode = make_decode_table();

class Base64Category final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.base64"; }
    std::string message(int ev) const override {
        switch (static_cast<Base64Error>(ev)) {
            case Base64Error::bad_character:
                return "character outside the base64 alphabet";
            case Base64Error::bad_padding:
                return "misplaced or non-canonical base64 padding";
            case Base64Error::bad_length:
                return "base64 length not a multiple of 4";
        }
        return "unknown base64 error";
    }
};

}  // namespace

const std::error_category& base64_category() noexcept {
    static const Base64Category category;
    return category;
}

std::error_code make_error_code(Base64Error e) noexcept {
    return {static_cast<int>(e), base64_category()};
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    const std::size_t left = bytes.size() - i;
    if (left == 1) {
        const std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out += "==";
    } else if (left == 2) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back('=');
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text) {
    // RFC 5034 §4 / RFC 4648 §3.3: reject anything outside the alphabet; padding only at the very end.
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=')
        ++pad;
    const std::string_view data = text.substr(0, text.size() - pad);
    for (char c : data) {
        if (c == '=') return Base64Error::bad_padding;
        if (kDecode[static_cast<unsigned char>(c)] < 0) return Base64Error::bad_character;
    }
    if (text.size() % 4 != 0) {
        return Base64Error::bad_length;
    }
    std::string out;
    out.reserve(data.size() / 4 * 3 + 2);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : data) {
        acc = (acc << 6) | static_cast<std::uint32_t>(kDecode[static_cast<unsigned char>(c)]);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    // Canonical encoding: the bits left over before the padding must be zero (RFC 4648 §3.5).
    if (bits > 0 && (acc & ((1U << bits) - 1)) != 0) return Base64Error::bad_padding;
    return out;
}

}  // namespace pop3
