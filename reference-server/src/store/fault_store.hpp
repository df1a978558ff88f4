// A test-only Store decorator that injects failures (R1939-AUTHZ-5 [SYS/PERM], R1939-UPD-3 [SYS/TEMP]). Never in
// the shipped server's default path; tests and the conformance suite's server mutants wrap a real store with it.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <system_error>

#include "store/store.hpp"

namespace pop3::server {

/// Which failures to inject. Settings are read at each call, so a test may change them between sessions.
struct StoreFaults {
    /// lock() fails with this error (e.g. StoreErrc::temporary or permanent); empty: no failure.
    std::error_code lock_error;
    /// Maildrop::open() fails with this error.
    std::error_code open_error;
    /// Maildrop::commit() fails with this error, applying nothing.
    std::error_code commit_error;
    /// A MessageReader fails (StoreErrc::temporary) after delivering this many octets.
    std::uint64_t read_fail_after = std::numeric_limits<std::uint64_t>::max();
};

/// Wraps another store and fails where StoreFaults says. Counts commits for tests that check UPDATE happened or not.
class FaultStore final : public Store {
  public:
    /// `inner` must outlive this store and every maildrop it hands out.
    explicit FaultStore(Store& inner) : inner_(inner) {}

    std::unique_ptr<Maildrop> lock(std::string_view user, std::error_code& ec) override;

    /// The failures to inject (not synchronised: set them while no session runs).
    StoreFaults faults;

    /// How many times commit() was called on maildrops of this store (successful or not).
    [[nodiscard]] unsigned commits() const noexcept { return commits_.load(); }

  private:
    class Drop;
    Store& inner_;
    std::atomic<unsigned> commits_{0};
};

}  // namespace pop3::server
