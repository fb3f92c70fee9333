# `make demo` (bench/demo.sh): the voter simulator, linked with the voter's
# library (client/, vybar_client), and the demo at a tiny size as a ctest
# (bench/demo_check.sh). The commission's side uses the real programs
# (vybar-commission manifest / admin / publish-issued, vybar-verify fetch).
# Included from bench/CMakeLists.txt, after every program is defined.
find_package(Threads REQUIRED)
add_executable(demo_voters ${CMAKE_SOURCE_DIR}/bench/demo_voters.c)
target_link_libraries(demo_voters PRIVATE vybar_client PkgConfig::GCRYPT Threads::Threads)
set_target_properties(demo_voters PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
add_custom_target(demo_programs ALL DEPENDS demo_voters vybar-board vybar-commission vybar-registrar
                  vybar-trustee vybar-verify vybar-vote)
# The whole demo at 30 voters: the verifier's exit 0 and the seat table of
# the scaled totals.
add_test(NAME demo_small
         COMMAND bash ${CMAKE_SOURCE_DIR}/bench/demo_check.sh ${CMAKE_BINARY_DIR})
set_tests_properties(demo_small PROPERTIES TIMEOUT 300)
