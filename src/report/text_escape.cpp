#include "report/text_escape.hpp"

#include <cstdint>

namespace pop3::report {

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

void append_byte_escape(std::string& out, unsigned char byte) {
    out += "\\x";
    out += hex_digits[byte >> 4];
    out += hex_digits[byte & 0xF];
}

void append_code_point_escape(std::string& out, std::uint32_t cp) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4)
        out += hex_digits[(cp >> shift) & 0xF];
}

// Length of the well-formed UTF-8 sequence at text[i] (RFC 3629 §4: no overlong forms, no surrogates, nothing
// above U+10FFFF) and its code point; 0 when the bytes there are not one.
std::size_t decode_utf8(std::string_view text, std::size_t i, std::uint32_t& cp) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char b0 = byte(0);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        cp = b0 & 0x0Fu;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        cp = b0 & 0x07u;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > text.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const unsigned char b = byte(k);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    return len;
}

bool is_noncharacter(std::uint32_t cp) {
    return cp == 0xFFFE || cp == 0xFFFF || (cp >= 0xFDD0 && cp <= 0xFDEF);
}

// Calls emit(piece) with sanitized pieces: either a valid printable character's bytes or an escape.
template <typename Emit>
void for_each_sanitized(std::string_view text, Emit&& emit) {
    std::string escape;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = decode_utf8(text, i, cp);
        escape.clear();
        if (len == 0) {
            append_byte_escape(escape, static_cast<unsigned char>(text[i]));
            emit(std::string_view(escape), false);
            ++i;
            continue;
        }
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F) {
            append_byte_escape(escape, static_cast<unsigned char>(cp));
            emit(std::string_view(escape), false);
        } else if ((cp >= 0x80 && cp <= 0x9F) || is_noncharacter(cp)) {
            append_code_point_escape(escape, cp);
            emit(std::string_view(escape), false);
        } else {
            emit(text.substr(i, len), true);
        }
        i += len;
    }
}

std::size_t utf8_sequence_start(std::string_view text, std::size_t pos) {
    while (pos > 0 && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80)
        --pos;
    return pos;
}

}  // namespace

std::string sanitize_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for_each_sanitized(text, [&](std::string_view piece, bool) { out += piece; });
    return out;
}

std::string escape_markup(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for_each_sanitized(text, [&](std::string_view piece, bool literal) {
        if (!literal || piece.size() != 1) {
            out += piece;
            return;
        }
        switch (piece[0]) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += piece;
        }
    });
    return out;
}

std::string escape_attribute(std::string_view text) {
    std::string out;
    for (char c : escape_markup(text)) {
        switch (c) {
            case '\t':
                out += "&#9;";
                break;
            case '\n':
                out += "&#10;";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return std::string(text);
    const std::size_t cut = utf8_sequence_start(text, max_bytes);
    return std::string(text.substr(0, cut)) + "…";
}

std::string escape_markdown(std::string_view text, std::size_t max_chars) {
    std::string clean = sanitize_utf8(text);
    for (char& c : clean)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    clean = truncate_utf8(clean, max_chars);
    std::string out;
    out.reserve(clean.size() + clean.size() / 4);
    for (char c : clean) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '\\':
            case '`':
            case '*':
            case '_':
            case '[':
            case ']':
            case '|':
            case '#':
            case '~':
            case '!':
                out += '\\';
                out += c;
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace pop3::report
