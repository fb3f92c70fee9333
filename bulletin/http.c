/*
 * The board's HTTP front (http.h, specs/board-api.md).
 *
 * libmicrohttpd runs a small thread pool for the I/O. A POST is read into
 * memory (never more than its endpoint's maximum: 413), checked against the
 * client's token bucket (429), then handed to the board's single writer
 * through the bounded queue (503 with Retry-After when full): the connection
 * is suspended meanwhile, so the pool threads keep serving others, and
 * resumed by the writer once the entry is committed or refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "bulletin/answers.h"
#include "bulletin/booth_files.h"
#include "bulletin/codes.h"
#include "bulletin/http.h"
#include "bulletin/jbuf.h"
#include "bulletin/ratelimit.h"
#include "net/vy_guard_mhd.h"
#include "net/vy_target_mhd.h"
#include "protocol/vy_api.h"
#include "protocol/vy_entry_types.h"

#define RETRY_AFTER_BUSY "1"
#define DRAIN_WAIT_STEPS 40 /* x 50 ms: how long a stop waits for answers to leave */
#define DRAIN_WAIT_NS 50000000L
#define VYB_GUARD_PER_ADDR_DIV 2 /* unfinished requests per address: half the connections allowed */
#define VYB_GUARD_SOFT_DIV 8     /* the oldest unfinished request is cut beyond 7/8 of the limit */
/* The first bytes of every body are free of the body budget: a ballot
 * fits, so voters never wait for the budget that large bodies share. */
#define VYB_FREE_BODY_BYTES (64u * 1024u)
/* A record page is read from the store a batch at a time (64 KiB of
 * frames, or one larger frame) and handed to MHD in blocks. */
#define VYB_RECORD_BATCH_BYTES (64u * 1024u)
#define VYB_RECORD_BLOCK_BYTES (16u * 1024u)
/* The store numbers entries as SQL integers: `from` beyond is refused. */
#define VYB_MAX_SEQ ((uint64_t)INT64_MAX)

/* Every route but the entries', which come from the table of entry types
 * (protocol/vy_entry_types.h): one POST endpoint per type the board takes. */
static const vyb_route ROUTES[] = {
	{ VY_PATH_PAGE, 0, 0, VYB_R_PAGE, 0, 0 },
	{ VY_PATH_SCRIPT, 0, 0, VYB_R_SCRIPT, 0, 0 },
	{ VY_PATH_MANIFEST, 0, 0, VYB_R_MANIFEST, 0, 0 },
	{ VY_PATH_STATUS, 0, 0, VYB_R_STATUS, 0, 0 },
	{ VY_PATH_RESULT, 0, 0, VYB_R_RESULT, 0, 0 },
	{ VY_PATH_RECORD, 0, 0, VYB_R_RECORD, 0, 0 },
	{ VY_PATH_CHECKPOINT, 0, 0, VYB_R_CHECKPOINT, 0, 0 },
	{ VY_PATH_PROOF_INCLUSION, 0, 0, VYB_R_INCLUSION, 0, 0 },
	{ VY_PATH_PROOF_CONSISTENCY, 0, 0, VYB_R_CONSISTENCY, 0, 0 },
	{ VY_PATH_RECEIPTS, 1, 0, VYB_R_RECEIPT, 0, 0 },
	{ VY_PATH_CODES, 1, 0, VYB_R_CODES, 0, 0 },
	{ VY_PATH_ADMIN, 0, 1, VYB_R_ADMIN, 0, VY_MAX_ADMIN_BYTES },
};
#define N_ROUTES (sizeof ROUTES / sizeof ROUTES[0])

struct vyb_http {
	struct MHD_Daemon *d;
	vyb_board *board;
	vyb_ratelimit rl;
	vy_guard *guard; /* the request deadline and the cuts of slow requests */
	size_t body_budget;       /* bytes of large bodies held at once (beyond VYB_FREE_BODY_BYTES each) */
	atomic_size_t body_bytes; /* of them, held now */
	const vyb_booth *booth;
};

/* One POST in progress. */
typedef struct {
	vyb_http *h;
	vyb_route rt;
	struct MHD_Connection *conn;
	uint8_t *body;
	size_t len, cap;
	size_t declared; /* Content-Length, 0 if none */
	size_t charged;  /* bytes of h->body_bytes this body holds */
	int too_large;
	int queued;
	atomic_int done;
	vyb_job job;
} post_ctx;

