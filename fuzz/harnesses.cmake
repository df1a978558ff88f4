# The libFuzzer harnesses (fuzz/fuzz_<harness>.cpp) and their corpus replays.
#
# POP3SPEC_BUILD_FUZZERS=ON (the fuzz preset, clang-14): each harness links libFuzzer (POP3SPEC_FUZZ_ENGINE,
# -fsanitize=fuzzer by default; OSS-Fuzz passes its $LIB_FUZZING_ENGINE). Otherwise (GCC, every other preset) each
# harness links replay_main.cpp, a standalone driver that runs every file of corpus/<harness>/ once. Either way one
# ctest test per harness, fuzz.replay.<harness>, replays the whole folder, so CI catches regressions without libFuzzer.
set(POP3SPEC_FUZZ_ENGINE "-fsanitize=fuzzer" CACHE STRING "Link flags of the fuzzing engine (OSS-Fuzz: \$LIB_FUZZING_ENGINE)")
set(POP3SPEC_CORPUS_DIR "${PROJECT_SOURCE_DIR}/corpus")

# pop3spec_fuzzers builds every harness (scripts/fuzz.sh and scripts/oss-fuzz-build.sh build only this).
add_custom_target(pop3spec_fuzzers)
if(NOT POP3SPEC_BUILD_FUZZERS)
  add_library(pop3_fuzz_replay_main OBJECT replay_main.cpp)
  target_link_libraries(pop3_fuzz_replay_main PRIVATE pop3spec::warnings)
endif()

# pop3spec_add_fuzzer(<harness> LIBS ...): target fuzz_<harness> from fuzz_<harness>.cpp.
function(pop3spec_add_fuzzer harness)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  set(target fuzz_${harness})
  if(POP3SPEC_BUILD_FUZZERS)
    add_executable(${target} fuzz_${harness}.cpp)
    separate_arguments(engine UNIX_COMMAND "${POP3SPEC_FUZZ_ENGINE}")
    target_link_options(${target} PRIVATE ${engine})
    target_compile_definitions(${target} PRIVATE POP3SPEC_LIBFUZZER=1)
  else()
    add_executable(${target} fuzz_${harness}.cpp $<TARGET_OBJECTS:pop3_fuzz_replay_main>)
  endif()
  target_include_directories(${target} PRIVATE "${CMAKE_CURRENT_SOURCE_DIR}")
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} pop3spec::warnings)
  add_dependencies(pop3spec_fuzzers ${target})
  if(POP3SPEC_BUILD_TESTS)
    if(POP3SPEC_BUILD_FUZZERS)
      # libFuzzer runs each file of a directory once and exits with -runs=0.
      set(replay_args -runs=0 "${POP3SPEC_CORPUS_DIR}/${harness}")
    else()
      set(replay_args "${POP3SPEC_CORPUS_DIR}/${harness}")
    endif()
    add_test(NAME fuzz.replay.${harness} COMMAND ${target} ${replay_args})
    set_tests_properties(fuzz.replay.${harness} PROPERTIES TIMEOUT 300 LABELS fuzz)
  endif()
endfunction()

pop3spec_add_fuzzer(reply_parser LIBS pop3spec::pop3)
pop3spec_add_fuzzer(command_parser LIBS pop3spec::pop3)
pop3spec_add_fuzzer(dot_stuffing LIBS pop3spec::pop3)
pop3spec_add_fuzzer(sasl_plain LIBS pop3spec::pop3)
pop3spec_add_fuzzer(apop LIBS pop3spec::pop3)
pop3spec_add_fuzzer(session LIBS pop3spec::server_engine pop3spec::server_store pop3spec::pop3)
pop3spec_add_fuzzer(session_chunked LIBS pop3spec::server_engine pop3spec::server_store pop3spec::pop3)
pop3spec_add_fuzzer(client_session LIBS pop3spec::client pop3spec::pop3)
# The session harnesses' own code (grammar decoder, model, checker) is most of each execution; its comparisons are not
# what the fuzzer has to solve (the engine's are, and keep their trace-cmp), and tracing them cost about a fifth of the
# time of a run. Edge counters stay, so the model's states still guide the fuzzer.
if(POP3SPEC_BUILD_FUZZERS AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  set_source_files_properties(fuzz_session.cpp fuzz_session_chunked.cpp PROPERTIES COMPILE_OPTIONS
                                                                                   -fno-sanitize-coverage=trace-cmp)
endif()
# Every (state, command, outcome) triple the session model allows (fuzz/session_model.hpp, triples::rules()) must be
# reached by replaying corpus/session/; the replay prints "triples: reached X / Y" and each missing triple, and exits 1
# when one is missing. Replay builds only (the GCC presets CI runs).
if(POP3SPEC_BUILD_TESTS AND NOT POP3SPEC_BUILD_FUZZERS)
  add_test(NAME fuzz.session.triples COMMAND fuzz_session "${POP3SPEC_CORPUS_DIR}/session")
  set_tests_properties(fuzz.session.triples PROPERTIES ENVIRONMENT POP3SPEC_FUZZ_TRIPLES=require TIMEOUT 300
                                                       LABELS fuzz)
endif()
# The scenario loader is a separate library (yaml-cpp); it is fuzzed only where it exists.
if(TARGET pop3spec::scenario)
  pop3spec_add_fuzzer(scenario_loader LIBS pop3spec::scenario)
endif()
