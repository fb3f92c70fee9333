# The protocol layer (specs/protocol.md): the protobuf-c code generated from
# specs/vybar.proto and the C sources of protocol/, added to libvybar.
pkg_check_modules(PROTOBUFC REQUIRED IMPORTED_TARGET libprotobuf-c)
find_program(PROTOC_C_PROGRAM NAMES protoc-c protoc-gen-c REQUIRED)

set(VYBAR_PROTO_DIR ${CMAKE_BINARY_DIR}/generated)
set(VYBAR_PROTO_SRC ${VYBAR_PROTO_DIR}/specs/vybar.pb-c.c)
set(VYBAR_PROTO_HDR ${VYBAR_PROTO_DIR}/specs/vybar.pb-c.h)
file(MAKE_DIRECTORY ${VYBAR_PROTO_DIR})

add_custom_command(
  OUTPUT ${VYBAR_PROTO_SRC} ${VYBAR_PROTO_HDR}
  COMMAND ${PROTOC_C_PROGRAM} --proto_path=${CMAKE_SOURCE_DIR}
          --c_out=${VYBAR_PROTO_DIR} ${CMAKE_SOURCE_DIR}/specs/vybar.proto
  DEPENDS ${CMAKE_SOURCE_DIR}/specs/vybar.proto
  COMMENT "protoc-c specs/vybar.proto"
  VERBATIM)

file(GLOB VYBAR_PROTOCOL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/protocol/*.c)
# protocol/*.c includes the verification engine (verify.c, vy_verify.h), next
# to the rules it runs: vybar-verify reports with it, vybar-trustee and
# vybar-witness re-check the record with it.
find_package(Threads REQUIRED)
target_sources(vybar PRIVATE ${VYBAR_PROTO_SRC} ${VYBAR_PROTOCOL_SOURCES})
target_link_libraries(vybar PRIVATE Threads::Threads)
target_include_directories(vybar PUBLIC ${VYBAR_PROTO_DIR})
target_link_libraries(vybar PUBLIC PkgConfig::PROTOBUFC)
