# The booth's folder (booth.cmake), made afresh: the pages of client/booth/
# (none yet is fine), the served code (booth.js, booth.wasm,
# booth-nowasm.js), and SHA256SUMS, the SHA-256 of every file in it
# (sha256sum -c reads it); the sum of booth.wasm is printed. The same
# sources give the same sums (specs/client.md §9).
file(REMOVE_RECURSE ${OUT})
file(MAKE_DIRECTORY ${OUT})
file(GLOB pages ${PAGES}/*)
file(COPY ${pages} ${CODE}/booth.js ${CODE}/booth.wasm ${CODE}/booth-nowasm.js DESTINATION ${OUT})
# The fallback's memory image, which emscripten writes beside it (-sWASM=0):
# without it booth-nowasm.js never starts.
if(EXISTS ${CODE}/booth-nowasm.js.mem)
  file(COPY ${CODE}/booth-nowasm.js.mem DESTINATION ${OUT})
endif()
file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE ${OUT} ${OUT}/*)
list(SORT files)
set(sums "")
foreach(f ${files})
  file(SHA256 ${OUT}/${f} h)
  string(APPEND sums "${h}  ${f}\n")
endforeach()
file(WRITE ${OUT}/SHA256SUMS "${sums}")
file(SHA256 ${OUT}/booth.wasm wasm_sum)
message(STATUS "booth: ${OUT}: booth.wasm SHA-256 ${wasm_sum}")
