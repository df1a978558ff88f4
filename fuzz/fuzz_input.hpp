// Shared helpers of the libFuzzer harnesses: turning fuzz bytes into typed values, splitting a payload at
// fuzzer-chosen points, and failing loudly when a property does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

/// Marks a harness's own bookkeeping (snapshots, comparisons, property checks): no coverage instrumentation, so
/// libFuzzer's feedback and per-execution cost come from the code under test, not from the checker. The library
/// code it calls keeps its instrumentation.
/// (Clang: no_sanitize("coverage"); GCC builds only replay, without coverage.)
#if defined(__clang__)
#define POP3_FUZZ_UNINSTRUMENTED __attribute__((no_sanitize("coverage")))
#else
#define POP3_FUZZ_UNINSTRUMENTED
#endif

namespace pop3::fuzz {

/// Reads typed values from the front of a fuzz input. Every read is total: an exhausted input yields zeros and empty
/// views, never an error, so any byte string is a valid input (libFuzzer mutates blindly).
class FuzzInput {
  public:
    FuzzInput(const std::uint8_t* data, std::size_t size) noexcept
        : rest_(reinterpret_cast<const char*>(data), size) {}  // NOLINT: libFuzzer hands out bytes
    explicit FuzzInput(std::string_view bytes) noexcept : rest_(bytes) {}

    /// One byte (0 when exhausted).
    std::uint8_t byte() noexcept {
        if (rest_.empty()) return 0;
        const auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }
    /// A little-endian 16-bit value.
    std::uint16_t u16() noexcept {
        const std::uint16_t lo = byte();
        return static_cast<std::uint16_t>(lo | (std::uint16_t{byte()} << 8U));
    }
    /// The low bit of one byte.
    bool flag() noexcept { return (byte() & 1U) != 0; }
    /// A value in [0, n) from one byte (n <= 256) or two bytes; 0 when n == 0.
    std::size_t below(std::size_t n) noexcept {
        if (n == 0) return 0;
        return (n <= 256 ? std::size_t{byte()} : std::size_t{u16()}) % n;
    }
    /// Up to n bytes.
    std::string_view bytes(std::size_t n) noexcept {
        std::string_view out = rest_.substr(0, n);
        rest_.remove_prefix(out.size());
        return out;
    }
    /// A length-prefixed string (one length byte, at most max octets).
    std::string_view short_string(std::size_t max = 255) noexcept { return bytes(below(max + 1)); }
    /// Everything not read yet.
    std::string_view rest() noexcept {
        std::string_view out = rest_;
        rest_ = {};
        return out;
    }
    bool empty() const noexcept { return rest_.empty(); }
    std::size_t remaining() const noexcept { return rest_.size(); }

  private:
    std::string_view rest_;
};

/// How a payload is cut into chunks: a cycle of chunk sizes (empty: the payload whole).
struct SplitPlan {
    std::vector<std::size_t> sizes;

    /// Reads a plan: a count byte (0-15 sizes), then one byte per size (1-256 octets each).
    static SplitPlan read(FuzzInput& in) {
        SplitPlan plan;
        const std::size_t count = in.byte() % 16;
        for (std::size_t i = 0; i < count; ++i)
            plan.sizes.push_back(std::size_t{in.byte()} + 1);
        return plan;
    }

    /// Calls `f(chunk)` for each chunk of `payload` in order, as cut() would list them (no allocation).
    template <class F>
    POP3_FUZZ_UNINSTRUMENTED void for_each(std::string_view payload, F&& f) const {
        if (sizes.empty()) {
            if (!payload.empty()) f(payload);
            return;
        }
        for (std::size_t i = 0; !payload.empty(); ++i) {
            const std::string_view c = payload.substr(0, sizes[i % sizes.size()]);
            payload.remove_prefix(c.size());
            f(c);
        }
    }

    /// True when this plan cuts a payload of `size` octets exactly as the whole plan does (one chunk, or none), so
    /// a run at this plan repeats the run on the whole payload.
    bool keeps_whole(std::size_t size) const noexcept { return sizes.empty() || sizes.front() >= size; }

    /// The chunks of `payload`, in order; concatenated they are the payload.
    std::vector<std::string_view> cut(std::string_view payload) const {
        std::vector<std::string_view> chunks;
        if (sizes.empty()) {
            if (!payload.empty()) chunks.push_back(payload);
            return chunks;
        }
        for (std::size_t i = 0; !payload.empty(); ++i) {
            std::string_view c = payload.substr(0, sizes[i % sizes.size()]);
            chunks.push_back(c);
            payload.remove_prefix(c.size());
        }
        return chunks;
    }
};

/// Printable form of bytes for failure messages (escapes, cut to `limit` octets).
inline std::string printable(std::string_view bytes, std::size_t limit = 200) {
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || c >= 0x7F || c == '\\') {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4U];
            out += hex[c & 15U];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (bytes.size() > limit) out += "...";
    return out;
}

/// A property failed: print it and abort, so libFuzzer saves the input as a crash and the replay test fails.
[[noreturn]] inline void property_failed(const char* file, int line, const char* expression, const std::string& what) {
    std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n  %s\n", file, line, expression, what.c_str());
    std::abort();
}

}  // namespace pop3::fuzz

/// Checks a property of the code under test; on failure prints the expression, `what` and aborts. `what` is evaluated
/// only when the property fails, so a message built from strings costs nothing on the passing path.
#define POP3_FUZZ_CHECK(cond, what)                                                    \
    do {                                                                               \
        if (!(cond)) ::pop3::fuzz::property_failed(__FILE__, __LINE__, #cond, (what)); \
    } while (false)
