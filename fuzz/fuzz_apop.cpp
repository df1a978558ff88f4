// Fuzzes the APOP pieces (RFC 1939 §7): the greeting's timestamp finder, the msg-id check, the digest and its syntax
// check, each against a small independent model.
//
// Input: [split byte][bytes] — the bytes are a greeting text; their first `split` octets also serve as a secret.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "pop3/apop.hpp"
#include "pop3/payloads.hpp"

namespace {

using pop3::fuzz::FuzzInput;
using pop3::fuzz::printable;

// Models of the documented contracts (harness code: not instrumented, so coverage feedback is the library's).
POP3_FUZZ_UNINSTRUMENTED bool model_digest_syntax(std::string_view d) {
    return d.size() == 32 &&
           std::all_of(d.begin(), d.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

POP3_FUZZ_UNINSTRUMENTED std::optional<std::string_view> model_find_timestamp(std::string_view text) {
    const std::size_t open = text.find('<');
    if (open == std::string_view::npos) return std::nullopt;
    const std::size_t close = text.find('>', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    return text.substr(open, close - open + 1);
}

POP3_FUZZ_UNINSTRUMENTED bool model_well_formed(std::string_view ts) {
    if (ts.size() < 2 || ts.front() != '<' || ts.back() != '>') return false;
    const std::string_view inner = ts.substr(1, ts.size() - 2);
    const std::size_t at = inner.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == inner.size()) return false;
    if (inner.find('@', at + 1) != std::string_view::npos) return false;
    return std::all_of(inner.begin(), inner.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F && c != '<' && c != '>';
    });
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    // RFC 1939 §7's own example: a digest that is not this one means the whole harness checks nothing.
    POP3_FUZZ_CHECK(
        pop3::apop_digest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf") == "c4c9334bac560ecc979e58001b3e22fb",
        "RFC 1939 APOP example");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::size_t split = in.byte();
    const std::string_view text = in.rest();
    const std::string_view secret = text.substr(0, std::min(split, text.size()));

    POP3_FUZZ_CHECK(pop3::is_apop_digest_syntax(text) == model_digest_syntax(text), printable(text));
    const std::optional<std::string_view> ts = pop3::find_apop_timestamp(text);
    POP3_FUZZ_CHECK(ts == model_find_timestamp(text), printable(text));
    if (ts) {
        POP3_FUZZ_CHECK(pop3::is_well_formed_apop_timestamp(*ts) == model_well_formed(*ts), printable(*ts));
        const std::string digest = pop3::apop_digest(*ts, secret);
        POP3_FUZZ_CHECK(model_digest_syntax(digest) && pop3::is_apop_digest_syntax(digest), digest);
        // The digest covers timestamp and secret: changing the secret's last octet changes it.
        if (!secret.empty()) {
            std::string other(secret);
            other.back() = static_cast<char>(other.back() ^ 1);
            POP3_FUZZ_CHECK(pop3::apop_digest(*ts, other) != digest, printable(secret));
        }
    }
    POP3_FUZZ_CHECK(pop3::is_well_formed_apop_timestamp(text) == model_well_formed(text), printable(text));
    return 0;
}
