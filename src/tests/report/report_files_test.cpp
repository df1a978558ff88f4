#include "report/report_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "report/run_labels.hpp"
#include "sample_run.hpp"

namespace pop3::report {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() /
               ("pop3spec-report-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(ReportFiles, WritesEveryFormatAndReadsTheJsonBack) {
    TempDir dir;
    const auto run = testing::sample_run();
    ReportPaths paths{dir.path / "r.json", dir.path / "r.xml", dir.path / "r.html", dir.path / "r.md"};
    write_report_files(run, paths);
    for (const auto& p : {*paths.json, *paths.junit, *paths.html, *paths.markdown}) {
        EXPECT_TRUE(fs::exists(p)) << p;
        EXPECT_GT(fs::file_size(p), 100u) << p;
        EXPECT_FALSE(fs::exists(fs::path(p.string() + ".partial"))) << p;
    }
    EXPECT_NE(slurp(*paths.junit).find("<testsuites"), std::string::npos);
    EXPECT_NE(slurp(*paths.html).find("<!DOCTYPE html>"), std::string::npos);

    // The JSON is the source of every other format: re-rendering from it gives the same files.
    const auto back = read_result_file(*paths.json);
    EXPECT_EQ(back.scenarios.size(), run.scenarios.size());
    EXPECT_EQ(back.summary.new_failures, run.summary.new_failures);
    ReportPaths again{std::nullopt, dir.path / "r2.xml", dir.path / "r2.html", dir.path / "r2.md"};
    write_report_files(back, again);
    EXPECT_EQ(slurp(*again.junit), slurp(*paths.junit));
    EXPECT_EQ(slurp(*again.markdown), slurp(*paths.markdown));
    EXPECT_EQ(slurp(*again.html), slurp(*paths.html));
}

TEST(ReportFiles, ComparisonFiles) {
    TempDir dir;
    write_comparison_files({testing::sample_run(0), testing::sample_run(1)}, dir.path / "m.html", dir.path / "m.md");
    EXPECT_NE(slurp(dir.path / "m.html").find("data-report=\"comparison\""), std::string::npos);
    EXPECT_NE(slurp(dir.path / "m.md").find("## pop3spec comparison"), std::string::npos);
}

TEST(ReportFiles, ErrorsNameTheFile) {
    TempDir dir;
    try {
        read_result_file(dir.path / "missing.json");
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos);
    }
    std::ofstream(dir.path / "bad.json") << "{\"schema_version\": 99}";
    try {
        read_result_file(dir.path / "bad.json");
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.json"), std::string::npos);
    }
    ReportPaths paths;
    paths.html = dir.path / "no-such-dir" / "r.html";
    EXPECT_THROW(write_report_files(testing::sample_run(), paths), std::runtime_error);
}

TEST(RunLabels, Basics) {
    EXPECT_EQ(suite_name("rfc1939.stat.drop-listing"), "rfc1939.stat");
    EXPECT_EQ(suite_name("rfc1939.stat"), "rfc1939");
    EXPECT_EQ(suite_name("plain"), "plain");
    EXPECT_EQ(suite_name(""), "pop3spec");
    EXPECT_EQ(format_duration(850), "850 ms");
    EXPECT_EQ(format_duration(12400), "12.4 s");
    EXPECT_EQ(format_duration(185000), "3 min 05 s");
    scenario::RunResult run;
    run.target.address = "127.0.0.1:110";
    EXPECT_EQ(run_label(run), "127.0.0.1:110");
    run.target.greeting = "+OK [XCLIENT] Dovecot (Debian) ready.\\r\\n";
    EXPECT_EQ(run_label(run), "Dovecot (Debian) ready.");
    run.target.embedded = true;
    EXPECT_EQ(run_label(run), "pop3spec reference server");
    run.target.implementation = "Dovecot";
    EXPECT_EQ(run_label(run), "Dovecot");
}

}  // namespace
}  // namespace pop3::report
