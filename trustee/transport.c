/* The board and file transports of a trustee (transport.h, specs/trustee.md §5). */
#include "trustee/transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cli/vy_files.h"
#include "protocol/vy_json.h"
#include "protocol/vy_protocol.h"
#include "protocol/vy_record.h"

#define URL_BYTES 2048
#define HTTP_TIMEOUT_S 60L
#define MAX_RECORD_BYTES (1ULL << 34)
#define NEXT_HEADER "X-Vybar-Next:"
#define NEXT_DIGITS 20
#define RECORD_PATH_BYTES 64

typedef struct {
	uint8_t *b;
	size_t n, cap;
	int overflow;
	char next[NEXT_DIGITS + 1]; /* the X-Vybar-Next header, "" if absent */
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

/* libcurl header callback: keep the value of X-Vybar-Next (digits only). */
static size_t sink_header(char *p, size_t size, size_t nmemb, void *arg)
{
	sink *s = arg;
	size_t n = size * nmemb, k = strlen(NEXT_HEADER), d = 0;

	if (n > k && strncasecmp(p, NEXT_HEADER, k) == 0) {
		p += k;
		n -= k;
		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		while (d < n && d < NEXT_DIGITS && p[d] >= '0' && p[d] <= '9') {
			s->next[d] = p[d];
			d++;
		}
		s->next[d] = 0;
	}
	return size * nmemb;
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
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, out);
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

/* One answer of GET /v1/record?from=N into s; *next gets X-Vybar-Next.
 * VYT_IO_ERROR when the board did not answer, VYT_REFUSED when its answer
 * is not a record's. */
static int get_chunk(const char *url, uint64_t from, sink *s, uint64_t *next, char *err)
{
	char path[RECORD_PATH_BYTES], *end = NULL;
	long status = 0;

	snprintf(path, sizeof path, "/v1/record?from=%llu", (unsigned long long)from);
	if (request(url, path, NULL, 0, s, &status, err) != 0)
		return VYT_IO_ERROR;
	if (status != 200) {
		snprintf(err, VYT_ERR_BYTES, "board GET %s: HTTP status %ld", path, status);
		return -1;
	}
	if (s->n < VY_RECORD_MAGIC_LEN || memcmp(s->b, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0) {
		snprintf(err, VYT_ERR_BYTES, "board GET %s: the answer does not start with the record magic", path);
		return -1;
	}
	*next = strtoull(s->next, &end, 10);
	if (s->next[0] == 0 || *end != 0) {
		snprintf(err, VYT_ERR_BYTES, "board GET %s: no X-Vybar-Next header", path);
		return -1;
	}
	return 0;
}

/* §5.1: the whole record, answer after answer (each holds at most 8 MiB of
 * frames), until an answer holds no frame. */
int vyt_board_get_record(const char *url, uint8_t **buf, size_t *len, char *err)
{
	sink all = { 0 };
	uint64_t from = 0, next = 0;
	int rc = VYT_REFUSED;

	*buf = NULL;
	for (;;) {
		sink s = { 0 };

		if ((rc = get_chunk(url, from, &s, &next, err)) != 0) {
			free(s.b);
			goto fail;
		}
		rc = VYT_REFUSED;
		if (all.b == NULL) {
			all = s; /* the first answer: magic and frames */
		} else if (s.n > VY_RECORD_MAGIC_LEN) {
			if (sink_write((char *)s.b + VY_RECORD_MAGIC_LEN, 1, s.n - VY_RECORD_MAGIC_LEN, &all) !=
			    s.n - VY_RECORD_MAGIC_LEN) {
				snprintf(err, VYT_ERR_BYTES, "board record: %s", all.overflow ? "record too large" :
					 "out of memory");
				rc = all.overflow ? VYT_REFUSED : VYT_IO_ERROR;
				free(s.b);
				goto fail;
			}
			free(s.b);
		} else {
			free(s.b);
		}
		if (next == from || all.n == VY_RECORD_MAGIC_LEN)
			break;
		if (next < from) {
			snprintf(err, VYT_ERR_BYTES, "board record: X-Vybar-Next %llu goes back from %llu",
				 (unsigned long long)next, (unsigned long long)from);
			goto fail;
		}
		from = next;
	}
	*buf = all.b;
	*len = all.n;
	return 0;
fail:
	free(all.b);
	return rc;
}

/* The board's refusal (specs/board-api.md §3: {"status", "code", "reason",
 * "message"}) in err; the raw answer if it is not that. */
static void board_refusal(const sink *s, long status, char *err)
{
	vyjson *j = s->b != NULL ? vyjson_parse((const char *)s->b, s->n, NULL, 0) : NULL;
	const char *msg = vyjson_get_string(j, "message"), *reason = vyjson_get_string(j, "reason");

	if (msg != NULL)
		snprintf(err, VYT_ERR_BYTES, "board refused the message (HTTP %ld%s%.100s): %.1000s", status,
			 reason != NULL ? ", " : "", reason != NULL ? reason : "", msg);
	else
		snprintf(err, VYT_ERR_BYTES, "board refused the message (HTTP %ld): %.300s", status,
			 s->b ? (const char *)s->b : "");
	vyjson_free(j);
}

/* The appended entry of a success answer ({"seq", "type", "entry_hash"}). */
static int appended(const sink *s, uint64_t *seq, uint8_t head[VY_HASH_BYTES], char *err)
{
	vyjson *j = s->b != NULL ? vyjson_parse((const char *)s->b, s->n, NULL, 0) : NULL;
	const char *h = vyjson_get_string(j, "entry_hash");
	long long n = -1;
	int rc = -1;

	if (vyjson_int(vyjson_get(j, "seq"), &n) && n >= 0 && h != NULL && strlen(h) == 2 * VY_HASH_BYTES &&
	    sodium_hex2bin(head, VY_HASH_BYTES, h, strlen(h), NULL, NULL, NULL) == 0) {
		*seq = (uint64_t)n;
		rc = 0;
	} else {
		snprintf(err, VYT_ERR_BYTES, "board accepted the message (HTTP 200) without naming the entry: %.300s",
			 s->b ? (const char *)s->b : "");
	}
	vyjson_free(j);
	return rc;
}

int vyt_board_post(const char *url, const char *path, const uint8_t *body, size_t len, uint64_t *seq,
		   uint8_t head[VY_HASH_BYTES], char *err)
{
	sink s = { 0 };
	long status = 0;
	int rc = VYT_REFUSED;

	if (request(url, path, body, len, &s, &status, err) != 0)
		rc = VYT_IO_ERROR;
	else if (status != 200)
		board_refusal(&s, status, err);
	else if (seq == NULL)
		rc = 0;
	else
		rc = appended(&s, seq, head, err);
	free(s.b);
	return rc;
}

const char *vyt_msg_endpoint(uint32_t type)
{
	switch (type) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
		return "/v1/trustee/announce";
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
		return "/v1/trustee/reveal";
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
		return "/v1/trustee/verdict";
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return "/v1/trustee/justification";
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
		return "/v1/trustee/partial-decryption";
	default:
		return NULL;
	}
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
