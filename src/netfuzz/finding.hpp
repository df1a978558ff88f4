// What the fuzzer reports: a finding of one of the oracles' kinds, with the session that showed it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pop3::netfuzz {

/// The oracles (issue 8), one finding kind each.
enum class FindingKind {
    crash,            ///< the server process died, or the target stopped accepting connections
    hang,             ///< no reply within the timeout while one was owed
    malformed_reply,  ///< the reply parser's typed violations (bare LF, NUL, bad status indicator, ...)
    state_violation,  ///< +OK to a TRANSACTION command before login, a reply over 512 octets, an unterminated
                      ///< multi-line reply
    invariant,        ///< STAT against LIST, numbering changed within a session, a message gone without DELE+QUIT
    sanitizer,        ///< a sanitizer report on the target's stderr
};

/// Every kind, in report order.
inline constexpr FindingKind all_finding_kinds[] = {FindingKind::crash,           FindingKind::hang,
                                                    FindingKind::malformed_reply, FindingKind::state_violation,
                                                    FindingKind::invariant,       FindingKind::sanitizer};

/// Stable short name: "crash", "hang", "malformed-reply", "state-violation", "invariant", "sanitizer".
std::string_view to_string(FindingKind kind) noexcept;

/// A value a reproducer captures from a reply (scenario `capture:` source names: count, size, listing, value).
struct ReplyCapture {
    std::size_t reply = 0;  ///< index into the session's replies
    std::string name;
    std::string source;
};

/// One oracle's verdict on one session.
struct Finding {
    FindingKind kind = FindingKind::crash;
    /// What exactly, independent of the commands that led there (the minimiser keeps a finding with the same kind
    /// and key): "ok-before-login", "reply-over-512", "bare_lf", "stat-vs-list", ...
    std::string key;
    /// One line for people: "+OK to STAT before login (RFC 1939 §3)".
    std::string detail;
    /// Index of the reply that showed it in the session's reply records; nullopt when it showed after the last
    /// reply (a crash seen by the process monitor, a sanitizer report).
    std::optional<std::size_t> reply;
    /// For invariants: captures and the check expression a reproducer evaluates.
    std::vector<ReplyCapture> captures;
    std::string check;

    /// "kind/key": equal signatures are the same bug.
    std::string signature() const;
};

}  // namespace pop3::netfuzz