/* ---- answers ---- */

/* Queue a response with the given body (taken over: freed by MHD). */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type, void *body, size_t len,
			      int must_free)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(len, body, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		if (must_free)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* A response of content type `type` over body (malloc'd, NULL when out of
 * memory; taken over: freed with the response, or here on failure), never
 * cached. NULL on failure. */
static struct MHD_Response *owned_response(void *body, size_t len, const char *type)
{
	struct MHD_Response *r;

	if (body == NULL)
		return NULL;
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return NULL;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return r;
}

/* Queue r (NULL: nothing to send) with status. */
static enum MHD_Result send_response(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ok;

	if (r == NULL)
		return MHD_NO;
	ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* An error as JSON (answers.h); retry_after > 0 adds a Retry-After header. */
static enum MHD_Result answer_error(struct MHD_Connection *c, unsigned status, int code, const char *msg,
				    unsigned retry_after)
{
	size_t len = 0;
	char *json = vyb_error_json(status, code, msg, &len);
	struct MHD_Response *r = owned_response(json, len, VY_CT_JSON);
	char ra[16];

	if (r != NULL && retry_after > 0) {
		snprintf(ra, sizeof ra, "%u", retry_after);
		MHD_add_response_header(r, VY_HDR_RETRY_AFTER, ra);
	}
	return send_response(c, status, r);
}

/* 405 for a method the path does not take (DELETE, TRACE, any other),
 * with the methods it takes in Allow. */
static enum MHD_Result answer_not_allowed(struct MHD_Connection *c, int post)
{
	size_t len = 0;
	char *json = vyb_error_json(MHD_HTTP_METHOD_NOT_ALLOWED, -1, post ? "use POST" : "use GET", &len);
	struct MHD_Response *r = owned_response(json, len, VY_CT_JSON);

	if (r != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, post ? "POST" : "GET, HEAD");
	return send_response(c, MHD_HTTP_METHOD_NOT_ALLOWED, r);
}

/* JSON text (malloc'd, or NULL on OOM) as a 200 answer. */
static enum MHD_Result answer_json(struct MHD_Connection *c, char *json, size_t len)
{
	if (json == NULL)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	return answer(c, MHD_HTTP_OK, VY_CT_JSON, json, len, 1);
}

/* ---- GET handlers ---- */

/* The web page and its script, with a strict content policy. */
static enum MHD_Result get_static(struct MHD_Connection *c, const char *text, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'");
	ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

/* The extent of one record page: entries from .. next - 1, bytes with
 * the magic line (the same rule as ever: stop after the frame that passes
 * VY_MAX_RECORD_CHUNK_BYTES). */
typedef struct {
	uint64_t next;
	size_t bytes;
	uint64_t to; /* ?to=M: no entry from M on (UINT64_MAX: no bound) */
} page_extent;

/* Count one frame u32be(len) || entry (§7.6) into the extent. */
static int extent_frame(void *arg, uint64_t seq, const uint8_t *entry, size_t len)
{
	page_extent *x = arg;

	(void)entry;
	x->bytes += 4 + len;
	x->next = seq + 1;
	return x->bytes < VY_MAX_RECORD_CHUNK_BYTES && x->next < x->to;
}

/* One record page being sent: its frames are read from the store again,
 * a batch at a time, as the client reads them, so an answer that is not
 * read holds one batch, not the page. */
typedef struct {
	vyb_http *h;
	uint64_t cursor, end; /* the next entry to read; the page's end */
	vyb_jbuf batch;       /* frames read, not yet sent */
	size_t sent;          /* of batch */
	int failed;
} page_stream;

/* Append one frame to the batch; stop at the page's end or a full batch. */
static int stream_frame(void *arg, uint64_t seq, const uint8_t *entry, size_t len)
{
	page_stream *p = arg;
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };

	if (seq >= p->end)
		return 0;
	vyb_jb_put(&p->batch, hdr, sizeof hdr);
	vyb_jb_put(&p->batch, entry, len);
	p->cursor = seq + 1;
	return !p->batch.oom && p->cursor < p->end && p->batch.len < VYB_RECORD_BATCH_BYTES;
}

/* MHD's reader of a page: the next bytes of the batch, reading the next
 * batch once it is sent. */
static ssize_t page_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	page_stream *p = cls;
	vy_reason why = { 0 };
	size_t n;

	(void)pos;
	if (p->sent == p->batch.len) {
		if (p->cursor >= p->end || p->failed)
			return p->failed ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
		p->batch.len = 0;
		p->sent = 0;
		if (vyb_store_read(vyb_board_store(p->h->board), p->cursor, stream_frame, p, &why) != VY_R_OK ||
		    p->batch.oom || p->batch.len == 0) {
			p->failed = 1;
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	n = p->batch.len - p->sent < max ? p->batch.len - p->sent : max;
	memcpy(buf, p->batch.s + p->sent, n);
	p->sent += n;
	return (ssize_t)n;
}

static void page_free(void *cls)
{
	page_stream *p = cls;

	vyb_jb_free(&p->batch);
	free(p);
}

/* Parse ?from=N (an entry number, as X-Vybar-Next writes it): decimal
 * digits only, no overflow. */
static int parse_from(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t n = 0;

	*out = 0;
	if (s == NULL)
		return 1;
	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= VY_NEXT_DIGITS || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	*out = v;
	return n > 0;
}

/* GET /v1/record?from=N[&to=M]: the magic line and the frames from N on,
 * before M (§7.6), streamed from the store as the client reads them. */
static enum MHD_Result get_record(vyb_http *h, struct MHD_Connection *c)
{
	const char *from_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *to_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
	page_extent x = { 0, VY_RECORD_MAGIC_LEN, UINT64_MAX };
	struct MHD_Response *resp;
	vy_reason why = { 0 };
	page_stream *p;
	uint64_t from;
	char next[VY_NEXT_DIGITS + 1];

	if (!parse_from(from_s, &from) || from > VYB_MAX_SEQ)
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD,
				    "from: must be a decimal sequence number below 2^63", 0);
	if (to_s != NULL && (!parse_from(to_s, &x.to) || x.to <= from))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD,
				    "to: must be a decimal sequence number greater than from", 0);
	x.next = from;
	if (vyb_store_read(vyb_board_store(h->board), from, extent_frame, &x, &why) != VY_R_OK)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_IO, why.msg, 0);
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	p->h = h;
	p->cursor = from;
	p->end = x.next;
	vyb_jb_put(&p->batch, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	if (p->batch.oom) {
		page_free(p);
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	}
	resp = MHD_create_response_from_callback(x.bytes, VYB_RECORD_BLOCK_BYTES, page_read, p, page_free);
	if (resp == NULL) {
		page_free(p);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, VY_CT_RECORD);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	snprintf(next, sizeof next, "%llu", (unsigned long long)x.next);
	MHD_add_response_header(resp, VY_HDR_NEXT, next);
	return send_response(c, MHD_HTTP_OK, resp);
}

/* A tracking code as §4.4 writes it (Crockford letters, upper case). */
static int tracking_code_ok(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

	if (strlen(s) != VY_TRACKING_CODE_LEN)
		return 0;
	for (size_t i = 0; i < VY_TRACKING_CODE_LEN; i++) {
		if (i % 5 == 4 ? s[i] != '-' : (s[i] == '\0' || strchr(alphabet, s[i]) == NULL))
			return 0;
	}
	return 1;
}

/* GET /v1/receipts/<code>: where the ballot is, and its signed receipt. */
static enum MHD_Result get_receipt(vyb_http *h, struct MHD_Connection *c, const char *code)
{
	Vybar__Receipt *rc = NULL;
	vyb_store_hit hit;
	vy_reason why = { 0 };
	size_t len = 0;
	char *json;
	int found = 0;

	if (!tracking_code_ok(code))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD,
				    "tracking code: 16 Crockford base-32 characters in four groups of four, e.g. "
				    "7K2Q-0ZRD-M4XW-9HCT",
				    0);
	if (vyb_store_lookup(vyb_board_store(h->board), code, &hit, &found, &why) != VY_R_OK)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_IO, why.msg, 0);
	if (!found)
		return answer_error(c, MHD_HTTP_NOT_FOUND, -1, "no ballot with this tracking code is on the record", 0);
	if (vy_decode_receipt(&rc, hit.receipt, hit.receipt_len, &why) != VY_R_OK) {
		free(hit.receipt);
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, why.code, why.msg, 0);
	}
	json = vyb_receipt_json(code, hit.seq, hit.type, rc, hit.receipt, hit.receipt_len, &len);
	vy_msg_free(rc);
	free(hit.receipt);
	return answer_json(c, json, len);
}

