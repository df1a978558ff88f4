#pragma once
// Requirement coverage: which scenarios cite which requirement ids of the inventory (scenarios/requirements.yaml,
// generated from shared/pop3-requirements.md), and which ids no scenario covers.

#include <filesystem>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace pop3::scenario {

/// One requirement id of the inventory.
struct Requirement {
    std::string id;               ///< "R1939-STAT-1"
    std::string level;            ///< grade: MUST, SHOULD, MAY, INFO, IMPLIED
    std::string inventory_level;  ///< as written in the inventory ("MUST*", "MUST (grammar)", ...)
    std::string section;          ///< "1939 §5 STAT"
    std::string scope;            ///< "server" (needs a scenario), "client" (unit tests), "other"
};

/// Loads requirements.yaml. Throws LoadError.
std::vector<Requirement> load_requirements(const std::filesystem::path& path);

/// A requirement and the scenarios citing it.
struct CoverageRow {
    Requirement requirement;
    std::vector<std::string> scenarios;  ///< ids of scenarios whose refs name it
    bool covered_at_level = false;       ///< a MUST id is cited by a MUST scenario (issue 5); others: any scenario
};

/// The coverage of every requirement, in inventory order; `unknown_refs` gets "scenario-id: ref" for refs that are
/// not in the inventory (typos).
std::vector<CoverageRow> compute_coverage(const std::vector<Requirement>& requirements,
                                          const std::vector<Scenario>& scenarios,
                                          std::vector<std::string>& unknown_refs);

}  // namespace pop3::scenario
