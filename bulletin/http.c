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
#include "bulletin/codes.h"
#include "bulletin/http.h"
#include "bulletin/jbuf.h"
#include "bulletin/ratelimit.h"
#include "protocol/vy_api.h"
#include "protocol/vy_entry_types.h"

#define RETRY_AFTER_BUSY "1"
#define DRAIN_WAIT_STEPS 40 /* x 50 ms: how long a stop waits for answers to leave */
#define DRAIN_WAIT_NS 50000000L

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
};

/* One POST in progress. */
typedef struct {
	vyb_http *h;
	vyb_route rt;
	struct MHD_Connection *conn;
	uint8_t *body;
	size_t len, cap;
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

typedef struct {
	vyb_jbuf out;
	uint64_t next;
	uint64_t to; /* ?to=M: no entry from M on (UINT64_MAX: no bound) */
} record_ctx;

/* Append one frame u32be(len) || entry (§7.6); stop past the chunk size. */
static int record_frame(void *arg, uint64_t seq, const uint8_t *entry, size_t len)
{
	record_ctx *r = arg;
	uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };

	vyb_jb_put(&r->out, hdr, sizeof hdr);
	vyb_jb_put(&r->out, entry, len);
	r->next = seq + 1;
	return !r->out.oom && r->out.len < VY_MAX_RECORD_CHUNK_BYTES && r->next < r->to;
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
 * before M (§7.6). */
static enum MHD_Result get_record(vyb_http *h, struct MHD_Connection *c)
{
	const char *from_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
	const char *to_s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
	record_ctx r = { .out = { 0 }, .next = 0, .to = UINT64_MAX };
	struct MHD_Response *resp;
	vy_reason why = { 0 };
	uint64_t from;
	char next[VY_NEXT_DIGITS + 1];

	if (!parse_from(from_s, &from))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD, "from: must be a decimal sequence number", 0);
	if (to_s != NULL && (!parse_from(to_s, &r.to) || r.to <= from))
		return answer_error(c, MHD_HTTP_BAD_REQUEST, VY_R_FIELD,
				    "to: must be a decimal sequence number greater than from", 0);
	r.next = from;
	vyb_jb_put(&r.out, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
	if (vyb_store_read(vyb_board_store(h->board), from, record_frame, &r, &why) != VY_R_OK || r.out.oom) {
		vyb_jb_free(&r.out);
		return answer_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, VY_R_IO, why.msg, 0);
	}
	resp = owned_response(r.out.s, r.out.len, VY_CT_RECORD);
	snprintf(next, sizeof next, "%llu", (unsigned long long)r.next);
	if (resp != NULL)
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

/* Keep up to the endpoint's maximum; beyond it remember only that it was too large. */
static int body_append(post_ctx *p, const char *data, size_t n)
{
	size_t cap;
	uint8_t *nb;

	if (p->too_large || n > p->rt.max_body - p->len) {
		p->too_large = 1;
		return 1;
	}
	if (p->len + n > p->cap) {
		cap = p->cap ? p->cap : 4096;
		while (cap < p->len + n)
			cap *= 2;
		if (cap > p->rt.max_body)
			cap = p->rt.max_body;
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

/* Refuse a body whose announced length is over the maximum before reading it. */
static int declared_too_large(struct MHD_Connection *c, const vyb_route *rt)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t n;

	return cl != NULL && parse_from(cl, &n) && n > rt->max_body;
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
	vyb_route route, *rt = vyb_http_route(url, &route) ? &route : NULL;
	uint8_t addr[VYB_RL_ADDR_BYTES];
	size_t alen = client_addr(c, addr);
	unsigned retry = 0;
	post_ctx *p;

	if (rt == NULL)
		return answer_error(c, MHD_HTTP_NOT_FOUND, -1, "not found", 0);
	if (is_post != rt->post && !(strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 && !rt->post))
		return answer_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, -1, rt->post ? "use POST" : "use GET", 0);
	if (!vyb_rl_take(&h->rl, addr, alen, vyb_rl_now(), &retry))
		return answer_error(c, MHD_HTTP_TOO_MANY_REQUESTS, -1, "too many requests from this address", retry);
	if (!rt->post)
		return handle_get(h, c, rt, url);
	if (declared_too_large(c, rt)) {
		char msg[96];

		snprintf(msg, sizeof msg, "body larger than %zu bytes, the maximum of %s", rt->max_body, rt->path);
		return answer_error(c, MHD_HTTP_CONTENT_TOO_LARGE, VY_R_TOO_LARGE, msg, 0);
	}
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return MHD_NO;
	p->h = h;
	p->rt = *rt;
	p->conn = c;
	atomic_init(&p->done, 0);
	*con_cls = p;
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	vyb_http *h = cls;
	post_ctx *p = *con_cls;

	(void)version;
	if (p == NULL)
		return request_start(h, c, url, method, con_cls);
	if (*upload_data_size > 0) {
		if (!body_append(p, upload_data, *upload_data_size))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return post_complete(h, c, p);
}

/* The request is over (answered, or the client went away). */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	post_ctx *p = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (p == NULL)
		return;
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
	vyb_rl_init(&h->rl, cfg->rate, cfg->burst);
	if (v6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
				MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout, MHD_OPTION_CONNECTION_LIMIT,
				cfg->conn_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
	if (h->d == NULL) {
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
	MHD_socket s;

	if (h == NULL)
		return;
	/* No new connections, no new jobs; finish the queued ones. */
	s = MHD_quiesce_daemon(h->d);
	if (s != MHD_INVALID_SOCKET)
		close(s);
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
	vyb_rl_free(&h->rl);
	free(h);
}
