// Writes the sample run (sample_run.hpp) in every format into a folder, for the tests that check the files with
// outside tools: xmllint against reports/schema/junit.xsd, the JSON Schema, and headless Chromium. Also writes two
// deliberately broken pages, so the Chromium check is shown to fail when it should.
//
// Usage: report_sample OUTDIR

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "report/comparison_writer.hpp"
#include "report/html_writer.hpp"
#include "report/junit_writer.hpp"
#include "report/markdown_writer.hpp"
#include "report/report_files.hpp"
#include "sample_run.hpp"

namespace {

void replace_once(std::string& text, const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    if (pos == std::string::npos) throw std::runtime_error("report_sample: marker not found: " + from);
    text.replace(pos, from.size(), to);
}

void save(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: report_sample OUTDIR\n";
        return 2;
    }
    try {
        const std::filesystem::path dir = argv[1];
        std::filesystem::create_directories(dir);
        using pop3::report::testing::sample_run;
        const auto run = sample_run(0);
        pop3::report::write_report_files(
            run, {dir / "sample.json", dir / "sample.xml", dir / "sample.html", dir / "sample.md"});
        pop3::report::write_report_files(pop3::scenario::RunResult{},
                                         {dir / "empty.json", dir / "empty.xml", dir / "empty.html", std::nullopt});
        pop3::report::write_comparison_files({run, sample_run(1)}, dir / "compare.html", dir / "compare.md");
        // Random bytes in every field, rendered directly (not through the JSON, which would normalise them).
        const auto random = pop3::report::testing::random_bytes_run(20261128);
        std::ostringstream random_junit;
        pop3::report::write_junit(random, random_junit);
        save(dir / "random-bytes.xml", random_junit.str());

        std::ostringstream page;
        pop3::report::write_html(run, page);
        // A script error: the Chromium check must report the console error.
        auto broken_script = page.str();
        replace_once(broken_script, "<script>\n", "<script>\nundefined_function_of_a_broken_page();\n");
        save(dir / "broken-script.html", broken_script);
        // Totals that disagree with the scenarios listed: the page's self-check and the JSON comparison must fail.
        auto broken_totals = page.str();
        replace_once(broken_totals, "data-outcome=\"fail\" data-count=\"2\"><div class=\"n\">2<",
                     "data-outcome=\"fail\" data-count=\"3\"><div class=\"n\">3<");
        save(dir / "broken-totals.html", broken_totals);
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "report_sample: " << e.what() << "\n";
        return 1;
    }
}
