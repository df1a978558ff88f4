#include "pop3/payloads.hpp"

namespace pop3 {
namespace {

class PayloadCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.payload"; }
    std::string message(int ev) const override {
        switch (static_cast<PayloadError>(ev)) {
            case PayloadError::empty:
                return "empty payload";
            case PayloadError::not_decimal:
                return "not a decimal number";
            case PayloadError::number_overflow:
                return "number too large";
            case PayloadError::missing_field:
                return "missing field";
            case PayloadError::bad_separator:
                return "fields not separated by a single space";
            case PayloadError::zero_message_number:
                return "message number 0";
            case PayloadError::unique_id_empty:
                return "empty unique-id";
            case PayloadError::unique_id_too_long:
                return "unique-id longer than 70 characters";
            case PayloadError::unique_id_bad_char:
                return "unique-id character outside 0x21-0x7E";
            case PayloadError::trailing_text:
                return "unexpected text after the last field";
            case PayloadError::bad_line:
                return "bad listing line";
        }
        return "unknown payload error";
    }
};

}  // namespace

const std::error_category& payload_category() noexcept {
    static const PayloadCategory category;
    return category;
}

std::error_code make_error_code(PayloadError e) noexcept {
    return {static_cast<int>(e), payload_category()};
}

namespace {

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

// "a SP b [SP rest]" with exactly one SP between a and b (RFC 1939 §5: "a single space").
struct TwoFields {
    std::string_view first;
    std::string_view second;
    bool has_rest = false;
};

Result<TwoFields> split_two_fields(std::string_view text) {
    if (text.empty()) return PayloadError::empty;
    if (text.front() == ' ') return PayloadError::bad_separator;
    const std::size_t sp = text.find(' ');
    if (sp == std::string_view::npos) return PayloadError::missing_field;
    TwoFields f;
    f.first = text.substr(0, sp);
    const std::string_view after = text.substr(sp + 1);
    if (after.empty()) return PayloadError::missing_field;
    if (after.front() == ' ') return PayloadError::bad_separator;
    const std::size_t sp2 = after.find(' ');
    f.second = after.substr(0, sp2);
    f.has_rest = sp2 != std::string_view::npos;
    return f;
}

// Calls f(line) for each line of a body (lines end CRLF; a last line without CRLF counts too).
template <class F>
void for_each_body_line(std::string_view body, F&& f) {
    while (!body.empty()) {
        const std::size_t end = body.find("\r\n");
        if (end == std::string_view::npos) {
            f(body);
            return;
        }
        if (!f(body.substr(0, end))) return;
        body.remove_prefix(end + 2);
    }
}

template <class T, class Parse>
Listing<T> parse_listing(std::string_view body, Parse parse) {
    Listing<T> listing;
    std::size_t number = 0;
    for_each_body_line(body, [&](std::string_view line) {
        ++number;
        auto entry = parse(line);
        if (!entry) {
            listing.bad_line = number;
            listing.bad_line_error = entry.error();
            return false;
        }
        listing.entries.push_back(std::move(*entry));
        return true;
    });
    return listing;
}

}  // namespace

Result<std::uint64_t> parse_decimal(std::string_view digits) {
    if (digits.empty()) return PayloadError::empty;
    std::uint64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return PayloadError::not_decimal;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return PayloadError::number_overflow;
        value = value * 10 + digit;
    }
    return value;
}

Result<StatInfo> parse_stat(std::string_view text) {
    // RFC 1939 §5 STAT: "+OK" SP message-count SP size; R1939-CLI-6: strictly parsed, extra text tolerated.
    auto fields = split_two_fields(text);
    if (!fields) return fields.error();
    auto count = parse_decimal(fields->first);
    if (!count) return count.error();
    auto size = parse_decimal(fields->second);
    if (!size) return size.error();
    return StatInfo{*count, *size, fields->has_rest};
}

Result<ScanListing> parse_scan_listing(std::string_view text) {
    // RFC 1939 §5 LIST: scan listing = msg-number SP size [SP more] (the "more" is discouraged).
    auto fields = split_two_fields(text);
    if (!fields) return fields.error();
    auto number = parse_decimal(fields->first);
    if (!number) return number.error();
    if (*number == 0) return PayloadError::zero_message_number;
    auto size = parse_decimal(fields->second);
    if (!size) return size.error();
    return ScanListing{*number, *size, fields->has_rest};
}

