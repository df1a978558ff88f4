#include "store/memory_store.hpp"

#include <gtest/gtest.h>

#include "pop3/dot_stuffing.hpp"
#include "store/fault_store.hpp"
#include "temp_dir.hpp"

namespace pop3::server::test {
namespace {

TEST(MemoryStore, ListsSizesAsSentAndIds) {
    MemoryStore store;
    store.add("u", "a\nb\n");
    store.add("u", "c\r\n", "custom-id");
    std::error_code ec;
    auto drop = store.lock("u", ec);
    ASSERT_TRUE(drop);
    ASSERT_EQ(drop->messages().size(), 2U);
    EXPECT_EQ(drop->messages()[0].size, 6U);
    EXPECT_EQ(drop->messages()[0].uid, "m1");
    EXPECT_EQ(drop->messages()[1].uid, "custom-id");
    EXPECT_EQ(read_message(*drop, 1), "a\nb\n");
}

TEST(MemoryStore, LockIsExclusiveUntilReleased) {
    MemoryStore store;
    std::error_code ec;
    auto first = store.lock("u", ec);
    ASSERT_TRUE(first);
    EXPECT_FALSE(store.lock("u", ec));
    EXPECT_EQ(ec, StoreErrc::in_use);
    EXPECT_TRUE(store.lock("other", ec));
    first.reset();
    EXPECT_TRUE(store.lock("u", ec));
}

TEST(MemoryStore, CommitRemovesListedKeepsNewMail) {
    MemoryStore store;
    store.add("u", "1\n");
    store.add("u", "2\n");
    store.add("u", "3\n");
    std::error_code ec;
    auto drop = store.lock("u", ec);
    store.add("u", "4\n");  // delivered during the session
    const std::size_t deleted[] = {3, 1};
    EXPECT_FALSE(drop->commit(deleted));
    EXPECT_EQ(store.contents("u"), (std::vector<std::string>{"2\n", "4\n"}));
    const std::size_t bad[] = {9};
    EXPECT_EQ(drop->commit(bad), StoreErrc::no_such_message);
}

TEST(MemoryStore, ReaderSurvivesCommit) {
    MemoryStore store;
    store.add("u", "hello\n");
    std::error_code ec;
    auto drop = store.lock("u", ec);
    auto reader = drop->open(1, ec);
    const std::size_t deleted[] = {1};
    drop->commit(deleted);
    char buffer[16];
    EXPECT_EQ(reader->read(buffer, ec), 6U);
}

TEST(FaultStore, InjectsAndCounts) {
    MemoryStore store;
    store.add("u", "x\n");
    FaultStore faulty(store);
    std::error_code ec;
    faulty.faults.lock_error = StoreErrc::permanent;
    EXPECT_FALSE(faulty.lock("u", ec));
    EXPECT_EQ(ec, StoreErrc::permanent);
    faulty.faults = {};
    faulty.faults.commit_error = StoreErrc::temporary;
    auto drop = faulty.lock("u", ec);
    ASSERT_TRUE(drop);
    const std::size_t deleted[] = {1};
    EXPECT_EQ(drop->commit(deleted), StoreErrc::temporary);
    EXPECT_EQ(faulty.commits(), 1U);
    EXPECT_EQ(store.contents("u").size(), 1U);
}

TEST(SanitizeUid, AllowedAlphabetAndLength) {
    EXPECT_EQ(sanitize_uid(""), "_");
    EXPECT_EQ(sanitize_uid("a b\x01\x7f"), "a_b__");
    EXPECT_EQ(sanitize_uid(std::string(100, 'x')).size(), 70U);
}

}  // namespace
}  // namespace pop3::server::test
