// Turns a finding into a scenario that `pop3spec run --scenarios FILE` replays (docs/network-fuzzing.md): the
// session's bytes as raw steps, one expect per reply, and on the reply that showed the finding an expectation that
// fails while the bug is there.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "netfuzz/finding.hpp"
#include "netfuzz/session_plan.hpp"
#include "netfuzz/session_runner.hpp"

namespace pop3::netfuzz {

/// Where a reproducer came from (written into its comments).
struct ReproducerInfo {
    std::string id;  ///< scenario id, e.g. "fuzz.finding-0001"
    std::uint64_t seed = 0;
    std::uint64_t session = 0;
    std::size_t ops_before = 0;  ///< ops of the session before minimisation
    std::chrono::milliseconds reply_timeout{3000};
    std::string evidence;  ///< e.g. the sanitizer report excerpt or the exit status
};

/// The scenario YAML of a finding. `replies` are the records of the (minimised) session run that showed it.
std::string reproducer_yaml(const Finding& finding, const SessionPlan& plan, const std::vector<ReplyRecord>& replies,
                            const ReproducerInfo& info);

/// Bytes as a single-quoted YAML scalar whose `raw:` escapes (\r \n \t \\ \xHH) decode back to them.
std::string yaml_raw_literal(std::string_view bytes);

}  // namespace pop3::netfuzz
