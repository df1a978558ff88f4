#include "cli/report_command.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "cli/cli.hpp"
#include "report/comparison_writer.hpp"
#include "report/markdown_writer.hpp"
#include "report/report_files.hpp"

namespace pop3::cli {

namespace {

constexpr const char* report_help = R"(Usage: pop3spec report [options] RESULT.json
       pop3spec report compare A.json B.json ... [options]

Renders the result document of `pop3spec run --json` again, in any format, or compares the results of several
servers side by side. Every format is written from the JSON alone. Without an output option, the Markdown summary
goes to standard output. FILE may be - for standard output.

Options of `report`:
  --html FILE     one self-contained HTML page (identity, totals, requirement matrix, transcripts)
  --md FILE       a Markdown summary for a CI job summary or a pull-request comment
  --junit FILE    JUnit XML (reports/schema/junit.xsd)
  --json FILE     the result document again (normalised)
Options of `report compare`:
  --html FILE     the comparison matrix as HTML (scenarios and requirements as rows, servers as columns)
  --md FILE       the rows whose verdicts differ, as Markdown (with --all: every row)
  --label NAME    a column heading, once per result in order (default: the server's IMPLEMENTATION string,
                  greeting or address)
  --all           Markdown: list every scenario, not only the differing ones
  --help

Exit codes: 0 written, 2 usage error or a result file that cannot be read or written.
)";

int render(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Arguments a(args, {{"help", false}, {"html"}, {"md"}, {"junit"}, {"json"}});
    if (a.has("help")) {
        out << report_help;
        return exit_ok;
    }
    if (a.positional().size() != 1) throw std::invalid_argument("give exactly one RESULT.json");
    try {
        const auto run = report::read_result_file(a.positional()[0]);
        report::ReportPaths paths;
        if (a.has("html")) paths.html = a.get("html");
        if (a.has("md")) paths.markdown = a.get("md");
        if (a.has("junit")) paths.junit = a.get("junit");
        if (a.has("json")) paths.json = a.get("json");
        if (!paths.html && !paths.markdown && !paths.junit && !paths.json) {
            report::write_markdown(run, out);
            return exit_ok;
        }
        report::write_report_files(run, paths);
    } catch (const std::runtime_error& e) {
        err << "pop3spec report: " << e.what() << "\n";
        return exit_usage;
    }
    return exit_ok;
}

int compare(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    Arguments a(args, {{"help", false}, {"html"}, {"md"}, {"label", true, true}, {"all", false}});
    if (a.has("help")) {
        out << report_help;
        return exit_ok;
    }
    if (a.positional().size() < 2) throw std::invalid_argument("compare needs at least two result files");
    report::ComparisonOptions options;
    options.labels = a.all("label");
    options.all_rows = a.has("all");
    if (options.labels.size() > a.positional().size())
        throw std::invalid_argument("more --label options than result files");
    try {
        std::vector<scenario::RunResult> runs;
        for (const auto& path : a.positional())
            runs.push_back(report::read_result_file(path));
        std::optional<std::filesystem::path> html, md;
        if (a.has("html")) html = a.get("html");
        if (a.has("md")) md = a.get("md");
        if (!html && !md) {
            report::write_comparison_markdown(runs, out, options);
            return exit_ok;
        }
        report::write_comparison_files(runs, html, md, options);
    } catch (const std::runtime_error& e) {
        err << "pop3spec report compare: " << e.what() << "\n";
        return exit_usage;
    }
    return exit_ok;
}

}  // namespace

int report_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    if (!args.empty() && args[0] == "compare") return compare({args.begin() + 1, args.end()}, out, err);
    return render(args, out, err);
}

bool write_run_reports(const scenario::RunResult& run, const Arguments& arguments, std::ostream& err) {
    // --json is written by run itself; the other formats are rendered here, from the same JSON document.
    report::ReportPaths paths;
    if (arguments.has("junit")) paths.junit = arguments.get("junit");
    if (arguments.has("html")) paths.html = arguments.get("html");
    if (arguments.has("md")) paths.markdown = arguments.get("md");
    try {
        report::write_report_files(run, paths);
        return true;
    } catch (const std::runtime_error& e) {
        err << "pop3spec run: " << e.what() << "\n";
        return false;
    }
}

}  // namespace pop3::cli
