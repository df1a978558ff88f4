#include "pop3/command_parser.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace pop3 {
namespace {

class CommandCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.command"; }
    std::string message(int ev) const override {
        switch (static_cast<CommandError>(ev)) {
            case CommandError::empty_line:
                return "empty command line";
            case CommandError::keyword_too_short:
                return "keyword shorter than 3 characters";
            case CommandError::keyword_too_long:
                return "keyword longer than 4 characters";
            case CommandError::bad_keyword_char:
                return "keyword character is not a letter";
            case CommandError::argument_too_long:
                return "argument longer than 40 characters";
            case CommandError::too_many_arguments:
                return "too many arguments";
            case CommandError::line_too_long:
                return "command line longer than 255 octets";
            case CommandError::nul_byte:
                return "NUL in command line";
            case CommandError::control_character:
                return "control character in command line";
            case CommandError::leading_space:
                return "command line starts with a space";
            case CommandError::double_space:
                return "two spaces in a row";
            case CommandError::trailing_space:
                return "space before the line end";
        }
        return "unknown command error";
    }
};

}  // namespace

const std::error_category& command_category() noexcept {
    static const CommandCategory category;
    return category;
}

std::error_code make_error_code(CommandError e) noexcept {
    return {static_cast<int>(e), command_category()};
}

namespace {

char ascii_upper(char c) noexcept {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

std::string Command::to_line() const {
    std::string line = keyword;
    for (const std::string& arg : args) {
        line.push_back(' ');
        line += arg;
    }
    line += "\r\n";
    return line;
}

Result<Command> parse_command(std::string_view line, const CommandLimits& limits) {
    // RFC 2449 §4: at most 255 octets including the CRLF.
    if (line.size() + 2 > limits.max_line) return CommandError::line_too_long;
    if (line.empty()) return CommandError::empty_line;
    for (char c : line) {
        const auto u = static_cast<unsigned char>(c);
        if (u == 0) return CommandError::nul_byte;
        if (u < 0x20 || u == 0x7F || (u >= 0x80 && !limits.allow_8bit)) return CommandError::control_character;
    }
    if (line.front() == ' ') return CommandError::leading_space;
    // RFC 1939 §3: a keyword of three or four characters, case-insensitive, then arguments separated by one SP.
    const std::size_t sp = line.find(' ');
    const std::string_view keyword = line.substr(0, sp);
    if (keyword.size() < limits.min_keyword) return CommandError::keyword_too_short;
    if (keyword.size() > limits.max_keyword) return CommandError::keyword_too_long;
    Command command;
    command.keyword.reserve(keyword.size());
    for (char c : keyword) {
        if (!is_alpha(c)) return CommandError::bad_keyword_char;
        command.keyword.push_back(ascii_upper(c));
    }
    if (sp == std::string_view::npos) return command;
    const std::string_view rest = line.substr(sp + 1);
    if (rest.empty()) return CommandError::trailing_space;
    command.rest = std::string(rest);
    if (command.keyword == "PASS") {
        // RFC 1939 §7 PASS: "the server may treat the rest of the line as the password" (it may hold spaces).
        if (rest.size() > limits.max_argument) return CommandError::argument_too_long;
        command.args.emplace_back(rest);
        return command;
    }
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = rest.find(' ', start);
        const std::string_view arg = rest.substr(start, end == std::string_view::npos ? end : end - start);
        if (arg.empty())
            return end == std::string_view::npos ? CommandError::trailing_space : CommandError::double_space;
        // RFC 5034 §4: AUTH's initial response is bounded by the line limit, not by the 40-character rule.
        const bool exempt = command.keyword == "AUTH" && !command.args.empty();
        if (arg.size() > limits.max_argument && !exempt) return CommandError::argument_too_long;
        if (command.args.size() == limits.max_arguments) return CommandError::too_many_arguments;
        command.args.emplace_back(arg);
        if (end == std::string_view::npos) break;
        if (end + 1 == rest.size()) return CommandError::trailing_space;
        start = end + 1;
    }
    return command;
}

std::size_t CommandFramer::feed(std::string_view bytes) {
    if (ready_ || bytes.empty()) return 0;
    const char* d = bytes.data();
    const std::size_t n = bytes.size();
    const void* p = std::memchr(d, '\n', n);
    const std::size_t lf = p == nullptr ? n : static_cast<std::size_t>(static_cast<const char*>(p) - d);
    // Keep at most max_line octets of a line: the rest of an over-long line is skipped, never buffered.
    const std::size_t room = partial_.size() < max_line_ ? max_line_ - partial_.size() : 0;
    partial_.append(d, std::min(lf, room));
    if (lf > 0) last_cr_ = d[lf - 1] == '\r';
    line_octets_ += lf;
    // RFC 2449 §4: a line is at most max_line octets with its line end, so content + LF must fit.
    if (line_octets_ + 1 > max_line_) overflow_ = true;
    if (lf == n) return n;
    ++line_octets_;
    FramedLine line;
    line.wire_octets = line_octets_;
    // A bare LF ends a line too: RFC 1939 asks no server to fail on it and real clients send it.
    line.end = last_cr_ ? LineEnd::crlf : LineEnd::bare_lf;
    const bool all_stored = line_octets_ - 1 <= partial_.size();
    if (last_cr_ && all_stored) partial_.pop_back();
    // R2449-LEN-3: an over-long line is one event; the octets after its LF start a fresh line.
    if (overflow_) line.error = CommandError::line_too_long;
    line.text = std::move(partial_);
    partial_.clear();
    overflow_ = false;
    last_cr_ = false;
    line_octets_ = 0;
    ready_ = std::move(line);
    return lf + 1;
}

std::optional<FramedLine> CommandFramer::next() {
    return std::exchange(ready_, std::nullopt);
}

std::size_t CommandFramer::discard_buffered() {
    std::size_t dropped = static_cast<std::size_t>(line_octets_);
    if (ready_) dropped += static_cast<std::size_t>(ready_->wire_octets);
    ready_.reset();
    partial_.clear();
    overflow_ = false;
    last_cr_ = false;
    line_octets_ = 0;
    return dropped;
}

}  // namespace pop3
