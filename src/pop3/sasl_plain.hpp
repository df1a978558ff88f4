// SASL PLAIN (RFC 4616): message = [authzid] NUL authcid NUL passwd, for AUTH PLAIN (RFC 5034).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "pop3/result.hpp"

namespace pop3 {

/// Why a PLAIN message was rejected (RFC 4616 §2).
enum class SaslPlainError {
    bad_base64 = 1,   ///< the base64 layer failed (see base64_decode)
    wrong_nul_count,  ///< not exactly two NUL separators
    empty_authcid,    ///< authcid must not be empty
    empty_password,   ///< passwd must not be empty
    field_too_long,   ///< a field over 255 octets
    invalid_utf8,     ///< a field is not valid UTF-8
};

/// The error category of pop3::SaslPlainError ("pop3.sasl_plain").
const std::error_category& sasl_plain_category() noexcept;
std::error_code make_error_code(SaslPlainError e) noexcept;

}  // namespace pop3

template <>
struct std::is_error_code_enum<pop3::SaslPlainError> : std::true_type {};

namespace pop3 {

/// The three fields of a PLAIN message.
struct SaslPlainCredentials {
    std::string authzid;  ///< authorization identity; empty = same as authcid
    std::string authcid;  ///< authentication identity (user name)
    std::string password;
    bool operator==(const SaslPlainCredentials&) const = default;
};

/// The raw PLAIN message: authzid NUL authcid NUL passwd (not base64).
std::string sasl_plain_message(const SaslPlainCredentials& credentials);
/// The base64 of the PLAIN message, as sent in "AUTH PLAIN <initial response>" or after "+ ".
std::string sasl_plain_encode(const SaslPlainCredentials& credentials);
/// Validates and splits a raw PLAIN message (RFC 4616 §2).
Result<SaslPlainCredentials> sasl_plain_parse(std::string_view message);
/// Decodes base64 then parses (errors of the base64 layer become SaslPlainError::bad_base64).
Result<SaslPlainCredentials> sasl_plain_decode(std::string_view base64_text);

}  // namespace pop3
