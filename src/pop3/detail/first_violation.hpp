// Internal: collects the violations found in one scanned segment and remembers the earliest by position, so strict
// mode reports the same violation whatever the split of the input (tolerant mode records them all).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pop3/violation.hpp"

namespace pop3::detail {

class FirstViolation {
  public:
    /// A violation at `position` (an index into the scanned buffer).
    void consider(std::size_t position, Violation v) noexcept {
        if (count_ < found_.size()) found_[count_++] = v;
        if (position < position_) {
            position_ = position;
            violation_ = v;
        }
    }
    bool found() const noexcept { return count_ > 0; }
    std::size_t position() const noexcept { return position_; }
    Violation violation() const noexcept { return violation_; }
    std::span<const Violation> all() const noexcept { return {found_.data(), count_}; }

  private:
    std::array<Violation, 4> found_{};
    std::size_t count_ = 0;
    std::size_t position_ = SIZE_MAX;
    Violation violation_{};
};

}  // namespace pop3::detail