typedef struct {
	vyb_jbuf out;
	size_t n;
} codes_ctx;

/* One line "CODE SEQ TYPE\n"; stop one past the most an answer lists. */
static int code_line(void *arg, const char *code, uint64_t seq, uint32_t type)
{
	codes_ctx *k = arg;

	if (++k->n > VY_MAX_PREFIX_CODES)
		return 0;
	vyb_jb_printf(&k->out, "%s %llu %s\n", code, (unsigned long long)seq,
		      type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ? "ballot" : "audited-ballot");
	return !k->out.oom;
}

_Static_assert(VY_CODE_PREFIX_MAX == 3, "get_codes' message says 1 to 3 characters");

/* GET /v1/codes/<prefix>: every tracking code under a prefix of 1 to 3
 * characters, one line each, so that the board learns the prefix only. */
static enum MHD_Result get_codes(vyb_http *h, struct MHD_Connection *c, const char *prefix)
{
	codes_ctx k = { .out = { 0 }, .n = 0 };
	vy_reason why = { 0 };
	size_t plen;
	char msg[160];

	switch (vyb_prefix_parse(prefix, &plen)) {
	case VYB_PREFIX_OK:
		break;
	case VYB_PREFIX_LENGTH:
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD,
				    "prefix: 1 to 3 characters, the first of a tracking code without its dashes", 0);
	default:
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD,
				    "prefix: Crockford base-32 characters in upper case (0-9 and A-Z but I, L, O, U)",
				    0);
	}
	if (vyb_store_codes(vyb_board_store(h->board), prefix, code_line, &k, &why) != VY_R_OK) {
		vyb_jb_free(&k.out);
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_IO, why.msg, 0);
	}
	if (k.out.oom) {
		vyb_jb_free(&k.out);
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	}
	if (k.n > VY_MAX_PREFIX_CODES) {
		vyb_jb_free(&k.out);
		snprintf(msg, sizeof msg, "more than %u tracking codes under prefix %s: ask with a longer prefix",
			 VY_MAX_PREFIX_CODES, prefix);
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_TOO_LARGE, msg, 0);
	}
	/* No code under the prefix: an empty list, not 404. */
	if (k.out.s == NULL)
		return answer(c, MHD_HTTP_OK, VY_CT_TEXT, (void *)"", 0, 0);
	return answer(c, MHD_HTTP_OK, VY_CT_TEXT, k.out.s, k.out.len, 1);
}

