#include "pop3/reply_parser.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "pop3/detail/first_violation.hpp"

namespace pop3 {
namespace {

std::size_t offset(const char* base, const void* p) noexcept {
    return static_cast<std::size_t>(static_cast<const char*>(p) - base);
}

// "120 octets ..." (RFC 1939 §7 RETR example; Dovecot, Courier and others send it): the announced body size, used
// only as a capacity hint (bounded by max_body). 0 when the text does not start that way.
std::uint64_t announced_octets(std::string_view text) noexcept {
    std::uint64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size() && i < 19 && text[i] >= '0' && text[i] <= '9'; ++i) {
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    }
    constexpr std::string_view kOctets = " octets";
    if (i == 0 || text.substr(i, kOctets.size()) != kOctets) return 0;
    return value;
}

char ascii_upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

// True when `line` starts with `indicator`, compared case-insensitively; `exact` tells whether the case matched.
bool starts_with_indicator(std::string_view line, std::string_view indicator, bool& exact) noexcept {
    if (line.size() < indicator.size()) return false;
    exact = true;
    for (std::size_t i = 0; i < indicator.size(); ++i) {
        if (ascii_upper(line[i]) != indicator[i]) return false;
        if (line[i] != indicator[i]) exact = false;
    }
    return true;
}

}  // namespace

void ReplyParser::expect(ReplyKind kind) {
    expected_.push_back(kind);
}

void ReplyParser::set_body_sink(BodySink sink) {
    sink_ = std::move(sink);
    body_mode_ = BodyMode::sink;
}

bool ReplyParser::note(Violation v) {
    auto& list = current_.violations;
    const auto at = std::lower_bound(list.begin(), list.end(), v);
    if (at == list.end() || *at != v) list.insert(at, v);
    return options_.strictness == Strictness::strict;
}

void ReplyParser::start_reply() {
    kind_ = ReplyKind::single_line;
    if (!expected_.empty()) {
        kind_ = expected_.front();
        expected_.pop_front();
    }
    current_ = Reply{};
    status_octets_ = 0;
    status_last_cr_ = false;
    status_overlong_ = false;
    wire_in_reply_ = 0;
    phase_ = Phase::status_line;
}

void ReplyParser::complete() {
    if (current_.multi_line) {
        current_.body_octets = decoder_.content_octets();
        current_.body_lines = decoder_.content_lines();
    }
    current_.wire_octets = wire_in_reply_;
    ready_ = std::move(current_);
    current_ = Reply{};
    phase_ = Phase::idle;
}

void ReplyParser::fail(Violation v) {
    note(v);
    current_.error = v;
    complete();
    phase_ = Phase::failed;
}

// A hinted stored body about to outgrow its capacity (`incoming` wire octets may add at most about as many content
// octets) grows towards the hint in steps of at most kHintGrowth times its capacity, so few reallocations copy a large
// announced body while the memory held stays proportional to the octets that arrived.
void ReplyParser::grow_hinted_body(std::size_t incoming) {
    std::string& body = current_.body;
    const std::uint64_t need = std::uint64_t{body.size()} + incoming;
    if (need <= body.capacity() || body_hint_ <= body.capacity()) return;
    const std::uint64_t step = std::max<std::uint64_t>(need, std::uint64_t{body.capacity()} * kHintGrowth);
    body.reserve(static_cast<std::size_t>(std::min(step, body_hint_)));
}

