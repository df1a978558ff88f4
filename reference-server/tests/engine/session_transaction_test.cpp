// TRANSACTION and UPDATE states: STAT, LIST, UIDL, RETR, TOP, DELE, NOOP, RSET, QUIT; message-number edge cases.
#include "harness.hpp"
#include "pop3/dot_stuffing.hpp"

namespace pop3::server::test {
namespace {

class Transaction : public ::testing::Test {
  protected:
    void SetUp() override {
        h.seed();
        h.connect();
        ASSERT_TRUE(starts_with(h.login(), "+OK"));
    }
    std::uint64_t total() const { return size_as_sent(m1) + size_as_sent(m2) + size_as_sent(m3()); }
    Harness h;
};

TEST_F(Transaction, StatCountsAndSizesWithCrlf) {
    EXPECT_EQ(h.send("STAT\r\n"), "+OK 3 " + std::to_string(total()) + "\r\n");
    EXPECT_EQ(size_as_sent(m1), m1.size() + 7);  // seven LF-only lines, each sent as CRLF
}

TEST_F(Transaction, ListAllAndOne) {
    const auto l = lines(h.send("LIST\r\n"));
    ASSERT_EQ(l.size(), 5U);
    EXPECT_TRUE(starts_with(l[0], "+OK"));
    EXPECT_EQ(l[1], "1 " + std::to_string(size_as_sent(m1)));
    EXPECT_EQ(l[2], "2 " + std::to_string(size_as_sent(m2)));
    EXPECT_EQ(l[3], "3 " + std::to_string(size_as_sent(m3())));
    EXPECT_EQ(l[4], ".");
    EXPECT_EQ(h.send("LIST 2\r\n"), "+OK 2 " + std::to_string(size_as_sent(m2)) + "\r\n");
}

TEST_F(Transaction, UidlAllAndOne) {
    EXPECT_EQ(h.send("UIDL\r\n"), "+OK unique-id listing follows\r\n1 m1\r\n2 m2\r\n3 m3\r\n.\r\n");
    EXPECT_EQ(h.send("UIDL 3\r\n"), "+OK 3 m3\r\n");
}

TEST_F(Transaction, BadMessageNumbers) {
    for (const char* arg : {"0", "4", "-1", "+1", "01x", "1x", "x", "4294967297", "18446744073709551617",
                            "99999999999999999999999", "1.0"}) {
        for (const char* cmd : {"LIST", "UIDL", "RETR", "DELE"}) {
            const std::string line = std::string(cmd) + " " + arg + "\r\n";
            EXPECT_TRUE(starts_with(h.send(line), "-ERR")) << line;
        }
        const std::string top = std::string("TOP ") + arg + " 1\r\n";
        EXPECT_TRUE(starts_with(h.send(top), "-ERR")) << top;
        EXPECT_TRUE(starts_with(h.send("NOOP\r\n"), "+OK"));  // the session goes on (and the bad counter resets)
    }
    EXPECT_EQ(h.send("STAT\r\n"), "+OK 3 " + std::to_string(total()) + "\r\n");  // nothing was deleted by those
}

TEST_F(Transaction, BadArgumentCounts) {
    for (const char* cmd : {"RETR", "RETR 1 2", "DELE", "DELE 1 2", "TOP", "TOP 1", "TOP 1 2 3", "LIST 1 2", "UIDL 1 2",
                            "STAT x", "NOOP x", "RSET x", "QUIT x", "TOP 1 -1", "TOP 1 x"}) {
        EXPECT_TRUE(starts_with(h.send(std::string(cmd) + "\r\n"), "-ERR")) << cmd;
        EXPECT_TRUE(starts_with(h.send("NOOP\r\n"), "+OK"));
    }
    EXPECT_EQ(h.session->state(), SessionState::transaction);
}

TEST_F(Transaction, RetrStuffsDotsAndNormalisesLineEnds) {
    const std::string out = h.send("RETR 2\r\n");
    EXPECT_EQ(out,
              "+OK " + std::to_string(size_as_sent(m2)) +
                  " octets\r\nSubject: M2\r\n\r\n..\r\n...\r\n..leading\r\n.. space\r\nmiddle.\r\n\r\nend\r\n.\r\n");
}

TEST_F(Transaction, RetrWithoutFinalLineEndGetsCrlfBeforeTerminator) {
    h.send("QUIT\r\n");
    h.store.add("carol", "Subject: x\n\nno newline at end");
    h.config_->users.emplace("carol", "pw");
    h.connect();
    h.login("carol", "pw");
    const std::string out = h.send("RETR 1\r\n");
    EXPECT_TRUE(out.ends_with("no newline at end\r\n.\r\n")) << out;
}

TEST_F(Transaction, TopHeaderAndLines) {
    EXPECT_EQ(h.send("TOP 3 2\r\n"), "+OK top of message follows\r\nSubject: M3\r\n\r\nline 01\r\nline 02\r\n.\r\n");
    EXPECT_EQ(h.send("TOP 3 0\r\n"), "+OK top of message follows\r\nSubject: M3\r\n\r\n.\r\n");
    const std::string all = h.send("TOP 3 99999999999999999999999\r\n");
    EXPECT_TRUE(all.ends_with("line 10\r\n.\r\n")) << all;
    EXPECT_EQ(lines(h.send("TOP 3 100\r\n")).size(), 1U + 2U + 10U + 1U);
}

TEST_F(Transaction, DeleHidesMessageUntilRset) {
    EXPECT_TRUE(starts_with(h.send("DELE 1\r\n"), "+OK"));
    EXPECT_TRUE(starts_with(h.send("DELE 1\r\n"), "-ERR"));  // D1: already deleted
    for (const char* cmd : {"RETR 1", "TOP 1 0", "LIST 1", "UIDL 1"}) {
        EXPECT_TRUE(starts_with(h.send(std::string(cmd) + "\r\n"), "-ERR")) << cmd;
    }
    EXPECT_EQ(h.send("STAT\r\n"), "+OK 2 " + std::to_string(total() - size_as_sent(m1)) + "\r\n");
    const auto list = lines(h.send("LIST\r\n"));
    ASSERT_EQ(list.size(), 4U);
    EXPECT_TRUE(starts_with(list[1], "2 "));  // numbers never change within a session
    EXPECT_TRUE(starts_with(h.send("UIDL\r\n"), "+OK unique-id listing follows\r\n2 m2\r\n3 m3\r\n.\r\n"));
    EXPECT_TRUE(starts_with(h.send("RSET\r\n"), "+OK"));
    EXPECT_EQ(h.send("STAT\r\n"), "+OK 3 " + std::to_string(total()) + "\r\n");
    EXPECT_TRUE(starts_with(h.send("RETR 1\r\n"), "+OK"));
}

TEST_F(Transaction, QuitAppliesDeletions) {
    h.send("DELE 2\r\n");
    EXPECT_TRUE(starts_with(h.send("QUIT\r\n"), "+OK"));
    EXPECT_EQ(h.last, Session::Next::close);
    EXPECT_FALSE(h.store.locked("alice"));
    const auto left = h.store.contents("alice");
    ASSERT_EQ(left.size(), 2U);
    EXPECT_EQ(left[0], m1);
    EXPECT_EQ(left[1], m3());
    // The ids of the survivors are stable in the next session.
    h.connect();
    h.login();
    EXPECT_EQ(h.send("UIDL\r\n"), "+OK unique-id listing follows\r\n1 m1\r\n2 m3\r\n.\r\n");
}

TEST_F(Transaction, DisconnectAndTimeoutApplyNothing) {
    h.send("DELE 1\r\nDELE 2\r\n");
    h.session->disconnected();
    EXPECT_EQ(h.session->next(), Session::Next::close);
    EXPECT_EQ(h.store.contents("alice").size(), 3U);
    EXPECT_FALSE(h.store.locked("alice"));
    EXPECT_EQ(h.faulty.commits(), 0U);

    h.connect();
    h.login();
    h.send("DELE 1\r\n");
    h.session->timed_out();
    EXPECT_EQ(h.pump(), "");  // RFC 1939 §3 autologout: no reply
    EXPECT_EQ(h.last, Session::Next::close);
    EXPECT_EQ(h.store.contents("alice").size(), 3U);
    EXPECT_EQ(h.faulty.commits(), 0U);
    EXPECT_FALSE(h.store.locked("alice"));
}

TEST_F(Transaction, DestroyingSessionReleasesLockWithoutUpdate) {
    h.send("DELE 3\r\n");
    h.session.reset();
    EXPECT_FALSE(h.store.locked("alice"));
    EXPECT_EQ(h.store.contents("alice").size(), 3U);
}

TEST_F(Transaction, FailedCommitGivesSysTemp) {
    h.faulty.faults.commit_error = StoreErrc::temporary;
    h.send("DELE 1\r\n");
    EXPECT_TRUE(starts_with(h.send("QUIT\r\n"), "-ERR [SYS/TEMP]"));  // R1939-UPD-3
    EXPECT_EQ(h.last, Session::Next::close);
    EXPECT_FALSE(h.store.locked("alice"));
    EXPECT_EQ(h.store.contents("alice").size(), 3U);
}

TEST_F(Transaction, QuitWithoutDeletionsDoesNotCommit) {
    EXPECT_TRUE(starts_with(h.send("QUIT\r\n"), "+OK"));
    EXPECT_EQ(h.faulty.commits(), 0U);
}

TEST_F(Transaction, OpenFailureGivesSysCode) {
    h.faulty.faults.open_error = StoreErrc::temporary;
    EXPECT_TRUE(starts_with(h.send("RETR 1\r\n"), "-ERR [SYS/TEMP]"));
    h.faulty.faults.open_error = StoreErrc::permanent;
    EXPECT_TRUE(starts_with(h.send("TOP 1 0\r\n"), "-ERR [SYS/PERM]"));
    h.faulty.faults.open_error = {};
    EXPECT_TRUE(starts_with(h.send("RETR 1\r\n"), "+OK"));
}

TEST_F(Transaction, ReadFailureMidBodyClosesWithoutTerminator) {
    h.faulty.faults.read_fail_after = 10;
    const std::string out = h.send("RETR 1\r\nNOOP\r\n");
    EXPECT_TRUE(starts_with(out, "+OK"));
    EXPECT_FALSE(out.ends_with(".\r\n")) << out;
    EXPECT_EQ(out.find("+OK\r\n"), std::string::npos);  // the pipelined NOOP never ran
    EXPECT_EQ(h.last, Session::Next::close);
}

TEST_F(Transaction, MaxMessageSizeServed) {
    auto config = Harness::default_config();
    config->max_message_size = 100;
    Harness small(config);
    small.seed();
    small.connect();
    small.login();
    EXPECT_TRUE(starts_with(small.send("RETR 3\r\n"), "-ERR [SYS/PERM]"));
    EXPECT_TRUE(starts_with(small.send("RETR 2\r\n"), "+OK"));
}

TEST_F(Transaction, PipelinedCommandsAnsweredInOrder) {
    const std::string out = h.send("STAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nUIDL\r\nNOOP\r\nRSET\r\nSTAT\r\n");
    const auto l = lines(out);
    ASSERT_FALSE(l.empty());
    EXPECT_TRUE(starts_with(l[0], "+OK 3 "));
    const std::string expected_tail = "+OK 3 " + std::to_string(total()) + "\r\n";
    EXPECT_TRUE(out.ends_with(expected_tail)) << out;
    EXPECT_NE(out.find("+OK message 1 deleted\r\n+OK unique-id listing follows\r\n2 m2\r\n3 m3\r\n.\r\n+OK\r\n"),
              std::string::npos)
        << out;
}

TEST_F(Transaction, PipelinedBytesSplitAnywhere) {
    const std::string script = "STAT\r\nLIST\r\nRETR 2\r\nTOP 3 1\r\nUIDL 2\r\nDELE 3\r\nSTAT\r\nRSET\r\n";
    const std::string whole = h.send(script);
    for (std::size_t step : {1U, 2U, 3U, 7U, 13U}) {
        Harness other;
        other.seed();
        other.connect();
        other.login();
        std::string out;
        for (std::size_t i = 0; i < script.size(); i += step)
            out += other.send(script.substr(i, step));
        EXPECT_EQ(out, whole) << "step " << step;
    }
}

TEST_F(Transaction, RsetThenQuitDeletesNothing) {
    h.send("DELE 1\r\nDELE 3\r\nRSET\r\n");
    EXPECT_TRUE(starts_with(h.send("QUIT\r\n"), "+OK"));  // R1939-RSET-3
    EXPECT_EQ(h.store.contents("alice").size(), 3U);
    EXPECT_EQ(h.faulty.commits(), 0U);
}

TEST_F(Transaction, MailArrivingDuringTheSessionIsInvisibleAndKept) {
    h.store.add("alice", "Subject: late\n\nlate\n");  // R1939-NUM-3
    EXPECT_EQ(h.send("STAT\r\n"), "+OK 3 " + std::to_string(total()) + "\r\n");
    EXPECT_TRUE(starts_with(h.send("RETR 4\r\n"), "-ERR"));
    h.send("DELE 1\r\nQUIT\r\n");
    const auto left = h.store.contents("alice");
    ASSERT_EQ(left.size(), 3U);
    EXPECT_EQ(left.back(), "Subject: late\n\nlate\n");
}

TEST(TransactionEmpty, EmptyMaildropListsAreJustTheTerminator) {
    Harness h;
    h.connect();
    ASSERT_TRUE(starts_with(h.login("empty", "secret"), "+OK maildrop has 0 messages (0 octets)"));
    EXPECT_EQ(h.send("STAT\r\n"), "+OK 0 0\r\n");
    EXPECT_EQ(h.send("LIST\r\n"), "+OK 0 messages (0 octets)\r\n.\r\n");  // R1939-LIST-2
    EXPECT_EQ(h.send("UIDL\r\n"), "+OK unique-id listing follows\r\n.\r\n");
    EXPECT_TRUE(starts_with(h.send("LIST 1\r\n"), "-ERR"));
    EXPECT_TRUE(starts_with(h.send("QUIT\r\n"), "+OK"));
}

TEST_F(Transaction, BareLfEndsACommand) {
    EXPECT_TRUE(starts_with(h.send("STAT\n"), "+OK 3 "));  // D5: tolerated
}

TEST_F(Transaction, EveryReplyLineWithin512Octets) {
    const std::string out = h.send("STAT\r\nLIST\r\nUIDL\r\nCAPA\r\nLIST 1\r\nUIDL 1\r\nDELE 1\r\nRSET\r\nNOOP\r\n");
    for (const auto& line : lines(out))
        EXPECT_LE(line.size() + 2, 512U) << line;
}

}  // namespace
}  // namespace pop3::server::test
