#include "store/maildir_store.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "pop3/dot_stuffing.hpp"
#include "temp_dir.hpp"

namespace pop3::server::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

class Maildir : public ::testing::Test {
  protected:
    void SetUp() override {
        write_file(root.path() / "alice/cur/1000.a1.host:2,S", "Subject: one\n\nLF body\n");
        write_file(root.path() / "alice/cur/1001.b2.host,S=30:2,", "Subject: two\r\n\r\nCRLF body\r\n");
        write_file(root.path() / "alice/new/1002.c3.host", "Subject: three\n\n.dot\n");
    }
    TempDir root;
    MaildirStore store{root.path()};
};

TEST_F(Maildir, ListsLfAndCrlfFilesWithSizesAsSent) {
    std::error_code ec;
    auto drop = store.lock("alice", ec);
    ASSERT_TRUE(drop) << ec.message();
    const auto& m = drop->messages();
    ASSERT_EQ(m.size(), 3U);
    EXPECT_EQ(m[0].size, size_as_sent("Subject: one\n\nLF body\n"));
    EXPECT_EQ(m[0].size, 25U);
    EXPECT_EQ(m[1].size, 27U);
    EXPECT_EQ(m[2].size, size_as_sent("Subject: three\n\n.dot\n"));
    EXPECT_EQ(m[0].uid, "1000.a1.host");
    EXPECT_EQ(m[1].uid, "1001.b2.host");
    EXPECT_EQ(m[2].uid, "1002.c3.host");
    EXPECT_EQ(read_message(*drop, 1), "Subject: one\n\nLF body\n");
    EXPECT_EQ(read_message(*drop, 2), "Subject: two\r\n\r\nCRLF body\r\n");
    EXPECT_EQ(read_message(*drop, 3), "Subject: three\n\n.dot\n");
}

TEST_F(Maildir, NewMailMovesToCurAndSizesAreCachedInNames) {
    std::error_code ec;
    { auto drop = store.lock("alice", ec); }
    EXPECT_TRUE(names_in(root.path() / "alice/new").empty());
    EXPECT_EQ(names_in(root.path() / "alice/cur"),
              (std::vector<std::string>{"1000.a1.host,W=25:2,S", "1001.b2.host,S=30,W=27:2,", "1002.c3.host,W=24:2,"}));
    // The cached size is trusted: a later listing reads no body (here: a body changed behind the name's back).
    write_file(root.path() / "alice/cur/1000.a1.host,W=25:2,S", "x");
    auto drop = store.lock("alice", ec);
    ASSERT_TRUE(drop);
    EXPECT_EQ(drop->messages()[0].size, 25U);
}

TEST_F(Maildir, UidsStableAcrossSessionsAndRestarts) {
    std::error_code ec;
    std::vector<std::string> first;
    {
        auto drop = store.lock("alice", ec);
        for (const auto& m : drop->messages())
            first.push_back(m.uid);
    }
    MaildirStore restarted(root.path());
    auto drop = restarted.lock("alice", ec);
    ASSERT_TRUE(drop);
    std::vector<std::string> second;
    for (const auto& m : drop->messages())
        second.push_back(m.uid);
    EXPECT_EQ(first, second);
}

TEST_F(Maildir, CommitUnlinksOnlyDeleted) {
    std::error_code ec;
    {
        auto drop = store.lock("alice", ec);
        const std::size_t deleted[] = {2};
        EXPECT_FALSE(drop->commit(deleted));
    }
    auto drop = store.lock("alice", ec);
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_EQ(drop->messages()[0].uid, "1000.a1.host");
    EXPECT_EQ(drop->messages()[1].uid, "1002.c3.host");
    EXPECT_EQ(read_message(*drop, 2), "Subject: three\n\n.dot\n");
}

TEST_F(Maildir, MissingMaildirIsCreatedEmpty) {
    std::error_code ec;
    auto drop = store.lock("newbie", ec);
    ASSERT_TRUE(drop) << ec.message();
    EXPECT_TRUE(drop->messages().empty());
    EXPECT_TRUE(fs::is_directory(root.path() / "newbie/cur"));
    EXPECT_TRUE(fs::is_directory(root.path() / "newbie/tmp"));
}

TEST_F(Maildir, UnsafeUserNamesRefused) {
    std::error_code ec;
    for (const char* user : {"", "..", ".hidden", "a/b", "../alice", "a b"}) {
        EXPECT_FALSE(store.lock(user, ec)) << user;
        EXPECT_EQ(ec, StoreErrc::permanent) << user;
    }
}

