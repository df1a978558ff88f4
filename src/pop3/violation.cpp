#include "pop3/violation.hpp"

#include <string>

namespace pop3 {
namespace {

class ViolationCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.violation"; }
    std::string message(int ev) const override {
        switch (static_cast<Violation>(ev)) {
            case Violation::bare_lf:
                return "bare LF (line end without CR)";
            case Violation::bare_cr:
                return "bare CR (CR not followed by LF)";
            case Violation::nul_byte:
                return "NUL octet";
            case Violation::status_line_too_long:
                return "status line too long";
            case Violation::body_line_too_long:
                return "body line too long";
            case Violation::body_too_large:
                return "body too large";
            case Violation::missing_terminator_at_eof:
                return "multi-line body cut by EOF (no CRLF.CRLF)";
            case Violation::eof_in_status_line:
                return "status line cut by EOF";
            case Violation::bad_status_indicator:
                return "bad status indicator (not +OK or -ERR)";
            case Violation::non_canonical_status:
                return "status indicator not upper case";
            case Violation::no_space_after_status:
                return "no space after the status indicator";
            case Violation::bad_response_code:
                return "malformed response code";
        }
        return "unknown violation";
    }
};

}  // namespace

const std::error_category& violation_category() noexcept {
    static const ViolationCategory category;
    return category;
}

std::error_code make_error_code(Violation v) noexcept {
    return {static_cast<int>(v), violation_category()};
}

std::string_view to_string(Violation v) noexcept {
    switch (v) {
        case Violation::bare_lf:
            return "bare_lf";
        case Violation::bare_cr:
            return "bare_cr";
        case Violation::nul_byte:
            return "nul_byte";
        case Violation::status_line_too_long:
            return "status_line_too_long";
        case Violation::body_line_too_long:
            return "body_line_too_long";
        case Violation::body_too_large:
            return "body_too_large";
        case Violation::missing_terminator_at_eof:
            return "missing_terminator_at_eof";
        case Violation::eof_in_status_line:
            return "eof_in_status_line";
        case Violation::bad_status_indicator:
            return "bad_status_indicator";
        case Violation::non_canonical_status:
            return "non_canonical_status";
        case Violation::no_space_after_status:
            return "no_space_after_status";
        case Violation::bad_response_code:
            return "bad_response_code";
    }
    return "unknown";
}

}  // namespace pop3
