#include "pop3/dot_stuffing.hpp"

#include <algorithm>
#include <cstring>

#include "pop3/detail/first_violation.hpp"

namespace pop3 {
namespace {

// The index of the first LF in [from, size), or size.
std::size_t find_lf(const char* data, std::size_t from, std::size_t size) noexcept {
    const void* p = std::memchr(data + from, '\n', size - from);
    return p == nullptr ? size : static_cast<std::size_t>(static_cast<const char*>(p) - data);
}

std::size_t offset(const char* base, const void* p) noexcept {
    return static_cast<std::size_t>(static_cast<const char*>(p) - base);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// DotStuffer

void DotStuffer::encode(std::string_view chunk, std::string& out) {
    if (finished_) {
        finished_ = false;
        content_octets_ = 0;
    }
    const char* d = chunk.data();
    const std::size_t n = chunk.size();
    out.reserve(out.size() + n + 16);
    std::size_t i = 0;
    while (i < n) {
        if (at_line_start_) {
            // RFC 1939 §3: a line that begins with the termination octet gets one more.
            if (d[i] == '.') out.push_back('.');
            at_line_start_ = false;
        }
        const std::size_t lf = find_lf(d, i, n);
        if (lf == n) {
            out.append(d + i, n - i);
            content_octets_ += n - i;
            last_was_cr_ = d[n - 1] == '\r';
            return;
        }
        const bool had_cr = lf > i ? d[lf - 1] == '\r' : last_was_cr_;
        out.append(d + i, lf - i);
        // RFC 1939 §11: a stored bare LF goes out as CRLF (and is counted as two octets).
        if (!had_cr) out.push_back('\r');
        out.push_back('\n');
        content_octets_ += (lf - i) + (had_cr ? 1 : 2);
        at_line_start_ = true;
        last_was_cr_ = false;
        i = lf + 1;
    }
}

void DotStuffer::finish(std::string& out) {
    if (finished_) content_octets_ = 0;  // an empty message right after another
    if (!at_line_start_) {
        // RFC 1939 §11 / R1939-LIST-7: the last line is given its CRLF, and it is counted.
        out += "\r\n";
        content_octets_ += 2;
    }
    out += ".\r\n";
    at_line_start_ = true;
    last_was_cr_ = false;
    finished_ = true;
}

// ---------------------------------------------------------------------------------------------------------------
// Sizes

void WireSizeCounter::add(std::string_view chunk) noexcept {
    const char* d = chunk.data();
    const std::size_t n = chunk.size();
    if (n == 0) return;
    std::uint64_t bare_lfs = 0;
    for (std::size_t lf = find_lf(d, 0, n); lf < n; lf = find_lf(d, lf + 1, n)) {
        const bool had_cr = lf > 0 ? d[lf - 1] == '\r' : last_was_cr_;
        if (!had_cr) ++bare_lfs;
    }
    octets_ += n + bare_lfs;
    at_line_start_ = d[n - 1] == '\n';
    last_was_cr_ = d[n - 1] == '\r';
}

std::uint64_t WireSizeCounter::size() const noexcept {
    return octets_ + (at_line_start_ ? 0 : 2);
}

std::uint64_t size_as_sent(std::string_view message) {
    WireSizeCounter counter;
    counter.add(message);
    return counter.size();
}

// ---------------------------------------------------------------------------------------------------------------
// TopLimiter

std::size_t TopLimiter::accept(std::string_view chunk) noexcept {
    if (done_) return 0;
    const char* d = chunk.data();
    const std::size_t n = chunk.size();
    std::size_t i = 0;
    while (i < n) {
        const std::size_t lf = find_lf(d, i, n);
        if (line_octets_ == 0 && lf > i) first_is_cr_ = d[i] == '\r';
        line_octets_ += lf - i;
        if (lf == n) return n;
        const bool empty = line_octets_ == 0 || (line_octets_ == 1 && first_is_cr_);
        line_octets_ = 0;
        i = lf + 1;
        if (!in_body_) {
            // RFC 1939 §7 TOP: the header, the blank line separating it from the body, then n body lines.
            if (empty) {
                in_body_ = true;
                if (limit_ == 0) {
                    done_ = true;
                    return i;
                }
            }
        } else if (++body_lines_seen_ >= limit_) {
            done_ = true;
            return i;
        }
    }
    return n;
}

// ---------------------------------------------------------------------------------------------------------------
// DotDecoder

bool DotDecoder::note(Violation v) {
    if (!seen(v)) {
        seen_mask_ |= 1U << static_cast<unsigned>(v);
        violations_.insert(std::lower_bound(violations_.begin(), violations_.end(), v), v);
    }
    if (options_.strictness == Strictness::strict) {
        state_ = State::failed;
        error_ = v;
        return true;
    }
    return false;
}

void DotDecoder::reset() noexcept {
    state_ = State::line_start;
    last_was_cr_ = false;
    line_octets_ = 0;
    line_too_long_noted_ = false;
    content_octets_ = 0;
    content_lines_ = 0;
    wire_octets_ = 0;
    seen_mask_ = 0;
    error_ = {};
    violations_.clear();
}

DotDecodeResult DotDecoder::decode(std::string_view wire, std::string& out) {
    if (state_ == State::done) return {0, true, {}};
    if (state_ == State::failed) return {0, false, error_};
    const char* d = wire.data();
    const std::size_t n = wire.size();
    const std::size_t out_before = out.size();
    std::size_t i = 0;
    std::size_t run = 0;  // start of the content not yet copied to `out` (content is copied in runs, not bytes)
    DotDecodeResult result;

    auto flush = [&](std::size_t upto) {
        if (upto > run) out.append(d + run, upto - run);
        run = upto;
    };
    auto stop = [&](std::size_t at) {
        flush(std::min(at, n));
        result.consumed = at;
        wire_octets_ += at;
        content_octets_ += out.size() - out_before;
        result.done = state_ == State::done;
        result.error = error_;
        return result;
    };
    auto line_grew = [&](std::size_t octets) {
        line_octets_ += octets;
        if (line_octets_ > options_.max_line && !line_too_long_noted_) {
            line_too_long_noted_ = true;
            return note(Violation::body_line_too_long);
        }
        return false;
    };

    while (i < n) {
        switch (state_) {
            case State::line_start:
                line_octets_ = 0;
                line_too_long_noted_ = false;
                last_was_cr_ = false;
                if (d[i] == '.') {
                    // RFC 1939 §3: a leading '.' is either the terminator or a stuffing octet: never content.
                    flush(i);
                    ++i;
                    run = i;
                    state_ = State::dot;
                    if (line_grew(1)) return stop(i);
                    continue;
                }
                state_ = State::in_line;
                continue;
            case State::dot:
                if (d[i] == '\r') {
                    ++i;
                    run = i;  // the CR is held back until we know it is not the terminator's
                    state_ = State::dot_cr;
                    if (line_grew(1)) return stop(i);
                    continue;
                }
                if (d[i] == '\n') {
                    // ".\n": tolerated as the terminator, with the bare LF recorded.
                    ++i;
                    run = i;  // the LF is the terminator's, not content
                    if (note(Violation::bare_lf)) return stop(i);
                    state_ = State::done;
                    return stop(i);
                }
                // R1939-CLI-2: ".x" -> "x"; the dot was dropped, the line goes on.
                state_ = State::in_line;
                continue;
            case State::dot_cr:
                if (d[i] == '\n') {
                    state_ = State::done;
                    ++i;
                    run = i;
                    return stop(i);
                }
                // ".\r" then something else: the dot was stuffing and the CR a bare one, kept as content.
                if (note(Violation::bare_cr)) return stop(i);
                flush(i);
                out.push_back('\r');
                state_ = State::in_line;
                continue;
            case State::in_line: {
                // Strict: consume the octet after the bare CR too, as the in-chunk path below does (same result
                // whatever the split; found by fuzz_reply_parser,
                // corpus/reply_parser/regress-strict-bare-cr-split.bin).
                if (last_was_cr_ && d[i] != '\n' && note(Violation::bare_cr)) return stop(i + 1);
                const std::size_t lf = find_lf(d, i, n);
                const bool strict = options_.strictness == Strictness::strict;
                // Violations in [i, lf], by position: strict mode stops at the earliest, whatever the split.
                detail::FirstViolation first;
                // A CR inside [i, lf - 1) is bare; the one right before the LF (or at the chunk end) is not known
                // to be bare yet. Its position is that of the octet after it, where it becomes known.
                if ((strict || !seen(Violation::bare_cr)) && lf > i + 1) {
                    if (const void* cr = std::memchr(d + i, '\r', lf - 1 - i)) {
                        first.consider(offset(d, cr) + 1, Violation::bare_cr);
                    }
                }
                if ((strict || !seen(Violation::nul_byte)) && lf > i) {
                    if (const void* nul = std::memchr(d + i, '\0', lf - i)) {
                        first.consider(offset(d, nul), Violation::nul_byte);
                    }
                }
                const std::size_t line_end = lf < n ? lf + 1 : n;  // this line's octets in this chunk end here
                if (!line_too_long_noted_ && line_octets_ + (line_end - i) > options_.max_line) {
                    first.consider(i + (options_.max_line - line_octets_), Violation::body_line_too_long);
                    line_too_long_noted_ = true;
                }
                const bool had_cr = lf < n && (lf > i ? d[lf - 1] == '\r' : last_was_cr_);
                if (lf < n && !had_cr) first.consider(lf, Violation::bare_lf);
                if (first.found()) {
                    if (strict) {
                        note(first.violation());
                        return stop(first.position() + 1);
                    }
                    for (Violation v : first.all())
                        note(v);
                }
                line_octets_ += line_end - i;
                if (lf == n) {
                    last_was_cr_ = d[n - 1] == '\r';
                    i = n;
                    continue;
                }
                if (!had_cr) {
                    // Tolerant: a bare LF ends the line, and the content gets the CRLF it should have had.
                    flush(lf);
                    out += "\r\n";
                    run = lf + 1;
                }
                ++content_lines_;
                state_ = State::line_start;
                i = lf + 1;
                continue;
            }
            case State::done:
            case State::failed:
                return stop(i);
        }
    }
    return stop(n);
}

std::error_code DotDecoder::finish(std::string& out) {
    if (state_ == State::done) return {};
    if (state_ == State::failed) return error_;
    (void)out;                                   // content of an unterminated line was already appended by decode()
    note(Violation::missing_terminator_at_eof);  // in strict mode this also sets failed and error_
    state_ = State::failed;
    error_ = Violation::missing_terminator_at_eof;
    return error_;
}

}  // namespace pop3
