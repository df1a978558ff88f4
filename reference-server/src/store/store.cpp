#include "store/store.hpp"

#include <algorithm>

namespace pop3::server {

namespace {

class StoreCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.store"; }
    std::string message(int value) const override {
        switch (static_cast<StoreErrc>(value)) {
            case StoreErrc::in_use:
                return "maildrop in use";
            case StoreErrc::temporary:
                return "temporary store failure";
            case StoreErrc::permanent:
                return "permanent store failure";
            case StoreErrc::no_such_message:
                return "no such message";
        }
        return "unknown store error";
    }
};

}  // namespace

const std::error_category& store_category() noexcept {
    static const StoreCategory category;
    return category;
}

std::error_code make_error_code(StoreErrc e) noexcept {
    return {static_cast<int>(e), store_category()};
}

std::string sanitize_uid(std::string_view raw) {
    // RFC 1939 §7 UIDL: 1 to 70 characters in the range 0x21 to 0x7E.
    constexpr std::size_t max_uid = 70;
    if (raw.empty()) return std::string(1, '_');
    std::string uid;
    uid.reserve(std::min(raw.size(), max_uid));
    for (char c : raw.substr(0, max_uid)) {
        const auto u = static_cast<unsigned char>(c);
        uid.push_back(u >= 0x21 && u <= 0x7E ? c : '_');
    }
    return uid;
}

}  // namespace pop3::server
