# The fuzz harnesses of tests/fuzz/ (tests/fuzz/README.md). Each
# tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput; its seed corpus is
# tests/fuzz/corpus_<name>/ (tests/fuzz/corpus/ for fuzz_protocol).
#
#  - VYBAR_FUZZ=OFF (default): every harness but fuzz_protocol (which
#    tests/test_protocol_fuzz_replay.c already replays) is linked with
#    replay_main.c into <harness>_replay, and ctest replays its corpus.
#  - VYBAR_FUZZ=ON (clang only): libvybar gets coverage instrumentation and
#    every harness becomes a libFuzzer binary built with
#    -fsanitize=fuzzer,address,undefined; ctest replays each corpus once
#    (-runs=0). Run them for real as tests/fuzz/README.md says.
option(VYBAR_FUZZ "Build the libFuzzer harnesses of tests/fuzz/ (requires clang)" OFF)

file(GLOB VYFUZZ_HARNESSES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/fuzz_*.c)
set(VYFUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

# The seed corpus directory of harness name.
function(vyfuzz_corpus name out)
  if(name STREQUAL "fuzz_protocol")
    set(${out} ${CMAKE_CURRENT_LIST_DIR}/corpus PARENT_SCOPE)
  else()
    string(REGEX REPLACE "^fuzz_" "" suffix ${name})
    set(${out} ${CMAKE_CURRENT_LIST_DIR}/corpus_${suffix} PARENT_SCOPE)
  endif()
endfunction()

if(VYBAR_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "VYBAR_FUZZ=ON needs clang: configure with -DCMAKE_C_COMPILER=clang")
  endif()
  # Coverage for the fuzzer in the library itself; its users link the
  # sanitizer runtimes.
  target_compile_options(vybar PRIVATE -fsanitize=fuzzer-no-link ${VYFUZZ_SANITIZERS})
  target_link_options(vybar PUBLIC -fsanitize=address,undefined)
  foreach(src ${VYFUZZ_HARNESSES})
    get_filename_component(name ${src} NAME_WE)
    vyfuzz_corpus(${name} corpus)
    add_executable(${name} ${src})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer ${VYFUZZ_SANITIZERS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE vytest_support)
    add_test(NAME ${name}_corpus COMMAND ${name} -runs=0 ${corpus})
  endforeach()
else()
  foreach(src ${VYFUZZ_HARNESSES})
    get_filename_component(name ${src} NAME_WE)
    if(NOT name STREQUAL "fuzz_protocol")
      vyfuzz_corpus(${name} corpus)
      add_executable(${name}_replay ${src} ${CMAKE_CURRENT_LIST_DIR}/replay_main.c)
      target_link_libraries(${name}_replay PRIVATE vytest_support)
      add_test(NAME ${name}_replay COMMAND ${name}_replay ${corpus})
    endif()
  endforeach()
endif()