// Decides status, response code and text once the whole status line is in; then body or completion.
void ReplyParser::finish_status_line() {
    std::string& line = current_.status_line;
    const std::size_t content_octets = status_octets_ - 1;  // before the LF
    if (status_last_cr_) {
        if (content_octets <= line.size()) line.pop_back();  // the CR of CRLF was stored: not part of the line
    } else {
        // RFC 1939 §3: lines end with CRLF. Tolerant: LF alone ends the line.
        if (note(Violation::bare_lf)) return fail(Violation::bare_lf);
    }
    const std::string_view view = line;
    std::size_t indicator_len = 0;
    bool exact = false;
    if (starts_with_indicator(view, "+OK", exact)) {
        current_.status = Status::ok;
        indicator_len = 3;
    } else if (starts_with_indicator(view, "-ERR", exact)) {
        current_.status = Status::err;
        indicator_len = 4;
    } else if (kind_ == ReplyKind::sasl && !view.empty() && view.front() == '+') {
        // RFC 5034 §4: continue-req = "+" SP [base64] CRLF.
        current_.status = Status::continuation;
        if (view.size() == 1) {
            if (note(Violation::no_space_after_status)) return fail(Violation::no_space_after_status);
        } else if (view[1] != ' ') {
            if (note(Violation::no_space_after_status)) return fail(Violation::no_space_after_status);
            current_.text = std::string(view.substr(1));
        } else {
            current_.text = std::string(view.substr(2));
        }
        return complete();
    } else {
        // "+ERR", "OK", garbage: the reply cannot be interpreted (R1939-CLI-1: the first token decides).
        current_.status = Status::invalid;
        current_.text = line;
        if (note(Violation::bad_status_indicator)) return fail(Violation::bad_status_indicator);
        return complete();
    }
    if (!exact && note(Violation::non_canonical_status)) return fail(Violation::non_canonical_status);
    std::string_view text = view.substr(indicator_len);
    if (!text.empty()) {
        if (text.front() == ' ') {
            text.remove_prefix(1);
        } else if (note(Violation::no_space_after_status)) {
            return fail(Violation::no_space_after_status);
        }
    }
    // RFC 2449 §8: an optional response code in brackets right after the indicator.
    ResponseCodeMatch match = match_response_code(text);
    if (match.code) {
        current_.code = std::move(match.code);
        text.remove_prefix(match.length);
    } else if (match.malformed && note(Violation::bad_response_code)) {
        return fail(Violation::bad_response_code);
    }
    current_.text = std::string(text);
    // RFC 1939 §3 / R1939-CLI-3: only +OK to a multi-line command has a body; -ERR is always one line.
    if (kind_ == ReplyKind::multi_line_if_ok && current_.status == Status::ok) {
        current_.multi_line = true;
        decoder_ = DotDecoder(DotDecoder::Options{options_.strictness, options_.limits.max_body_line});
        reply_body_mode_ = body_mode_;
        if (reply_body_mode_ == BodyMode::sink && !sink_) reply_body_mode_ = BodyMode::discard;
        if (reply_body_mode_ == BodyMode::store) {
            current_.body = std::exchange(body_buffer_, std::string{});
            current_.body.clear();
            const std::uint64_t hint = body_reserve_ != 0 ? body_reserve_ : announced_octets(current_.text);
            body_hint_ = std::min<std::uint64_t>(hint, options_.limits.max_body);
            // Up front, before any body octet arrived, at most kMaxUpfrontBodyReserve (the hint comes from the
            // server); grow_hinted_body() trusts the rest of it as the body arrives.
            const auto cap = static_cast<std::size_t>(std::min<std::uint64_t>(body_hint_, kMaxUpfrontBodyReserve));
            if (cap > current_.body.capacity()) current_.body.reserve(cap);
        } else {
            body_hint_ = 0;
        }
        body_reserve_ = 0;
        phase_ = Phase::body;
        return;
    }
    complete();
}