/* GET /v1/status: the counts. */
static enum MHD_Result get_status(vyb_http *h, struct MHD_Connection *c)
{
	vyb_status st;
	size_t len = 0;
	char *json;

	vyb_board_status(h->board, &st);
	json = vyb_status_json(&st, &len);
	return answer_json(c, json, len);
}

/* GET /v1/result: the result once published, with the manifest's names. */
static enum MHD_Result get_result(vyb_http *h, struct MHD_Connection *c)
{
	Vybar__Result *r = NULL;
	uint64_t seq = 0;
	size_t len = 0;
	char *json;

	if (!vyb_board_result(h->board, &r, &seq))
		r = NULL;
	json = vyb_result_json(vyb_board_manifest_msg(h->board), r, seq, &len);
	vy_msg_free(r);
	return answer_json(c, json, len);
}

/* witness.md §7.1: the checkpoint note with the cosignatures held. */
static enum MHD_Result get_checkpoint(vyb_http *h, struct MHD_Connection *c)
{
	size_t len = 0;
	char *note = vyb_board_checkpoint_note(h->board, &len);

	if (note == NULL)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	return answer(c, MHD_HTTP_OK, VY_CT_TEXT, note, len, 1);
}

/* ?seq=S&size=N: entry S's inclusion proof in the tree of N entries,
 * base64 lines (an empty body when N = 1). */
static enum MHD_Result get_inclusion(vyb_http *h, struct MHD_Connection *c)
{
	const char *seq_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seq");
	const char *size_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "size");
	uint64_t seq, size;
	size_t len = 0;
	char *proof;

	if (seq_s == NULL || size_s == NULL || !parse_from(seq_s, &seq) || !parse_from(size_s, &size))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, -1, "seq and size must be decimal numbers", 0);
	proof = vyb_board_inclusion_proof(h->board, seq, size, &len);
	if (proof == NULL && len == 0)
		return answer_error(c, MHD_HTTP_NOT_FOUND, -1, "no such entry in a tree of that size", 0);
	if (proof == NULL)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	return answer(c, MHD_HTTP_OK, VY_CT_TEXT, proof, len, 1);
}

