// Fuzzes the server-side command line parser (pop3::parse_command) and framer (pop3::CommandFramer).
//
// Input: [options byte][limit byte][split plan][bytes].
// Properties beyond "no crash":
// - parse_command: a parsed command respects every limit (keyword 3-4 ASCII letters upper-cased, argument length
//   and count, line length), and its to_line() re-parses to an equal command (RFC 1939 §3);
// - CommandFramer: split invariance (same lines whatever the split), the buffer never exceeds max_line, a line
//   without error holds no LF, its wire octets are its text plus its line end, and the wire octets of the lines plus
//   the partial line add up to every octet fed (nothing lost, nothing counted twice).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "pop3/command_parser.hpp"

namespace {

using pop3::fuzz::FuzzInput;
using pop3::fuzz::printable;
using pop3::fuzz::SplitPlan;

POP3_FUZZ_UNINSTRUMENTED void check_parse(std::string_view line, const pop3::CommandLimits& limits) {
    const pop3::Result<pop3::Command> parsed = pop3::parse_command(line, limits);
    if (!parsed) {
        POP3_FUZZ_CHECK(parsed.error().category() == pop3::command_category(), printable(line));
        return;
    }
    const pop3::Command& cmd = *parsed;
    POP3_FUZZ_CHECK(line.size() + 2 <= limits.max_line, printable(line));
    POP3_FUZZ_CHECK(cmd.keyword.size() >= limits.min_keyword && cmd.keyword.size() <= limits.max_keyword,
                    printable(line));
    for (char c : cmd.keyword)
        POP3_FUZZ_CHECK(c >= 'A' && c <= 'Z', printable(line));
    // PASS's argument is the rest of the line (RFC 1939 §7): one argument, whatever max_arguments says.
    if (cmd.keyword != "PASS") POP3_FUZZ_CHECK(cmd.args.size() <= limits.max_arguments, printable(line));
    for (const std::string& arg : cmd.args) {
        POP3_FUZZ_CHECK(!arg.empty(), printable(line));
        // PASS takes the rest of the line (RFC 1939 §7) and AUTH's initial response may be long (RFC 5034 §4).
        if (cmd.keyword != "PASS" && cmd.keyword != "AUTH") {
            POP3_FUZZ_CHECK(arg.size() <= limits.max_argument, printable(line));
        }
        for (char c : arg) {
            const auto u = static_cast<unsigned char>(c);
            POP3_FUZZ_CHECK(u != 0 && u != '\r' && u != '\n', printable(line));
            if (cmd.keyword != "PASS") POP3_FUZZ_CHECK(u != ' ', printable(line));
            if (!limits.allow_8bit) POP3_FUZZ_CHECK(u < 0x80, printable(line));
        }
    }
    if (cmd.keyword == "PASS") POP3_FUZZ_CHECK(cmd.args.size() <= 1, printable(line));

    const std::string wire = cmd.to_line();
    POP3_FUZZ_CHECK(wire.size() >= 2 && wire.ends_with("\r\n"), printable(wire));
    const std::string_view again(wire.data(), wire.size() - 2);
    const pop3::Result<pop3::Command> reparsed = pop3::parse_command(again, limits);
    POP3_FUZZ_CHECK(reparsed.has_value(), "to_line() does not re-parse: " + printable(line) + " -> " + printable(wire) +
                                              ": " + reparsed.error().message());
    POP3_FUZZ_CHECK(*reparsed == cmd, "to_line() re-parses differently: " + printable(line) + " -> " + printable(wire));
}

struct Framed {
    std::vector<pop3::FramedLine> lines;
    std::size_t partial = 0;
};

// Frames `bytes` cut by `plan` into `out` (cleared first; its storage is reused across executions).
POP3_FUZZ_UNINSTRUMENTED void frame(std::size_t max_line, const SplitPlan& plan, std::string_view bytes, Framed& out) {
    out.lines.clear();
    out.partial = 0;
    const std::uint64_t total = bytes.size();
    pop3::CommandFramer framer(max_line);
    std::uint64_t consumed = 0;
    plan.for_each(bytes, [&](std::string_view chunk) POP3_FUZZ_UNINSTRUMENTED {
        while (!chunk.empty()) {
            const std::size_t n = framer.feed(chunk);
            POP3_FUZZ_CHECK(n <= chunk.size(), "consumed more than given");
            POP3_FUZZ_CHECK(framer.buffered() <= max_line, std::to_string(framer.buffered()));
            consumed += n;
            chunk.remove_prefix(n);
            if (framer.has_line()) {
                std::optional<pop3::FramedLine> line = framer.next();
                POP3_FUZZ_CHECK(line.has_value(), "has_line() but next() gave nothing");
                POP3_FUZZ_CHECK(!framer.has_line(), "a second line without feeding");
                POP3_FUZZ_CHECK(line->text.size() <= max_line, printable(line->text));
                if (!line->error) {
                    POP3_FUZZ_CHECK(line->text.find('\n') == std::string::npos, printable(line->text));
                    const std::size_t end = line->end == pop3::LineEnd::crlf ? 2 : 1;
                    POP3_FUZZ_CHECK(line->wire_octets == line->text.size() + end, printable(line->text));
                    POP3_FUZZ_CHECK(line->wire_octets <= max_line, printable(line->text));
                } else {
                    POP3_FUZZ_CHECK(line->error == pop3::CommandError::line_too_long, line->error.message());
                    POP3_FUZZ_CHECK(line->wire_octets > max_line, std::to_string(line->wire_octets));
                }
                out.lines.push_back(std::move(*line));
            } else {
                // No line waiting: the framer must have taken the whole chunk (it buffers partial lines).
                POP3_FUZZ_CHECK(chunk.empty(), "feed() stalled without a line");
            }
        }
    });
    std::uint64_t wire = 0;
    for (const auto& l : out.lines)
        wire += l.wire_octets;
    POP3_FUZZ_CHECK(consumed == total, "not every octet was consumed");
    POP3_FUZZ_CHECK(wire + framer.line_octets() == total, "wire octets " + std::to_string(wire) + " + partial " +
                                                              std::to_string(framer.line_octets()) + " != fed " +
                                                              std::to_string(total));
    out.partial = framer.buffered();
    const std::size_t dropped = framer.discard_buffered();
    POP3_FUZZ_CHECK(framer.buffered() == 0 && !framer.has_line(), std::to_string(dropped));
}

POP3_FUZZ_UNINSTRUMENTED void compare(const Framed& whole, const Framed& split) {
    POP3_FUZZ_CHECK(whole.lines.size() == split.lines.size(), "line count depends on the split");
    for (std::size_t i = 0; i < whole.lines.size(); ++i) {
        const auto& a = whole.lines[i];
        const auto& b = split.lines[i];
        POP3_FUZZ_CHECK(
            a.text == b.text && a.end == b.end && a.wire_octets == b.wire_octets && a.error == b.error,
            "line " + std::to_string(i) + " depends on the split: " + printable(a.text) + " | " + printable(b.text));
    }
    POP3_FUZZ_CHECK(whole.partial == split.partial, "partial line depends on the split");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t flags = in.byte();
    const std::uint8_t limit = in.byte();
    pop3::CommandLimits limits;
    if ((flags & 1U) != 0) {
        limits.max_line = 6 + limit % 128;
        limits.max_argument = 1 + limit % 41;
        limits.max_arguments = limit % 9;
        limits.allow_8bit = (flags & 2U) != 0;
    }
    const SplitPlan plan = SplitPlan::read(in);
    const std::string_view bytes = in.rest();

    // The whole input as one line, and every framed line, through the parser.
    check_parse(bytes, limits);
    const std::size_t max_line = (flags & 4U) != 0 ? limits.max_line : 2 + limit;
    static Framed whole;
    static Framed split;
    frame(max_line, SplitPlan{}, bytes, whole);
    for (const auto& line : whole.lines) {
        if (!line.error) check_parse(line.text, limits);
    }
    // Split invariance. A plan whose first chunk holds every byte cuts them as the whole run did: the same
    // deterministic framing, not repeated.
    if (!plan.keeps_whole(bytes.size())) {
        frame(max_line, plan, bytes, split);
        compare(whole, split);
    }
    return 0;
}
