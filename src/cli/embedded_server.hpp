#pragma once
// The embedded default target of `pop3spec run`: the reference server in-process on ephemeral loopback ports, with
// a temporary Maildir store seeded with the fixtures, a throwaway self-signed certificate (STLS and implicit TLS),
// and the standard accounts (alice, bob, empty; password "secret"), one set per parallel worker.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "scenario/executor.hpp"
#include "scenario/seeding.hpp"

namespace pop3::cli {

/// True when this build links the reference server (pop3spec::server existed at configure time).
bool embedded_server_available();

/// A running embedded reference server; stopped and its temporary folder removed on destruction.
class EmbeddedServer {
  public:
    /// Starts it with `account_sets` sets of accounts (worker k > 0 gets alice-k, bob-k, empty-k).
    static std::unique_ptr<EmbeddedServer> start(unsigned account_sets, bool verbose, std::string& error);
    virtual ~EmbeddedServer() = default;

    virtual std::uint16_t plain_port() const = 0;
    /// 0 when TLS could not be set up.
    virtual std::uint16_t implicit_tls_port() const = 0;
    virtual std::vector<scenario::AccountSet> accounts() const = 0;
    /// Rewrites an account's Maildir with the fixtures.
    virtual scenario::Seeder& seeder() = 0;
};

}  // namespace pop3::cli
