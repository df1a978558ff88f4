// Typed parsers for the payloads of replies: STAT, LIST/UIDL listings, unique-ids, CAPA, the APOP timestamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "pop3/result.hpp"

namespace pop3 {

/// Why a reply payload could not be parsed.
enum class PayloadError {
    empty = 1,            ///< nothing where a value was expected
    not_decimal,          ///< a number field holds something other than digits
    number_overflow,      ///< a number does not fit in 64 bits
    missing_field,        ///< fewer fields than the grammar requires
    bad_separator,        ///< fields not separated by exactly one SP (leading, double or tab)
    zero_message_number,  ///< message numbers start at 1 (RFC 1939 §5)
    unique_id_empty,      ///< RFC 1939 §7: a unique-id is 1 to 70 characters
    unique_id_too_long,   ///< more than 70 characters
    unique_id_bad_char,   ///< a character outside 0x21-0x7E
    trailing_text,        ///< extra text after the last field where none is allowed (UIDL lines)
    bad_line,             ///< a listing line could not be parsed (see the listing functions)
};

/// The error category of pop3::PayloadError ("pop3.payload").
const std::error_category& payload_category() noexcept;
std::error_code make_error_code(PayloadError e) noexcept;

}  // namespace pop3

template <>
struct std::is_error_code_enum<pop3::PayloadError> : std::true_type {};

namespace pop3 {

/// Parses a decimal number strictly (digits only, no sign, overflow checked).
Result<std::uint64_t> parse_decimal(std::string_view digits);

/// STAT's "+OK nn mm" (RFC 1939 §5): the text after "+OK ".
struct StatInfo {
    std::uint64_t message_count = 0;
    std::uint64_t maildrop_octets = 0;
    /// Text followed the size (RFC 1939 §5 "strongly discourages" it): a warning, not an error (R1939-STAT-3,
    /// R1939-CLI-6).
    bool trailing_text = false;
};
/// Parses the text of a STAT reply: two decimals separated by exactly one SP; optional " more text".
Result<StatInfo> parse_stat(std::string_view text);

/// A scan listing "n size" (LIST n reply text, or one line of LIST's multi-line body).
struct ScanListing {
    std::uint64_t message_number = 0;
    std::uint64_t size = 0;
    bool trailing_text = false;  ///< text after the size (RFC 1939 §5 allows it, discouraged): a warning
};
Result<ScanListing> parse_scan_listing(std::string_view text);

/// A unique-id listing "n uid" (UIDL n reply text, or one line of UIDL's multi-line body).
struct UidListing {
    std::uint64_t message_number = 0;
    std::string unique_id;
};
/// The unique-id is validated (validate_unique_id); text after it is an error (trailing_text).
Result<UidListing> parse_uid_listing(std::string_view text);

/// RFC 1939 §7, App. A (R1939-UIDL-5): 1 to 70 characters in 0x21-0x7E. Success is an empty error_code.
std::error_code validate_unique_id(std::string_view uid) noexcept;

/// A multi-line listing's parse: every line, in order, duplicates kept (R1939-CLI-7: identical messages may share
/// a uid, so this is a list, not a map).
template <class T>
struct Listing {
    std::vector<T> entries;
    /// The first bad line (1-based) and its error; 0 / empty when every line parsed.
    std::size_t bad_line = 0;
    std::error_code bad_line_error;
    bool ok() const noexcept { return bad_line == 0; }
};
/// Parses a LIST body (Reply::body: lines ending CRLF). Stops at the first bad line.
Listing<ScanListing> parse_scan_list(std::string_view body);
/// Parses a UIDL body (Reply::body). Stops at the first bad line.
Listing<UidListing> parse_uid_list(std::string_view body);

/// One CAPA line: tag and its arguments (split on SP).
struct Capability {
    std::string tag;  ///< as received
    std::vector<std::string> arguments;
};

/// The capabilities of a CAPA body (RFC 2449 §5). Tags compare case-insensitively; unknown and X- tags are kept
/// but mean nothing to the toolkit (R2449-CLI-1).
class Capabilities {
  public:
    /// Parses a CAPA body (Reply::body). Empty lines are skipped; arguments are split on SP (runs of SP collapse).
    static Capabilities parse(std::string_view body);

    /// Every capability, in the server's order.
    const std::vector<Capability>& entries() const noexcept { return entries_; }
    /// The first capability with this tag (case-insensitive), or nullptr.
    const Capability* find(std::string_view tag) const noexcept;
    /// True when the tag is advertised: has("TOP"), has("uidl").
    bool has(std::string_view tag) const noexcept { return find(tag) != nullptr; }
    /// The first argument of the tag, if advertised with one: argument_of("LOGIN-DELAY") == "900".
    std::optional<std::string_view> argument_of(std::string_view tag) const noexcept;
    /// The SASL mechanisms (RFC 5034 §6), upper-cased; empty when SASL is not advertised.
    std::vector<std::string> sasl_mechanisms() const;
    /// The IMPLEMENTATION argument text (RFC 2449 §6.9), all arguments joined by SP; nullopt if absent.
    std::optional<std::string> implementation() const;
    /// LOGIN-DELAY's seconds (RFC 2449 §6.5), if advertised with a valid decimal.
    std::optional<std::uint64_t> login_delay() const;
    /// EXPIRE's argument (RFC 2449 §6.7): "NEVER" or days, as received (first argument), if advertised.
    std::optional<std::string_view> expire() const noexcept { return argument_of("EXPIRE"); }

  private:
    std::vector<Capability> entries_;
};

/// The greeting's APOP timestamp (RFC 1939 §7; RFC 2449 §3, R2449-CLI-4): from the first '<' to the next '>',
/// brackets included. nullopt when the greeting has no '<' ... '>'.
std::optional<std::string_view> find_apop_timestamp(std::string_view greeting_text) noexcept;

/// True when the timestamp has the msg-id form "<local@domain>": brackets, exactly one '@', non-empty parts,
/// printable ASCII without SP, '<' or '>' inside (RFC 1939 §7 "syntax of a msg-id").
bool is_well_formed_apop_timestamp(std::string_view timestamp) noexcept;

}  // namespace pop3
