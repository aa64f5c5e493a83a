# confiance_library(name SOURCES ... DEPS ...) and confiance_test(name SOURCES ... DEPS ...).
# One static library per folder under src/, linked only downwards (see ARCHITECTURE.md).

set(CONFIANCE_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
# g++ 12 at -O3 reports -Wrestrict inside std::string concatenation that
# cannot happen (GCC bug 105329); it would fail Release builds only.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND CONFIANCE_WARNINGS -Wno-restrict)
endif()
# In a unity build a batch includes the .cc files, which g++ then treats as
# headers: it would warn about every coroutine frame or class that holds a
# type of the file's anonymous namespace, which is only a problem in a real
# header.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND CONFIANCE_WARNINGS -Wno-subobject-linkage)
endif()
if(CONFIANCE_WERROR)
  list(APPEND CONFIANCE_WARNINGS -Werror)
endif()

# Every executable that links an instrumented library must be linked with
# the same -fsanitize, or the sanitizer runtime is missing from its link.
function(confiance_apply_sanitizers target)
  if(CONFIANCE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${CONFIANCE_SANITIZE} -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=${CONFIANCE_SANITIZE})
  endif()
endfunction()

# Debian's hardening build flags (dpkg-buildflags with hardening=+all on
# Debian 12; g++ already makes position-independent executables): stack
# canaries, the libc calls whose buffer sizes are known checked
# (_FORTIFY_SOURCE, which needs optimisation, so not in Debug), format
# strings checked, and the relocations resolved at start-up and made
# read-only (full RELRO). Not with sanitizers or the fuzzer: they bring their
# own checks, and ASan intercepts the calls FORTIFY replaces.
function(confiance_apply_hardening target)
  if(NOT CONFIANCE_HARDENING OR CONFIANCE_SANITIZE OR CONFIANCE_FUZZ)
    return()
  endif()
  target_compile_options(${target} PRIVATE -fstack-protector-strong -Wformat -Werror=format-security
                                           $<$<NOT:$<CONFIG:Debug>>:-D_FORTIFY_SOURCE=2>)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    target_link_options(${target} PRIVATE -Wl,-z,relro -Wl,-z,now)
  endif()
endfunction()

function(confiance_apply_flags target)
  target_compile_options(${target} PRIVATE ${CONFIANCE_WARNINGS})
  confiance_apply_sanitizers(${target})
  confiance_apply_hardening(${target})
endfunction()

function(confiance_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  confiance_apply_flags(${name})
endfunction()

function(confiance_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT CONFIANCE_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} confiance_testutil confiance_test_main GTest::gtest GTest::gmock)
  confiance_apply_flags(${name})
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
endfunction()
