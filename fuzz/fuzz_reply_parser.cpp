// Fuzzes pop3::ReplyParser (client side) with a server byte stream fed in fuzzer-chosen chunks.
//
// Input: [options byte][limit byte][kind count][kinds...][split plan][server bytes].
// Properties beyond "no crash":
// - split invariance: the replies (every field, the violations, the sink's chunks concatenated) are the same whether
//   the stream is fed whole or cut at the chosen points (DESIGN.md "Reply parser");
// - the parser never stalls: unless a reply is waiting or it failed, feed() consumes everything it is given;
// - memory stays within ReplyLimits: status line, stored body; nothing stored in sink or discard mode;
// - every violation is a typed value: sorted, unique, in range; errors belong to the violation category;
// - bookkeeping: the wire octets of the replies add up to the octets consumed; a stored body has body_octets octets
//   and body_lines CRLF-terminated lines;
// - a reply without violations parses the same in strict and tolerant mode.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz_input.hpp"
#include "pop3/payloads.hpp"
#include "pop3/reply_parser.hpp"

namespace {

using pop3::fuzz::FuzzInput;
using pop3::fuzz::printable;
using pop3::fuzz::SplitPlan;

struct Snapshot {
    pop3::Status status = pop3::Status::invalid;
    std::string status_line;
    std::optional<std::string> code;
    std::string text;
    bool multi_line = false;
    std::string body;
    std::string sunk;
    std::uint64_t body_octets = 0;
    std::uint64_t body_lines = 0;
    std::uint64_t wire_octets = 0;
    std::vector<pop3::Violation> violations;
    std::error_code error;
    bool operator==(const Snapshot&) const = default;
};

struct Run {
    std::vector<Snapshot> replies;
    std::uint64_t consumed = 0;
    bool failed = false;
};

std::string describe(const Snapshot& s) {
    std::string v;
    for (auto x : s.violations)
        v += std::string(pop3::to_string(x)) + " ";
    return "status_line=\"" + pop3::fuzz::printable(s.status_line) + "\" body=\"" + pop3::fuzz::printable(s.body) +
           "\" octets=" + std::to_string(s.body_octets) + " lines=" + std::to_string(s.body_lines) +
           " wire=" + std::to_string(s.wire_octets) + " violations=[" + v + "] error=" + s.error.message();
}

// Checks what must hold for any single reply, then exercises the payload parsers on it (no crash is all they owe).
void check_reply(const Snapshot& s, const pop3::ReplyParserOptions& options, pop3::BodyMode mode) {
    const auto& limits = options.limits;
    POP3_FUZZ_CHECK(s.status_line.size() <= limits.max_status_line, describe(s));
    POP3_FUZZ_CHECK(s.body.size() <= limits.max_body, describe(s));
    POP3_FUZZ_CHECK(s.wire_octets > 0, describe(s));
    if (mode != pop3::BodyMode::store) POP3_FUZZ_CHECK(s.body.empty(), describe(s));
    if (mode != pop3::BodyMode::sink) POP3_FUZZ_CHECK(s.sunk.empty(), describe(s));
    if (!s.multi_line) {
        POP3_FUZZ_CHECK(s.body.empty() && s.body_octets == 0 && s.body_lines == 0, describe(s));
    }
    if (s.status == pop3::Status::err) POP3_FUZZ_CHECK(!s.multi_line, describe(s));  // RFC 1939 §3
    POP3_FUZZ_CHECK(std::is_sorted(s.violations.begin(), s.violations.end()), describe(s));
    POP3_FUZZ_CHECK(std::adjacent_find(s.violations.begin(), s.violations.end()) == s.violations.end(), describe(s));
    for (auto v : s.violations) {
        const int value = static_cast<int>(v);
        POP3_FUZZ_CHECK(value >= 1 && value <= static_cast<int>(pop3::Violation::bad_response_code), describe(s));
        POP3_FUZZ_CHECK(!pop3::to_string(v).empty(), describe(s));
    }
    if (s.error) POP3_FUZZ_CHECK(s.error.category() == pop3::violation_category(), describe(s));
    if (options.strictness == pop3::Strictness::strict && !s.error) {
        POP3_FUZZ_CHECK(s.violations.empty(), describe(s));
    }
    const bool too_large =
        std::find(s.violations.begin(), s.violations.end(), pop3::Violation::body_too_large) != s.violations.end();
    if (s.multi_line && !s.error && !too_large) {
        if (mode == pop3::BodyMode::store) {
            POP3_FUZZ_CHECK(s.body.size() == s.body_octets, describe(s));
            std::uint64_t crlf = 0;
            for (std::size_t at = s.body.find("\r\n"); at != std::string::npos; at = s.body.find("\r\n", at + 2))
                ++crlf;
            POP3_FUZZ_CHECK(crlf == s.body_lines, describe(s));
            POP3_FUZZ_CHECK(s.body.empty() || s.body.ends_with("\r\n"), describe(s));
        } else if (mode == pop3::BodyMode::sink) {
            POP3_FUZZ_CHECK(s.sunk.size() == s.body_octets, describe(s));
        }
    }
    // The typed payload parsers see whatever a server sends.
    (void)pop3::parse_stat(s.text);
    (void)pop3::parse_scan_listing(s.text);
    (void)pop3::parse_uid_listing(s.text);
    (void)pop3::find_apop_timestamp(s.text);
    if (!s.body.empty()) {
        (void)pop3::parse_scan_list(s.body);
        (void)pop3::parse_uid_list(s.body);
        const auto caps = pop3::Capabilities::parse(s.body);
        (void)caps.sasl_mechanisms();
        (void)caps.implementation();
        (void)caps.login_delay();
        pop3::Reply reply;
        reply.body = s.body;
        std::uint64_t lines = 0;
        reply.for_each_line([&lines](std::string_view) { ++lines; });
        POP3_FUZZ_CHECK(reply.lines().size() == lines, "lines() and for_each_line() disagree");
    }
}

// Parses `chunks` with `parser` (fresh, or reset() after earlier use: the result must not differ).
Run run_with(pop3::ReplyParser& parser, const pop3::ReplyParserOptions& options, pop3::BodyMode mode,
             const std::vector<pop3::ReplyKind>& kinds, const std::vector<std::string_view>& chunks) {
    Run result;
    std::string sunk;
    if (mode == pop3::BodyMode::sink) {
        parser.set_body_sink([&sunk](std::string_view chunk) { sunk.append(chunk); });
    } else {
        parser.set_body_mode(mode);
    }
    for (auto k : kinds)
        parser.expect(k);
    POP3_FUZZ_CHECK(parser.pending_expectations() == kinds.size(), "expectations lost");
    const auto take = [&] {
        std::optional<pop3::Reply> r = parser.take();
        POP3_FUZZ_CHECK(r.has_value(), "has_reply() but take() gave nothing");
        Snapshot s;
        s.status = r->status;
        s.status_line = std::move(r->status_line);
        if (r->code) {
            s.code = r->code->raw();
            // The RFC 2449 §8 code API: levels rebuild the raw text, and a code "is" each of its own prefixes.
            std::string joined;
            const auto& levels = r->code->levels();
            for (std::size_t l = 0; l < levels.size(); ++l)
                joined += (l == 0 ? "" : "/") + levels[l];
            POP3_FUZZ_CHECK(joined == r->code->raw(), "levels do not rebuild " + printable(r->code->raw()));
            POP3_FUZZ_CHECK(r->code->is(r->code->raw()), printable(r->code->raw()));
            (void)r->code->known();
        }
        for (auto v : r->violations)
            POP3_FUZZ_CHECK(r->has(v) && !make_error_code(v).message().empty(), "has() disagrees");
        if (r->error) POP3_FUZZ_CHECK(!r->error.message().empty(), "error without a message");
        s.text = std::move(r->text);
        s.multi_line = r->multi_line;
        s.body = std::move(r->body);
        s.sunk = std::move(sunk);
        sunk.clear();
        s.body_octets = r->body_octets;
        s.body_lines = r->body_lines;
        s.wire_octets = r->wire_octets;
        s.violations = std::move(r->violations);
        s.error = r->error;
        check_reply(s, options, mode);
        result.replies.push_back(std::move(s));
    };
    std::string pending;
    for (std::string_view chunk : chunks) {
        pending.append(chunk);
        for (;;) {
            if (parser.has_reply()) {
                take();
                continue;
            }
            if (pending.empty() || parser.failed()) break;
            const pop3::FeedResult r = parser.feed(pending);
            POP3_FUZZ_CHECK(r.consumed <= pending.size(), "consumed more than given");
            // A parser that neither completes a reply nor takes the bytes would make a client wait forever.
            if (!r.reply_ready && !parser.failed()) {
                POP3_FUZZ_CHECK(r.consumed == pending.size(), "feed() stalled with bytes pending");
            }
            result.consumed += r.consumed;
            pending.erase(0, r.consumed);
            if (!r.reply_ready && r.consumed == 0) break;
        }
    }
    if (!parser.failed()) {
        (void)parser.finish();
        if (parser.has_reply()) take();
    }
    result.failed = parser.failed();
    return result;
}

Run run(const pop3::ReplyParserOptions& options, pop3::BodyMode mode, const std::vector<pop3::ReplyKind>& kinds,
        const std::vector<std::string_view>& chunks) {
    pop3::ReplyParser parser(options);
    return run_with(parser, options, mode, kinds, chunks);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t flags = in.byte();
    const std::uint8_t limit = in.byte();
    pop3::ReplyParserOptions options;
    options.strictness = (flags & 1U) != 0 ? pop3::Strictness::strict : pop3::Strictness::tolerant;
    const auto mode = static_cast<pop3::BodyMode>((flags >> 1U) % 3);
    if ((flags & 8U) != 0) {
        // Small limits, so every limit is reached by short inputs.
        options.limits.max_status_line = 8 + limit % 64;
        options.limits.max_body_line = 4 + limit;
        options.limits.max_body = std::uint64_t{limit} * 4;
        options.limits.max_streamed_body = std::uint64_t{limit} * 8;
    }
    std::vector<pop3::ReplyKind> kinds(in.byte() % 16);
    for (auto& k : kinds)
        k = static_cast<pop3::ReplyKind>(in.byte() % 3);
    const SplitPlan plan = SplitPlan::read(in);
    const std::string_view stream = in.rest();

    const Run whole = run(options, mode, kinds, SplitPlan{}.cut(stream));

    // A parser reused after discard_buffered() and reset() (with a recycled buffer and a reserve hint) parses the
    // same stream exactly as a fresh one.
    if ((flags & 16U) != 0) {
        pop3::ReplyParser reused(options);
        reused.expect(pop3::ReplyKind::multi_line_if_ok);
        (void)reused.feed(stream.substr(0, stream.size() / 2));
        const std::size_t dropped = reused.discard_buffered();
        POP3_FUZZ_CHECK(dropped <= stream.size(), "discard_buffered() dropped more than was fed");
        reused.reset();
        POP3_FUZZ_CHECK(!reused.in_reply() && !reused.failed() && reused.pending_expectations() == 0, "reset()");
        reused.recycle_body_buffer(std::string(64, 'x'));
        reused.reserve_body(limit);
        const Run again = run_with(reused, options, mode, kinds, SplitPlan{}.cut(stream));
        POP3_FUZZ_CHECK(again.replies == whole.replies && again.consumed == whole.consumed, "reset() parser differs");
    }
    const Run split = run(options, mode, kinds, plan.cut(stream));
    POP3_FUZZ_CHECK(whole.replies.size() == split.replies.size(),
                    std::to_string(whole.replies.size()) + " vs " + std::to_string(split.replies.size()));
    for (std::size_t i = 0; i < whole.replies.size(); ++i) {
        POP3_FUZZ_CHECK(whole.replies[i] == split.replies[i], "reply " + std::to_string(i) + ": " +
                                                                  describe(whole.replies[i]) +
                                                                  " | split: " + describe(split.replies[i]));
    }
    POP3_FUZZ_CHECK(whole.consumed == split.consumed && whole.failed == split.failed, "consumed differs");
    std::uint64_t wire = 0;
    for (const auto& r : whole.replies)
        wire += r.wire_octets;
    POP3_FUZZ_CHECK(wire == whole.consumed,
                    "wire octets " + std::to_string(wire) + " != consumed " + std::to_string(whole.consumed));

    // Strict and tolerant agree on every reply up to the first one with a violation.
    if (options.strictness == pop3::Strictness::tolerant) {
        pop3::ReplyParserOptions strict = options;
        strict.strictness = pop3::Strictness::strict;
        const Run s = run(strict, mode, kinds, plan.cut(stream));
        for (std::size_t i = 0; i < whole.replies.size() && whole.replies[i].violations.empty(); ++i) {
            POP3_FUZZ_CHECK(i < s.replies.size() && s.replies[i] == whole.replies[i],
                            "strict differs at reply " + std::to_string(i) + ": " + describe(whole.replies[i]));
        }
    }
    return 0;
}
