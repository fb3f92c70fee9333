# End-to-end eligibility tests (tests/test_eligibility_e2e*.c), included from
# tests/CMakeLists.txt: a real vybar-registrar, vybar-board and vybar-verify,
# and the client library's registration. Wired once every directory is
# known; without these programs the test compiles to a skip.
function(vybar_eligibility_tests_link)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/test_eligibility_e2e*.c)
  foreach(src ${srcs})
    get_filename_component(name ${src} NAME_WE)
    if(TARGET ${name} AND TARGET vybar_client AND TARGET vybar-board AND TARGET vybar-registrar
       AND TARGET vybar-verify)
      target_link_libraries(${name} PRIVATE vybar_client)
      add_dependencies(${name} vybar-board vybar-registrar vybar-verify)
      target_compile_definitions(${name} PRIVATE VYBAR_ELIGIBILITY_E2E=1
        VYBAR_VERIFY_PROGRAM="$<TARGET_FILE:vybar-verify>")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL vybar_eligibility_tests_link)
