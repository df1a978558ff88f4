// Strict base64 (RFC 4648 §4 alphabet, with padding) as SASL in POP3 requires it (RFC 5034 §4).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "pop3/result.hpp"

namespace pop3 {

/// Why base64 text was rejected.
enum class Base64Error {
    bad_character = 1,  ///< a character outside A-Z a-z 0-9 + / (and '=' padding)
    bad_padding,        ///< '=' anywhere but at the end, more than two, or non-zero bits before the padding
    bad_length,         ///< length not a multiple of 4 (RFC 5034 §4 sends padded base64)
};

/// The error category of pop3::Base64Error ("pop3.base64").
const std::error_category& base64_category() noexcept;
std::error_code make_error_code(Base64Error e) noexcept;

}  // namespace pop3

template <>
struct std::is_error_code_enum<pop3::Base64Error> : std::true_type {};

namespace pop3 {

/// Encodes with padding, no line breaks.
std::string base64_encode(std::string_view bytes);
/// Decodes strictly: no whitespace, padding required, canonical trailing bits. "" decodes to "".
Result<std::string> base64_decode(std::string_view text);

}  // namespace pop3
