// Delta debugging (Zeller's ddmin) of a failing session: first over its ops, then over the command lines inside
// each op, then over the bytes of each line, keeping a reduction only when a fresh run still shows the finding.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include "netfuzz/session_plan.hpp"

namespace pop3::netfuzz {

/// Bounds of one minimisation.
struct MinimizeOptions {
    std::size_t max_trials = 300;             ///< sessions re-run at most
    std::chrono::milliseconds budget{60000};  ///< wall time at most
};

/// What minimise() did.
struct MinimizeStats {
    std::size_t trials = 0;
    std::size_t ops_before = 0, ops_after = 0;
    std::size_t bytes_before = 0, bytes_after = 0;
};

/// True when `plan`, run against a fresh target, still shows the finding.
using Reproduces = std::function<bool(const SessionPlan& plan)>;

/// Returns the smallest plan found that still reproduces (the input itself when nothing smaller does).
SessionPlan minimize(const SessionPlan& plan, const Reproduces& reproduces, const MinimizeOptions& options,
                     MinimizeStats& stats);

}  // namespace pop3::netfuzz