Result<UidListing> parse_uid_listing(std::string_view text) {
    // RFC 1939 §7 UIDL: msg-number SP unique-id.
    auto fields = split_two_fields(text);
    if (!fields) return fields.error();
    auto number = parse_decimal(fields->first);
    if (!number) return number.error();
    if (*number == 0) return PayloadError::zero_message_number;
    if (const std::error_code ec = validate_unique_id(fields->second)) return ec;
    if (fields->has_rest) return PayloadError::trailing_text;
    return UidListing{*number, std::string(fields->second)};
}

std::error_code validate_unique_id(std::string_view uid) noexcept {
    // RFC 1939 §7 / App. A (R1939-UIDL-5): 1 to 70 characters in 0x21-0x7E.
    if (uid.empty()) return PayloadError::unique_id_empty;
    if (uid.size() > 70) return PayloadError::unique_id_too_long;
    for (char c : uid) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x21 || u > 0x7E) return PayloadError::unique_id_bad_char;
    }
    return {};
}

Listing<ScanListing> parse_scan_list(std::string_view body) {
    return parse_listing<ScanListing>(body, parse_scan_listing);
}

Listing<UidListing> parse_uid_list(std::string_view body) {
    return parse_listing<UidListing>(body, parse_uid_listing);
}

Capabilities Capabilities::parse(std::string_view body) {
    Capabilities caps;
    for_each_body_line(body, [&caps](std::string_view line) {
        // RFC 2449 §5: capability = tag *(SP argument); split on SP, runs of SP tolerated.
        Capability cap;
        std::size_t start = 0;
        while (start < line.size()) {
            const std::size_t end = line.find(' ', start);
            const std::string_view token = line.substr(start, end == std::string_view::npos ? end : end - start);
            if (!token.empty()) {
                if (cap.tag.empty()) {
                    cap.tag = std::string(token);
                } else {
                    cap.arguments.emplace_back(token);
                }
            }
            if (end == std::string_view::npos) break;
            start = end + 1;
        }
        if (!cap.tag.empty()) caps.entries_.push_back(std::move(cap));
        return true;
    });
    return caps;
}

const Capability* Capabilities::find(std::string_view tag) const noexcept {
    for (const Capability& cap : entries_) {
        if (iequals(cap.tag, tag)) return &cap;
    }
    return nullptr;
}

std::optional<std::string_view> Capabilities::argument_of(std::string_view tag) const noexcept {
    const Capability* cap = find(tag);
    if (cap == nullptr || cap->arguments.empty()) return std::nullopt;
    return std::string_view(cap->arguments.front());
}

std::vector<std::string> Capabilities::sasl_mechanisms() const {
    std::vector<std::string> out;
    if (const Capability* cap = find("SASL")) {
        for (const std::string& arg : cap->arguments) {
            std::string upper = arg;
            for (char& c : upper)
                c = ascii_upper(c);
            out.push_back(std::move(upper));
        }
    }
    return out;
}

std::optional<std::string> Capabilities::implementation() const {
    const Capability* cap = find("IMPLEMENTATION");
    if (cap == nullptr) return std::nullopt;
    std::string out;
    for (const std::string& arg : cap->arguments) {
        if (!out.empty()) out.push_back(' ');
        out += arg;
    }
    return out;
}

std::optional<std::uint64_t> Capabilities::login_delay() const {
    const auto arg = argument_of("LOGIN-DELAY");
    if (!arg) return std::nullopt;
    auto value = parse_decimal(*arg);
    if (!value) return std::nullopt;
    return *value;
}

std::optional<std::string_view> find_apop_timestamp(std::string_view greeting_text) noexcept {
    // R2449-CLI-4: from the first '<' to the next '>'.
    const std::size_t open = greeting_text.find('<');
    if (open == std::string_view::npos) return std::nullopt;
    const std::size_t close = greeting_text.find('>', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    return greeting_text.substr(open, close - open + 1);
}

bool is_well_formed_apop_timestamp(std::string_view timestamp) noexcept {
    if (timestamp.size() < 5 || timestamp.front() != '<' || timestamp.back() != '>') return false;
    const std::string_view inner = timestamp.substr(1, timestamp.size() - 2);
    std::size_t at = std::string_view::npos;
    for (std::size_t i = 0; i < inner.size(); ++i) {
        const auto u = static_cast<unsigned char>(inner[i]);
        if (u < 0x21 || u > 0x7E || inner[i] == '<' || inner[i] == '>') return false;
        if (inner[i] == '@') {
            if (at != std::string_view::npos) return false;
            at = i;
        }
    }
    return at != std::string_view::npos && at > 0 && at + 1 < inner.size();
}

}  // namespace pop3
