#include "netfuzz/finding.hpp"

namespace pop3::netfuzz {

std::string_view to_string(FindingKind kind) noexcept {
    switch (kind) {
        case FindingKind::crash:
            return "crash";
        case FindingKind::hang:
            return "hang";
        case FindingKind::malformed_reply:
            return "malformed-reply";
        case FindingKind::state_violation:
            return "state-violation";
        case FindingKind::invariant:
            return "invariant";
        case FindingKind::sanitizer:
            return "sanitizer";
    }
    return "unknown";
}

std::string Finding::signature() const {
    return std::string(to_string(kind)) + "/" + key;
}

}  // namespace pop3::netfuzz
