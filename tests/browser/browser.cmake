# The booth's tests (specs/client.md §9.2):
#   booth_pages_check  the pages without a browser (Node.js): every text in
#                      be, ru and en, every key used is there, no inline
#                      script or style, no other site
#   booth_browser      the voter's whole way through the booth in Debian's
#                      chromium, driven by playwright-core, with axe-core on
#                      every page (booth_e2e.mjs); skipped, saying why,
#                      without chromium, Node.js, the npm modules or the
#                      booth's build
# The npm modules (playwright-core, axe-core, pinned in package-lock.json)
# go into the build directory with `npm ci`, never into the sources.
find_program(VYBAR_NODE node)
find_program(VYBAR_NPM npm)
find_program(VYBAR_CHROMIUM chromium)
set(VYBAR_BROWSER_NODE_DIR ${CMAKE_BINARY_DIR}/browser-tests)

if(VYBAR_NODE)
  add_test(NAME booth_pages_check
           COMMAND ${VYBAR_NODE} ${CMAKE_CURRENT_LIST_DIR}/booth_pages_check.mjs ${CMAKE_SOURCE_DIR}/client/booth)
  set_tests_properties(booth_pages_check PROPERTIES TIMEOUT 60)
endif()

if(VYBAR_NPM AND NOT VYBAR_SANITIZE)
  add_custom_command(
    OUTPUT ${VYBAR_BROWSER_NODE_DIR}/node_modules/.package-lock.json
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VYBAR_BROWSER_NODE_DIR}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_LIST_DIR}/package.json
            ${CMAKE_CURRENT_LIST_DIR}/package-lock.json ${VYBAR_BROWSER_NODE_DIR}/
    COMMAND ${VYBAR_NPM} ci --no-audit --no-fund --ignore-scripts --prefix ${VYBAR_BROWSER_NODE_DIR}
    DEPENDS ${CMAKE_CURRENT_LIST_DIR}/package.json ${CMAKE_CURRENT_LIST_DIR}/package-lock.json
    COMMENT "npm ci: playwright-core and axe-core for the booth's browser tests"
    VERBATIM)
  add_custom_target(booth_browser_modules ALL
                    DEPENDS ${VYBAR_BROWSER_NODE_DIR}/node_modules/.package-lock.json)
endif()

# The election the browser test votes in (booth_world.c).
add_executable(booth_world ${CMAKE_CURRENT_LIST_DIR}/booth_world.c)
target_link_libraries(booth_world PRIVATE vytest_vote_world)

if(VYBAR_NODE)
  add_test(NAME booth_browser
           COMMAND ${VYBAR_NODE} ${CMAKE_CURRENT_LIST_DIR}/booth_e2e.mjs
                   --booth ${CMAKE_BINARY_DIR}/booth --world $<TARGET_FILE:booth_world>
                   --verify $<TARGET_FILE:vybar-verify> --modules ${VYBAR_BROWSER_NODE_DIR}/node_modules
                   --chromium /usr/bin/chromium --out ${CMAKE_BINARY_DIR}/booth-screenshots)
  set_tests_properties(booth_browser PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
