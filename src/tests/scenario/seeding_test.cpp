#include "scenario/seeding.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace pop3::scenario {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct TempDir {
    fs::path path;
    TempDir() {
        char tmpl[] = "/tmp/pop3spec-seed-test-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

Fixtures two_messages(const fs::path& dir) {
    Fixtures f;
    f.dir = dir;
    f.messages.push_back({1, "one", dir / "one.eml", "Subject: one\r\n\r\nFrom here\r\n"});
    f.messages.push_back({2, "two", dir / "two.eml", "Subject: two\r\n\r\n>From there\r\nno newline"});
    return f;
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(Seeding, MaildirReplacesTheMessagesInManifestOrder) {
    TempDir t;
    auto maildir = t.path / "alice";
    fs::create_directories(maildir / "cur");
    std::ofstream(maildir / "cur" / "old:2,S") << "old message";
    auto seeder = make_maildir_seeder((t.path / "{user}").string());
    auto r = seeder->seed("alice", two_messages(t.path));
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_TRUE(fs::is_empty(maildir / "cur"));
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(maildir / "new"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(slurp(files[0]), "Subject: one\r\n\r\nFrom here\r\n");  // name order is manifest order
    EXPECT_EQ(slurp(files[1]).substr(0, 12), "Subject: two");
}

TEST(Seeding, MboxQuotesFromLines) {
    TempDir t;
    auto seeder = make_mbox_seeder((t.path / "{user}.mbox").string());
    auto r = seeder->seed("bob", two_messages(t.path));
    ASSERT_TRUE(r.ok) << r.error;
    auto text = slurp(t.path / "bob.mbox");
    EXPECT_EQ(text.rfind("From pop3spec@localhost ", 0), 0u);
    EXPECT_NE(text.find("\n>From here\n"), std::string::npos) << text;  // mboxrd: one more '>'
    EXPECT_NE(text.find("\n>>From there\n"), std::string::npos) << text;
    EXPECT_NE(text.find("no newline\n"), std::string::npos);
    EXPECT_EQ(text.find('\r'), std::string::npos);
}

TEST(Seeding, CommandGetsItsEnvironmentAndItsStatusIsChecked) {
    TempDir t;
    auto ok = make_command_seeder(
        "echo user=$POP3SPEC_USER dir=$POP3SPEC_FIXTURES; printf '%s' \"$POP3SPEC_FIXTURES_LIST\" | wc -l");
    auto r = ok->seed("carol", two_messages(t.path));
    EXPECT_TRUE(r.ok) << r.error;
    EXPECT_NE(r.output.find("user=carol"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("dir=" + t.path.string()), std::string::npos) << r.output;
    auto bad = make_command_seeder("echo broken >&2; exit 3");
    r = bad->seed("carol", two_messages(t.path));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("status 3"), std::string::npos) << r.error;
    EXPECT_NE(r.output.find("broken"), std::string::npos);
    auto slow = make_command_seeder("sleep 30", 500ms);
    auto start = std::chrono::steady_clock::now();
    r = slow->seed("carol", two_messages(t.path));
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("did not finish"), std::string::npos) << r.error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace pop3::scenario
