#pragma once
// The standard fixture messages (scenarios/fixtures/, CRLF .eml files) in manifest order: message k of a seeded
// maildrop is fixture k. Scenarios compare bodies against them (`body: {fixture: k}`).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pop3::scenario {

/// One fixture message.
struct Fixture {
    int number = 0;    ///< 1-based position in the manifest = message number in a freshly seeded maildrop
    std::string name;  ///< e.g. "short"
    std::filesystem::path file;
    std::string bytes;  ///< the file's bytes as stored
};

/// The fixtures, in order.
struct Fixtures {
    std::filesystem::path dir;
    std::vector<Fixture> messages;

    /// Fixture k (1-based), or nullptr.
    const Fixture* at(int k) const;
    /// True when there is nothing to seed.
    bool empty() const { return messages.empty(); }
};

/// Loads `dir`/fixtures.yaml (a list of file names, or of mappings with `file` and optional `name`, or a mapping
/// with such a list under `messages`). Without a manifest, every *.eml in name order. Throws std::runtime_error.
Fixtures load_fixtures(const std::filesystem::path& dir);

/// What RETR must deliver for a stored message after unstuffing (RFC 1939 §3, §11): every line end CRLF, and a
/// final CRLF added when the message lacks one (R1939-ML-3).
std::string as_retrieved(std::string_view stored);

/// What "TOP n k" must deliver for a stored message after unstuffing (RFC 1939 §7): the headers, the blank line
/// and the first k body lines, line ends as in as_retrieved().
std::string as_top(std::string_view stored, std::uint64_t body_lines);

}  // namespace pop3::scenario
