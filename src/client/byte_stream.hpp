// The transport seam of the client: the byte stream a Connection reads from and writes to. The default is Asio
// TCP (plus TLS, in connection.cpp); MemoryStream (memory_stream.hpp) is an in-memory, scripted peer with a virtual
// clock for tests and the fuzzer.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace pop3::client {

/// The clock every deadline of a Connection is measured on (a ByteStream may run a virtual one of the same type).
using StreamClock = std::chrono::steady_clock;

/// How one stream operation ended.
enum class StreamStatus {
    ok,         ///< bytes were read or written (a handshake succeeded)
    timed_out,  ///< nothing happened before the deadline
    eof,        ///< the peer closed (FIN, or a TLS peer gone without close_notify)
    reset,      ///< the peer reset the connection (RST, EPIPE)
    failed,     ///< any other error (StreamResult::error, StreamResult::tls)
};

/// The outcome of a stream operation.
struct StreamResult {
    std::size_t bytes = 0;  ///< bytes read (read_some) or written (write)
    StreamStatus status = StreamStatus::ok;
    std::error_code error;  ///< the underlying error when status is eof, reset or failed
    bool tls = false;       ///< the failure comes from the TLS layer
};

/// A bidirectional byte stream with deadlines. Every call returns by its deadline.
class ByteStream {
  public:
    virtual ~ByteStream() = default;

    /// Now, on the clock the stream waits on (real time for sockets; virtual time for MemoryStream).
    virtual StreamClock::time_point now() const = 0;
    /// Reads at least one and at most buffer.size() bytes, waiting until `until` at most. A timeout may come with
    /// bytes (taken just before the wait was cancelled): the caller must use them.
    virtual StreamResult read_some(std::span<char> buffer, StreamClock::time_point until) = 0;
    /// Writes all of `bytes` in one operation, waiting until `until` at most.
    virtual StreamResult write(std::string_view bytes, StreamClock::time_point until) = 0;
    /// Runs a client TLS handshake on the stream (STLS, RFC 2595 §4), waiting until `until` at most.
    virtual StreamResult start_tls(StreamClock::time_point until) = 0;
    /// True once TLS is established.
    virtual bool tls_active() const = 0;
    /// Negotiated TLS version and cipher (empty without TLS).
    virtual std::string tls_version() const = 0;
    virtual std::string tls_cipher() const = 0;
    /// True until the client closes (or resets) the stream; a peer's EOF does not change it.
    virtual bool is_open() const = 0;
    /// Closes without ceremony (no TLS close_notify).
    virtual void close() = 0;
    /// Closes with a reset (TCP RST).
    virtual void reset() = 0;
    /// "ip:port" of the peer, or any name of it.
    virtual std::string peer_address() const = 0;
};

}  // namespace pop3::client
