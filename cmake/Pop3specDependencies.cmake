# Every dependency comes from Debian 12's packages (scripts/install-deps.sh); nothing is downloaded at build time.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(fmt 9 REQUIRED CONFIG)
find_package(yaml-cpp 0.7 REQUIRED CONFIG)
if(POP3SPEC_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED CONFIG)
  include(GoogleTest)
endif()
if(POP3SPEC_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED CONFIG)
endif()

# Standalone Asio (libasio-dev) is header-only; it is compiled once, in pop3spec_asio, instead of in every
# translation unit (ASIO_SEPARATE_COMPILATION), which keeps the two-core build lean.
find_path(ASIO_INCLUDE_DIR NAMES asio.hpp REQUIRED DOC "standalone Asio (Debian: libasio-dev)")
add_library(pop3spec_asio STATIC "${CMAKE_CURRENT_LIST_DIR}/asio.cpp")
target_include_directories(pop3spec_asio SYSTEM PUBLIC "${ASIO_INCLUDE_DIR}")
# ASIO_DISABLE_STD_ALIGNED_ALLOC: Asio 1.22 decides between aligned_alloc/free and operator new/delete from
# _GLIBCXX_HAVE_ALIGNED_ALLOC, which is only defined once a standard header came first; translation units that include
# Asio first (asio.cpp, the transport) and the others then disagree (an ODR violation ASan reports as
# alloc-dealloc-mismatch). Pin the choice for everyone.
target_compile_definitions(pop3spec_asio PUBLIC ASIO_STANDALONE ASIO_SEPARATE_COMPILATION ASIO_NO_DEPRECATED
                                                ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(pop3spec_asio PUBLIC Threads::Threads OpenSSL::SSL OpenSSL::Crypto)
add_library(pop3spec::asio ALIAS pop3spec_asio)

# yaml-cpp 0.7 on Debian exports the target without a namespace.
if(TARGET yaml-cpp AND NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()
