#pragma once
// Matching one parsed reply against an expectation, and capturing values from it. Pure: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pop3/payloads.hpp"
#include "pop3/reply.hpp"
#include "scenario/expression.hpp"
#include "scenario/fixtures.hpp"
#include "scenario/scenario.hpp"

namespace pop3::scenario {

/// What a reply answers, so that captures and payload checks know how to read it.
struct ReplyOrigin {
    std::string keyword;    ///< upper-case command keyword ("LIST"), "" for the greeting or raw bytes
    bool has_args = false;  ///< the command had arguments ("LIST 1")
};

/// What matching may consult and where captures go.
struct MatchContext {
    Captures* captures = nullptr;                      ///< receives captured values (only when the whole match holds)
    const Fixtures* fixtures = nullptr;                ///< for `body: {fixture: k}`
    const pop3::Capabilities* capabilities = nullptr;  ///< advertised capabilities, for response-code gating
    std::vector<std::string>* notes = nullptr;         ///< observations worth recording (e.g. a code not checked)
    /// Milliseconds from the end of the command's write to the end of its reply, for `capture: {t: latency}`.
    std::optional<std::int64_t> latency_ms;
};

/// Why a reply did not match: the expectation and what came, each one short line.
struct Mismatch {
    std::string expected;
    std::string received;
};

/// Checks `reply` (a complete reply, or one cut short: reply.error set) against `e`. On success applies the
/// captures and returns nullopt. `any_of` alternatives are tried in order (a `closed` alternative never matches a
/// reply). Wire violations fail unless tolerated.
std::optional<Mismatch> match_reply(const Expectation& e, const pop3::Reply& reply, const ReplyOrigin& origin,
                                    MatchContext& ctx);

/// A short human form of an expectation: "+OK with 3 body lines", "-ERR [IN-USE]", "connection closed".
std::string describe(const Expectation& e);

/// A short, escaped, bounded view of a reply for reasons: its status line, and "(+N body lines)".
std::string describe(const pop3::Reply& reply);

/// The capability tag that makes a response code meaningful (RFC 2449 §8: RESP-CODES; RFC 3206 §6:
/// AUTH-RESP-CODE for [AUTH]; RFC 6856 §5: UTF8 for [UTF8]).
std::string_view capability_for_code(std::string_view code);

/// Escapes bytes for a one-line reason (CR, LF, NUL and non-ASCII as \xNN), cut at `max` bytes with "…".
std::string escape_for_reason(std::string_view bytes, std::size_t max = 160);

}  // namespace pop3::scenario
