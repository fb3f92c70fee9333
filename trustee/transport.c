/* The board and file transports of a trustee (transport.h, specs/trustee.md §5). */
#include "trustee/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "protocol/vy_protocol.h"

#define URL_BYTES 2048
#define HTTP_TIMEOUT_S 60L
#define MAX_RECORD_BYTES (1ULL << 34)

typedef struct {
	uint8_t *b;
	size_t n, cap;
	int overflow;
} sink;

/* libcurl write callback: append to the sink. */
static size_t sink_write(char *p, size_t size, size_t nmemb, void *arg)
{
	sink *s = arg;
	size_t n = size * nmemb;

	if (s->n + n > MAX_RECORD_BYTES) {
		s->overflow = 1;
		return 0;
	}
	if (s->n + n + 1 > s->cap) {
		size_t cap = (s->n + n + 1) * 2;
		uint8_t *nb = realloc(s->b, cap);

		if (nb == NULL)
			return 0;
		s->b = nb;
		s->cap = cap;
	}
	memcpy(s->b + s->n, p, n);
	s->n += n;
	s->b[s->n] = 0;
	return n;
}

/* One request; *status gets the HTTP status. */
static int request(const char *url, const char *path, const uint8_t *body, size_t len, sink *out, long *status,
		   char *err)
{
	char full[URL_BYTES];
	struct curl_slist *hdr = NULL;
	CURL *c;
	CURLcode cc;

	if (snprintf(full, sizeof full, "%s%s", url, path) >= (int)sizeof full) {
		snprintf(err, VYT_ERR_BYTES, "board URL too long");
		return -1;
	}
	c = curl_easy_init();
	if (c == NULL) {
		snprintf(err, VYT_ERR_BYTES, "cannot start libcurl");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, HTTP_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (body != NULL) {
		hdr = curl_slist_append(hdr, "Content-Type: application/x-protobuf");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		snprintf(err, VYT_ERR_BYTES, "board %s: %s", full, out->overflow ? "record too large" : curl_easy_strerror(cc));
		return -1;
	}
	return 0;
}

int vyt_board_get_record(const char *url, uint8_t **buf, size_t *len, char *err)
{
	sink s = { 0 };
	long status = 0;

	*buf = NULL;
	if (request(url, "/v1/record?from=0", NULL, 0, &s, &status, err) != 0)
		goto fail;
	if (status != 200) {
		snprintf(err, VYT_ERR_BYTES, "board GET /v1/record: HTTP status %ld", status);
		goto fail;
	}
	*buf = s.b;
	*len = s.n;
	return 0;
fail:
	free(s.b);
	return -1;
}

int vyt_board_post(const char *url, const char *path, const uint8_t *body, size_t len, char *err)
{
	sink s = { 0 };
	long status = 0;
	int rc = -1;

	if (request(url, path, body, len, &s, &status, err) == 0) {
		if (status == 200)
			rc = 0;
		else
			snprintf(err, VYT_ERR_BYTES, "board refused the message (HTTP %ld): %.300s", status,
				 s.b ? (const char *)s.b : "");
	}
	free(s.b);
	return rc;
}

int vyt_msg_write(const char *path, uint32_t type, const uint8_t *payload, size_t len, char *err)
{
	uint8_t *b = malloc(VYT_MSG_HDR_BYTES + len);
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
	rc = vyt_write_atomic(path, b, VYT_MSG_HDR_BYTES + len, 0644, err);
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
