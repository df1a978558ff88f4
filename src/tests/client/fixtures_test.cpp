// The standard fixtures (scenarios/fixtures/): the manifest agrees with the files and with the core's idea of the
// size as sent, and each message survives a RETR round trip (stuffed by the core's DotStuffer, read by the client).
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "client_test_support.hpp"
#include "pop3/dot_stuffing.hpp"

namespace pop3::client {
namespace {

using namespace test;
using pop3::testing::ScriptedServer;

const std::string kDir = std::string(POP3SPEC_SOURCE_DIR) + "/scenarios/fixtures/";

struct Entry {
    int number = 0;
    std::string file;
    std::uint64_t size = 0;
    std::uint64_t body_lines = 0;
    std::string sha256;
};

std::string slurp(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

// A deliberately small reader for the generated manifest (one "key: value" per line).
std::vector<Entry> manifest() {
    std::vector<Entry> out;
    std::istringstream in(slurp(kDir + "fixtures.yaml"));
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos || line.rfind("#", 0) == 0) continue;
        std::string key = line.substr(0, colon);
        std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : std::string();
        if (key == "  - number") {
            out.emplace_back();
            out.back().number = std::stoi(value);
        } else if (!out.empty() && key == "    file") {
            out.back().file = value;
        } else if (!out.empty() && key == "    size") {
            out.back().size = std::stoull(value);
        } else if (!out.empty() && key == "    body_lines") {
            out.back().body_lines = std::stoull(value);
        } else if (!out.empty() && key == "    sha256") {
            out.back().sha256 = value;
        }
    }
    return out;
}

// The message as sent, unstuffed: CRLF line ends, final CRLF added if missing.
std::string as_sent(const std::string& stored) {
    std::string out;
    for (std::size_t i = 0; i < stored.size(); ++i) {
        if (stored[i] == '\n' && (i == 0 || stored[i - 1] != '\r')) out += '\r';
        out += stored[i];
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    std::string hex;
    char buf[3];
    for (unsigned int i = 0; i < len; ++i) {
        std::snprintf(buf, sizeof buf, "%02x", md[i]);
        hex += buf;
    }
    return hex;
}

std::size_t longest_line(std::string_view text) {
    std::size_t best = 0;
    while (!text.empty()) {
        auto end = text.find("\r\n");
        best = std::max(best, end == std::string_view::npos ? text.size() : end);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 2);
    }
    return best;
}

TEST(ClientFixtures, ManifestListsSevenMessagesInOrder) {
    auto entries = manifest();
    ASSERT_EQ(entries.size(), 7u);
    for (std::size_t i = 0; i < entries.size(); ++i)
        EXPECT_EQ(entries[i].number, static_cast<int>(i + 1));
    EXPECT_EQ(entries[0].file, "m1-short.eml");
    EXPECT_EQ(entries[4].file, "m5-large-1mib.eml");
}

TEST(ClientFixtures, SizesAgreeWithTheCoreAndDigestsWithTheFiles) {
    // R1939-LIST-7: the manifest's size is what LIST must report, and the core computes the same.
    for (const auto& e : manifest()) {
        const std::string stored = slurp(kDir + e.file);
        ASSERT_FALSE(stored.empty()) << e.file;
        EXPECT_EQ(pop3::size_as_sent(stored), e.size) << e.file;
        const std::string wire = as_sent(stored);
        EXPECT_EQ(wire.size(), e.size) << e.file;
        EXPECT_EQ(sha256_hex(wire), e.sha256) << e.file;
    }
}

TEST(ClientFixtures, FilesAreCrlfAndHaveTheirFeatures) {
    for (const auto& e : manifest()) {
        const std::string stored = slurp(kDir + e.file);
        for (std::size_t i = 0; i < stored.size(); ++i) {
            if (stored[i] == '\n') {
                ASSERT_TRUE(i > 0 && stored[i - 1] == '\r') << e.file << " has a bare LF";
            }
        }
    }
    const std::string m2 = slurp(kDir + "m2-dot-lines.eml");
    EXPECT_NE(m2.find("\r\n\r\n.\r\n..\r\n.x\r\n.leading\r\n. space\r\nmiddle.\r\n\r\nend\r\n"), std::string::npos);
    EXPECT_EQ(slurp(kDir + "m5-large-1mib.eml").size(), 1u << 20);
    EXPECT_EQ(longest_line(slurp(kDir + "m5-large-1mib.eml")), 3000u);
    EXPECT_GT(longest_line(slurp(kDir + "m6-utf8-long-line.eml")), 1000u);
    const std::string m7 = slurp(kDir + "m7-no-final-newline.eml");
    EXPECT_NE(m7.substr(m7.size() - 2), "\r\n");
    const std::string m4 = slurp(kDir + "m4-headers-only.eml");
    EXPECT_EQ(m4.substr(m4.size() - 4), "\r\n\r\n");
}

TEST(ClientFixtures, EachMessageSurvivesARetrRoundTrip) {
    auto entries = manifest();
    ScriptedServer server;
    for (const auto& e : entries) {
        std::string wire = "+OK " + std::to_string(e.size) + " octets\r\n";
        pop3::DotStuffer stuffer;
        stuffer.encode(slurp(kDir + e.file), wire);
        stuffer.finish(wire);
        server.on("RETR " + std::to_string(e.number), wire);
    }
    Transcript t;
    auto c = connect_to(server, t);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->read_greeting());
    for (const auto& e : entries) {
        ASSERT_TRUE(c->send_line("RETR " + std::to_string(e.number)));
        auto r = c->read_reply(pop3::ReplyKind::multi_line_if_ok);
        ASSERT_TRUE(r) << e.file << ": " << r.error().to_string();
        EXPECT_TRUE(r->violations.empty()) << e.file;
        EXPECT_EQ(r->body, as_sent(slurp(kDir + e.file))) << e.file;
        EXPECT_EQ(r->body_octets, e.size) << e.file;
    }
}

}  // namespace
}  // namespace pop3::client
