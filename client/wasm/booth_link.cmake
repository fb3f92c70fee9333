# The booth's programs (client/wasm/CMakeLists.txt), all linked from the
# same objects:
#   booth.js + booth.wasm   the booth's code in WebAssembly (served);
#   booth-nowasm.js         the same compiled to plain JavaScript (-sWASM=0),
#                           for browsers that forbid WebAssembly (served);
#   booth-node.js,          the same as one file each, with the fixed-seed
#   booth-node-nowasm.js    ballot builder of tests/browser/, for the
#                           byte-for-byte test under Node.js and the
#                           benchmark under Node.js and in headless chromium
#                           (bench/booth_chromium.mjs); built for both
#                           environments, so one link serves both; never
#                           served.
set(BOOTH_EXPORTS _main _malloc _free _booth_reason _booth_result _booth_open _booth_register
    _booth_credential_export _booth_credential_import _booth_build _booth_audit _booth_cast _booth_check
    _booth_drop _booth_forget)
string(JOIN "," exports_list ${BOOTH_EXPORTS})
# -sASYNCIFY: a step awaits fetch() (and the retry waits) in the middle of
# the library's C. No debug information and no build paths in the output.
set(BOOTH_LINK_FLAGS -O2 -sMODULARIZE=1 -sEXPORT_NAME=VybarBooth -sASYNCIFY=1 -sALLOW_MEMORY_GROWTH=1
    -sEXIT_RUNTIME=0 -sEXPORTED_RUNTIME_METHODS=[ccall,UTF8ToString,stringToUTF8,lengthBytesUTF8]
    "-sEXPORTED_FUNCTIONS=[${exports_list}]")
set(fixture ${VYBAR_ROOT}/tests/browser/booth_fixed.c ${VYBAR_ROOT}/tests/browser/booth_fixed_wasm.c
    ${VYBAR_ROOT}/tests/support/seeded_rand.c)
set(fixture_flags -sSINGLE_FILE=1 "-sEXPORTED_FUNCTIONS=[${exports_list},_booth_fixed_ballot,_booth_fixed_times]"
    -sEXPORTED_RUNTIME_METHODS=[ccall,UTF8ToString,stringToUTF8,lengthBytesUTF8,HEAPU8,HEAPU32,HEAPF64])
set(node_flags ${fixture_flags} -sENVIRONMENT=node,web)

add_library(booth_api OBJECT ${VYBAR_ROOT}/client/wasm/booth_api.c)
target_link_libraries(booth_api PRIVATE vybar_wasm)

add_executable(booth $<TARGET_OBJECTS:booth_api>)
target_link_options(booth PRIVATE ${BOOTH_LINK_FLAGS} -sENVIRONMENT=web)
add_executable(booth-nowasm $<TARGET_OBJECTS:booth_api>)
target_link_options(booth-nowasm PRIVATE ${BOOTH_LINK_FLAGS} -sENVIRONMENT=web -sWASM=0)
add_executable(booth-node $<TARGET_OBJECTS:booth_api> ${fixture})
target_link_options(booth-node PRIVATE ${BOOTH_LINK_FLAGS} ${node_flags})
add_executable(booth-node-nowasm $<TARGET_OBJECTS:booth_api> ${fixture})
target_link_options(booth-node-nowasm PRIVATE ${BOOTH_LINK_FLAGS} ${node_flags} -sWASM=0)
foreach(t booth booth-nowasm booth-node booth-node-nowasm)
  target_link_libraries(${t} PRIVATE vybar_wasm)
  set_target_properties(${t} PROPERTIES SUFFIX .js)
endforeach()
