#pragma once
// Loads scenarios from YAML. This is an edge of the system (a person wrote the file), so failures are thrown as
// LoadError carrying file, line, column and the offending key.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace pop3::scenario {

/// A scenario file that cannot be used: names the file, the 1-based line and column, and the key.
class LoadError : public std::runtime_error {
  public:
    LoadError(std::string file, int line, int column, std::string key, std::string message);

    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }
    const std::string& key() const noexcept { return key_; }
    /// The message without the location prefix.
    const std::string& message() const noexcept { return message_; }

  private:
    std::string file_;
    int line_;
    int column_;
    std::string key_;
    std::string message_;
};

/// Parses every YAML document of `text` (one scenario per document, separated by `---`).
/// `file` is only used in error messages and stored in Scenario::file.
std::vector<Scenario> load_scenarios(std::string_view text, const std::string& file);

/// Loads one .yaml/.yml file.
std::vector<Scenario> load_scenario_file(const std::filesystem::path& path);

/// Loads a file, or every .yaml/.yml file below a directory (sorted by path; `fixtures/`, `baselines/` and
/// files named requirements.yaml or fixtures.yaml are not scenarios and are skipped). Duplicate ids are an error.
std::vector<Scenario> load_scenarios_from(const std::vector<std::filesystem::path>& paths);

/// Parses a duration: "250ms", "5s", "2m", or a plain number of seconds. Throws std::invalid_argument.
Duration parse_duration(std::string_view text);

/// Decodes the escapes of a `raw:` string: \r \n \t \0 \\ \xHH. Throws std::invalid_argument on a bad escape.
std::string decode_escapes(std::string_view text);

}  // namespace pop3::scenario
