#include "report/report_files.hpp"

#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "report/html_writer.hpp"
#include "report/junit_writer.hpp"
#include "report/markdown_writer.hpp"

namespace pop3::report {

namespace {

void write_file(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
    if (path == "-") {
        write(std::cout);
        std::cout.flush();
        return;
    }
    auto temp = path;
    temp += ".partial";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw std::runtime_error("cannot write " + path.string() + ": cannot open " + temp.string());
        write(out);
        out.flush();
        if (!out) throw std::runtime_error("cannot write " + path.string() + ": write failed");
    }
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        throw std::runtime_error("cannot write " + path.string() + ": rename failed");
    }
}

}  // namespace

void write_report_files(const scenario::RunResult& original, const ReportPaths& paths) {
    // Every format is rendered from the JSON document, even here where the run is at hand: `pop3spec report` on the
    // saved JSON then writes byte for byte the files `pop3spec run` wrote.
    const std::string json = scenario::to_json(original);
    const scenario::RunResult run = scenario::from_json(json);
    if (paths.json) write_file(*paths.json, [&](std::ostream& out) { out << json; });
    if (paths.junit) write_file(*paths.junit, [&](std::ostream& out) { write_junit(run, out); });
    if (paths.html) write_file(*paths.html, [&](std::ostream& out) { write_html(run, out); });
    if (paths.markdown) write_file(*paths.markdown, [&](std::ostream& out) { write_markdown(run, out); });
}

scenario::RunResult read_result_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return scenario::from_json(text.str());
    } catch (const std::exception& e) {
        throw std::runtime_error(path.string() + ": " + e.what());
    }
}

void write_comparison_files(const std::vector<scenario::RunResult>& runs,
                            const std::optional<std::filesystem::path>& html,
                            const std::optional<std::filesystem::path>& markdown, const ComparisonOptions& options) {
    if (html) write_file(*html, [&](std::ostream& out) { write_comparison_html(runs, out, options); });
    if (markdown) write_file(*markdown, [&](std::ostream& out) { write_comparison_markdown(runs, out, options); });
}

}  // namespace pop3::report
