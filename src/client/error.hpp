// The client's error vocabulary: one enum class with its std::error_category, and a small result type.
#pragma once

#include <cstddef>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace pop3::client {

/// What went wrong on a client connection. Every failure of the I/O path is one of these values (no exceptions).
enum class Errc {
    resolve_failed = 1,  ///< the host name did not resolve
    connect_failed,      ///< TCP connect refused, unreachable, or timed out (connect_timeout)
    timeout,             ///< nothing (or not enough) arrived within the per-read or per-reply timeout
    deadline_exceeded,   ///< the connection's overall deadline passed (bounds dripping servers)
    closed_by_peer,      ///< EOF (or RST) before the reply was complete; Error::partial holds what came
    limit_exceeded,      ///< a reply broke a configured size limit (status line, body line, total body, buffer)
    protocol_violation,  ///< strict mode: the reply broke the grammar (Error::cause holds the pop3 violation)
    io_error,            ///< any other socket error (Error::cause holds the system error)
    tls_error,           ///< TLS handshake or record failure (Error::cause holds the OpenSSL error)
    not_connected,       ///< the operation needs an open connection
    bad_argument,        ///< the call itself was invalid (e.g. start_tls on a TLS connection)
};

/// The std::error_category of Errc ("pop3.client").
const std::error_category& client_category() noexcept;

/// Makes an error_code of the client category.
std::error_code make_error_code(Errc e) noexcept;

/// A failed client operation: the kind, the underlying cause, a one-line message for people, and the bytes of a
/// partial reply when one was cut short (bounded; raw, escape them with Transcript::escape before showing).
struct Error {
    Errc kind = Errc::io_error;
    std::error_code cause;     ///< the system, TLS or pop3 parser error behind `kind`, if any
    std::string message;       ///< e.g. "timeout: no complete reply within 5000 ms (12 bytes received)"
    std::string partial;       ///< bytes of the unfinished reply (at most ClientOptions::max_partial_bytes)
    std::size_t received = 0;  ///< bytes of the unfinished reply received in total (may exceed partial.size())

    /// "timeout: ...", i.e. the kind's name and the message.
    std::string to_string() const;
};

/// The short name of an error kind ("timeout", "closed_by_peer", ...), stable for reports and tests.
const char* to_string(Errc e) noexcept;

/// A value or an Error. Result<void> carries only success or the Error.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit on purpose
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit on purpose

    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const& { return std::get<1>(v_); }
    Error&& error() && { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, Error> v_;
};

/// Success or an Error.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit on purpose

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const& { return error_; }
    Error&& error() && { return std::move(error_); }

  private:
    Error error_;
    bool ok_ = true;
};

}  // namespace pop3::client

template <>
struct std::is_error_code_enum<pop3::client::Errc> : std::true_type {};
