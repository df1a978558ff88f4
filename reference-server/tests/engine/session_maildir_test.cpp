// The engine over a real Maildir: a 1 GiB message streamed in bounded chunks with bounded memory, and UPDATE on disk.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.hpp"
#include "store/maildir_store.hpp"
#include "store/mbox_store.hpp"

namespace pop3::server::test {
namespace {

namespace fs = std::filesystem;

class TempRoot {
  public:
    TempRoot() {
        std::string pattern = (fs::temp_directory_path() / "pop3spec-engine-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path = pattern;
    }
    ~TempRoot() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempRoot(const TempRoot&) = delete;
    TempRoot& operator=(const TempRoot&) = delete;
    fs::path path;
};

long peak_rss_kib() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

std::string run(Session& s, std::string_view bytes) {
    return drive(s, bytes);
}

TEST(SessionMaildir, GibibyteMessageStreamsInBoundedChunksAndMemory) {
    TempRoot root;
    fs::create_directories(root.path / "alice/cur");
    const fs::path file = root.path / "alice/cur/1000.big.host:2,";
    {
        std::ofstream out(file, std::ios::binary);
        out << "Subject: big\n\n";
    }
    constexpr std::uint64_t gib = std::uint64_t{1} << 30;
    fs::resize_file(file, gib);  // sparse: the rest reads as NUL octets (one long line), costing no disk
    MaildirStore store(root.path);
    auto config = Harness::default_config();
    Session session(config, store);
    session.start();
    run(session, "");
    ASSERT_NE(run(session, "USER alice\r\nPASS secret\r\n").find("+OK maildrop has 1 messages"), std::string::npos);
    // Size as sent: two LF become CRLF, and the last line gets the CRLF it lacks.
    EXPECT_EQ(run(session, "LIST 1\r\n"), "+OK 1 " + std::to_string(gib + 2 + 2) + "\r\n");
    const long rss_before = peak_rss_kib();
    session.feed("RETR 1\r\n");
    std::uint64_t octets = 0;
    std::size_t max_chunk = 0;
    std::string tail;
    while (session.next() == Session::Next::write) {
        const std::string_view chunk = session.pending_output();
        octets += chunk.size();
        max_chunk = std::max(max_chunk, chunk.size());
        tail = std::string(chunk.substr(chunk.size() > 8 ? chunk.size() - 8 : 0));
        session.consume_output(chunk.size());
    }
    const std::string status = "+OK " + std::to_string(gib + 4) + " octets\r\n";
    EXPECT_EQ(octets, status.size() + gib + 4 + 3);
    EXPECT_TRUE(tail.ends_with("\r\n.\r\n"));
    EXPECT_LE(max_chunk, 2 * config->stream_chunk + 512);
    // Never held whole: the peak grows by far less than the message (a little for buffers, nothing like 1 GiB).
    EXPECT_LT(peak_rss_kib() - rss_before, 64 * 1024) << "peak RSS grew by " << peak_rss_kib() - rss_before << " KiB";
    EXPECT_EQ(run(session, "TOP 1 0\r\n"), "+OK top of message follows\r\nSubject: big\r\n\r\n.\r\n");
}

TEST(SessionMaildir, QuitDeletesFilesDisconnectDoesNot) {
    TempRoot root;
    fs::create_directories(root.path / "alice/new");
    for (int i = 1; i <= 3; ++i) {
        std::ofstream(root.path / ("alice/new/100" + std::to_string(i) + ".m.host"))
            << "Subject: " << i << "\n\nbody\n";
    }
    MaildirStore store(root.path);
    auto config = Harness::default_config();
    {
        Session session(config, store);
        session.start();
        run(session, "USER alice\r\nPASS secret\r\nDELE 1\r\nDELE 2\r\n");
        session.disconnected();
    }
    const auto count = [&] {
        return std::distance(fs::directory_iterator(root.path / "alice/cur"), fs::directory_iterator());
    };
    EXPECT_EQ(count(), 3);
    Session session(config, store);
    session.start();
    const std::string out = run(session, "USER alice\r\nPASS secret\r\nUIDL\r\nDELE 2\r\nQUIT\r\n");
    EXPECT_NE(out.find("\r\n1 1001.m.host\r\n2 1002.m.host\r\n3 1003.m.host\r\n.\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("+OK bye (1 messages deleted)"), std::string::npos) << out;
    EXPECT_EQ(count(), 2);
    EXPECT_EQ(session.next(), Session::Next::close);
}

TEST(SessionMbox, RetrUnquotesAndStuffsThenQuitRewrites) {
    TempRoot root;
    std::ofstream(root.path / "alice")
        << "From a@example.org Sat Jan  1 00:00:00 2000\nSubject: one\n\n>From here\n.dot\n\n"
           "From b@example.org Sat Jan  1 00:00:01 2000\nSubject: two\n\nbye\n";
    MboxStore store(root.path);
    auto config = Harness::default_config();
    Session session(config, store);
    session.start();
    run(session, "");
    const std::string out = run(session, "USER alice\r\nPASS secret\r\nRETR 1\r\nDELE 1\r\nQUIT\r\n");
    EXPECT_NE(out.find("+OK 33 octets\r\nSubject: one\r\n\r\nFrom here\r\n..dot\r\n.\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find("+OK bye (1 messages deleted)"), std::string::npos) << out;
    std::ifstream in(root.path / "alice", std::ios::binary);
    std::string left(static_cast<std::size_t>(fs::file_size(root.path / "alice")), '\0');
    in.read(left.data(), static_cast<std::streamsize>(left.size()));
    EXPECT_EQ(left, "From b@example.org Sat Jan  1 00:00:01 2000\nSubject: two\n\nbye\n");
}

TEST(SessionMbox, DestroyedMidBodyReleasesEverything) {
    TempRoot root;
    {
        std::ofstream out(root.path / "alice");
        out << "From a@example.org Sat Jan  1 00:00:00 2000\nSubject: big\n\n";
        for (int i = 0; i < 20000; ++i)
            out << ">From line " << i << "\n";
    }
    MboxStore store(root.path);
    auto config = Harness::default_config();
    {
        Session session(config, store);
        session.start();
        run(session, "");
        run(session, "USER alice\r\nPASS secret\r\n");
        session.feed("RETR 1\r\n");
        ASSERT_EQ(session.next(), Session::Next::write);
        session.consume_output(10);
    }  // destroyed with the body half sent: reader closed before its maildrop, lock released
    std::error_code ec;
    EXPECT_TRUE(store.lock("alice", ec)) << ec.message();
}

}  // namespace
}  // namespace pop3::server::test
