# pop3spec::warnings carries the project's warning flags; every target of ours links it PRIVATE.
add_library(pop3spec_warnings INTERFACE)
add_library(pop3spec::warnings ALIAS pop3spec_warnings)
target_compile_options(pop3spec_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough -Wformat=2
  $<$<BOOL:${POP3SPEC_WERROR}>:-Werror>)

# pop3spec_add_test(NAME name SOURCES a.cpp ... LIBS lib ...): one GoogleTest binary, registered test by test.
function(pop3spec_add_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main GTest::gmock pop3spec::warnings)
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
