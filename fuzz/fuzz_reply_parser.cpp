// Fuzzes pop3::ReplyParser (client side) with a server byte stream fed in fuzzer-chosen chunks.
//
// Input: [options byte][limit byte][kind count][kinds...][split plan][server bytes].
// Properties beyond "no crash":
// - split invariance: the replies (every field, the violations, the sink's chunks concatenated) are the same whether
//   the stream is fed whole or cut at the chosen points (DESIGN.md "Reply parser");
// - the parser never stalls: unless a reply is waiting or it failed, feed() consumes everything it is given;
// - memory stays within ReplyLimits: status line, stored body; nothing stored in sink or discard mode; a stored
//   body's capacity stays within ReplyParser::kMaxUpfrontBodyReserve or a bounded multiple of the stream's length
//   (a size announced in "+OK <n> octets" is not trusted up front: corpus/reply_parser/regress-octets-reserve.bin);
// - every violation is a typed value: sorted, unique, in range; errors belong to the violation category;
// - bookkeeping: the wire octets of the replies add up to the octets consumed; a stored body has body_octets octets
//   and body_lines CRLF-terminated lines;
// - a reply without violations parses the same in strict and tolerant mode.
// Cost: the runs that must equal the whole-stream run (split, reset()) compare reply by reply and skip the per-reply
// checks, which are pure functions of (reply, options, mode) that the equal reply already passed; a split plan that
// keeps the stream whole is not run again; the harness's own code is not coverage-instrumented (fuzz_input.hpp).
#include <algorithm>
#include <array>
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
    POP3_FUZZ_UNINSTRUMENTED bool operator==(const Snapshot&) const = default;
};

// How a run's replies are checked.
enum class Check {
    reference,  // the run on the whole stream: every property, the payload parsers, the replies kept
    equal,      // same options, mode, kinds and stream (split, or a reset() parser): each reply must equal the
                // reference's; the per-reply checks are pure functions of (reply, options, mode), so an equal reply
                // passes them exactly as the reference did and they are not repeated
    strict,     // strict options: every property again (they depend on the strictness); equal to the reference up
                // to its first reply with a violation; payload parsers on any reply that differs from it
};

struct Run {
    std::vector<Snapshot> replies;  // Check::reference only (the other runs compare as they go)
    std::size_t count = 0;          // replies taken
    std::uint64_t consumed = 0;
    bool failed = false;
};

POP3_FUZZ_UNINSTRUMENTED std::string describe(const Snapshot& s) {
    std::string v;
    for (auto x : s.violations)
        v += std::string(pop3::to_string(x)) + " ";
    return "status_line=\"" + pop3::fuzz::printable(s.status_line) + "\" body=\"" + pop3::fuzz::printable(s.body) +
           "\" octets=" + std::to_string(s.body_octets) + " lines=" + std::to_string(s.body_lines) +
           " wire=" + std::to_string(s.wire_octets) + " violations=[" + v + "] error=" + s.error.message();
}

// A violation's message is a pure function of its value: checked once per value and process, not per reply.
POP3_FUZZ_UNINSTRUMENTED bool violation_has_message(pop3::Violation v) {
    static std::array<bool, 256> checked{};
    const auto index = static_cast<std::size_t>(static_cast<unsigned>(v) & 255U);
    if (!checked[index]) {
        if (make_error_code(v).message().empty()) return false;
        checked[index] = true;
    }
    return true;
}

POP3_FUZZ_UNINSTRUMENTED bool error_has_message(const std::error_code& ec) {
    if (ec.category() == pop3::violation_category())
        return violation_has_message(static_cast<pop3::Violation>(ec.value()));
    return !ec.message().empty();
}

// Checks what must hold for any single reply.
POP3_FUZZ_UNINSTRUMENTED void check_reply(const Snapshot& s, const pop3::ReplyParserOptions& options,
                                          pop3::BodyMode mode) {
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
}

