#include "store/mbox_store.hpp"

#include <gtest/gtest.h>

#include "pop3/dot_stuffing.hpp"
#include "temp_dir.hpp"

namespace pop3::server::test {
namespace {

const std::string mbox_text =
    "From alice@example.org Sat Jan  1 00:00:00 2000\n"
    "Subject: one\n"
    "\n"
    "first body\n"
    ">From the quoted line\n"
    ">>From twice quoted\n"
    "> From not a From line\n"
    "\n"
    "From bob@example.org Sat Jan  1 00:00:01 2000\n"
    "Subject: two\n"
    "X-UIDL: uid-two\n"
    "\n"
    "second body\n"
    "\n"
    "From carol@example.org Sat Jan  1 00:00:02 2000\n"
    "Subject: three\n"
    "\n"
    "third body\n";

const std::string one =
    "Subject: one\n\nfirst body\nFrom the quoted line\n>From twice quoted\n> From not a From line\n";
const std::string two = "Subject: two\nX-UIDL: uid-two\n\nsecond body\n";
const std::string three = "Subject: three\n\nthird body\n";

class Mbox : public ::testing::Test {
  protected:
    void SetUp() override { write_file(root.path() / "alice", mbox_text); }
    TempDir root;
    MboxStore store{root.path()};
};

TEST_F(Mbox, ParsesSeparatorsAndUnquotesFrom) {
    std::error_code ec;
    auto drop = store.lock("alice", ec);
    ASSERT_TRUE(drop) << ec.message();
    ASSERT_EQ(drop->messages().size(), 3U);
    EXPECT_EQ(read_message(*drop, 1), one);
    EXPECT_EQ(read_message(*drop, 2), two);
    EXPECT_EQ(read_message(*drop, 3), three);
    EXPECT_EQ(read_message(*drop, 1, 1), one);  // byte at a time across the removed '>'
    EXPECT_EQ(drop->messages()[0].size, size_as_sent(one));
    EXPECT_EQ(drop->messages()[1].size, size_as_sent(two));
    EXPECT_EQ(drop->messages()[2].size, size_as_sent(three));
    EXPECT_EQ(drop->messages()[1].uid, "uid-two");
    EXPECT_EQ(drop->messages()[0].uid.size(), 33U);
    EXPECT_NE(drop->messages()[0].uid, drop->messages()[2].uid);
}

TEST_F(Mbox, CommitRewritesAtomicallyKeepingOthersByteForByte) {
    std::error_code ec;
    std::string uid_three;
    {
        auto drop = store.lock("alice", ec);
        uid_three = drop->messages()[2].uid;
        const std::size_t deleted[] = {2};
        EXPECT_FALSE(drop->commit(deleted));
    }
    const std::string rewritten = read_file(root.path() / "alice");
    const std::string expected =
        mbox_text.substr(0, mbox_text.find("From bob")) + mbox_text.substr(mbox_text.find("From carol"));
    EXPECT_EQ(rewritten, expected);
    EXPECT_FALSE(std::filesystem::exists(root.path() / ".alice.pop3spec-new"));
    auto drop = store.lock("alice", ec);
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_EQ(read_message(*drop, 1), one);
    EXPECT_EQ(read_message(*drop, 2), three);
    EXPECT_EQ(drop->messages()[1].uid, uid_three);  // hash ids survive the deletion of others
}

TEST_F(Mbox, MailAppendedDuringSessionIsKept) {
    std::error_code ec;
    auto drop = store.lock("alice", ec);
    {
        std::ofstream append(root.path() / "alice", std::ios::app | std::ios::binary);
        append << "\nFrom dave@example.org Sat Jan  1 00:00:03 2000\nSubject: four\n\nlate\n";
    }
    const std::size_t deleted[] = {1, 2, 3};
    EXPECT_FALSE(drop->commit(deleted));
    drop.reset();
    drop = store.lock("alice", ec);
    ASSERT_TRUE(drop) << ec.message();
    ASSERT_EQ(drop->messages().size(), 1U);
    EXPECT_EQ(read_message(*drop, 1), "Subject: four\n\nlate\n");
}

TEST_F(Mbox, IdenticalCopiesGetDistinctIds) {
    write_file(root.path() / "twins",
               "From x Sat Jan  1 00:00:00 2000\n\nsame\n\nFrom x Sat Jan  1 00:00:00 2000\n\nsame\n");
    std::error_code ec;
    auto drop = store.lock("twins", ec);
    ASSERT_TRUE(drop) << ec.message();
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_NE(drop->messages()[0].uid, drop->messages()[1].uid);
    EXPECT_EQ(read_message(*drop, 1), "\nsame\n");
    EXPECT_EQ(read_message(*drop, 2), "\nsame\n");
}

TEST_F(Mbox, MissingFileIsEmptyAndGarbageIsPermanent) {
    std::error_code ec;
    auto drop = store.lock("nobody", ec);
    ASSERT_TRUE(drop);
    EXPECT_TRUE(drop->messages().empty());
    write_file(root.path() / "garbage", "not an mbox\n");
    EXPECT_FALSE(store.lock("garbage", ec));
    EXPECT_EQ(ec, StoreErrc::permanent);
    std::filesystem::create_directory(root.path() / "folder");
    EXPECT_FALSE(store.lock("folder", ec));
    EXPECT_EQ(ec, StoreErrc::permanent);
}

TEST_F(Mbox, LockIsExclusive) {
    std::error_code ec;
    auto first = store.lock("alice", ec);
    ASSERT_TRUE(first);
    MboxStore other(root.path());
    EXPECT_FALSE(other.lock("alice", ec));
    EXPECT_EQ(ec, StoreErrc::in_use);
}

TEST_F(Mbox, CrlfMbox) {
    write_file(root.path() / "crlf",
               "From x Sat Jan  1 00:00:00 2000\r\nSubject: a\r\n\r\nbody\r\n\r\nFrom y Sat Jan  1 00:00:00 "
               "2000\r\nSubject: b\r\n\r\nbody2\r\n");
    std::error_code ec;
    auto drop = store.lock("crlf", ec);
    ASSERT_TRUE(drop) << ec.message();
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_EQ(read_message(*drop, 1), "Subject: a\r\n\r\nbody\r\n");
    EXPECT_EQ(read_message(*drop, 2), "Subject: b\r\n\r\nbody2\r\n");
}

}  // namespace
}  // namespace pop3::server::test
