#pragma once
// Checks shared by the report tests.

#include <cstdint>
#include <string>
#include <string_view>

namespace pop3::report::testing {

/// True when `text` is well-formed UTF-8 (RFC 3629) without C0 controls other than TAB, LF, CR, and without DEL,
/// C1 controls, or U+FFFE/U+FFFF: what XML 1.0 and HTML accept as characters.
inline bool is_clean_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        std::size_t len = b0 < 0x80                    ? 1
                          : (b0 >= 0xC2 && b0 <= 0xDF) ? 2
                          : (b0 >= 0xE0 && b0 <= 0xEF) ? 3
                          : (b0 >= 0xF0 && b0 <= 0xF4) ? 4
                                                       : 0;
        if (len == 0 || i + len > text.size()) return false;
        std::uint32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
        for (std::size_t k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
        if (cp >= 0xD800 && cp <= 0xDFFF) return false;
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F)) return false;
        if (cp == 0xFFFE || cp == 0xFFFF) return false;
        i += len;
    }
    return true;
}

/// Occurrences of `needle` in `haystack`.
inline int count(std::string_view haystack, std::string_view needle) {
    int n = 0;
    for (auto pos = haystack.find(needle); pos != std::string_view::npos; pos = haystack.find(needle, pos + 1))
        ++n;
    return n;
}

}  // namespace pop3::report::testing