// The typed payload parsers see whatever a server sends (no crash is all they owe). The body is lent to a Reply
// and given back, not copied.
void exercise_payloads(Snapshot& s) {
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
        static pop3::Reply reply;
        reply.body.swap(s.body);
        std::uint64_t lines = 0;
        reply.for_each_line([&lines](std::string_view) { ++lines; });
        const bool agree = reply.lines().size() == lines;
        reply.body.swap(s.body);
        POP3_FUZZ_CHECK(agree, "lines() and for_each_line() disagree");
    }
}

// What one run is checked against (Check::equal and Check::strict).
struct Expected {
    Check check = Check::reference;
    const std::vector<Snapshot>* replies = nullptr;
    std::size_t equal_prefix = 0;  // Check::strict: replies [0, equal_prefix) must equal the reference's
};

// Parses `stream` cut by `plan` with `parser` (fresh, or reset() after earlier use: the result must not differ).
POP3_FUZZ_UNINSTRUMENTED Run run_with(pop3::ReplyParser& parser, const pop3::ReplyParserOptions& options,
                                      pop3::BodyMode mode, const std::vector<pop3::ReplyKind>& kinds,
                                      const SplitPlan& plan, std::string_view stream, const Expected& expected,
                                      std::size_t capacity_bound) {
    Run result;
    static std::string sunk;
    sunk.clear();
    if (mode == pop3::BodyMode::sink) {
        parser.set_body_sink([](std::string_view chunk) { sunk.append(chunk); });
    } else {
        parser.set_body_mode(mode);
    }
    for (auto k : kinds)
        parser.expect(k);
    POP3_FUZZ_CHECK(parser.pending_expectations() == kinds.size(), "expectations lost");
    const bool full_checks = expected.check != Check::equal;
    const auto take = [&]() POP3_FUZZ_UNINSTRUMENTED {
        std::optional<pop3::Reply> r = parser.take();
        POP3_FUZZ_CHECK(r.has_value(), "has_reply() but take() gave nothing");
        // A size announced by the server reserves memory only in proportion to what arrived (ReplyParser::
        // reserve_body): no more than the up-front cap, or a bounded multiple of the stream's octets.
        POP3_FUZZ_CHECK(r->body.capacity() <= capacity_bound, "body capacity " + std::to_string(r->body.capacity()) +
                                                                  " for a stream of " + std::to_string(stream.size()) +
                                                                  " octets: " + printable(r->status_line));
        Snapshot s;
        s.status = r->status;
        s.status_line = std::move(r->status_line);
        if (r->code) {
            s.code = r->code->raw();
            if (full_checks) {
                // The RFC 2449 §8 code API: levels rebuild the raw text, and a code "is" each of its own prefixes.
                std::string joined;
                const auto& levels = r->code->levels();
                for (std::size_t l = 0; l < levels.size(); ++l) {
                    if (l != 0) joined += '/';
                    joined += levels[l];
                }
                POP3_FUZZ_CHECK(joined == r->code->raw(), "levels do not rebuild " + printable(r->code->raw()));
                POP3_FUZZ_CHECK(r->code->is(r->code->raw()), printable(r->code->raw()));
                (void)r->code->known();
            }
        }
        if (full_checks) {
            for (auto v : r->violations)
                POP3_FUZZ_CHECK(r->has(v) && violation_has_message(v), "has() disagrees");
            if (r->error) POP3_FUZZ_CHECK(error_has_message(r->error), "error without a message");
        }
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
        const std::size_t i = result.count++;
        switch (expected.check) {
            case Check::reference:
                check_reply(s, options, mode);
                exercise_payloads(s);
                result.replies.push_back(std::move(s));
                break;
            case Check::equal: {
                const auto& want = *expected.replies;
                POP3_FUZZ_CHECK(i < want.size(), "reply " + std::to_string(i) + " only when split: " + describe(s));
                POP3_FUZZ_CHECK(want[i] == s,
                                "reply " + std::to_string(i) + ": " + describe(want[i]) + " | split: " + describe(s));
                break;
            }
            case Check::strict: {
                check_reply(s, options, mode);
                const auto& want = *expected.replies;
                const bool same = i < want.size() && want[i] == s;
                if (i < expected.equal_prefix) {
                    POP3_FUZZ_CHECK(same, "strict differs at reply " + std::to_string(i) + ": " + describe(want[i]));
                }
                if (!same) exercise_payloads(s);
                break;
            }
        }
    };
    plan.for_each(stream, [&](std::string_view pending) POP3_FUZZ_UNINSTRUMENTED {
        // Every octet not consumed is offered again: feed() stops after a complete reply, and consumes the rest
        // once it was taken (checked below), so only a failed parser leaves octets behind.
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
            pending.remove_prefix(r.consumed);
            if (!r.reply_ready && r.consumed == 0) break;
        }
    });
    if (!parser.failed()) {
        (void)parser.finish();
        if (parser.has_reply()) take();
    }
    result.failed = parser.failed();
    if (expected.check == Check::equal) {
        POP3_FUZZ_CHECK(result.count == expected.replies->size(),
                        std::to_string(expected.replies->size()) + " vs " + std::to_string(result.count) + " replies");
    }
    return result;
}

