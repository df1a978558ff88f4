#pragma once
// Totals of a run by requirement level (MUST, SHOULD, ...), for the "by level" tables.

#include <string>
#include <vector>

#include "scenario/result.hpp"

namespace pop3::report {

/// The outcome counts of the scenarios of one level.
struct LevelTotals {
    std::string level;  ///< "MUST", "SHOULD", "MAY", "INFO", "IMPLIED", or another level as written
    scenario::Summary counts;
};

/// One row per level present in the run: MUST, SHOULD, IMPLIED, MAY, INFO first, then others sorted.
std::vector<LevelTotals> level_totals(const scenario::RunResult& run);

}  // namespace pop3::report
