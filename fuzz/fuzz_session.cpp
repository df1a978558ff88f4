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
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "session_model.hpp"

namespace {

// POP3SPEC_FUZZ_TRIPLES=1: after a replay, print how many of the (state, command, outcome) triples the model allows
// (pop3::fuzz::triples::universe(), the coverage goal for the session engine) the inputs reached, and list
// the missing ones; "+args" marks a command given arguments, "close" a reply after which the server closes.
// POP3SPEC_FUZZ_TRIPLES=require also exits 1 when one is missing (ctest fuzz.session.triples).
struct TripleTally {
    std::vector<bool> seen = std::vector<bool>(pop3::fuzz::triples::id_count, false);
    std::size_t inputs = 0;
    // The tables are function-local statics: built here, before this object is complete, they outlive it.
    TripleTally() { (void)pop3::fuzz::triples::universe(); }
    TripleTally(const TripleTally&) = delete;
    TripleTally& operator=(const TripleTally&) = delete;
    ~TripleTally() {
        const char* const mode = std::getenv("POP3SPEC_FUZZ_TRIPLES");
        if (mode == nullptr || inputs == 0) return;
        const auto& universe = pop3::fuzz::triples::universe();
        std::size_t reached = 0;
        for (const std::uint16_t t : universe) {
            if (seen[t]) {
                ++reached;
                if (std::string_view(mode) == "all")
                    std::fprintf(stderr, "triple: %s\n", pop3::fuzz::triples::name(t).c_str());
            } else {
                std::fprintf(stderr, "missing triple: %s\n", pop3::fuzz::triples::name(t).c_str());
            }
        }
        std::fprintf(stderr, "triples: reached %zu / %zu (from %zu inputs)\n", reached, universe.size(), inputs);
        // A static destructor: _Exit is the only way to change the status now (nothing else is left to clean up).
        if (std::string_view(mode) == "require" && reached != universe.size()) std::_Exit(1);
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
                std::fprintf(stderr, "-- store faults: lock %d open %d commit %d read %d\n", step.lock_fault,
                             step.open_fault, step.commit_fault, step.read_fault ? 1 : 0);
            } else {
                std::fprintf(stderr, "-- idle timeout\n");
            }
        }
        std::fprintf(stderr, "S> %s\n", pop3::fuzz::printable(run.output, 100000).c_str());
    }
    pop3::fuzz::check_session(run, model, setup);
    static const bool count_triples = std::getenv("POP3SPEC_FUZZ_TRIPLES") != nullptr;
    if (count_triples) {
        ++tally.inputs;
        for (const auto& e : model.expectations())
            tally.seen[e.triple] = true;
        if (model.end_triple()) tally.seen[*model.end_triple()] = true;
    }
    return 0;
}
