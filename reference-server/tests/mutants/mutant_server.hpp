#pragma once
// A reference server for the mutation self-test: the real transport (transport/server.hpp) over a temporary Maildir,
// with a throwaway certificate (STLS and implicit TLS), the suite's standard accounts and the given SessionFault bits
// (ServerConfig::test_session_faults), on ephemeral loopback ports. The same set-up as `pop3spec run`'s embedded
// server (src/cli/embedded_server.cpp), so the clean run here agrees with the CLI's.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "scenario/executor.hpp"
#include "scenario/seeding.hpp"

namespace pop3::server {
class Server;
}

namespace pop3::server::mutants {

/// A running server with faults; stopped and its folder removed on destruction.
class MutantServer {
  public:
    /// Starts it with `account_sets` sets of accounts (set k > 0: alice-k, bob-k, empty-k; password "secret").
    /// `cert` and `key` may be empty (then no TLS). Returns null and sets `error` on failure.
    static std::unique_ptr<MutantServer> start(std::uint64_t faults, unsigned account_sets,
                                               const std::filesystem::path& cert, const std::filesystem::path& key,
                                               std::string& error);
    ~MutantServer();
    MutantServer(const MutantServer&) = delete;
    MutantServer& operator=(const MutantServer&) = delete;

    std::uint16_t plain_port() const noexcept { return plain_; }
    /// 0 without TLS.
    std::uint16_t implicit_tls_port() const noexcept { return implicit_; }
    const std::vector<scenario::AccountSet>& accounts() const noexcept { return accounts_; }
    /// Rewrites an account's Maildir with the fixtures.
    scenario::Seeder& seeder() noexcept { return *seeder_; }

  private:
    MutantServer() = default;

    std::filesystem::path dir_;
    std::unique_ptr<Server> server_;
    std::unique_ptr<scenario::Seeder> seeder_;
    std::vector<scenario::AccountSet> accounts_;
    std::uint16_t plain_ = 0;
    std::uint16_t implicit_ = 0;
};

}  // namespace pop3::server::mutants
