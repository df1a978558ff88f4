// Fuzzes the reference server's pure session engine (pop3::server::Session over a MemoryStore seeded with fixtures)
// with whole client conversations, checked reply by reply against a small executable model of RFC 1939
// (session_model.hpp lists every property).
//
// Input: [setup byte A][setup byte B][conversation]. Setup bit A6 clear: the conversation is grammar-encoded (one op
// byte per command, see encode_conversation); set: raw client bytes. Bit A7: pipelined in one chunk, else one chunk
// per command (so STLS can take effect). The build is deterministic: fixed clock, APOP counter and pid.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "session_model.hpp"

namespace {

// POP3SPEC_FUZZ_TRIPLES=1: after a replay, print every (state, command, outcome) triple the inputs reached (the
// issue's coverage goal for the session engine; "+args" marks a command given arguments).
struct TripleTally {
    std::set<std::string> seen;
    ~TripleTally() {
        if (seen.empty()) return;
        for (const auto& t : seen)
            std::fprintf(stderr, "triple: %s\n", t.c_str());
        std::fprintf(stderr, "triples: %zu\n", seen.size());
    }
};
TripleTally tally;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pop3::fuzz::FuzzInput in(data, size);
    const pop3::fuzz::SessionSetup setup = pop3::fuzz::SessionSetup::read(in);
    const std::string timestamp = pop3::fuzz::greeting_timestamp(setup);
    const std::vector<std::string> chunks = setup.grammar ? pop3::fuzz::encode_conversation(in, setup, timestamp)
                                                          : pop3::fuzz::raw_conversation(in.rest(), setup);
    const std::vector<std::string_view> views(chunks.begin(), chunks.end());
    pop3::fuzz::SessionModel model(setup, timestamp);
    const pop3::fuzz::SessionRun run = pop3::fuzz::drive(setup, views, &model);
    if (std::getenv("POP3SPEC_FUZZ_VERBOSE") != nullptr) {
        // Replaying one input by hand: show the conversation and the engine's output.
        for (const auto& c : chunks)
            std::fprintf(stderr, "C> %s\n", pop3::fuzz::printable(c, 100000).c_str());
        std::fprintf(stderr, "S> %s\n", pop3::fuzz::printable(run.output, 100000).c_str());
    }
    pop3::fuzz::check_session(run, model, setup);
    static const bool count_triples = std::getenv("POP3SPEC_FUZZ_TRIPLES") != nullptr;
    if (count_triples) {
        for (const auto& e : model.expectations())
            tally.seen.insert(e.triple);
    }
    return 0;
}
