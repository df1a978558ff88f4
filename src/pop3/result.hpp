// A small value-or-error type for the protocol core: errors are values here, never exceptions.
#pragma once

#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace pop3 {

/// Holds either a T or a std::error_code (never both). The core returns it instead of throwing.
template <class T>
class Result {
  public:
    /// A successful result.
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    /// A failed result.
    Result(std::error_code ec) : v_(std::in_place_index<1>, ec) {}  // NOLINT(google-explicit-constructor)
    /// A failed result from any error-code enum (pop3::Violation, pop3::CommandError, ...).
    template <class E, std::enable_if_t<std::is_error_code_enum_v<E>, int> = 0>
    Result(E e) : v_(std::in_place_index<1>, make_error_code(e)) {}  // NOLINT(google-explicit-constructor)

    /// True when a value is held.
    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; precondition has_value().
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    /// The error; a default (success) error_code when a value is held.
    std::error_code error() const noexcept { return has_value() ? std::error_code{} : std::get<1>(v_); }

  private:
    std::variant<T, std::error_code> v_;
};

}  // namespace pop3
