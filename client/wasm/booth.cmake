# The booth (specs/client.md §9), from the main project: the voter's C code
# compiled to WebAssembly by client/wasm/CMakeLists.txt, a project of its
# own with emscripten's compiler, built in ${CMAKE_BINARY_DIR}/wasm, its
# dependency sources under ${CMAKE_BINARY_DIR}/wasm-deps (fetched and
# prepared once). Then the booth's folder, ${CMAKE_BINARY_DIR}/booth: the
# pages of client/booth/ and the compiled code, plain static files for the
# board or any mirror to serve; its SHA-256 sums in booth/SHA256SUMS.
#
# Built when emcc is installed (make deps installs it) and not for the
# sanitizer build (VYBAR_SANITIZE): the booth's C is the same there.
option(VYBAR_BOOTH "Build the booth (needs emscripten)" ON)
set(VYBAR_HAVE_BOOTH OFF)
find_program(VYBAR_EMCC_PROGRAM emcc)
if(VYBAR_BOOTH AND NOT VYBAR_SANITIZE AND VYBAR_EMCC_PROGRAM)
  include(ExternalProject)
  set(VYBAR_HAVE_BOOTH ON)
  set(VYBAR_BOOTH_BUILD ${CMAKE_BINARY_DIR}/wasm)
  set(VYBAR_BOOTH_DIR ${CMAKE_BINARY_DIR}/booth)
  message(STATUS "booth: built with ${VYBAR_EMCC_PROGRAM} into ${VYBAR_BOOTH_DIR}")
  ExternalProject_Add(booth_wasm
    SOURCE_DIR ${CMAKE_SOURCE_DIR}/client/wasm
    BINARY_DIR ${VYBAR_BOOTH_BUILD}
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/client/wasm/toolchain.cmake
               -DCMAKE_BUILD_TYPE=Release -DVYBAR_ROOT=${CMAKE_SOURCE_DIR}
               -DVYBAR_DEPS_DIR=${CMAKE_BINARY_DIR}/wasm-deps -DVYBAR_WERROR=${VYBAR_WERROR}
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    USES_TERMINAL_CONFIGURE ON
    USES_TERMINAL_BUILD ON)
  file(GLOB VYBAR_BOOTH_PAGES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/client/booth/*)
  add_custom_target(booth ALL
    COMMAND ${CMAKE_COMMAND} -DPAGES=${CMAKE_SOURCE_DIR}/client/booth -DCODE=${VYBAR_BOOTH_BUILD}
            -DOUT=${VYBAR_BOOTH_DIR} -P ${CMAKE_SOURCE_DIR}/client/wasm/booth_dir.cmake
    DEPENDS booth_wasm ${VYBAR_BOOTH_PAGES}
    COMMENT "the booth's folder (build/booth)"
    VERBATIM)
elseif(NOT VYBAR_BOOTH)
  message(STATUS "booth: not built (VYBAR_BOOTH is OFF)")
elseif(VYBAR_SANITIZE)
  message(STATUS "booth: not built in the sanitizer build (VYBAR_SANITIZE): its C is tested natively there")
else()
  message(STATUS "booth: not built: emcc not found (make deps installs emscripten); its tests are skipped")
endif()