/* ?first=M&second=N: the consistency proof from the tree of M entries to
 * that of N, base64 lines (an empty body when M = N). */
static enum MHD_Result get_consistency(vyb_http *h, struct MHD_Connection *c)
{
	const char *m_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "first");
	const char *n_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "second");
	uint64_t first, second;
	size_t len = 0;
	char *proof;

	if (m_s == NULL || n_s == NULL || !parse_from(m_s, &first) || !parse_from(n_s, &second))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, -1, "first and second must be decimal numbers", 0);
	proof = vyb_board_consistency_proof(h->board, first, second, &len);
	if (proof == NULL && len == 0)
		return answer_error(c, MHD_HTTP_NOT_FOUND, -1, "no such pair of tree sizes", 0);
	if (proof == NULL)
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_NOMEM, "out of memory", 0);
	return answer(c, MHD_HTTP_OK, VY_CT_TEXT, proof, len, 1);
}

/* Every GET. */
static enum MHD_Result handle_get(vyb_http *h, struct MHD_Connection *c, const vyb_route *rt, const char *url)
{
	const uint8_t *m;
	size_t len = 0;

	switch (rt->kind) {
	case VYB_R_PAGE:
		return get_static(c, vyb_web_page_html, VY_CT_HTML);
	case VYB_R_SCRIPT:
		return get_static(c, vyb_web_page_js, VY_CT_SCRIPT);
	case VYB_R_MANIFEST:
		m = vyb_board_manifest(h->board, &len);
		return answer(c, MHD_HTTP_OK, VY_CT_PROTOBUF, (void *)m, len, 0);
	case VYB_R_STATUS:
		return get_status(h, c);
	case VYB_R_RESULT:
		return get_result(h, c);
	case VYB_R_RECORD:
		return get_record(h, c);
	case VYB_R_RECEIPT:
		return get_receipt(h, c, url + strlen(rt->path));
	case VYB_R_CODES:
		return get_codes(h, c, url + strlen(rt->path));
	case VYB_R_CHECKPOINT:
		return get_checkpoint(h, c);
	case VYB_R_INCLUSION:
		return get_inclusion(h, c);
	case VYB_R_CONSISTENCY:
		return get_consistency(h, c);
	default:
		return answer_error(c, MHD_HTTP_NOT_FOUND, -1, "not found", 0);
	}
}

/* ---- POST handlers ---- */

/* The writer finished the job: wake the connection up. */
static void job_done(vyb_job *job, void *arg)
{
	post_ctx *p = arg;

	(void)job;
	atomic_store(&p->done, 1);
	MHD_resume_connection(p->conn);
}

/* The answer to a finished job: a ballot's signed receipt (§7.5) as
 * protobuf, any other entry's position and hash as JSON, or the error. */
static enum MHD_Result answer_job(struct MHD_Connection *c, post_ctx *p)
{
	vyb_job *job = &p->job;
	unsigned status = vyb_answer_status(job);
	struct MHD_Response *r;
	size_t len = 0;
	char seq[VY_NEXT_DIGITS + 1];

	if (status != MHD_HTTP_OK)
		return answer_error(c, status, (int)job->why.code, job->why.msg, job->retry_after);
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)job->seq);
	if (job->receipt != NULL) {
		r = owned_response(job->receipt, job->receipt_len, VY_CT_PROTOBUF);
		job->receipt = NULL;
		if (r != NULL)
			MHD_add_response_header(r, VY_HDR_TRACKING_CODE, job->tracking_code);
	} else {
		char *json = vyb_appended_json(job, &len);

		r = owned_response(json, len, VY_CT_JSON);
	}
	if (r != NULL)
		MHD_add_response_header(r, VY_HDR_SEQ, seq);
	return send_response(c, MHD_HTTP_OK, r);
}

/* Charge the bytes of a body of `size` beyond VYB_FREE_BODY_BYTES to the
 * board's budget: 1, or 0 when the budget cannot hold them. */
