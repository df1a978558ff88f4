#include "pop3/reply.hpp"

#include <algorithm>

namespace pop3 {

bool Reply::has(Violation v) const noexcept {
    return std::find(violations.begin(), violations.end(), v) != violations.end();
}

std::vector<std::string_view> Reply::lines() const {
    std::vector<std::string_view> out;
    for_each_line([&out](std::string_view line) { out.push_back(line); });
    return out;
}

}  // namespace pop3
