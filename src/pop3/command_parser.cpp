#include "pop3/command_parser.hpp"

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

// STUB (first commit): the implementation follows.
std::string Command::to_line() const {
    return keyword + "\r\n";
}

Result<Command> parse_command(std::string_view, const CommandLimits&) {
    return CommandError::empty_line;
}

std::size_t CommandFramer::feed(std::string_view) {
    return 0;
}

std::optional<FramedLine> CommandFramer::next() {
    return std::exchange(ready_, std::nullopt);
}

std::size_t CommandFramer::discard_buffered() {
    return 0;
}

}  // namespace pop3