static int body_charge(post_ctx *p, size_t size)
{
	vyb_http *h = p->h;
	size_t need = size > VYB_FREE_BODY_BYTES ? size - VYB_FREE_BODY_BYTES : 0, more, held;

	if (need <= p->charged)
		return 1;
	more = need - p->charged;
	held = atomic_fetch_add(&h->body_bytes, more);
	if (held + more > h->body_budget) {
		atomic_fetch_sub(&h->body_bytes, more);
		return 0;
	}
	p->charged = need;
	return 1;
}

/* Give the body's charge back to the budget. */
static void body_uncharge(post_ctx *p)
{
	atomic_fetch_sub(&p->h->body_bytes, p->charged);
	p->charged = 0;
}

/* Keep up to the endpoint's maximum and the body budget: 1, or 0 to close
 * the connection (a body without Content-Length cut at the limit, or no
 * memory). */
static int body_append(post_ctx *p, const char *data, size_t n)
{
	size_t cap;
	uint8_t *nb;

	if (p->too_large || n > p->rt.max_body - p->len) {
		p->too_large = 1;
		return 0;
	}
	if (p->len + n > p->cap) {
		cap = p->cap ? p->cap : (p->declared ? p->declared : 4096);
		while (cap < p->len + n)
			cap *= 2;
		if (cap > p->rt.max_body)
			cap = p->rt.max_body;
		if (!body_charge(p, cap))
			return 0;
		nb = realloc(p->body, cap);
		if (nb == NULL)
			return 0;
		p->body = nb;
		p->cap = cap;
	}
	memcpy(p->body + p->len, data, n);
	p->len += n;
	return 1;
}

/* The whole body is in: hand it to the writer, or answer. */
static enum MHD_Result post_complete(vyb_http *h, struct MHD_Connection *c, post_ctx *p)
{
	char msg[96];

	if (atomic_load(&p->done))
		return answer_job(c, p);
	if (p->queued)
		return MHD_YES; /* spurious call while suspended */
	if (p->too_large) {
		snprintf(msg, sizeof msg, "body larger than %zu bytes, the maximum of %s", p->rt.max_body, p->rt.path);
		return answer_error(c, MHD_HTTP_CONTENT_TOO_LARGE, VY_R_TOO_LARGE, msg, 0);
	}
	if (!vyb_board_reserve(h->board))
		return answer_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, -1, "the board is busy: retry later", 1);
	p->job.kind = p->rt.kind == VYB_R_ADMIN ? VYB_JOB_ADMIN : VYB_JOB_ENTRY;
	p->job.type = p->rt.type;
	p->job.payload = p->body;
	p->job.payload_len = p->len;
	p->job.done = job_done;
	p->job.done_arg = p;
	p->queued = 1;
	MHD_suspend_connection(c);
	vyb_board_submit(h->board, &p->job);
	return MHD_YES;
}

/* The announced length of the body: 1 with *n (0 when none is announced),
 * 0 when it is over the route's maximum. */
static int declared_length(struct MHD_Connection *c, const vyb_route *rt, size_t *n)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t v = 0;

	*n = 0;
	if (cl == NULL)
		return 1;
	/* longer than any number of digits parse_from takes: too large too */
	if (!parse_from(cl, &v))
		return strspn(cl, "0123456789") != strlen(cl) || strlen(cl) == 0;
	if (v > rt->max_body)
		return 0;
	*n = (size_t)v;
	return 1;
}

/* The phase an entry type is posted in (the rule's own phase check,
 * protocol.md §8), or -1 for a type with no single phase. */
static int entry_phase(Vybar__EntryType t)
{
	switch (t) {
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION:
		return VY_PHASE_SETUP;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT:
		return VY_PHASE_OPEN;
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION:
	case VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED:
		return VY_PHASE_CLOSED;
	default:
		return -1;
	}
}

/* An entry posted outside its phase is refused before its body is read
 * (the rule would refuse it the same way): 403, or MHD_YES to go on. */
static enum MHD_Result phase_gate(vyb_http *h, struct MHD_Connection *c, const vyb_route *rt, int *refused)
{
	int want = rt->kind == VYB_R_ENTRY ? entry_phase(rt->type) : -1;
	vyb_status st;
	char msg[160];