FeedResult ReplyParser::feed(std::string_view bytes) {
    if (ready_ || phase_ == Phase::failed) return {0, ready_.has_value()};
    const char* d = bytes.data();
    const std::size_t n = bytes.size();
    const ReplyLimits& limits = options_.limits;
    std::size_t i = 0;
    while (i < n && !ready_ && phase_ != Phase::failed) {
        if (phase_ == Phase::idle) start_reply();
        if (phase_ == Phase::status_line) {
            const void* p = std::memchr(d + i, '\n', n - i);
            const std::size_t lf = p == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(p) - d);
            const std::size_t seg = lf - i;
            // Violations in this segment, by position: strict mode reports the earliest, whatever the split.
            detail::FirstViolation first;
            // Bare CR: a CR followed by anything but LF (a CR at the end of the segment is decided later). Its position
            // is that of the octet after it, where it becomes known.
            if (status_last_cr_ && seg > 0) first.consider(i, Violation::bare_cr);
            if (seg > 1) {
                if (const void* cr = std::memchr(d + i, '\r', seg - 1))
                    first.consider(offset(d, cr) + 1, Violation::bare_cr);
            }
            if (const void* nul = seg > 0 ? std::memchr(d + i, '\0', seg) : nullptr) {
                first.consider(offset(d, nul), Violation::nul_byte);
            }
            // RFC 2449 §4: at most max_status_line octets with CRLF; the octet that makes that impossible is at
            // line index max_status_line - 1.
            if (!status_overlong_ && status_octets_ + seg + 1 > limits.max_status_line) {
                first.consider(i + (limits.max_status_line - 1 - status_octets_), Violation::status_line_too_long);
                status_overlong_ = true;
            }
            // Keep at most max_status_line octets: an endless line cannot grow memory.
            const std::size_t room = current_.status_line.size() < limits.max_status_line
                                         ? limits.max_status_line - current_.status_line.size()
                                         : 0;
            if (first.found() && options_.strictness == Strictness::strict) {
                // Keep the octets consumed up to the violation, as a split feed would have kept them (found by
                // fuzz_reply_parser: corpus/reply_parser/regress-strict-status-split.bin).
                current_.status_line.append(d + i, std::min({first.position() + 1 - i, seg, room}));
                wire_in_reply_ += first.position() + 1 - i;
                fail(first.violation());
                return {first.position() + 1, true};
            }
            for (Violation v : first.all())
                note(v);
            current_.status_line.append(d + i, std::min(seg, room));
            if (seg > 0) status_last_cr_ = d[lf - 1] == '\r';
            status_octets_ += seg;
            wire_in_reply_ += seg;
            i = lf;
            if (lf == n) break;
            ++i;  // the LF
            ++status_octets_;
            ++wire_in_reply_;
            finish_status_line();
            continue;
        }
        if (phase_ == Phase::body) {
            std::string& target = reply_body_mode_ == BodyMode::store ? current_.body : scratch_;
            std::string_view slice(d + i, n - i);
            if (options_.strictness == Strictness::strict) {
                // Strict: never decode past the octet that breaks the size limit, so where the reply fails (and
                // what it holds) does not depend on the split (found by fuzz_reply_parser, corpus/reply_parser/
                // regress-strict-body-limit-split.bin). Strict decoding yields at most one content octet per wire
                // octet, so room + 1 wire octets cannot overshoot.
                const std::uint64_t limit =
                    reply_body_mode_ == BodyMode::store ? limits.max_body : limits.max_streamed_body;
                const std::uint64_t used = decoder_.content_octets();
                const std::uint64_t room = used < limit ? limit - used : 0;
                if (room < slice.size()) slice = slice.substr(0, static_cast<std::size_t>(room) + 1);
            }
            if (reply_body_mode_ == BodyMode::store && body_hint_ > target.capacity()) grow_hinted_body(slice.size());
            const DotDecodeResult r = decoder_.decode(slice, target);
            i += r.consumed;
            wire_in_reply_ += r.consumed;
            for (Violation v : decoder_.violations())
                note(v);
            if (reply_body_mode_ == BodyMode::store && current_.body.size() > limits.max_body) {
                current_.body.resize(static_cast<std::size_t>(limits.max_body));
                // Tolerant: stop keeping the body, but read on to the terminator to stay in sync.
                if (note(Violation::body_too_large)) {
                    fail(Violation::body_too_large);
                    return {i, true};
                }
                reply_body_mode_ = BodyMode::discard;
            }
            if (reply_body_mode_ != BodyMode::store) {
                if (reply_body_mode_ == BodyMode::sink && !scratch_.empty()) sink_(scratch_);
                scratch_.clear();
                if (decoder_.content_octets() > limits.max_streamed_body && note(Violation::body_too_large)) {
                    fail(Violation::body_too_large);
                    return {i, true};
                }
            }
            if (r.error) {
                current_.error = r.error;
                complete();
                phase_ = Phase::failed;
                return {i, true};
            }
            if (r.done) complete();
        }
    }
    return {i, ready_.has_value()};
}

FeedResult ReplyParser::finish() {
    if (ready_) return {0, true};
    if (phase_ == Phase::status_line) {
        fail(Violation::eof_in_status_line);
        return {0, true};
    }
    if (phase_ == Phase::body) {
        std::string& target = reply_body_mode_ == BodyMode::store ? current_.body : scratch_;
        const std::error_code ec = decoder_.finish(target);
        for (Violation v : decoder_.violations())
            note(v);
        if (reply_body_mode_ == BodyMode::sink && !scratch_.empty()) sink_(scratch_);
        scratch_.clear();
        current_.error = ec;
        complete();
        phase_ = Phase::failed;
        return {0, true};
    }
    return {0, false};
}

std::optional<Reply> ReplyParser::take() {
    return std::exchange(ready_, std::nullopt);
}

std::size_t ReplyParser::discard_buffered() {
    std::size_t dropped = 0;
    if (ready_) dropped += static_cast<std::size_t>(ready_->wire_octets);
    if (phase_ == Phase::status_line || phase_ == Phase::body) dropped += static_cast<std::size_t>(wire_in_reply_);
    ready_.reset();
    expected_.clear();
    current_ = Reply{};
    scratch_.clear();
    decoder_.reset();
    wire_in_reply_ = 0;
    body_hint_ = 0;
    if (phase_ != Phase::failed) phase_ = Phase::idle;
    return dropped;
}

void ReplyParser::reset() {
    expected_.clear();
    ready_.reset();
    current_ = Reply{};
    scratch_.clear();
    decoder_.reset();
    wire_in_reply_ = 0;
    body_hint_ = 0;
    status_octets_ = 0;
    status_last_cr_ = false;
    status_overlong_ = false;
    phase_ = Phase::idle;
}

}  // namespace pop3
