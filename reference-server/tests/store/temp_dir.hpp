// A temporary folder for one test, removed afterwards; and small file helpers.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/store.hpp"

namespace pop3::server::test {

class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "pop3spec-store-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out << content;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string content(static_cast<std::size_t>(std::filesystem::file_size(path)), '\0');
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    return content;
}

/// Reads a whole message through the store's reader, in small chunks to exercise chunk boundaries.
inline std::string read_message(Maildrop& drop, std::size_t number, std::size_t chunk = 7) {
    std::error_code ec;
    auto reader = drop.open(number, ec);
    EXPECT_TRUE(reader) << ec.message();
    if (!reader) return {};
    std::string out;
    std::string buffer(chunk, '\0');
    for (;;) {
        const std::size_t n = reader->read(std::span<char>(buffer.data(), buffer.size()), ec);
        EXPECT_FALSE(ec) << ec.message();
        if (n == 0) break;
        out.append(buffer.data(), n);
    }
    return out;
}

}  // namespace pop3::server::test
