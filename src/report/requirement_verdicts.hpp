#pragma once
// The verdict of each requirement a run cites: the scenarios whose `refs` name it and the most severe of their
// outcomes. The HTML and comparison matrices are drawn from this.

#include <cstddef>
#include <string>
#include <vector>

#include "report/requirement_catalog.hpp"
#include "scenario/result.hpp"

namespace pop3::report {

/// How much an outcome says against a requirement: fail > error > warn > pass > skip (a skip says nothing).
int severity(scenario::Outcome outcome);

/// The most severe of two outcomes.
scenario::Outcome worse(scenario::Outcome a, scenario::Outcome b);

/// One cited requirement.
struct RequirementVerdict {
    std::string id;
    const Requirement* requirement = nullptr;             ///< its catalog entry, or nullptr when the catalog lacks it
    std::string group;                                    ///< "1.8 STAT" from the catalog, else fallback_group(id)
    scenario::Outcome outcome = scenario::Outcome::skip;  ///< the most severe outcome of its scenarios
    bool baselined = false;                               ///< every failing scenario citing it is a known failure
    std::vector<std::size_t> scenarios;                   ///< indices into RunResult::scenarios
};

/// The requirements the run's scenarios cite, in catalog order (ids the catalog lacks last, sorted).
std::vector<RequirementVerdict> requirement_verdicts(const scenario::RunResult& run, const RequirementCatalog& catalog);

/// The group heading of a requirement id: "1.8 STAT" from the catalog, else fallback_group(id).
std::string requirement_group(std::string_view id, const RequirementCatalog& catalog);

}  // namespace pop3::report