	*refused = 0;
	if (want < 0)
		return MHD_YES;
	vyb_board_status(h->board, &st);
	if ((int)st.phase == want)
		return MHD_YES;
	*refused = 1;
	if (want == VY_PHASE_OPEN) /* as the board says it of a ballot it read */
		snprintf(msg, sizeof msg, "%s: the election is not open for voting (phase %s; the body was not read)",
			 rt->path, vy_phase_name(st.phase));
	else
		snprintf(msg, sizeof msg, "%s: only in phase %s, the record is in phase %s (the body was not read)",
			 rt->path, vy_phase_name((vy_phase)want), vy_phase_name(st.phase));
	return answer_error(c, MHD_HTTP_FORBIDDEN, VY_R_PHASE, msg, 0);
}

/* ---- dispatch ---- */

int vyb_http_route(const char *url, vyb_route *out)
{
	const vy_entry_type_info *t = vy_entry_type_at(url);

	for (size_t i = 0; i < N_ROUTES; i++) {
		const vyb_route *rt = &ROUTES[i];

		if (rt->prefix ? strncmp(url, rt->path, strlen(rt->path)) == 0 : strcmp(url, rt->path) == 0) {
			*out = *rt;
			return 1;
		}
	}
	if (t == NULL)
		return 0;
	*out = (vyb_route){ t->endpoint, 0, 1, VYB_R_ENTRY, t->type, t->max_body };
	return 1;
}

/* The client's address bytes, for its token bucket. */
static size_t client_addr(struct MHD_Connection *c, uint8_t out[VYB_RL_ADDR_BYTES])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	if (sa != NULL && sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 4;
	}
	if (sa != NULL && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 16;
	}
	return 0;
}