TEST_F(Maildir, InProcessLockIsExclusive) {
    std::error_code ec;
    auto first = store.lock("alice", ec);
    ASSERT_TRUE(first);
    EXPECT_FALSE(store.lock("alice", ec));
    EXPECT_EQ(ec, StoreErrc::in_use);
    first.reset();
    EXPECT_TRUE(store.lock("alice", ec));
}

TEST_F(Maildir, LockHoldsAcrossProcesses) {
    int to_parent[2];
    int to_child[2];
    ASSERT_EQ(::pipe(to_parent), 0);
    ASSERT_EQ(::pipe(to_child), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::error_code child_ec;
        MaildirStore own(root.path());
        auto drop = own.lock("alice", child_ec);
        const char status = drop ? 'L' : 'F';
        (void)!::write(to_parent[1], &status, 1);
        pollfd p{to_child[0], POLLIN, 0};
        ::poll(&p, 1, 10'000);  // hold the lock until the parent says so (bounded)
        ::_exit(0);
    }
    char status = 0;
    pollfd p{to_parent[0], POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, 10'000), 1);
    ASSERT_EQ(::read(to_parent[0], &status, 1), 1);
    EXPECT_EQ(status, 'L');
    std::error_code ec;
    EXPECT_FALSE(store.lock("alice", ec));
    EXPECT_EQ(ec, StoreErrc::in_use);
    (void)!::write(to_child[1], "x", 1);
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    EXPECT_TRUE(store.lock("alice", ec)) << ec.message();  // the child's exit released it
    for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]})
        ::close(fd);
}

TEST(MaildirUid, SanitizedAndDistinct) {
    EXPECT_EQ(maildir_uid("123.abc.host,S=5,W=6:2,RS"), "123.abc.host");
    const std::string long_a = std::string(100, 'a') + "1";
    const std::string long_b = std::string(100, 'a') + "2";
    EXPECT_LE(maildir_uid(long_a).size(), 70U);
    EXPECT_NE(maildir_uid(long_a), maildir_uid(long_b));
    EXPECT_NE(maildir_uid("a b"), maildir_uid("a_b"));
    for (char c : maildir_uid("a\x01\xff b"))
        EXPECT_TRUE(c >= 0x21 && c <= 0x7e);
}

TEST(MaildirUid, CopiesWithOneBaseNameGetDistinctIds) {
    TempDir root;
    write_file(root.path() / "u/cur/100.x.h:2,", "a\n");
    write_file(root.path() / "u/cur/100.x.h,S=2:2,S", "a\n");
    MaildirStore store(root.path());
    std::error_code ec;
    auto drop = store.lock("u", ec);
    ASSERT_TRUE(drop);
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_EQ(drop->messages()[0].uid, "100.x.h");
    EXPECT_EQ(drop->messages()[1].uid, "100.x.h-2");
}

TEST(MaildirSafety, SymlinksAreNotServed) {
    TempDir root;
    write_file(root.path() / "secret.txt", "not mail\n");
    write_file(root.path() / "u/cur/100.real.h:2,", "mail\n");
    std::filesystem::create_symlink(root.path() / "secret.txt", root.path() / "u/cur/101.link.h:2,");
    MaildirStore store(root.path());
    std::error_code ec;
    auto drop = store.lock("u", ec);
    ASSERT_TRUE(drop);
    ASSERT_EQ(drop->messages().size(), 1U);
    EXPECT_EQ(read_message(*drop, 1), "mail\n");
}

TEST(MaildirOrder, SortedByDeliveryTime) {
    TempDir root;
    write_file(root.path() / "u/cur/200.x.h:2,", "b\n");
    write_file(root.path() / "u/cur/1000.x.h:2,", "c\n");
    write_file(root.path() / "u/cur/30.x.h:2,", "a\n");
    MaildirStore store(root.path());
    std::error_code ec;
    auto drop = store.lock("u", ec);
    ASSERT_EQ(drop->messages().size(), 3U);
    EXPECT_EQ(read_message(*drop, 1), "a\n");
    EXPECT_EQ(read_message(*drop, 2), "b\n");
    EXPECT_EQ(read_message(*drop, 3), "c\n");
}

}  // namespace
}  // namespace pop3::server::test
