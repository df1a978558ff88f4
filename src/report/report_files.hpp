#pragma once
// Report files for the command line (an edge: failures are thrown with a message that names the file).

#include <filesystem>
#include <optional>
#include <vector>

#include "report/comparison_writer.hpp"
#include "scenario/result.hpp"

namespace pop3::report {

/// Which formats to write, and where; unset ones are not written. "-" means standard output.
struct ReportPaths {
    std::optional<std::filesystem::path> json;
    std::optional<std::filesystem::path> junit;
    std::optional<std::filesystem::path> html;
    std::optional<std::filesystem::path> markdown;
};

/// Writes each requested format of the run. Every file is written to a temporary name beside it and renamed, so
/// a reader never sees half a report. Throws std::runtime_error naming the file when one cannot be written.
void write_report_files(const scenario::RunResult& run, const ReportPaths& paths);

/// Reads a JSON result document written by `pop3spec run --json` (scenario::from_json). Throws std::runtime_error
/// naming the file when it cannot be read or is not a result document this build understands.
scenario::RunResult read_result_file(const std::filesystem::path& path);

/// Writes the comparison matrix of several runs as HTML and/or Markdown (unset paths are skipped).
void write_comparison_files(const std::vector<scenario::RunResult>& runs,
                            const std::optional<std::filesystem::path>& html,
                            const std::optional<std::filesystem::path>& markdown,
                            const ComparisonOptions& options = {});

}  // namespace pop3::report
