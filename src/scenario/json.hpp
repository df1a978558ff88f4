#pragma once
// A small JSON value, writer and parser for the result document (no extra dependency). Numbers are doubles or
// 64-bit integers; object keys keep their insertion order so the written document reads top-down.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace pop3::scenario::json {

class Value;
/// An object: keys in insertion order (duplicates are not checked).
using Object = std::vector<std::pair<std::string, Value>>;
/// An array.
using Array = std::vector<Value>;

/// Thrown by parse() and by the typed accessors on a mismatch.
class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// A JSON value.
class Value {
  public:
    Value() = default;
    Value(std::nullptr_t) {}
    Value(bool b) : v_(b) {}
    Value(int i) : v_(static_cast<std::int64_t>(i)) {}
    Value(std::int64_t i) : v_(i) {}
    Value(std::uint64_t i) : v_(static_cast<std::int64_t>(i)) {}
    Value(double d) : v_(d) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::string s) : v_(std::move(s)) {}
    Value(std::string_view s) : v_(std::string(s)) {}
    Value(Array a) : v_(std::make_shared<Array>(std::move(a))) {}
    Value(Object o) : v_(std::make_shared<Object>(std::move(o))) {}

    bool is_null() const { return v_.index() == 0; }
    bool is_object() const { return v_.index() == 6; }
    bool is_array() const { return v_.index() == 5; }
    bool is_string() const { return v_.index() == 4; }

    bool as_bool() const;
    std::int64_t as_int() const;
    double as_double() const;
    const std::string& as_string() const;
    const Array& as_array() const;
    const Object& as_object() const;

    /// Member lookup in an object; nullptr when absent (or when this is not an object).
    const Value* find(std::string_view key) const;
    /// Member that must exist.
    const Value& at(std::string_view key) const;

    /// Compact (indent < 0) or pretty-printed text.
    std::string dump(int indent = 2) const;

  private:
    void write(std::string& out, int indent, int depth) const;
    std::variant<std::monostate, bool, std::int64_t, double, std::string, std::shared_ptr<Array>,
                 std::shared_ptr<Object>>
        v_;
};

/// Parses a JSON text (RFC 8259). Throws Error with the offset on malformed input.
Value parse(std::string_view text);

/// JSON string escaping (without the quotes); a byte that is not part of valid UTF-8 becomes U+FFFD.
std::string escape(std::string_view text);

}  // namespace pop3::scenario::json
