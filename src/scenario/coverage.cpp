#include "scenario/coverage.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "scenario/loader.hpp"

namespace pop3::scenario {

std::vector<Requirement> load_requirements(const std::filesystem::path& path) {
    YAML::Node doc;
    try {
        doc = YAML::LoadFile(path.string());
    } catch (const YAML::BadFile&) {
        throw LoadError(path.string(), 0, 0, "", "cannot read the requirements file");
    } catch (const YAML::Exception& e) {
        throw LoadError(path.string(), e.mark.line + 1, e.mark.column + 1, "", e.msg);
    }
    const YAML::Node list = doc["requirements"];
    if (!list || !list.IsSequence()) throw LoadError(path.string(), 1, 1, "requirements", "expected a list");
    std::vector<Requirement> out;
    for (const auto& e : list) {
        if (!e.IsMap() || !e["id"])
            throw LoadError(path.string(), e.Mark().line + 1, e.Mark().column + 1, "id", "each entry needs an id");
        Requirement r;
        r.id = e["id"].Scalar();
        if (e["level"]) r.level = e["level"].Scalar();
        if (e["inventory_level"]) r.inventory_level = e["inventory_level"].Scalar();
        if (e["section"]) r.section = e["section"].Scalar();
        r.scope = e["scope"] ? e["scope"].Scalar() : "server";
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<CoverageRow> compute_coverage(const std::vector<Requirement>& requirements,
                                          const std::vector<Scenario>& scenarios,
                                          std::vector<std::string>& unknown_refs) {
    std::map<std::string, std::size_t> index;
    std::vector<CoverageRow> rows;
    for (const auto& r : requirements) {
        index[r.id] = rows.size();
        rows.push_back(CoverageRow{r, {}, false});
    }
    for (const auto& s : scenarios) {
        for (const auto& ref : s.refs) {
            auto it = index.find(ref);
            if (it == index.end()) {
                unknown_refs.push_back(s.id + ": " + ref);
                continue;
            }
            auto& row = rows[it->second];
            row.scenarios.push_back(s.id);
            // Issue 5: every MUST is covered by a scenario at level MUST.
            if (row.requirement.level != "MUST" || s.level == Level::must) row.covered_at_level = true;
        }
    }
    return rows;
}

}  // namespace pop3::scenario