POP3_FUZZ_UNINSTRUMENTED Run run(const pop3::ReplyParserOptions& options, pop3::BodyMode mode,
                                 const std::vector<pop3::ReplyKind>& kinds, const SplitPlan& plan,
                                 std::string_view stream, const Expected& expected, std::size_t capacity_bound) {
    pop3::ReplyParser parser(options);
    return run_with(parser, options, mode, kinds, plan, stream, expected, capacity_bound);
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
    // The most a stored body may hold in capacity: the up-front cap for an announced size, or (a body that grew
    // with its octets) a bounded multiple of the stream's length; the reset() run recycles a 64-octet buffer.
    const std::size_t capacity_bound =
        std::max<std::size_t>(pop3::ReplyParser::kMaxUpfrontBodyReserve, 32 * stream.size() + 64);

    const Run whole = run(options, mode, kinds, SplitPlan{}, stream, Expected{}, capacity_bound);
    const Expected same{Check::equal, &whole.replies, 0};

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
        const Run again = run_with(reused, options, mode, kinds, SplitPlan{}, stream, same, capacity_bound);
        POP3_FUZZ_CHECK(again.consumed == whole.consumed, "reset() parser differs");
    }
    // Split invariance. A plan whose first chunk holds the whole stream cuts it as the whole run did: the same
    // deterministic parse, not repeated.
    if (!plan.keeps_whole(stream.size())) {
        const Run split = run(options, mode, kinds, plan, stream, same, capacity_bound);
        POP3_FUZZ_CHECK(whole.consumed == split.consumed && whole.failed == split.failed, "consumed differs");
    }
    std::uint64_t wire = 0;
    for (const auto& r : whole.replies)
        wire += r.wire_octets;
    POP3_FUZZ_CHECK(wire == whole.consumed,
                    "wire octets " + std::to_string(wire) + " != consumed " + std::to_string(whole.consumed));

    // Strict and tolerant agree on every reply up to the first one with a violation.
    if (options.strictness == pop3::Strictness::tolerant) {
        pop3::ReplyParserOptions strict = options;
        strict.strictness = pop3::Strictness::strict;
        std::size_t prefix = 0;
        while (prefix < whole.replies.size() && whole.replies[prefix].violations.empty())
            ++prefix;
        const Run s =
            run(strict, mode, kinds, plan, stream, Expected{Check::strict, &whole.replies, prefix}, capacity_bound);
        POP3_FUZZ_CHECK(s.count >= prefix, "strict gave " + std::to_string(s.count) + " replies, tolerant " +
                                               std::to_string(prefix) + " without a violation");
    }
    return 0;
}
