// An in-memory store for tests and fuzzing: deterministic, no files, locks within the process only.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace pop3::server {

/// Maildrops held in memory. Thread-safe. Unique ids default to "m1", "m2", ... in order of addition per user.
class MemoryStore final : public Store {
  public:
    /// Appends a message (stored octets, LF or CRLF line ends, not byte-stuffed) to `user`'s maildrop. An empty
    /// `uid` assigns the next "m<n>"; a given one is used as is (the caller keeps it valid and unique).
    void add(std::string_view user, std::string content, std::string uid = {});

    /// The stored octets of `user`'s current messages, in order (what survived the commits so far).
    [[nodiscard]] std::vector<std::string> contents(std::string_view user) const;

    /// Whether `user`'s maildrop is locked right now.
    [[nodiscard]] bool locked(std::string_view user) const;

    std::unique_ptr<Maildrop> lock(std::string_view user, std::error_code& ec) override;

  private:
    class Drop;
    struct Message {
        std::shared_ptr<const std::string>
            content;  // shared with open readers, so commit never pulls it from under one
        MessageInfo info;
    };
    struct Account {
        std::vector<Message> messages;
        std::uint64_t next_uid = 1;
        bool locked = false;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Account, std::less<>> accounts_;
};

}  // namespace pop3::server
