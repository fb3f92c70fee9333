/*
 * The two transports of a trustee (specs/trustee.md §5): the board over
 * HTTP (the record read by net/vy_pager.h, a message POSTed to
 * VY_PATH_TRUSTEE "<round>" by net/vy_http.h) and files for air-gapped
 * trustees (the record file of protocol.md §7.6 in, a message file out).
 */
#ifndef VYT_TRANSPORT_H
#define VYT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "trustee/keystore.h"

/* The record file bytes from the board. VYT_IO_ERROR when the board does
 * not answer, VYT_REFUSED when an answer is not what the API says. */
int vyt_board_get_record(const char *url, uint8_t **buf, size_t *len, char *err) __attribute__((warn_unused_result));
/* POST a TrusteeSigned payload to url + path (429 and 503 sent again, as
 * net/vy_http.h's retry policy says); 0 on HTTP 200, with the
 * appended entry's position and hash (the new head) in *seq and head unless
 * seq is NULL. A refusal (VYT_REFUSED) quotes the board's reason and HTTP
 * status; VYT_IO_ERROR when the board did not answer. */
int vyt_board_post(const char *url, const char *path, const uint8_t *body, size_t len, uint64_t *seq,
		   uint8_t head[32], char *err) __attribute__((warn_unused_result));
/* The board endpoint of a trustee message's entry type (specs/board-api.md
 * §4), NULL for any other type. */
const char *vyt_msg_endpoint(uint32_t type);

/* §5.2 the message file: magic, u32be(entry type), u32be(len), payload. */
#define VYT_MSG_MAGIC "VYBAR-TRUSTEE-MSG/1\n"
#define VYT_MSG_MAGIC_LEN 20
#define VYT_MSG_HDR_BYTES (VYT_MSG_MAGIC_LEN + 8)
/* Write the message file at path (replaced atomically, mode 0644). */
int vyt_msg_write(const char *path, uint32_t type, const uint8_t *payload, size_t len, char *err)
	__attribute__((warn_unused_result));
/* Parse a message file image: *payload points into buf. */
int vyt_msg_parse(const uint8_t *buf, size_t len, uint32_t *type, const uint8_t **payload, size_t *plen, char *err)
	__attribute__((warn_unused_result));

#endif
