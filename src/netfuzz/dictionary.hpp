// Tokens and seed lines the session generator splices into commands: the libFuzzer dictionary (fuzz/pop3.dict), the
// command lines of the scenario suite, and the lines of the libFuzzer corpora (corpus/).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::netfuzz {

/// Parses a libFuzzer/AFL dictionary: `name="value"` or `"value"` lines, `#` comments, escapes \\ \" \xHH. Lines
/// that do not parse are skipped (a dictionary is a hint, not a contract).
std::vector<std::string> parse_dictionary(std::string_view text);

/// Reads and parses a dictionary file; empty when it cannot be read.
std::vector<std::string> load_dictionary(const std::filesystem::path& path);

/// What the generator draws from besides its own grammar.
struct SeedPool {
    std::vector<std::string> tokens;  ///< dictionary tokens
    std::vector<std::string> lines;   ///< whole command lines without their line end
};

/// Command lines of every scenario below `dir` (cmd: and send: steps; lines with `${...}` are skipped). Empty when
/// the folder has no loadable scenarios.
std::vector<std::string> scenario_seed_lines(const std::filesystem::path& dir);

/// Lines (split at LF, CR stripped) of the files in `dir`'s session-like corpora (session/, session_chunked/,
/// command_parser/), at most `max_lines` of at most 300 bytes each, in sorted file order.
std::vector<std::string> corpus_seed_lines(const std::filesystem::path& dir, std::size_t max_lines = 4000);

}  // namespace pop3::netfuzz
