#pragma once
// `check:` expressions: small comparisons over captured values, e.g. "count_after == count - 1",
// "sum(sizes) == size", "prefix(top, retr)", "uids_after[1] == uids[2]". Parsed once at load time.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pop3::scenario {

/// A LIST or UIDL listing: (message number, size or unique-id) in the order the server sent them.
using Listing = std::vector<std::pair<std::int64_t, std::string>>;
/// Lines of a body.
using Lines = std::vector<std::string>;

/// A captured or computed value.
using Value = std::variant<std::monostate, bool, std::int64_t, std::string, Listing, Lines>;

/// Captured values by name, shared by every session of one scenario run.
using Captures = std::map<std::string, Value>;

/// Short human form of a value for reasons ("3", "\"abc\"", "listing of 5", "7 lines").
std::string describe(const Value& value);

/// A parsed `check` expression.
class Expression {
  public:
    /// Parses; on a syntax error returns nullptr and sets `error` (with the 0-based offset in the text).
    static std::shared_ptr<const Expression> parse(std::string_view text, std::string& error);

    virtual ~Expression() = default;
    /// Evaluates against captures. On failure (unknown name, type mismatch) returns std::monostate and sets error.
    virtual Value evaluate(const Captures& captures, std::string& error) const = 0;
    /// The expression written back, for reasons.
    virtual std::string text() const = 0;
};

/// Evaluates a check: true when it holds. `reason` says why not (with the operand values) or why it could not
/// be evaluated (`eval_error` set).
bool evaluate_check(const Expression& expr, const Captures& captures, std::string& reason, bool& eval_error);

}  // namespace pop3::scenario
