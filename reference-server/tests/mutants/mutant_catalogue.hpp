#pragma once
// The catalogue of server mutants (issue 5, "Proof that the suite catches bugs"): every SessionFault of the
// reference session engine with the RFC clause it breaks, the real servers known to have had the bug
// (../shared/pop3-requirements.md §4) and the scenario tags of its area, which run first.

#include <span>
#include <string_view>
#include <vector>

#include "engine/session.hpp"

namespace pop3::server::mutants {

/// One mutant: a SessionFault and why it is a realistic bug.
struct Mutant {
    SessionFault fault = SessionFault::none;
    std::string_view name;     ///< stable, readable (the enumerator's name)
    std::string_view clause;   ///< the RFC clause broken, e.g. "RFC 1939 §5 STAT"
    std::string_view seen_in;  ///< real servers or reports with this bug class; empty when none is known
    /// Scenario tags of the mutant's area: scenarios carrying one of them run first.
    std::vector<std::string_view> tags;
    /// Only killable by scenarios longer than the CI budget (the 10-minute autologout): run when asked for.
    bool slow = false;
    /// The suite grades the broken rule below MUST in its default profile (the inventory's "implied" rows and
    /// divergences it only warns about), so the mutant runs against the strict profile (`pop3spec run --strict`).
    bool strict = false;
};

/// Every mutant, in SessionFault order.
std::span<const Mutant> mutant_catalogue();

}  // namespace pop3::server::mutants
