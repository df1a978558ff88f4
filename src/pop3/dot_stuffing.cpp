#include "pop3/dot_stuffing.hpp"

namespace pop3 {

// STUB (first commit): the implementation follows.
void DotStuffer::encode(std::string_view, std::string&) {}
void DotStuffer::finish(std::string& out) {
    out += ".\r\n";
}
std::uint64_t size_as_sent(std::string_view) {
    return 0;
}
void WireSizeCounter::add(std::string_view) noexcept {}
std::uint64_t WireSizeCounter::size() const noexcept {
    return octets_;
}
std::size_t TopLimiter::accept(std::string_view chunk) noexcept {
    return chunk.size();
}
DotDecodeResult DotDecoder::decode(std::string_view, std::string&) {
    return {};
}
std::error_code DotDecoder::finish(std::string&) {
    return {};
}
void DotDecoder::reset() noexcept {}
bool DotDecoder::note(Violation) {
    return false;
}

}  // namespace pop3
