/* The board and file transports of a trustee (transport.h, specs/trustee.md §5). */
#include "trustee/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/vy_files.h"
#include "net/vy_pager.h"
#include "protocol/vy_entry_types.h"
#include "protocol/vy_json.h"
#include "protocol/vy_protocol.h"
#include "protocol/vy_record.h"

#define HTTP_OK 200

/* §5.1: the whole record, answer after answer (net/vy_pager.h).
 * VYT_IO_ERROR when the board did not answer, VYT_REFUSED when an answer is
 * not a record's. */
int vyt_board_get_record(const char *url, uint8_t **buf, size_t *len, char *err)
{
	vy_reason why;

	if (vy_pager_fetch_all(NULL, url, buf, len, &why) != VY_R_OK) {
		snprintf(err, VYT_ERR_BYTES, "board %s", why.msg);
		return why.code == VY_R_IO ? VYT_IO_ERROR : VYT_REFUSED;
	}
	return 0;
}

/* The board's refusal (specs/board-api.md §3: {"status", "code", "reason",
 * "message"}) in err; the raw answer if it is not that. */
static void board_refusal(const vy_http_answer *a, char *err)
{
	vyjson *j = vyjson_parse((const char *)a->body, a->len, NULL, 0);
	const char *msg = vyjson_get_string(j, "message"), *reason = vyjson_get_string(j, "reason");

	if (msg != NULL)
		snprintf(err, VYT_ERR_BYTES, "board refused the message (HTTP %ld%s%.100s): %.1000s", a->status,
			 reason != NULL ? ", " : "", reason != NULL ? reason : "", msg);
	else
		snprintf(err, VYT_ERR_BYTES, "board refused the message (HTTP %ld): %.300s", a->status,
			 (const char *)a->body);
	vyjson_free(j);
}

/* The appended entry of a success answer ({"seq", "type", "entry_hash"}). */
static int appended(const vy_http_answer *a, uint64_t *seq, uint8_t head[VY_HASH_BYTES], char *err)
{
	vyjson *j = vyjson_parse((const char *)a->body, a->len, NULL, 0);
	const char *h = vyjson_get_string(j, "entry_hash");
	long long n = -1;
	int rc = -1;

	if (vyjson_int(vyjson_get(j, "seq"), &n) && n >= 0 && h != NULL && strlen(h) == 2 * VY_HASH_BYTES &&
	    sodium_hex2bin(head, VY_HASH_BYTES, h, strlen(h), NULL, NULL, NULL) == 0) {
		*seq = (uint64_t)n;
		rc = 0;
	} else {
		snprintf(err, VYT_ERR_BYTES, "board accepted the message (HTTP 200) without naming the entry: %.300s",
			 (const char *)a->body);
	}
	vyjson_free(j);
	return rc;
}

/* §5.1: POSTed by the retry policy of net/vy_http.h (429 and 503 sent
 * again; a lost answer is not, since the board would refuse the same
 * message twice). */
int vyt_board_post(const char *url, const char *path, const uint8_t *body, size_t len, uint64_t *seq,
		   uint8_t head[VY_HASH_BYTES], char *err)
{
	char full[VY_HTTP_URL_BYTES];
	vy_http_request rq = { .method = VY_HTTP_POST, .url = full, .content_type = VY_CT_PROTOBUF, .body = body,
			       .body_len = len, .max_answer = VY_MAX_SMALL_ANSWER_BYTES };
	vy_http_answer a;
	vy_reason why;
	int rc = VYT_REFUSED;

	if (vy_http_url(full, sizeof full, url, path, NULL) != VY_R_OK) {
		snprintf(err, VYT_ERR_BYTES, "board URL too long");
		return VYT_REFUSED;
	}
	if (vy_http_send(NULL, NULL, &rq, &a, &why) != VY_R_OK) {
		snprintf(err, VYT_ERR_BYTES, "board %s", why.msg);
		return VYT_IO_ERROR;
	}
	if (a.status != HTTP_OK)
		board_refusal(&a, err);
	else if (seq == NULL)
		rc = 0;
	else
		rc = appended(&a, seq, head, err);
	vy_http_answer_free(&a);
	return rc;
}

const char *vyt_msg_endpoint(uint32_t type)
{
	const vy_entry_type_info *t = vy_entry_type((Vybar__EntryType)type);

	return t != NULL && t->signer == VY_SIGNER_TRUSTEE ? t->endpoint : NULL;
}

int vyt_msg_write(const char *path, uint32_t type, const uint8_t *payload, size_t len, char *err)
{
	uint8_t *b = malloc(VYT_MSG_HDR_BYTES + len);
	vy_reason why = { 0 };
	int rc;

	if (b == NULL) {
		snprintf(err, VYT_ERR_BYTES, "out of memory");
		return -1;
	}
	memcpy(b, VYT_MSG_MAGIC, VYT_MSG_MAGIC_LEN);
	for (int i = 0; i < 4; i++) {
		b[VYT_MSG_MAGIC_LEN + i] = (uint8_t)(type >> (24 - 8 * i));
		b[VYT_MSG_MAGIC_LEN + 4 + i] = (uint8_t)((uint32_t)len >> (24 - 8 * i));
	}
	memcpy(b + VYT_MSG_HDR_BYTES, payload, len);
	rc = vy_file_replace(path, VY_FILE_MODE_PUBLIC, b, VYT_MSG_HDR_BYTES + len, &why) == VY_R_OK ? 0 : VYT_IO_ERROR;
	if (rc != 0)
		snprintf(err, VYT_ERR_BYTES, "%s", why.msg);
	free(b);
	return rc;
}

int vyt_msg_parse(const uint8_t *buf, size_t len, uint32_t *type, const uint8_t **payload, size_t *plen, char *err)
{
	uint32_t t = 0, n = 0;

	if (len < VYT_MSG_MAGIC_LEN || memcmp(buf, VYT_MSG_MAGIC, VYT_MSG_MAGIC_LEN) != 0) {
		snprintf(err, VYT_ERR_BYTES, "not a trustee message file (bad magic)");
		return -1;
	}
	if (len < VYT_MSG_HDR_BYTES) {
		snprintf(err, VYT_ERR_BYTES, "truncated message file: %zu bytes, header is %d", len, VYT_MSG_HDR_BYTES);
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		t = t << 8 | buf[VYT_MSG_MAGIC_LEN + i];
		n = n << 8 | buf[VYT_MSG_MAGIC_LEN + 4 + i];
	}
	if (n > VY_MAX_MESSAGE_BYTES || len - VYT_MSG_HDR_BYTES != n) {
		snprintf(err, VYT_ERR_BYTES, "%s message file: payload of %zu bytes, header says %u",
			 len - VYT_MSG_HDR_BYTES < n ? "truncated" : "malformed", len - VYT_MSG_HDR_BYTES, n);
		return -1;
	}
	*type = t;
	*payload = buf + VYT_MSG_HDR_BYTES;
	*plen = n;
	return 0;
}
