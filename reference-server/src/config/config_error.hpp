#pragma once
// A configuration error that a person reads: where (file, line, column) and what is wrong.

#include <string>
#include <variant>

namespace pop3::server {

/// Where a configuration problem is and what it is. Line and column are 1-based; 0 means unknown.
struct ConfigError {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;

    /// "FILE:LINE:COLUMN: MESSAGE" (parts that are unknown are left out).
    std::string to_string() const;
};

/// A value or the configuration error that prevented it. The server refuses to start on an error.
template <class T>
class ConfigResult {
  public:
    ConfigResult(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    ConfigResult(ConfigError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(v_); }
    const T& value() const { return std::get<0>(v_); }
    const ConfigError& error() const { return std::get<1>(v_); }

  private:
    std::variant<T, ConfigError> v_;
};

}  // namespace pop3::server
