#pragma once
// Files of reports/ compiled into the library (src/report/embed_assets.cmake writes the definition at build time),
// so a report is one self-contained file and the tool needs nothing beside its executable.

#include <string>

namespace pop3::report {

/// The embedded files.
enum class Asset {
    report_css,        ///< reports/assets/report.css: the stylesheet of every HTML page
    report_js,         ///< reports/assets/report.js: filters, search, expand/collapse, self-check of totals
    requirements_tsv,  ///< reports/requirements.tsv: the requirement catalog
};

/// The content of an embedded file.
std::string embedded_asset(Asset asset);

}  // namespace pop3::report
