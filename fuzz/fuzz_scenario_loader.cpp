// Fuzzes the scenario loader (pop3::scenario::load_scenarios) with any YAML text.
//
// Input: the YAML text itself (the seeds are the suite's own scenario files).
// Property: a load either succeeds or throws LoadError carrying a position (line and column from 1, a message);
// any other exception, a crash or a hang is a finding. Loaded scenarios have an id.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "scenario/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    pop3::fuzz::FuzzInput in(data, size);
    const std::string_view text = in.rest();
    try {
        const auto scenarios = pop3::scenario::load_scenarios(text, "fuzz.yaml");
        for (const auto& s : scenarios)
            POP3_FUZZ_CHECK(!s.id.empty(), "a scenario without an id loaded");
    } catch (const pop3::scenario::LoadError& e) {
        POP3_FUZZ_CHECK(e.line() >= 1 && e.column() >= 1, std::string("error without a position: ") + e.what());
        POP3_FUZZ_CHECK(!e.message().empty(), "error without a message");
    } catch (const std::exception& e) {
        POP3_FUZZ_CHECK(false, std::string("exception other than LoadError: ") + e.what());
    }
    return 0;
}
