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

// STUB (first commit): the implementation follows.
Result<std::uint64_t> parse_decimal(std::string_view) {
    return PayloadError::empty;
}
Result<StatInfo> parse_stat(std::string_view) {
    return PayloadError::empty;
}
Result<ScanListing> parse_scan_listing(std::string_view) {
    return PayloadError::empty;
}
Result<UidListing> parse_uid_listing(std::string_view) {
    return PayloadError::empty;
}
std::error_code validate_unique_id(std::string_view) noexcept {
    return {};
}
Listing<ScanListing> parse_scan_list(std::string_view) {
    return {};
}
Listing<UidListing> parse_uid_list(std::string_view) {
    return {};
}
Capabilities Capabilities::parse(std::string_view) {
    return {};
}
const Capability* Capabilities::find(std::string_view) const noexcept {
    return nullptr;
}
std::optional<std::string_view> Capabilities::argument_of(std::string_view) const noexcept {
    return std::nullopt;
}
std::vector<std::string> Capabilities::sasl_mechanisms() const {
    return {};
}
std::optional<std::string> Capabilities::implementation() const {
    return std::nullopt;
}
std::optional<std::uint64_t> Capabilities::login_delay() const {
    return std::nullopt;
}
std::optional<std::string_view> find_apop_timestamp(std::string_view) noexcept {
    return std::nullopt;
}
bool is_well_formed_apop_timestamp(std::string_view) noexcept {
    return false;
}

}  // namespace pop3
