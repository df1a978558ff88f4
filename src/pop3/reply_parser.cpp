#include "pop3/reply_parser.hpp"

#include <utility>

namespace pop3 {

// STUB (first commit): the implementation follows.
void ReplyParser::expect(ReplyKind kind) {
    expected_.push_back(kind);
}
void ReplyParser::set_body_sink(BodySink sink) {
    sink_ = std::move(sink);
    body_mode_ = BodyMode::sink;
}
FeedResult ReplyParser::feed(std::string_view) {
    return {};
}
FeedResult ReplyParser::finish() {
    return {};
}
std::optional<Reply> ReplyParser::take() {
    return std::exchange(ready_, std::nullopt);
}
std::size_t ReplyParser::discard_buffered() {
    return 0;
}
void ReplyParser::reset() {}

}  // namespace pop3
