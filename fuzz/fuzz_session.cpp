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
    pop3::fuzz::SessionSetup setup = pop3::fuzz::SessionSetup::read(in);
    // POP3SPEC_FUZZ_ENCODING=raw|grammar forces one input encoding (to measure what the grammar brings).
    static const char* const forced = std::getenv("POP3SPEC_FUZZ_ENCODING");
    if (forced != nullptr) setup.grammar = std::string_view(forced) != "raw";
    const std::string timestamp = pop3::fuzz::greeting_timestamp(setup);
    const pop3::fuzz::Conversation conversation = setup.grammar ? pop3::fuzz::encode_conversation(in, setup, timestamp)
                                                                : pop3::fuzz::raw_conversation(in.rest(), setup);
    pop3::fuzz::SessionModel model(setup, timestamp);
    const pop3::fuzz::SessionRun run = pop3::fuzz::drive(setup, conversation, &model);
    if (std::getenv("POP3SPEC_FUZZ_VERBOSE") != nullptr) {
        // Replaying one input by hand: show the conversation and the engine's output.
        for (const auto& step : conversation) {
            if (step.kind == pop3::fuzz::ConversationStep::Kind::bytes) {
                std::fprintf(stderr, "C> %s\n", pop3::fuzz::printable(step.bytes, 100000).c_str());
            } else if (step.kind == pop3::fuzz::ConversationStep::Kind::faults) {
                std::fprintf(stderr, "-- store faults: lock %d open %d commit %d\n", step.lock_fault, step.open_fault,
                             step.commit_fault);
            } else {
                std::fprintf(stderr, "-- idle timeout\n");
            }
        }
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
