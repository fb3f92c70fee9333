# End-to-end tests of vybar-board (tests/test_board_*.c), included from
# tests/CMakeLists.txt. The harness (tests/support/board_harness.c) talks
# HTTP with libcurl and starts the real vybar-board program.
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
if(NOT TARGET vybar-board)
  message(FATAL_ERROR "tests/board.cmake needs bulletin/ (vybar-board)")
endif()
target_link_libraries(vytest_support PUBLIC PkgConfig::CURL)
target_compile_definitions(vytest_support PRIVATE
  VYBAR_BOARD_PROGRAM="$<TARGET_FILE:vybar-board>")

file(GLOB VYTEST_BOARD_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_board_*.c)
foreach(src ${VYTEST_BOARD_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  # Unit tests of the board's parts (store, limits, JSON) link its core.
  target_link_libraries(${name} PRIVATE vyboard_core)
  add_dependencies(${name} vybar-board)
  set_tests_properties(${name} PROPERTIES TIMEOUT 300)
endforeach()

# tests/test_board_faults.c loads this into a real vybar-board with
# LD_PRELOAD: fsync/fdatasync or pwrite fail with EIO while a control file
# exists (tests/support/preload/eio_preload.c). Built without the
# sanitizers: it only forwards system calls.
add_library(vytest_eio_preload MODULE ${CMAKE_CURRENT_SOURCE_DIR}/support/preload/eio_preload.c)
set_target_properties(vytest_eio_preload PROPERTIES LINK_OPTIONS "" PREFIX "")
target_compile_options(vytest_eio_preload PRIVATE -fno-sanitize=all)
if(TARGET test_board_faults)
  add_dependencies(test_board_faults vytest_eio_preload)
  target_compile_definitions(test_board_faults PRIVATE
    VYTEST_EIO_PRELOAD="$<TARGET_FILE:vytest_eio_preload>")
endif()

# The commission's commands (tests/test_commission_*.c) run vybar-board
# (manifest, admin, publish-issued) and vybar-verify (fetch, record
# --result); their stand-in registrar and paging board use libmicrohttpd,
# which the board's core brings.
file(GLOB VYTEST_COMMISSION_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/test_commission_*.c)
foreach(src ${VYTEST_COMMISSION_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  target_link_libraries(${name} PRIVATE vyboard_core)
  target_compile_definitions(${name} PRIVATE VYBAR_BOARD_PROGRAM="$<TARGET_FILE:vybar-board>"
                             VYBAR_VERIFY_PROGRAM="$<TARGET_FILE:vybar-verify>")
  add_dependencies(${name} vybar-board vybar-verify)
  set_tests_properties(${name} PROPERTIES TIMEOUT 300)
endforeach()

# bench/bench_board.c (added by bench/CMakeLists.txt, processed after this
# file) needs the fixtures and libcurl: link them once every directory is known.
function(vybar_board_bench_link)
  if(TARGET bench_board)
    target_link_libraries(bench_board PRIVATE vytest_support)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL vybar_board_bench_link)
