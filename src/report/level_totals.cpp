#include "report/level_totals.hpp"

#include <algorithm>
#include <map>

namespace pop3::report {

std::vector<LevelTotals> level_totals(const scenario::RunResult& run) {
    static const std::vector<std::string> order = {"MUST", "SHOULD", "IMPLIED", "MAY", "INFO"};
    std::map<std::string, std::vector<scenario::ScenarioResult>> by_level;
    for (const auto& s : run.scenarios) {
        // Only what summarize() counts matters: copy the few fields, not the transcripts.
        scenario::ScenarioResult light;
        light.outcome = s.outcome;
        light.baselined = s.baselined;
        light.fixed = s.fixed;
        by_level[s.level.empty() ? std::string("(none)") : s.level].push_back(std::move(light));
    }
    std::vector<LevelTotals> out;
    for (const auto& level : order) {
        if (auto it = by_level.find(level); it != by_level.end()) {
            out.push_back(LevelTotals{level, scenario::summarize(it->second)});
            by_level.erase(it);
        }
    }
    for (const auto& [level, items] : by_level)
        out.push_back(LevelTotals{level, scenario::summarize(items)});
    return out;
}

}  // namespace pop3::report
