# One manual page: help2man runs PROGRAM --help and --version, with the
# sections of INCLUDE, into OUTPUT; the --help paragraph "Exit status:",
# which help2man would make a subsection, becomes the EXIT STATUS section.
# cmake -DHELP2MAN=... -DPROGRAM=... -DINCLUDE=... -DOUTPUT=... -P help2man.cmake
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          ${HELP2MAN} --no-info --include=${INCLUDE} --output=${OUTPUT}.tmp ${PROGRAM}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUTPUT}.tmp)
  message(FATAL_ERROR "help2man ${PROGRAM} failed (${rc})")
endif()
file(READ ${OUTPUT}.tmp page)
string(REPLACE ".SS \"Exit status:\"" ".SH \"EXIT STATUS\"" page "${page}")
file(WRITE ${OUTPUT} "${page}")
file(REMOVE ${OUTPUT}.tmp)
