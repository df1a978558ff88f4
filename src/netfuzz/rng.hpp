// The fuzzer's random source: xoshiro256** seeded through SplitMix64. Deterministic on every platform (std::mt19937
// is too, but its distributions are not), so `pop3spec fuzz --seed X` generates the same sessions everywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pop3::netfuzz {

/// SplitMix64 step: mixes a 64-bit value (used to derive per-session seeds from the run seed).
constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/// A small, fast, deterministic generator (xoshiro256**).
class Rng {
  public:
    explicit Rng(std::uint64_t seed) noexcept {
        for (auto& s : s_)
            s = splitmix64(seed);
    }

    /// The next 64 random bits.
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform in [0, n); 0 when n is 0.
    std::size_t below(std::size_t n) noexcept { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    /// Uniform in [lo, hi].
    std::size_t between(std::size_t lo, std::size_t hi) noexcept { return lo + below(hi - lo + 1); }
    /// True with probability percent/100.
    bool percent(unsigned percent) noexcept { return below(100) < percent; }
    /// A uniformly chosen element (precondition: not empty).
    template <class T>
    const T& pick(const std::vector<T>& v) noexcept {
        return v[below(v.size())];
    }

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

/// The seed of session `index` of a run with seed `run_seed`: independent of scheduling, so every session of a run
/// can be regenerated alone.
constexpr std::uint64_t session_seed(std::uint64_t run_seed, std::uint64_t index) noexcept {
    std::uint64_t state = run_seed ^ (index * 0xD1B54A32D192ED03ull);
    return splitmix64(state);
}

}  // namespace pop3::netfuzz
