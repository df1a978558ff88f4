#pragma once
// Pieces shared by the run page and the comparison page: the document head and foot with the embedded assets, and
// small escaped fragments.

#include <ostream>
#include <string>
#include <string_view>

#include "scenario/result.hpp"

namespace pop3::report::html {

/// <!DOCTYPE html> up to and including <body ...> (the stylesheet inline). `body_attributes` is inserted verbatim.
void begin_page(std::ostream& out, std::string_view title, std::string_view body_attributes);
/// The footer line, the inline script, </body></html>.
void end_page(std::ostream& out, std::string_view footer_html);

/// <span class="badge OUTCOME">outcome</span>, dashed when `known` (a baselined failure).
std::string badge(scenario::Outcome outcome, bool known = false);
/// Lower-cases ASCII letters (for data-search attributes; other bytes unchanged).
std::string lower_ascii(std::string_view text);
/// A fragment id made from arbitrary text: letters, digits, '-', '_' and '.' kept, everything else '_'.
std::string anchor(std::string_view prefix, std::string_view text);

}  // namespace pop3::report::html
