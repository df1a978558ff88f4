// RFC 2449 §8 extended response codes: "-ERR [SYS/TEMP] try later".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3 {

/// The response codes RFC 2449 §8 (and RFC 3206, RFC 6856) define; anything else is `unknown` (and kept).
enum class KnownResponseCode {
    unknown,
    in_use,       ///< [IN-USE]      RFC 2449 §8.1.1
    login_delay,  ///< [LOGIN-DELAY] RFC 2449 §8.1.2
    sys_temp,     ///< [SYS/TEMP]    RFC 3206 §4
    sys_perm,     ///< [SYS/PERM]    RFC 3206 §5
    auth,         ///< [AUTH]        RFC 3206 §6
    utf8,         ///< [UTF8]        RFC 6856 §2.1
};

/// A parsed response code: `[A/B/C]` split into levels. Comparisons are case-insensitive (RFC 2449 §8).
class ResponseCode {
  public:
    /// Parses the text between the brackets ("SYS/TEMP"). Grammar (RFC 2449 §8): resp-level *("/" resp-level),
    /// resp-level = 1*rchar, rchar = %x20-2E / %x30-5C / %x5E-7F (no '/', no ']'). nullopt when malformed.
    static std::optional<ResponseCode> parse(std::string_view inner);

    /// The text between the brackets, as received.
    const std::string& raw() const noexcept { return raw_; }
    /// The levels, as received ("sys", "temp", "foo").
    const std::vector<std::string>& levels() const noexcept { return levels_; }
    /// True when the code starts with the given levels, case-insensitively: `is("SYS/TEMP")` is true for
    /// `[sys/temp/foo]` (RFC 2449 §8: unknown deeper levels are ignored, R2449-CLI-2), false for `[SYS]`.
    bool is(std::string_view prefix) const;
    /// The known code this one is (by its leading levels), or unknown.
    KnownResponseCode known() const;

  private:
    std::string raw_;
    std::vector<std::string> levels_;
};

/// Result of looking for a response code at the start of a status line's text.
struct ResponseCodeMatch {
    std::optional<ResponseCode> code;  ///< the code, if the text starts with a valid one
    std::size_t length = 0;            ///< octets of "[...]" plus the one SP after it, if any (0 if no code)
    bool malformed = false;            ///< text starts with '[' but no valid "[...]" follows
};

/// Looks for a response code at the start of `text` (the text after "+OK " / "-ERR ").
ResponseCodeMatch match_response_code(std::string_view text);

}  // namespace pop3
