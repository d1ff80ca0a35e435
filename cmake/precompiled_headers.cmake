# Precompiled headers (EWSTRIGD_PCH): much of a clean build is the compiler
# parsing the same standard, Boost.Asio and GoogleTest headers again for every
# translation unit. Each group below parses them once (a clean build: -17 %
# CPU). On in preset asan only: at -O0 parsing is a larger share of the time,
# and the default preset keeps checking what PCH hides (a missing #include,
# the three warnings below).
#
# GCC uses a PCH only where the macros its headers test are defined exactly as
# when it was built, so a group shares one PCH (REUSE_FROM) only among targets
# that agree on them: -pthread (_REENTRANT, tested by glibc and Asio), GMime's
# _LARGEFILE64_SOURCE (glibc) and GTEST_HAS_PTHREAD (gtest.hpp). Further
# definitions of the users (EWSTRIGD_*, SPDLOG_*) do not matter. If a target later gains
# such a flag, GCC says "...gch: not used because ..." and parses the headers
# instead: slower, still correct, so that warning is kept out of -Werror.
# GCC also refuses a PCH built with a -D the user lacks, whatever its name, so
# the first target of a group, which builds the PCH, has the fewest definitions
# (none but those above); it must not depend on the others either (REUSE_FROM
# makes them depend on it).
# Clang (preset fuzz) rejects rather than ignores a mismatching PCH, so there
# every target builds its own.
#
# Left out on purpose: spdlog (fmt 9 switches `#pragma GCC optimize` inside its
# headers, a state GCC does not restore from a PCH), nlohmann/json and Beast
# (each in under a fifth of the translation units: loading a bigger PCH costs
# every other one).

set(ewstrigd_pch_dir ${CMAKE_CURRENT_LIST_DIR}/pch)

# GCC 12 (Debian 12's) does not restore `#pragma GCC diagnostic` state from a
# PCH, so the pragmas with which libstdc++ silences its known false positives in
# char_traits.h are lost and `std::string(a) + "b"` fails -Werror at -O2. With
# the PCH on, these three warnings are off for our code too (EWSTRIGD_PCH=OFF
# shows them).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(ewstrigd_pch_options -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
endif()

# ewstrigd_precompile_headers(HEADERS <file in cmake/pch>... TARGETS <owner> <target>...)
function(ewstrigd_precompile_headers)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "HEADERS;TARGETS")
  list(TRANSFORM arg_HEADERS PREPEND ${ewstrigd_pch_dir}/)
  set(owner "")
  foreach(target IN LISTS arg_TARGETS)
    if(NOT TARGET ${target})
      continue()  # switched off (tests, benchmarks) or renamed: it builds without PCH
    endif()
    if(owner AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_precompile_headers(${target} REUSE_FROM ${owner})
      target_compile_options(${target} PRIVATE -Wno-error=invalid-pch)
    else()
      target_precompile_headers(${target} PRIVATE ${arg_HEADERS})
      set(owner ${target})
    endif()
    target_compile_options(${target} PRIVATE ${ewstrigd_pch_options})
  endforeach()
endfunction()

# Groups by the flags above (measured with `c++ -M` over compile_commands.json):
# plain modules get the standard headers; the modules written as Asio
# coroutines also get Asio; test binaries get GoogleTest.

# no -pthread
ewstrigd_precompile_headers(HEADERS std.hpp
  TARGETS ewstrigd_util ewstrigd_ews ewstrigd_state)
ewstrigd_precompile_headers(HEADERS std.hpp asio.hpp
  TARGETS ewstrigd_http ewstrigd_service)
ewstrigd_precompile_headers(HEADERS std.hpp gtest.hpp
  TARGETS ewstrigd_test_server ewstrigd_test_support unit_util_tests unit_ews_tests unit_state_tests
          unit_service_tests http_integration_tests state_integration_tests service_integration_tests
          service_run_integration_tests ews_sim_jwt_integration_tests source_grouped_integration_tests)

# -pthread
ewstrigd_precompile_headers(HEADERS std.hpp
  TARGETS ewstrigd_match ewstrigd_config ewstrigd_auth)
ewstrigd_precompile_headers(HEADERS std.hpp asio.hpp
  TARGETS ewstrigd_actions ewstrigd_watch)
ewstrigd_precompile_headers(HEADERS std.hpp gtest.hpp
  TARGETS unit_match_tests unit_config_tests unit_auth_tests unit_actions_tests unit_watch_tests
          auth_integration_tests actions_integration_tests)

# -pthread -D_LARGEFILE64_SOURCE (GMime)
ewstrigd_precompile_headers(HEADERS std.hpp
  TARGETS ewstrigd_mail ews_sim_core)
ewstrigd_precompile_headers(HEADERS std.hpp asio.hpp
  TARGETS ewstrigd_source ewstrigd_cli)
ewstrigd_precompile_headers(HEADERS std.hpp gtest.hpp
  TARGETS ews_sim_response_samples unit_mail_tests unit_source_tests unit_cli_tests ews_sim_tests
          ews_sim_integration_tests source_integration_tests service_status_integration_tests)
