#pragma once
// Seeding strategies: put the fixture messages into an account's maildrop before scenarios that need known content
// (and before every destructive one). For third-party servers: a Maildir, an mbox file, or a shell hook.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "scenario/fixtures.hpp"

namespace pop3::scenario {

/// What one seeding did.
struct SeedResult {
    bool ok = false;
    std::string output;  ///< what a hook printed (bounded), or a short description
    std::string error;   ///< why it failed
};

/// A way to (re)seed an account's maildrop with the fixtures, replacing what was there.
class Seeder {
  public:
    virtual ~Seeder() = default;
    /// "maildir", "mbox", "cmd", "embedded", ...
    virtual std::string name() const = 0;
    /// Replaces the maildrop of `user` with the fixtures. Never throws.
    virtual SeedResult seed(const std::string& user, const Fixtures& fixtures) = 0;
};

/// Writes the fixtures into a Maildir (new/), removing every message in new/ and cur/ first. `{user}` in the path
/// is replaced by the account name. File names sort in manifest order, so servers that number new mail by name
/// (Dovecot) give fixture k number k.
std::unique_ptr<Seeder> make_maildir_seeder(std::string dir_pattern);

/// Rewrites an mbox file (From_ lines, ">From " quoting, LF line ends) holding the fixtures. `{user}` as above.
std::unique_ptr<Seeder> make_mbox_seeder(std::string file_pattern);

/// Runs `/bin/sh -c command` with POP3SPEC_FIXTURES (the folder of .eml files), POP3SPEC_FIXTURES_LIST (the files
/// in order, one per line) and POP3SPEC_USER (the account) in its environment. A non-zero exit status or a run
/// longer than `timeout` fails; stdout and stderr are kept (at most 64 KiB).
std::unique_ptr<Seeder> make_command_seeder(std::string command,
                                            std::chrono::milliseconds timeout = std::chrono::minutes(2));

/// A seeder from a function (the CLI's embedded reference server resets its store this way).
std::unique_ptr<Seeder> make_function_seeder(std::string name,
                                             std::function<SeedResult(const std::string&, const Fixtures&)> fn);

}  // namespace pop3::scenario
