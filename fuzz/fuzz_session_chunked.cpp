// Split invariance of the session engine: the same client conversation fed in the chunks of its encoding, then cut
// at fuzzer-chosen points (and byte by byte for short ones), with the output taken in fuzzer-chosen pieces (short
// writes), must give byte-identical output and the same final maildrops; each run is also checked against the model.
//
// Input: [setup byte A][setup byte B][feed split plan][write split plan][conversation, as in fuzz_session]. STLS is
// never available here: what a client pipelines after STLS is dropped by design (RFC 2595 §4), which makes the output
// legitimately depend on the split.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "session_model.hpp"

namespace {

using pop3::fuzz::printable;

pop3::fuzz::SessionRun checked_run(const pop3::fuzz::SessionSetup& setup, const std::string& timestamp,
                                   const std::vector<std::string_view>& chunks,
                                   const std::vector<std::size_t>& writes) {
    pop3::fuzz::SessionModel model(setup, timestamp);
    pop3::fuzz::SessionRun run = pop3::fuzz::drive(setup, pop3::fuzz::bytes_conversation(chunks), &model, writes);
    pop3::fuzz::check_session(run, model, setup);
    return run;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pop3::fuzz::FuzzInput in(data, size);
    pop3::fuzz::SessionSetup setup = pop3::fuzz::SessionSetup::read(in);
    setup.tls_available = false;
    const pop3::fuzz::SplitPlan feed_plan = pop3::fuzz::SplitPlan::read(in);
    const pop3::fuzz::SplitPlan write_plan = pop3::fuzz::SplitPlan::read(in);
    const std::string timestamp = pop3::fuzz::greeting_timestamp(setup);
    // Faults and timeouts happen at points of the conversation that depend on the split: only its bytes are used.
    const pop3::fuzz::Conversation steps = setup.grammar ? pop3::fuzz::encode_conversation(in, setup, timestamp)
                                                         : pop3::fuzz::raw_conversation(in.rest(), setup);
    std::vector<std::string_view> chunks;
    for (const auto& step : steps)
        if (step.kind == pop3::fuzz::ConversationStep::Kind::bytes) chunks.push_back(step.bytes);
    const std::string conversation = pop3::fuzz::conversation_bytes(steps);

    const pop3::fuzz::SessionRun reference = checked_run(setup, timestamp, chunks, {});
    const pop3::fuzz::SessionRun split = checked_run(setup, timestamp, feed_plan.cut(conversation), write_plan.sizes);
    POP3_FUZZ_CHECK(split.output == reference.output, "output depends on the split:\n  " + printable(reference.output) +
                                                          "\n  " + printable(split.output));
    POP3_FUZZ_CHECK(split.closed_by_server == reference.closed_by_server, "close depends on the split");
    if (conversation.size() <= 512) {
        const pop3::fuzz::SplitPlan bytewise{{1}};
        const pop3::fuzz::SessionRun one = checked_run(setup, timestamp, bytewise.cut(conversation), {1});
        POP3_FUZZ_CHECK(one.output == reference.output, "output differs when fed byte by byte");
    }
    return 0;
}
