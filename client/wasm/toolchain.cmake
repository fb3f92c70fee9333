# The booth's cross build (client/wasm/CMakeLists.txt): C compiled by the
# clang that emscripten drives, with the flags `emcc --cflags` prints, so
# that each file costs one clang run rather than one emcc (a Python
# program) run; the programs are linked by emcc. Same objects as emcc -c.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
find_program(VYBAR_EMCC emcc REQUIRED)
# Debian's emscripten runs LLVM 14 (its package depends on clang-14).
find_program(VYBAR_EM_CLANG NAMES clang HINTS /usr/lib/llvm-14/bin NO_DEFAULT_PATH)
find_program(VYBAR_EM_CLANG NAMES clang-14 clang REQUIRED)
find_program(VYBAR_EM_AR NAMES llvm-ar HINTS /usr/lib/llvm-14/bin NO_DEFAULT_PATH)
find_program(VYBAR_EM_AR NAMES llvm-ar-14 llvm-ar REQUIRED)
find_program(VYBAR_EM_RANLIB NAMES llvm-ranlib HINTS /usr/lib/llvm-14/bin NO_DEFAULT_PATH)
find_program(VYBAR_EM_RANLIB NAMES llvm-ranlib-14 llvm-ranlib REQUIRED)
set(CMAKE_C_COMPILER ${VYBAR_EM_CLANG})
set(CMAKE_AR ${VYBAR_EM_AR} CACHE FILEPATH "" FORCE)
set(CMAKE_RANLIB ${VYBAR_EM_RANLIB} CACHE FILEPATH "" FORCE)
set(CMAKE_C_COMPILER_WORKS ON)
set(ENV{NODE_PATH} /usr/share/nodejs)
execute_process(COMMAND ${VYBAR_EMCC} --cflags OUTPUT_VARIABLE VYBAR_EM_CFLAGS OUTPUT_STRIP_TRAILING_WHITESPACE
                RESULT_VARIABLE em_rc)
if(NOT em_rc EQUAL 0)
  message(FATAL_ERROR "emcc --cflags failed")
endif()
set(CMAKE_C_FLAGS_INIT "${VYBAR_EM_CFLAGS}")
set(CMAKE_C_LINK_EXECUTABLE
    "${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs ${VYBAR_EMCC} <CMAKE_C_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_EXECUTABLE_SUFFIX .js)
