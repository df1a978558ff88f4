// RFC 1939 §7 APOP: digest = MD5(timestamp + shared secret), lower-case hex.
#pragma once

#include <string>
#include <string_view>

namespace pop3 {

/// The APOP digest of `timestamp_with_brackets` (as in the greeting, e.g. "<1896.697170952@dbc.mtview.ca.us>")
/// followed by `secret`: 32 lower-case hex digits (RFC 1939 §7; MD5 through OpenSSL's EVP interface).
/// Returns an empty string only if OpenSSL fails (e.g. MD5 unavailable in a FIPS-only provider).
std::string apop_digest(std::string_view timestamp_with_brackets, std::string_view secret);

/// Compares two secrets or digests in time that depends only on their lengths (OpenSSL CRYPTO_memcmp), so a server
/// checking an APOP digest or a password leaks nothing through timing.
bool secure_equals(std::string_view a, std::string_view b) noexcept;

/// True when `digest` has the APOP digest form: exactly 32 lower-case hex digits (RFC 1939 §7).
bool is_apop_digest_syntax(std::string_view digest) noexcept;

}  // namespace pop3
