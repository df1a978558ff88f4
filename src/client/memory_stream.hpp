// MemoryStream: an in-memory ByteStream whose peer is a script, with a virtual clock, so the client can be tested and
// fuzzed without sockets and without waiting in wall-clock time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "client/byte_stream.hpp"

namespace pop3::client {

/// An in-memory ByteStream whose peer is a script: bytes pushed (each push a segment, delivered in reads of at most
/// the segment's rest), optionally after a virtual delay, then an optional close. Time is virtual: a read with
/// nothing to deliver ends as a timeout at once, the clock moved to its deadline, so a test or a fuzz execution
/// never sleeps. A read whose deadline has already passed returns the bytes already there with the timeout (as a
/// socket read that is cancelled after taking them does). Writes go to `on_write` (which may push the peer's replies)
/// and are kept in written().
class MemoryStream final : public ByteStream {
  public:
    MemoryStream();

    // --- the peer's side ---
    /// Queues bytes for the client; they become readable `delay` (virtual) after the client starts waiting for them.
    void push(std::string_view bytes, std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    /// Queues the peer's close (after what is queued): EOF, or a reset.
    void push_close(bool reset = false, std::chrono::milliseconds delay = std::chrono::milliseconds(0));
    /// Called with every write of the client (after it is appended to written()).
    std::function<void(std::string_view bytes)> on_write;
    /// Called at start_tls(); false makes the handshake fail (default: it succeeds).
    std::function<bool()> on_start_tls;
    /// Makes every following write fail with this status (ok: writes succeed; the default).
    void fail_writes(StreamStatus status) { write_status_ = status; }

    /// Bytes queued and not yet read by the client.
    std::size_t pending_bytes() const noexcept { return pending_; }
    /// Bytes the client has read so far.
    std::uint64_t delivered_bytes() const noexcept { return delivered_; }
    /// Bytes that were still queued when the client started TLS: a real TLS layer would take them for records
    /// (plaintext injected before the handshake); here they are dropped and counted.
    std::uint64_t dropped_at_handshake() const noexcept { return dropped_at_handshake_; }
    /// Everything the client wrote (kept up to `max_written` bytes).
    const std::string& written() const noexcept { return written_; }
    std::size_t max_written = std::size_t{1} << 20;
    /// Reads served (including timeouts and EOFs).
    std::uint64_t reads() const noexcept { return reads_; }
    /// True once the peer's close has been read by the client.
    bool peer_closed() const noexcept { return peer_closed_; }
    /// Moves the virtual clock forward.
    void advance(std::chrono::milliseconds d) { now_ += d; }

    // --- ByteStream ---
    StreamClock::time_point now() const override { return now_; }
    StreamResult read_some(std::span<char> buffer, StreamClock::time_point until) override;
    StreamResult write(std::string_view bytes, StreamClock::time_point until) override;
    StreamResult start_tls(StreamClock::time_point until) override;
    bool tls_active() const override { return tls_; }
    std::string tls_version() const override { return tls_ ? "memory-TLS" : ""; }
    std::string tls_cipher() const override { return tls_ ? "memory-null" : ""; }
    bool is_open() const override { return open_; }
    void close() override { open_ = false; }
    void reset() override { open_ = false; }
    std::string peer_address() const override { return "memory:0"; }

  private:
    struct Segment {
        std::string bytes;
        std::size_t offset = 0;
        std::chrono::milliseconds delay{0};
        bool close = false;
        bool reset = false;
    };
    std::deque<Segment> queue_;
    std::size_t pending_ = 0;
    std::uint64_t delivered_ = 0;
    std::uint64_t dropped_at_handshake_ = 0;
    std::uint64_t reads_ = 0;
    std::string written_;
    StreamClock::time_point now_;
    StreamStatus write_status_ = StreamStatus::ok;
    bool open_ = true;
    bool tls_ = false;
    bool peer_closed_ = false;
    bool peer_reset_ = false;
};

}  // namespace pop3::client
