// Fuzzes the RFC 1939 §3 dot-stuffing codec: DotStuffer (server), DotDecoder (client), size_as_sent,
// WireSizeCounter and TopLimiter.
//
// Input: [mode byte][limit byte][split plan A][split plan B][bytes].
// Mode 0 (round trip): the bytes are a stored message body.
// - decode(encode(body)) == body with line ends normalised to CRLF and a final CRLF added (the only changes RFC 1939
//   §11 lets a server make), whatever the splits of the encoder's input and the decoder's input;
// - the encoder's output is split-invariant, never holds a line starting with a single '.', and ends with ".CRLF";
// - content_octets() == size_as_sent(body) == WireSizeCounter over the splits == the decoded size (LIST's size,
//   R1939-LIST-7);
// - the decoder consumes exactly the encoder's output and reports done; no violation unless the body holds a NUL or a
//   lone CR;
// - TopLimiter keeps the same prefix whatever the split.
// Mode 1 (decoder on raw wire bytes): split invariance of output, consumed octets, violations and state, and
// strict == tolerant whenever tolerant saw no violation.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fuzz_input.hpp"
#include "pop3/dot_stuffing.hpp"

namespace {

using pop3::fuzz::FuzzInput;
using pop3::fuzz::printable;
using pop3::fuzz::SplitPlan;

// The body a client must see for a stored message: bare LF becomes CRLF, a final CRLF is added when the message
// does not end with a line end (an independent model of what DotStuffer promises).
POP3_FUZZ_UNINSTRUMENTED std::string normalised(std::string_view body) {
    std::string out;
    out.reserve(body.size() + body.size() / 2 + 2);
    char prev = '\0';
    for (char c : body) {
        if (c == '\n' && prev != '\r') out += '\r';
        out += c;
        prev = c;
    }
    if (!out.empty() && !out.ends_with('\n')) out += "\r\n";
    return out;
}

struct Decoded {
    std::string out;
    std::uint64_t consumed = 0;
    bool done = false;
    bool failed = false;
    std::error_code error;
    std::error_code finish_error;
    std::vector<pop3::Violation> violations;
    std::uint64_t octets = 0;
    std::uint64_t lines = 0;
    bool operator==(const Decoded&) const = default;
};

POP3_FUZZ_UNINSTRUMENTED Decoded decode(const pop3::DotDecoder::Options& options, const SplitPlan& plan,
                                        std::string_view wire) {
    Decoded d;
    pop3::DotDecoder decoder(options);
    plan.for_each(wire, [&](std::string_view chunk) POP3_FUZZ_UNINSTRUMENTED {
        if (decoder.done() || decoder.failed()) return;
        const pop3::DotDecodeResult r = decoder.decode(chunk, d.out);
        POP3_FUZZ_CHECK(r.consumed <= chunk.size(), "consumed more than given");
        if (!r.done && !r.error) POP3_FUZZ_CHECK(r.consumed == chunk.size(), "decode() stalled");
        d.consumed += r.consumed;
        if (r.error) d.error = r.error;
        POP3_FUZZ_CHECK(r.done == decoder.done(), "done disagrees");
    });
    if (!decoder.done() && !decoder.failed()) d.finish_error = decoder.finish(d.out);
    d.done = decoder.done();
    d.failed = decoder.failed();
    d.violations = decoder.violations();
    d.octets = decoder.content_octets();
    d.lines = decoder.content_lines();
    POP3_FUZZ_CHECK(std::is_sorted(d.violations.begin(), d.violations.end()), "violations unsorted");
    POP3_FUZZ_CHECK(decoder.wire_octets() == d.consumed, "wire_octets() != consumed");
    POP3_FUZZ_CHECK(d.octets == d.out.size(), "content_octets() != output size");
    return d;
}

// Plans that cut a payload of `size` octets the same way give the same (deterministic) results: one run serves both.
bool same_cut(const SplitPlan& a, const SplitPlan& b, std::size_t size) {
    return (a.keeps_whole(size) && b.keeps_whole(size)) || a.sizes == b.sizes;
}

POP3_FUZZ_UNINSTRUMENTED void round_trip(std::string_view body, const SplitPlan& a, const SplitPlan& b,
                                         std::uint8_t limit) {
    // Encode whole and split: the same wire bytes (one encoder when plan A keeps the body whole). Storage is reused
    // across executions.
    static std::string wire;
    static std::string wire_split;
    wire.clear();
    wire_split.clear();
    pop3::DotStuffer whole;
    whole.encode(body, wire);
    whole.finish(wire);
    const bool a_whole = a.keeps_whole(body.size());
    pop3::DotStuffer stuffer;
    pop3::WireSizeCounter counter;
    a.for_each(body, [&](std::string_view chunk) POP3_FUZZ_UNINSTRUMENTED {
        if (!a_whole) stuffer.encode(chunk, wire_split);
        counter.add(chunk);
    });
    if (!a_whole) {
        stuffer.finish(wire_split);
        POP3_FUZZ_CHECK(wire == wire_split, "encoding depends on the split: " + printable(body));
    } else {
        stuffer = whole;
    }
    const std::string expected = normalised(body);
    POP3_FUZZ_CHECK(whole.content_octets() == expected.size() && stuffer.content_octets() == expected.size(),
                    "content_octets " + std::to_string(whole.content_octets()) +
                        " != " + std::to_string(expected.size()) + ": " + printable(body));
    POP3_FUZZ_CHECK(pop3::size_as_sent(body) == expected.size(), "size_as_sent: " + printable(body));
    POP3_FUZZ_CHECK(counter.size() == expected.size(), "WireSizeCounter: " + printable(body));

    // The wire form: terminated, every line CRLF-terminated, every line starting with '.' doubled.
    POP3_FUZZ_CHECK(wire.ends_with(".\r\n") && (wire.size() == 3 || wire.ends_with("\r\n.\r\n")), printable(wire));
    for (std::size_t start = 0; start < wire.size() - 3;) {
        if (wire[start] == '.') POP3_FUZZ_CHECK(wire[start + 1] == '.', "unstuffed line: " + printable(wire));
        const std::size_t lf = wire.find('\n', start);
        POP3_FUZZ_CHECK(lf != std::string::npos && lf > start && wire[lf - 1] == '\r', printable(wire));
        start = lf + 1;
    }

    // Decode at other split points: the normalised body, all of the wire consumed.
    pop3::DotDecoder::Options options;
    const Decoded d = decode(options, b, wire);
    POP3_FUZZ_CHECK(d.done && !d.error && !d.finish_error, printable(body));
    POP3_FUZZ_CHECK(d.consumed == wire.size(), printable(body));
    POP3_FUZZ_CHECK(d.out == expected, "decode(encode(x)) != x: " + printable(body) + " -> " + printable(d.out));
    const bool odd_octets = body.find('\0') != std::string_view::npos || body.find('\r') != std::string_view::npos;
    if (!odd_octets) POP3_FUZZ_CHECK(d.violations.empty(), printable(body));

    // TopLimiter: the kept prefix does not depend on the split.
    const std::uint64_t k = limit % 8;
    pop3::TopLimiter top_whole(k);
    const std::size_t kept = top_whole.accept(body);
    POP3_FUZZ_CHECK(kept <= body.size(), "TopLimiter kept more than given");
    if (kept < body.size()) POP3_FUZZ_CHECK(top_whole.done(), "TopLimiter cut without being done");
    pop3::TopLimiter top_split(k);
    std::size_t kept_split = 0;
    if (a_whole) {
        top_split = top_whole;
        kept_split = kept;
    } else {
        a.for_each(body, [&](std::string_view chunk) POP3_FUZZ_UNINSTRUMENTED {
            if (top_split.done()) return;
            const std::size_t n = top_split.accept(chunk);
            POP3_FUZZ_CHECK(n <= chunk.size(), "TopLimiter kept more than given");
            kept_split += n;
            if (n < chunk.size()) POP3_FUZZ_CHECK(top_split.done(), "TopLimiter cut without being done");
        });
    }
    POP3_FUZZ_CHECK(kept == kept_split, "TopLimiter depends on the split: " + printable(body));
    POP3_FUZZ_CHECK(top_whole.done() == top_split.done() || kept == body.size(), "TopLimiter done differs");
}

POP3_FUZZ_UNINSTRUMENTED void raw_decode(std::string_view wire, const SplitPlan& a, const SplitPlan& b,
                                         std::uint8_t limit) {
    pop3::DotDecoder::Options options;
    if ((limit & 1U) != 0) options.max_line = 3 + limit;
    if ((limit & 2U) != 0) options.strictness = pop3::Strictness::strict;
    // Split invariance over plan A, plan B and the whole input; a plan that cuts the input as another one does
    // repeats that (deterministic) run, so it is not run twice.
    const Decoded x = decode(options, a, wire);
    const SplitPlan whole_plan;
    if (!same_cut(a, b, wire.size())) {
        const Decoded y = decode(options, b, wire);
        POP3_FUZZ_CHECK(x == y, "decoding depends on the split: " + printable(wire));
    }
    if (!a.keeps_whole(wire.size()) && !b.keeps_whole(wire.size())) {
        const Decoded whole = decode(options, whole_plan, wire);
        POP3_FUZZ_CHECK(x == whole, "decoding depends on the split: " + printable(wire));
    }
    if (x.done) POP3_FUZZ_CHECK(x.out.empty() || x.out.ends_with("\r\n"), printable(wire));
    if (x.violations.empty() && !x.finish_error) {
        pop3::DotDecoder::Options strict = options;
        strict.strictness = pop3::Strictness::strict;
        const Decoded s = decode(strict, a, wire);
        POP3_FUZZ_CHECK(s == x, "strict differs without a violation: " + printable(wire));
    }
    // Re-encoding what was decoded gives back a wire form that decodes to the same content.
    if (x.done && x.violations.empty()) {
        std::string again;
        pop3::DotStuffer stuffer;
        stuffer.encode(x.out, again);
        stuffer.finish(again);
        const Decoded z = decode(options, b, again);
        POP3_FUZZ_CHECK(z.out == x.out && z.done, printable(wire));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t mode = in.byte();
    const std::uint8_t limit = in.byte();
    const SplitPlan a = SplitPlan::read(in);
    const SplitPlan b = SplitPlan::read(in);
    const std::string_view bytes = in.rest();
    if ((mode & 1U) == 0) {
        round_trip(bytes, a, b, limit);
    } else {
        raw_decode(bytes, a, b, limit);
    }
    return 0;
}
