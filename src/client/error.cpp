#include "client/error.hpp"

#include <string>

namespace pop3::client {
namespace {

class ClientCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "pop3.client"; }
    std::string message(int ev) const override { return to_string(static_cast<Errc>(ev)); }
};

}  // namespace

const char* to_string(Errc e) noexcept {
    switch (e) {
        case Errc::resolve_failed:
            return "resolve_failed";
        case Errc::connect_failed:
            return "connect_failed";
        case Errc::timeout:
            return "timeout";
        case Errc::deadline_exceeded:
            return "deadline_exceeded";
        case Errc::closed_by_peer:
            return "closed_by_peer";
        case Errc::limit_exceeded:
            return "limit_exceeded";
        case Errc::protocol_violation:
            return "protocol_violation";
        case Errc::io_error:
            return "io_error";
        case Errc::tls_error:
            return "tls_error";
        case Errc::not_connected:
            return "not_connected";
        case Errc::bad_argument:
            return "bad_argument";
    }
    return "unknown";
}

const std::error_category& client_category() noexcept {
    static const ClientCategory category;
    return category;
}

std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}

std::string Error::to_string() const {
    std::string out = client::to_string(kind);
    if (!message.empty()) {
        out += ": ";
        out += message;
    }
    return out;
}

}  // namespace pop3::client
