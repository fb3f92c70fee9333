/*
 * The one HTTP client of Vybar's programs (specs/board-api.md,
 * specs/registrar.md §5): a request goes through a transport, a small
 * struct of one function and its context that performs one exchange.
 * libcurl is the default transport (net/http_curl.c); a program that runs
 * elsewhere (a browser) brings its own, and nothing above the transport
 * knows which one runs.
 *
 * Above the transport: URLs from a base and a path of protocol/vy_api.h,
 * the headers Vybar uses, and the one retry policy of every program that
 * POSTs (429 and 503 sent again after a bounded, growing wait that honours
 * Retry-After; a lost answer sent again only where the server takes the
 * same request at most once).
 */
#ifndef VY_HTTP_H
#define VY_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/vy_api.h"
#include "protocol/vy_protocol.h"

#define VY_HTTP_GET "GET"
#define VY_HTTP_POST "POST"
/* The longest URL a request may have. */
#define VY_HTTP_URL_BYTES 2048
/* The longest header value kept (a longer one is cut, so never parses). */
#define VY_HTTP_HEADER_BYTES 64
/* One exchange may last this long (seconds) unless the request says otherwise. */
#define VY_HTTP_TIMEOUT_S 60u

/* One request. */
typedef struct {
	const char *method;       /* VY_HTTP_GET or VY_HTTP_POST */
	const char *url;
	const char *content_type; /* of the body (POST), or NULL */
	const uint8_t *body;      /* POST: body_len bytes (NULL for none) */
	size_t body_len;
	size_t max_answer;        /* an answer body longer than this is refused */
	unsigned timeout_s;       /* 0: VY_HTTP_TIMEOUT_S */
} vy_http_request;

/* One answer: the status, the body and the headers Vybar uses. */
typedef struct {
	long status;
	uint8_t *body; /* malloc'd, NUL-terminated at len */
	size_t len;
	char next[VY_HTTP_HEADER_BYTES];          /* VY_HDR_NEXT, "" if absent */
	char seq[VY_HTTP_HEADER_BYTES];           /* VY_HDR_SEQ */
	char tracking_code[VY_HTTP_HEADER_BYTES]; /* VY_HDR_TRACKING_CODE */
	char retry_after[VY_HTTP_HEADER_BYTES];   /* VY_HDR_RETRY_AFTER */
} vy_http_answer;

/* A transport performs one request into a (zeroed by the caller): VY_R_OK
 * once an answer came, whatever its status; VY_R_TOO_LARGE if its body
 * exceeded rq->max_answer; VY_R_IO if none came (no connection, a lost or
 * late answer); VY_R_NOMEM. Bodies and headers go in with
 * vy_http_answer_append and vy_http_answer_header. */
typedef vy_rc (*vy_http_perform_fn)(void *ctx, const vy_http_request *rq, vy_http_answer *a, vy_reason *why);

typedef struct {
	vy_http_perform_fn perform;
	void *ctx;
} vy_http_transport;

/* The default transport (libcurl). Call vy_http_global_init once before
 * the first request of a program that has threads, and the cleanup last. */
const vy_http_transport *vy_http_libcurl(void);
vy_rc vy_http_global_init(void) VY_WARN_UNUSED;
void vy_http_global_cleanup(void);

/* For transports: append n bytes of body, refusing to pass max in all
 * (VY_R_TOO_LARGE) or memory (VY_R_NOMEM). */
vy_rc vy_http_answer_append(vy_http_answer *a, const void *data, size_t n, size_t max) VY_WARN_UNUSED;
/* For transports: one header, name and value (value_len bytes, blanks
 * around it ignored), kept if it is one Vybar uses. */
void vy_http_answer_header(vy_http_answer *a, const char *name, const char *value, size_t value_len);
void vy_http_answer_free(vy_http_answer *a);

/* A header value that is a decimal number of at most VY_NEXT_DIGITS
 * digits, in *out; 0, or -1 (absent or malformed). */
int vy_http_header_u64(const char *value, uint64_t *out) VY_WARN_UNUSED;

/* base (its trailing '/' dropped), then path and suffix (may be NULL),
 * into out[cap]: VY_R_ARG if it does not fit. */
vy_rc vy_http_url(char *out, size_t cap, const char *base, const char *path, const char *suffix) VY_WARN_UNUSED;

/* One request through t (NULL: libcurl); a is zeroed first and freed on
 * failure. The transport's code, with a reason naming the URL. */
vy_rc vy_http_perform(const vy_http_transport *t, const vy_http_request *rq, vy_http_answer *a,
		      vy_reason *why) VY_WARN_UNUSED;
/* GET url, an answer of at most max bytes. */
vy_rc vy_http_get(const vy_http_transport *t, const char *url, size_t max, vy_http_answer *a,
		  vy_reason *why) VY_WARN_UNUSED;
/* POST body (len bytes, of content type ct) to url. */
vy_rc vy_http_post(const vy_http_transport *t, const char *url, const char *ct, const uint8_t *body, size_t len,
		   size_t max, vy_http_answer *a, vy_reason *why) VY_WARN_UNUSED;

/* ---- the retry policy ---- */
#define VY_RETRY_TRIES 6          /* at most this many requests */
#define VY_RETRY_FIRST_MS 250     /* the first wait, then doubled */
#define VY_RETRY_MAX_MS 4000      /* the longest wait of the doubling */
#define VY_RETRY_AFTER_MAX_MS 30000 /* the longest wait a Retry-After may ask */

typedef struct {
	unsigned tries;    /* 0: VY_RETRY_TRIES */
	unsigned first_ms; /* 0: VY_RETRY_FIRST_MS */
	/* The server takes the same request at most once (a ballot: 409 for
	 * its tracking code), so a request whose answer was lost is sent
	 * again; otherwise a lost answer ends the tries. */
	int idempotent;
	/* Before each wait: busy (429, 503) or not answered (lost). May be NULL. */
	void (*on_retry)(void *ctx, int busy, unsigned wait_ms);
	/* The wait itself; NULL: sleep. Tests count instead. */
	void (*sleep_ms)(void *ctx, unsigned ms);
	void *ctx;
	/* A 429 or 503 whose Retry-After asks for more than
	 * VY_RETRY_AFTER_MAX_MS is the answer (VY_R_OK), not waited for: the
	 * board's word that a ballot comes too soon for its credential
	 * (protocol.md §3.6) is for the voter to read. 0: capped and retried. */
	int long_wait_returns;
} vy_http_retry;

/* rq sent through t until an answer other than 429 or 503 comes: wait
 * first_ms, then twice as long each time up to VY_RETRY_MAX_MS, or what
 * the answer's Retry-After (seconds) asks if that is longer (at most
 * VY_RETRY_AFTER_MAX_MS); the same bytes every time. VY_R_OK with that
 * answer in a (any status); or after the last try VY_R_IO, "busy (HTTP
 * 503) after 4 tries" or "no answer after 4 tries", and nothing in a. p
 * may be NULL (the defaults, not idempotent). */
vy_rc vy_http_send(const vy_http_transport *t, const vy_http_retry *p, const vy_http_request *rq, vy_http_answer *a,
		   vy_reason *why) VY_WARN_UNUSED;

/* The wait before try number `done` + 1, after `done` tries, the last
 * answered with Retry-After retry_after ("" if none): the policy above. */
unsigned vy_http_retry_wait(const vy_http_retry *p, unsigned done, const char *retry_after);

#endif
