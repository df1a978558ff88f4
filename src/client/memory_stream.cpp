#include "client/memory_stream.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace pop3::client {

MemoryStream::MemoryStream() : now_(StreamClock::time_point{} + std::chrono::hours(1)) {}

void MemoryStream::push(std::string_view bytes, std::chrono::milliseconds delay) {
    // Nothing comes after the peer's close.
    if (bytes.empty() || (!queue_.empty() && queue_.back().close) || peer_closed_) return;
    Segment s;
    s.bytes.assign(bytes);
    s.delay = std::max(delay, std::chrono::milliseconds(0));
    pending_ += s.bytes.size();
    queue_.push_back(std::move(s));
}

void MemoryStream::push_close(bool reset, std::chrono::milliseconds delay) {
    if ((!queue_.empty() && queue_.back().close) || peer_closed_) return;
    Segment s;
    s.close = true;
    s.reset = reset;
    s.delay = std::max(delay, std::chrono::milliseconds(0));
    queue_.push_back(std::move(s));
}

StreamResult MemoryStream::read_some(std::span<char> buffer, StreamClock::time_point until) {
    ++reads_;
    StreamResult r;
    if (!open_) {
        r.status = StreamStatus::failed;
        r.error = std::make_error_code(std::errc::bad_file_descriptor);
        return r;
    }
    if (peer_closed_) {
        r.status = peer_reset_ ? StreamStatus::reset : StreamStatus::eof;
        r.error = std::make_error_code(peer_reset_ ? std::errc::connection_reset : std::errc::no_message);
        return r;
    }
    if (queue_.empty() || buffer.empty()) {
        // The peer has nothing more to say: the wait ends at its deadline, at once in real time.
        now_ = std::max(now_, until);
        r.status = StreamStatus::timed_out;
        return r;
    }
    Segment& s = queue_.front();
    // A deadline already passed: like a socket read that takes what is there when it starts and is then cancelled,
    // bytes already there come with the timeout; nothing else happens.
    const bool expired = until <= now_;
    if (expired && (s.delay.count() > 0 || s.close)) {
        r.status = StreamStatus::timed_out;
        return r;
    }
    if (s.delay.count() > 0) {
        if (until <= now_ || until - now_ < s.delay) {
            // Not there before the deadline: the time waited counts against the delay.
            if (until > now_) s.delay -= std::chrono::duration_cast<std::chrono::milliseconds>(until - now_);
            now_ = std::max(now_, until);
            r.status = StreamStatus::timed_out;
            return r;
        }
        now_ += s.delay;
        s.delay = std::chrono::milliseconds(0);
    }
    if (s.close) {
        peer_closed_ = true;
        peer_reset_ = s.reset;
        queue_.pop_front();
        r.status = peer_reset_ ? StreamStatus::reset : StreamStatus::eof;
        r.error = std::make_error_code(peer_reset_ ? std::errc::connection_reset : std::errc::no_message);
        return r;
    }
    const std::size_t n = std::min(buffer.size(), s.bytes.size() - s.offset);
    std::memcpy(buffer.data(), s.bytes.data() + s.offset, n);
    s.offset += n;
    pending_ -= n;
    delivered_ += n;
    if (s.offset == s.bytes.size()) queue_.pop_front();
    r.bytes = n;
    if (expired) r.status = StreamStatus::timed_out;
    return r;
}

StreamResult MemoryStream::write(std::string_view bytes, StreamClock::time_point /*until*/) {
    StreamResult r;
    if (!open_) {
        r.status = StreamStatus::failed;
        r.error = std::make_error_code(std::errc::bad_file_descriptor);
        return r;
    }
    if (write_status_ != StreamStatus::ok || (peer_closed_ && peer_reset_)) {
        r.status = write_status_ != StreamStatus::ok ? write_status_ : StreamStatus::reset;
        if (r.status == StreamStatus::timed_out) return r;
        r.error = std::make_error_code(r.status == StreamStatus::failed ? std::errc::io_error : std::errc::broken_pipe);
        return r;
    }
    if (written_.size() < max_written) written_.append(bytes.substr(0, max_written - written_.size()));
    r.bytes = bytes.size();
    if (on_write) on_write(bytes);
    return r;
}

StreamResult MemoryStream::start_tls(StreamClock::time_point /*until*/) {
    StreamResult r;
    if (tls_) {
        r.status = StreamStatus::failed;
        r.tls = true;
        r.error = std::make_error_code(std::errc::operation_not_permitted);
        return r;
    }
    // Plaintext still queued would reach the TLS layer as garbage records: drop it (counted), keep a queued close.
    while (!queue_.empty() && !queue_.front().close) {
        dropped_at_handshake_ += queue_.front().bytes.size() - queue_.front().offset;
        queue_.pop_front();
    }
    pending_ = 0;
    if (on_start_tls && !on_start_tls()) {
        r.status = StreamStatus::failed;
        r.tls = true;
        r.error = std::make_error_code(std::errc::protocol_error);
        return r;
    }
    tls_ = true;
    return r;
}

}  // namespace pop3::client
