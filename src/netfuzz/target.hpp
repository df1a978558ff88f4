// The server under test: a running one given by address, or one pop3spec starts itself (`--server-cmd`) on a
// loopback port and watches like a network fuzzer's process monitor: exit status, signals, sanitizer reports on
// stderr, restart after a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "client/connection.hpp"

namespace pop3::netfuzz {

/// A fuzz target. Methods may be called from several worker threads.
class Target {
  public:
    virtual ~Target() = default;

    /// Where to connect now (the port changes when a started server is restarted).
    virtual pop3::client::Endpoint endpoint() const = 0;

    /// Brings the target to a fresh state: restarts a started server (new process, new port), or runs the seed
    /// command for a given one. False with `error` set when that failed.
    virtual bool restart(std::string& error) = 0;

    /// Refills the maildrops: runs the seed command when there is one (the server keeps running), else restarts a
    /// started server; a target given by address without a seed command cannot be refilled (false, `error` set).
    virtual bool reseed(std::string& error) = 0;

    /// Whether restart() gives a fresh server (a started process) rather than only a reseed.
    virtual bool fresh_on_restart() const = 0;

    /// A description when the target is dead: "killed by signal 6 (SIGABRT)", "exited with status 1", "no longer
    /// accepts connections: ...". `probe`: also try a connection and a greeting (for a target given by address).
    virtual std::optional<std::string> dead(bool probe) = 0;

    /// The first sanitizer report (AddressSanitizer, UndefinedBehaviorSanitizer, ...) on the target's stderr since
    /// the last restart, if any (bounded excerpt).
    virtual std::optional<std::string> sanitizer_report() = 0;

    /// Increases on every restart: findings of workers that raced a restart are told apart.
    virtual std::uint64_t generation() const = 0;
};

/// A target given by address. `seed_cmd` (may be empty) is run by restart() through /bin/sh to reseed the maildrop.
std::unique_ptr<Target> make_address_target(pop3::client::Endpoint endpoint, std::string seed_cmd);

/// Options of a started target.
struct ProcessTargetOptions {
    /// Run through /bin/sh -c. "{port}" is replaced by a free loopback port; without it the command must print its
    /// address ("127.0.0.1:PORT" or "[::1]:PORT") on stdout within `start_timeout`.
    std::string command;
    /// Run after each start (through /bin/sh), e.g. to seed a maildrop; "{port}" is substituted too. May be empty.
    std::string seed_cmd;
    std::chrono::milliseconds start_timeout{10000};
};

/// Starts the server (throws nothing: check `error`). The process runs in its own process group and is killed
/// (SIGKILL to that group) on restart and destruction.
std::unique_ptr<Target> start_process_target(ProcessTargetOptions options, std::string& error);

/// A free TCP port on 127.0.0.1 (bound to port 0, then released); 0 on failure.
std::uint16_t free_loopback_port();

/// Scans stderr text for a sanitizer report ("ERROR: AddressSanitizer", "runtime error:", "WARNING:
/// ThreadSanitizer", "ERROR: LeakSanitizer", ...); returns an excerpt from the marker on.
std::optional<std::string> find_sanitizer_report(const std::string& text);

}  // namespace pop3::netfuzz