/* First call of a request: route, method, rate limit, declared size. */
static enum MHD_Result request_start(vyb_http *h, struct MHD_Connection *c, const char *url, const char *method,
				     void **con_cls)
{
	int is_post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	int is_get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	vyb_route route, *rt = vyb_http_route(url, &route) ? &route : NULL;
	uint8_t addr[VYB_RL_ADDR_BYTES];
	size_t alen = client_addr(c, addr);
	unsigned retry = 0;
	size_t declared = 0;
	int refused = 0;
	enum MHD_Result ret;
	post_ctx *p;

	if (h->booth != NULL && vyb_booth_owns(url)) {
		if (!vyb_rl_take(&h->rl, addr, alen, vyb_rl_now(), &retry))
			return answer_error(c, MHD_HTTP_TOO_MANY_REQUESTS, -1, "too many requests from this address",
					    retry);
		return vyb_booth_answer(h->booth, c, url, method);
	}
	if (rt == NULL)
		return answer_error(c, MHD_HTTP_NOT_FOUND, -1, "not found", 0);
	if (rt->post ? !is_post : !is_get)
		return answer_not_allowed(c, rt->post);
	if (!vyb_rl_take(&h->rl, addr, alen, vyb_rl_now(), &retry))
		return answer_error(c, MHD_HTTP_TOO_MANY_REQUESTS, -1, "too many requests from this address", retry);
	if (!rt->post)
		return handle_get(h, c, rt, url);
	if (!declared_length(c, rt, &declared)) {
		char msg[96];

		snprintf(msg, sizeof msg, "body larger than %zu bytes, the maximum of %s", rt->max_body, rt->path);
		return answer_error(c, MHD_HTTP_CONTENT_TOO_LARGE, VY_R_TOO_LARGE, msg, 0);
	}
	ret = phase_gate(h, c, rt, &refused);
	if (refused)
		return ret;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return MHD_NO;
	p->h = h;
	p->rt = *rt;
	p->conn = c;
	p->declared = declared;
	atomic_init(&p->done, 0);
	/* A large body announced: its room in the budget now, or 503 at once. */
	if (!body_charge(p, declared)) {
		free(p);
		return answer_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, -1,
				    "the board holds as many large bodies as it can: retry later", 1);
	}
	*con_cls = p;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	vyb_http *h = cls;
	post_ctx *p;

	(void)version;
	if (vy_target_mhd_refused(con_cls)) {
		vy_guard_mhd_whole(h->guard, c);
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD, VY_TARGET_NUL_MESSAGE, 0);
	}
	p = *con_cls;
	if (p == NULL) {
		enum MHD_Result ret = request_start(h, c, url, method, con_cls);

		/* Answered at once (a GET, or a POST refused before its body). */
		if (*con_cls == NULL)
			vy_guard_mhd_whole(h->guard, c);
		return ret;
	}
	if (*upload_data_size > 0) {
		if (!body_append(p, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	vy_guard_mhd_whole(h->guard, c);
	return post_complete(h, c, p);
}

/* The request is over (answered, or the client went away). */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	vyb_http *h = cls;
	post_ctx *p = *con_cls;

	(void)toe;
	vy_guard_mhd_next(h->guard, c);
	if (p == NULL)
		return;
	body_uncharge(p);
	free(p->body);
	free(p->job.receipt);
	free(p);
	*con_cls = NULL;
}

/* The listening address. */
static vy_rc make_addr(struct sockaddr_storage *ss, const char *listen, unsigned port, int *v6, vy_reason *why)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	*v6 = 0;
	if (inet_pton(AF_INET, listen, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return VY_R_OK;
	}
	if (inet_pton(AF_INET6, listen, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*v6 = 1;
		return VY_R_OK;
	}
	return vy_reason_set(why, VY_R_FIELD, "--listen %s: not an IPv4 or IPv6 address", listen);
}

vy_rc vyb_http_start(vyb_http **out, vyb_board *b, const vyb_http_config *cfg, unsigned *port, vy_reason *why)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	/* Unfinished requests give way to new connections from 7/8 of the
	 * limit on, and beyond half the per-address limit from one address
	 * (specs/security.md §Slow clients). */
	vy_guard_config guard_cfg = { .deadline_s = cfg->deadline,
				      .per_addr = cfg->per_ip_limit / VYB_GUARD_PER_ADDR_DIV,
				      .soft_limit = cfg->conn_limit - cfg->conn_limit / VYB_GUARD_SOFT_DIV };
	vyb_http *h;
	int v6;
	vy_rc rc;

	*out = NULL;
	if (cfg->port > 65535)
		return vy_reason_set(why, VY_R_FIELD, "--port %u: must be 0..65535", cfg->port);
	rc = make_addr(&ss, cfg->listen, cfg->port, &v6, why);
	if (rc != VY_R_OK)
		return rc;
	h = calloc(1, sizeof *h);
	if (h == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	h->board = b;
	h->body_budget = cfg->body_memory;
	atomic_init(&h->body_bytes, 0);
	rc = vy_guard_start(&h->guard, &guard_cfg, why);
	if (rc != VY_R_OK) {
		free(h);
		return rc;
	}
	h->booth = cfg->booth;
	vyb_rl_init(&h->rl, cfg->rate, cfg->burst);
	if (v6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
				MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout, MHD_OPTION_CONNECTION_LIMIT,
				cfg->conn_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_NOTIFY_CONNECTION,
				vy_guard_mhd_notify, h->guard, MHD_OPTION_URI_LOG_CALLBACK, vy_target_mhd_log, NULL,
				MHD_OPTION_END);
	if (h->d == NULL) {
		vy_guard_stop(h->guard);
		vyb_rl_free(&h->rl);
		free(h);
		return vy_reason_set(why, VY_R_IO, "cannot listen on %s port %u", cfg->listen, cfg->port);
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	*port = di ? di->port : cfg->port;
	*out = h;
	return VY_R_OK;
}

void vyb_http_stop(vyb_http *h)
{
	struct timespec step = { 0, DRAIN_WAIT_NS };
	const union MHD_DaemonInfo *di;

	if (h == NULL)
		return;
	/* No new jobs (a new request is answered 503); finish the queued ones.
	 * The daemon is not quiesced: libmicrohttpd 0.9.75's
	 * MHD_quiesce_daemon races its own epoll pool threads, which may have
	 * taken the listen socket out of their set already, and it meets the
	 * failed removal with its panic, abort() ("Failed to remove listen FD
	 * from epoll set", seen at a clean SIGTERM). The listen socket stays
	 * open until MHD_stop_daemon. */
	vyb_board_refuse_new(h->board);
	vyb_board_drain(h->board);
	/* Let the last answers leave (idle keep-alive connections may stay). */
	for (int i = 0; i < DRAIN_WAIT_STEPS; i++) {
		di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (di == NULL || di->num_connections == 0)
			break;
		nanosleep(&step, NULL);
	}
	MHD_stop_daemon(h->d);
	vy_guard_stop(h->guard);
	vyb_rl_free(&h->rl);
	free(h);
}
