# End-to-end tests of vybar-registrar (tests/test_registrar_*.c), included
# from tests/CMakeLists.txt. The harness (tests/support/registrar_harness.c)
# starts the real program; the tests register with the client library
# (client/registration.c, libcurl) and read the registrar's SQLite file.
if(NOT TARGET vybar-registrar OR NOT TARGET vybar_client)
  message(STATUS "tests/registrar.cmake: vybar-registrar or vybar_client missing, registrar tests skipped")
  return()
endif()
pkg_check_modules(REGTEST_SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(REGTEST_CURL REQUIRED IMPORTED_TARGET libcurl)
target_link_libraries(vytest_support PUBLIC PkgConfig::REGTEST_SQLITE3 PkgConfig::REGTEST_CURL)
target_compile_definitions(vytest_support PRIVATE
  VYBAR_REGISTRAR_PROGRAM="$<TARGET_FILE:vybar-registrar>")

file(GLOB VYTEST_REGISTRAR_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_registrar_*.c)
foreach(src ${VYTEST_REGISTRAR_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  target_link_libraries(${name} PRIVATE vybar_client)
  add_dependencies(${name} vybar-registrar)
  set_tests_properties(${name} PROPERTIES TIMEOUT 300)
endforeach()

# tests/test_registrar_yes.c drives the registrar's core in the test's own
# process, with an eligibility check of its own (VYR_ELIG_YES), which the
# program cannot be given.
if(TARGET test_registrar_yes)
  target_link_libraries(test_registrar_yes PRIVATE vyregistrar_core)
endif()
