#include "report/requirement_catalog.hpp"

#include "report/embedded_assets.hpp"

namespace pop3::report {

namespace {

std::vector<std::string_view> split(std::string_view line, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const auto pos = line.find(sep, start);
        out.push_back(line.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) return out;
        start = pos + 1;
    }
}

}  // namespace

RequirementCatalog RequirementCatalog::parse_tsv(std::string_view text) {
    RequirementCatalog catalog;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        auto line = text.substr(start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        const auto fields = split(line, '\t');
        if (fields.size() < 6 || fields[0].empty()) continue;
        Requirement r{std::string(fields[0]), std::string(fields[1]), std::string(fields[2]),
                      std::string(fields[3]), std::string(fields[4]), std::string(fields[5])};
        if (catalog.index_.count(r.id) != 0) continue;
        catalog.index_.emplace(r.id, catalog.entries_.size());
        catalog.entries_.push_back(std::move(r));
    }
    return catalog;
}

const RequirementCatalog& RequirementCatalog::builtin() {
    static const RequirementCatalog catalog = parse_tsv(embedded_asset(Asset::requirements_tsv));
    return catalog;
}

const Requirement* RequirementCatalog::find(std::string_view id) const {
    const auto it = index_.find(std::string(id));
    return it == index_.end() ? nullptr : &entries_[it->second];
}

std::string fallback_group(std::string_view id) {
    // R<digits>-<GROUP>-...
    if (id.size() < 4 || id[0] != 'R') return std::string(id);
    const auto dash = id.find('-');
    if (dash == std::string_view::npos || dash < 2) return std::string(id);
    const auto rfc = id.substr(1, dash - 1);
    for (char c : rfc)
        if (c < '0' || c > '9') return std::string(id);
    const auto rest = id.substr(dash + 1);
    const auto dash2 = rest.find('-');
    return "RFC " + std::string(rfc) + " " + std::string(rest.substr(0, dash2));
}

}  // namespace pop3::report
