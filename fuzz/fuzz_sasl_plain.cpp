// Fuzzes the SASL PLAIN (RFC 4616) and strict base64 (RFC 4648 §4, RFC 5034 §4) decoders.
//
// Input: [mode byte][bytes].
// Properties beyond "no crash":
// - base64: a text that decodes re-encodes to itself (decoding is strict and canonical); any bytes encode to a text
//   that decodes back to them;
// - PLAIN: a parsed message has a non-empty authcid and password, no field over 255 octets or holding a NUL, and
//   sasl_plain_message() rebuilds the exact input; sasl_plain_decode == base64 then parse; encode/decode round trip;
// - every error is a typed value of its own category.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "pop3/base64.hpp"
#include "pop3/sasl_plain.hpp"

namespace {

using pop3::fuzz::FuzzInput;
using pop3::fuzz::printable;

POP3_FUZZ_UNINSTRUMENTED void check_credentials(const pop3::SaslPlainCredentials& c, std::string_view input) {
    POP3_FUZZ_CHECK(!c.authcid.empty() && !c.password.empty(), printable(input));
    for (const std::string* field : {&c.authzid, &c.authcid, &c.password}) {
        POP3_FUZZ_CHECK(field->size() <= 255, printable(input));
        POP3_FUZZ_CHECK(field->find('\0') == std::string::npos, printable(input));
    }
}

void check_base64(std::string_view text) {
    const pop3::Result<std::string> decoded = pop3::base64_decode(text);
    if (decoded) {
        POP3_FUZZ_CHECK(pop3::base64_encode(*decoded) == text, "not canonical: " + printable(text));
    } else {
        POP3_FUZZ_CHECK(decoded.error().category() == pop3::base64_category(), printable(text));
    }
}

void check_plain_message(std::string_view message) {
    const pop3::Result<pop3::SaslPlainCredentials> parsed = pop3::sasl_plain_parse(message);
    if (!parsed) {
        POP3_FUZZ_CHECK(parsed.error().category() == pop3::sasl_plain_category(), printable(message));
        POP3_FUZZ_CHECK(parsed.error() != pop3::SaslPlainError::bad_base64, printable(message));
        return;
    }
    check_credentials(*parsed, message);
    POP3_FUZZ_CHECK(pop3::sasl_plain_message(*parsed) == message, "message not rebuilt: " + printable(message));
    const pop3::Result<pop3::SaslPlainCredentials> again = pop3::sasl_plain_decode(pop3::sasl_plain_encode(*parsed));
    POP3_FUZZ_CHECK(again && *again == *parsed, "encode/decode round trip: " + printable(message));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t mode = in.byte();
    const std::string_view bytes = in.rest();
    switch (mode % 3) {
        case 0: {  // the bytes as base64 text (what a client sends after AUTH PLAIN)
            check_base64(bytes);
            const pop3::Result<pop3::SaslPlainCredentials> decoded = pop3::sasl_plain_decode(bytes);
            const pop3::Result<std::string> layer = pop3::base64_decode(bytes);
            if (!layer) {
                POP3_FUZZ_CHECK(!decoded && decoded.error() == pop3::SaslPlainError::bad_base64, printable(bytes));
            } else {
                const pop3::Result<pop3::SaslPlainCredentials> parsed = pop3::sasl_plain_parse(*layer);
                POP3_FUZZ_CHECK(decoded.has_value() == parsed.has_value(), printable(bytes));
                if (decoded) POP3_FUZZ_CHECK(*decoded == *parsed, printable(bytes));
                if (!decoded) POP3_FUZZ_CHECK(decoded.error() == parsed.error(), printable(bytes));
                check_plain_message(*layer);
            }
            break;
        }
        case 1:  // the bytes as a raw PLAIN message
            check_plain_message(bytes);
            break;
        default: {  // any bytes through base64 and back
            const std::string text = pop3::base64_encode(bytes);
            POP3_FUZZ_CHECK(text.size() % 4 == 0, printable(bytes));
            const pop3::Result<std::string> back = pop3::base64_decode(text);
            POP3_FUZZ_CHECK(back && *back == bytes, "base64 round trip: " + printable(bytes));
            break;
        }
    }
    return 0;
}
