#include "report/requirement_verdicts.hpp"

#include <algorithm>
#include <map>

namespace pop3::report {

using scenario::Outcome;

int severity(Outcome outcome) {
    switch (outcome) {
        case Outcome::skip:
            return 0;
        case Outcome::pass:
            return 1;
        case Outcome::warn:
            return 2;
        case Outcome::error:
            return 3;
        case Outcome::fail:
            return 4;
    }
    return 0;
}

Outcome worse(Outcome a, Outcome b) {
    return severity(b) > severity(a) ? b : a;
}

std::string requirement_group(std::string_view id, const RequirementCatalog& catalog) {
    if (const auto* r = catalog.find(id)) return r->section + " " + r->section_title;
    return fallback_group(id);
}

std::vector<RequirementVerdict> requirement_verdicts(const scenario::RunResult& run,
                                                     const RequirementCatalog& catalog) {
    std::map<std::string, RequirementVerdict, std::less<>> by_id;
    for (std::size_t i = 0; i < run.scenarios.size(); ++i) {
        const auto& s = run.scenarios[i];
        for (const auto& ref : s.refs) {
            auto [it, inserted] = by_id.try_emplace(ref);
            auto& v = it->second;
            if (inserted) {
                v.id = ref;
                v.requirement = catalog.find(ref);
                v.group = requirement_group(ref, catalog);
                v.outcome = s.outcome;
            } else {
                v.outcome = worse(v.outcome, s.outcome);
            }
            if (std::find(v.scenarios.begin(), v.scenarios.end(), i) == v.scenarios.end()) v.scenarios.push_back(i);
        }
    }
    // A requirement is a known failure when each of its scenarios that fails, warns or errs is baselined.
    for (auto& [id, v] : by_id) {
        bool any_bad = false, all_known = true;
        for (auto i : v.scenarios) {
            const auto& s = run.scenarios[i];
            if (severity(s.outcome) >= severity(Outcome::warn)) {
                any_bad = true;
                all_known = all_known && s.baselined;
            }
        }
        v.baselined = any_bad && all_known;
    }
    std::vector<RequirementVerdict> out;
    out.reserve(by_id.size());
    for (const auto& r : catalog.entries()) {
        if (auto it = by_id.find(r.id); it != by_id.end()) {
            out.push_back(std::move(it->second));
            by_id.erase(it);
        }
    }
    for (auto& [id, v] : by_id)
        out.push_back(std::move(v));
    return out;
}

}  // namespace pop3::report
