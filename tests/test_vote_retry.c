/*
 * The voter client's retries (specs/client.md §4 step 4) against a real
 * vybar-board: the client library (client/vote.c) casts through a small
 * HTTP proxy in this test that answers 503 or 429 a given number of times,
 * or passes a POST on to the board and loses the board's answer, and
 * otherwise passes every request through. And once against the board's own
 * rate limiter (--rate, --burst), whose 429s are real.
 *
 *  - busy twice, then through: one ballot on the record, the receipt
 *    verifies, the client said "busy; trying again" twice, and every try
 *    carried the same bytes;
 *  - busy for ever: a clear error naming the board and the HTTP status,
 *    no receipt file, nothing on the record;
 *  - the first POST is committed but its answer lost: the retry gets 409,
 *    the client fetches the stored receipt, one ballot on the record.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "client/vote.h"
#include "tests/support/board_harness.h"

#define BACKOFF_MS 20         /* the client's first wait in these tests */
#define HEAD_MAX 16384        /* request or answer header block */
#define IO_TIMEOUT_S 60
#define PROXY_POLL_MS 100
#define SCRIPT_MAX 8
#define RATE_BURST "40"       /* the ceremony and the first fetch fit in it */
#define DRAIN_MAX 200

/* What the proxy does with one POST of a ballot. */
enum {
	P_PASS = 0,   /* pass it on, return the board's answer */
	P_DROP = -1,  /* pass it on, then close the connection without answering */
	/* or an HTTP status (503, 429) answered by the proxy itself */
};

typedef struct {
	int lfd;
	unsigned port, board_port;
	pthread_t thread;
	atomic_int stop;
	pthread_mutex_t lock;
	/* under lock: the actions for the next POSTs of ballots, then `then` */
	int script[SCRIPT_MAX];
	size_t n_script, pos;
	int then;
	/* under lock: what it saw */
	unsigned posts, forwarded, dropped, busy, differing;
	uint8_t first_hash[crypto_generichash_BYTES];
} proxy;

/* ---- the proxy ---- */

static int write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = send(fd, b, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { IO_TIMEOUT_S, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* One request: its header block (NUL-terminated, "\r\n\r\n" excluded) and
 * body. */
typedef struct {
	char head[HEAD_MAX + 1];
	uint8_t *body;
	size_t body_len;
} request;

/* The value of header name in a header block, or NULL. */
static const char *header(const char *head, const char *name, char *out, size_t cap)
{
	size_t k = strlen(name);

	for (const char *p = strstr(head, "\r\n"); p != NULL; p = strstr(p, "\r\n")) {
		p += 2;
		if (strncasecmp(p, name, k) == 0 && p[k] == ':') {
			size_t n = 0;

			p += k + 1;
			while (*p == ' ')
				p++;
			while (n + 1 < cap && p[n] != '\r' && p[n] != '\0') {
				out[n] = p[n];
				n++;
			}
			out[n] = '\0';
			return out;
		}
	}
	return NULL;
}

/* Read a request (answering "Expect: 100-continue"); 0 on success. */
static int read_request(int fd, request *rq)
{
	char buf[HEAD_MAX], val[64];
	size_t have = 0, head_len, extra;
	char *end = NULL;
	unsigned long long cl = 0;

	memset(rq, 0, sizeof *rq);
	while (end == NULL) {
		ssize_t n;

		if (have == sizeof buf)
			return -1;
		n = recv(fd, buf + have, sizeof buf - have, 0);
		if (n <= 0)
			return -1;
		have += (size_t)n;
		for (size_t i = 0; i + 4 <= have && end == NULL; i++)
			if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
				end = buf + i;
	}
	head_len = (size_t)(end - buf);
	memcpy(rq->head, buf, head_len);
	rq->head[head_len] = '\0';
	if (header(rq->head, "Content-Length", val, sizeof val) != NULL)
		cl = strtoull(val, NULL, 10);
	if (cl > 4u * 1024u * 1024u)
		return -1;
	rq->body = malloc(cl + 1);
	if (rq->body == NULL)
		return -1;
	extra = have - head_len - 4;
	if (extra > cl)
		return -1;
	memcpy(rq->body, end + 4, extra);
	rq->body_len = extra;
	if (extra < cl && header(rq->head, "Expect", val, sizeof val) != NULL && strcasecmp(val, "100-continue") == 0 &&
	    write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 0)
		return -1;
	while (rq->body_len < cl) {
		ssize_t n = recv(fd, rq->body + rq->body_len, cl - rq->body_len, 0);

		if (n <= 0)
			return -1;
		rq->body_len += (size_t)n;
	}
	return 0;
}

/* Send rq to the board with "Connection: close" and read its whole answer
 * (malloc'd into *out). 0 on success. */
static int forward(const proxy *p, const request *rq, uint8_t **out, size_t *out_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->board_port) };
	char head[HEAD_MAX + 64];
	const char *line = rq->head, *next;
	size_t len = 0, cap = 0;
	uint8_t *buf = NULL;
	int fd, rc = -1;

	/* the request line and every header but the hop-by-hop ones */
	head[0] = '\0';
	for (; *line != '\0'; line = next) {
		size_t n;

		next = strstr(line, "\r\n");
		n = next ? (size_t)(next - line) : strlen(line);
		next = next ? next + 2 : line + n;
		if (strncasecmp(line, "Connection:", 11) == 0 || strncasecmp(line, "Expect:", 7) == 0 ||
		    strncasecmp(line, "Keep-Alive:", 11) == 0)
			continue;
		strncat(head, line, n);
		strcat(head, "\r\n");
	}
	strcat(head, "Connection: close\r\n\r\n");
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 || write_all(fd, head, strlen(head)) != 0 ||
	    write_all(fd, rq->body, rq->body_len) != 0)
		goto out;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			uint8_t *nb = realloc(buf, cap ? 2 * cap : 65536);

			if (nb == NULL)
				goto out;
			buf = nb;
			cap = cap ? 2 * cap : 65536;
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* The proxy's own answer: the board's error form (board-api.md §3). */
static void answer_busy(int fd, int status)
{
	char body[160], head[256];

	snprintf(body, sizeof body,
		 "{\"status\": %d, \"code\": null, \"reason\": null, \"message\": \"%s\"}\n", status,
		 status == 429 ? "too many requests from this address" : "the board is busy: retry later");
	snprintf(head, sizeof head,
		 "HTTP/1.1 %d %s\r\nContent-Type: " VY_CT_JSON "\r\n" VY_HDR_RETRY_AFTER ": 1\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 status, status == 429 ? "Too Many Requests" : "Service Unavailable", strlen(body));
	(void)(write_all(fd, head, strlen(head)) == 0 && write_all(fd, body, strlen(body)) == 0);
}

/* The action for this request; counts what it sees. */
static int decide(proxy *p, const request *rq)
{
	uint8_t h[crypto_generichash_BYTES];
	int action;

	if (strncmp(rq->head, "POST " VY_PATH_BALLOTS " ", strlen("POST " VY_PATH_BALLOTS " ")) != 0)
		return P_PASS;
	crypto_generichash(h, sizeof h, rq->body, rq->body_len, NULL, 0);
	pthread_mutex_lock(&p->lock);
	if (p->posts++ == 0)
		memcpy(p->first_hash, h, sizeof h);
	else if (memcmp(p->first_hash, h, sizeof h) != 0)
		p->differing++;
	action = p->pos < p->n_script ? p->script[p->pos++] : p->then;
	if (action == P_PASS || action == P_DROP)
		p->forwarded++;
	if (action == P_DROP)
		p->dropped++;
	if (action > 0)
		p->busy++;
	pthread_mutex_unlock(&p->lock);
	return action;
}

/* One connection, one request (every answer closes it). */
static void serve_one(proxy *p, int fd)
{
	request rq;
	uint8_t *ans = NULL;
	size_t ans_len = 0;
	int action;

	set_timeouts(fd);
	if (read_request(fd, &rq) != 0)
		goto out;
	action = decide(p, &rq);
	if (action > 0) {
		answer_busy(fd, action);
	} else if (forward(p, &rq, &ans, &ans_len) == 0 && action == P_PASS) {
		(void)write_all(fd, ans, ans_len);
	}
	/* P_DROP: the board committed it; the client hears nothing */
out:
	free(ans);
	free(rq.body);
	shutdown(fd, SHUT_RDWR);
	close(fd);
}

static void *proxy_main(void *arg)
{
	proxy *p = arg;

	while (!atomic_load(&p->stop)) {
		struct pollfd pf = { .fd = p->lfd, .events = POLLIN };
		int fd;

		if (poll(&pf, 1, PROXY_POLL_MS) <= 0)
			continue;
		fd = accept(p->lfd, NULL, NULL);
		if (fd >= 0)
			serve_one(p, fd);
	}
	return NULL;
}

static void proxy_start(proxy *p, unsigned board_port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	socklen_t alen = sizeof a;

	memset(p, 0, sizeof *p);
	p->board_port = board_port;
	pthread_mutex_init(&p->lock, NULL);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(p->lfd, 16), 0);
	assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&a, &alen), 0);
	p->port = ntohs(a.sin_port);
	atomic_init(&p->stop, 0);
	assert_int_equal(pthread_create(&p->thread, NULL, proxy_main, p), 0);
}

static void proxy_stop(proxy *p)
{
	atomic_store(&p->stop, 1);
	assert_int_equal(pthread_join(p->thread, NULL), 0);
	close(p->lfd);
	pthread_mutex_destroy(&p->lock);
}

/* The actions for the next POSTs of ballots (ending in P_PASS or a status
 * for ever after), and fresh counts. */
static void proxy_script(proxy *p, const int *script, size_t n, int then)
{
	assert_true(n <= SCRIPT_MAX);
	pthread_mutex_lock(&p->lock);
	if (n > 0)
		memcpy(p->script, script, n * sizeof *script);
	p->n_script = n;
	p->pos = 0;
	p->then = then;
	p->posts = p->forwarded = p->dropped = p->busy = p->differing = 0;
	pthread_mutex_unlock(&p->lock);
}

/* ---- the election and the voters ---- */

typedef struct {
	vyh_election e;
	proxy px;
	char url[64];       /* the proxy: the board as the client sees it */
	unsigned voters;
} world;

static int setup(void **state)
{
	world *w = calloc(1, sizeof *w);

	assert_non_null(w);
	vytest_init();
	vyh_election_start(&w->e, 3, 2, NULL);
	vyh_election_ceremony(&w->e);
	proxy_start(&w->px, w->e.b.port);
	snprintf(w->url, sizeof w->url, "http://127.0.0.1:%u", w->px.port);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;

	proxy_stop(&w->px);
	assert_int_equal(vyh_stop(&w->e.b, SIGTERM), 0);
	vyh_election_free(&w->e);
	free(w);
	return 0;
}

/* The board's record (straight from the board), verified: its ballots. */
static uint64_t ballots_on_record(const vyh_board *b)
{
	size_t len;
	uint8_t *rec = vyh_record(b, &len);
	vy_record_state st;
	vy_reason why;
	uint64_t n;

	if (vyh_verify_record(rec, len, &st, &why) != VY_R_OK)
		fail_msg("the board's record does not verify: %s", why.msg);
	n = st.ballots;
	vy_record_state_free(&st);
	free(rec);
	return n;
}

/* A fresh voter (the fixtures' credential, signed by the fixtures'
 * registrar) and a ballot built by the client library for url's election. */
typedef struct {
	vyf_voter v;
	vyc_board bd;
	vy_built_ballot b;
} voter;

static void voter_build(world *w, const char *url, voter *vt)
{
	uint32_t choices[VYF_SELECTIONS];
	vy_ballot_signer s;
	char label[32];
	vy_reason why;

	snprintf(label, sizeof label, "retry voter %u", w->voters++);
	if (vyc_board_fetch(&vt->bd, NULL, url, NULL, &why) != VY_R_OK)
		fail_msg("fetch %s: %s", url, why.msg);
	vyf_voter_init(&vt->v, &vt->bd.st.election, label);
	s.pk = vt->v.pk;
	s.sk = vt->v.sk;
	s.randomizer = vt->v.randomizer;
	s.reg_sig = vt->v.reg_sig;
	s.reg_sig_len = sizeof vt->v.reg_sig;
	vyf_default_choices(choices);
	assert_int_equal(vy_manifest_selections(vt->bd.st.manifest), VYF_SELECTIONS);
	if (vy_ballot_build(&vt->b, &vt->bd.st.election, &s, choices, VYF_SELECTIONS, NULL, NULL, &why) != VY_R_OK)
		fail_msg("build: %s", why.msg);
}

static void voter_free(voter *vt)
{
	vy_built_ballot_free(&vt->b);
	vyc_board_free(&vt->bd);
}

/* The client's progress messages, in memory. */
typedef struct {
	char *text;
	size_t len;
	FILE *f;
	vyc_io io;
} log_buf;

static void log_say(void *ctx, const char *text)
{
	fputs(text, ctx);
}

static void log_open(log_buf *l, vyc_post_opts *o, unsigned tries, unsigned backoff_ms)
{
	memset(l, 0, sizeof *l);
	l->f = open_memstream(&l->text, &l->len);
	assert_non_null(l->f);
	l->io.say = log_say;
	l->io.ctx = l->f;
	memset(o, 0, sizeof *o);
	o->tries = tries;
	o->backoff_ms = backoff_ms;
	o->io = &l->io;
}

static void log_close(log_buf *l)
{
	fclose(l->f);
	free(l->text);
}

/* How many times s occurs in the log. */
static unsigned log_count(log_buf *l, const char *s)
{
	unsigned n = 0;

	fflush(l->f);
	for (const char *p = l->text; p != NULL && (p = strstr(p, s)) != NULL; p += strlen(s))
		n++;
	return n;
}

static void receipt_path(const world *w, char out[VYH_PATH_BYTES], const char *name)
{
	snprintf(out, VYH_PATH_BYTES, "%s/%s", w->e.b.dir, name);
}

/* The receipt was kept (mode 0600) and check finds this ballot on the
 * board at seq, the credential's latest. */
static void receipt_checks(const world *w, const voter *vt, const char *rcpt, uint64_t seq)
{
	vyc_check_result res;
	struct stat sb;
	vy_reason why;

	assert_int_equal(stat(rcpt, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	if (vyc_check(w->url, rcpt, &res, &why) != VY_R_OK)
		fail_msg("check: %s", why.msg);
	assert_int_equal(res.seq, seq);
	assert_string_equal(res.tracking_code, vt->b.tracking_code);
	assert_false(res.superseded);
}

/* ---- the cases ---- */

/* 503, then 429, then through: one ballot, the same bytes every time. */
static void test_busy_twice_then_ok(void **state)
{
	static const int script[] = { 503, 429 };
	world *w = *state;
	char rcpt[VYH_PATH_BYTES];
	uint64_t before = ballots_on_record(&w->e.b), seq = 0;
	vyc_post_opts o;
	log_buf l;
	vy_reason why;
	voter vt;

	voter_build(w, w->url, &vt);
	proxy_script(&w->px, script, 2, P_PASS);
	log_open(&l, &o, 6, BACKOFF_MS);
	receipt_path(w, rcpt, "receipt-busy-twice.pb");
	if (vyc_cast(&vt.bd, &vt.b, &o, rcpt, &seq, &why) != VY_R_OK)
		fail_msg("cast through two busy answers: %s", why.msg);
	assert_int_equal(log_count(&l, "busy; trying again"), 2);
	assert_int_equal(w->px.posts, 3);
	assert_int_equal(w->px.busy, 2);
	assert_int_equal(w->px.forwarded, 1);
	assert_int_equal(w->px.differing, 0);
	assert_int_equal(ballots_on_record(&w->e.b), before + 1);
	receipt_checks(w, &vt, rcpt, seq);
	log_close(&l);
	voter_free(&vt);
}

/* 503 for ever: after the bounded tries, a clear error; nothing recorded. */
static void test_busy_forever(void **state)
{
	world *w = *state;
	char rcpt[VYH_PATH_BYTES], path[64], expect[128];
	uint64_t before = ballots_on_record(&w->e.b), seq = 0;
	vyc_post_opts o;
	log_buf l;
	vy_reason why;
	vyh_resp r;
	voter vt;

	voter_build(w, w->url, &vt);
	proxy_script(&w->px, NULL, 0, 503);
	log_open(&l, &o, 4, BACKOFF_MS);
	receipt_path(w, rcpt, "receipt-busy-forever.pb");
	assert_int_equal(vyc_cast(&vt.bd, &vt.b, &o, rcpt, &seq, &why), VY_R_IO);
	snprintf(expect, sizeof expect, "board %s: busy (HTTP 503) after 4 tries", w->url);
	if (strstr(why.msg, expect) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", expect, why.msg);
	assert_int_equal(log_count(&l, "busy; trying again"), 3);
	assert_int_equal(w->px.posts, 4);
	assert_int_equal(w->px.forwarded, 0);
	assert_int_equal(w->px.differing, 0);
	assert_int_equal(access(rcpt, F_OK), -1);
	assert_int_equal(ballots_on_record(&w->e.b), before);
	snprintf(path, sizeof path, "%s%s", VY_PATH_RECEIPTS, vt.b.tracking_code);
	vyh_get(&w->e.b, path, &r);
	assert_int_equal(r.status, 404);
	vyh_resp_free(&r);
	log_close(&l);
	voter_free(&vt);
}

/* The first POST is committed, its answer lost; the retry gets 409 and
 * the stored receipt, which is the first POST's. */
static void test_answer_lost_then_409(void **state)
{
	static const int script[] = { P_DROP };
	world *w = *state;
	char rcpt[VYH_PATH_BYTES];
	uint64_t before = ballots_on_record(&w->e.b), seq = 0;
	vyc_post_opts o;
	log_buf l;
	vy_reason why;
	vyh_resp r;
	voter vt;

	voter_build(w, w->url, &vt);
	proxy_script(&w->px, script, 1, P_PASS);
	log_open(&l, &o, 6, BACKOFF_MS);
	receipt_path(w, rcpt, "receipt-lost.pb");
	if (vyc_cast(&vt.bd, &vt.b, &o, rcpt, &seq, &why) != VY_R_OK)
		fail_msg("cast after a lost answer: %s", why.msg);
	assert_int_equal(log_count(&l, "did not answer; trying again"), 1);
	assert_int_equal(log_count(&l, "busy"), 0);
	assert_int_equal(w->px.posts, 2);
	assert_int_equal(w->px.forwarded, 2);
	assert_int_equal(w->px.dropped, 1);
	assert_int_equal(w->px.differing, 0);
	assert_int_equal(ballots_on_record(&w->e.b), before + 1);
	/* the second POST itself was refused as a duplicate */
	vyh_post(&w->e.b, VY_PATH_BALLOTS, vt.b.bytes, vt.b.len, &r);
	assert_int_equal(r.status, 409);
	vyh_resp_free(&r);
	receipt_checks(w, &vt, rcpt, seq);
	log_close(&l);
	voter_free(&vt);
}

/* The rate limiter's own board (and its files), also after a failed check. */
static world rw;

static int rate_teardown(void **state)
{
	(void)state;
	if (rw.e.b.dir[0] != '\0')
		vyh_election_free(&rw.e);
	memset(&rw, 0, sizeof rw);
	return 0;
}

/* The board's own rate limiter: its bucket emptied, the POST gets real
 * 429s until a token comes back (one every 2 s), and goes through. */
static void test_real_rate_limit(void **state)
{
	static const char *const extra[] = { "--rate", "0.5", "--burst", RATE_BURST, NULL };
	struct timespec step = { 0, 250 * 1000 * 1000 };
	char url[64], rcpt[VYH_PATH_BYTES];
	uint64_t seq = 0, n = 0;
	vyc_post_opts o;
	log_buf l;
	vy_reason why;
	voter vt;
	int limited = 0;

	(void)state;
	rw.voters = 1000;
	vyh_election_start(&rw.e, 3, 2, extra);
	vyh_election_ceremony(&rw.e);
	snprintf(url, sizeof url, "http://127.0.0.1:%u", rw.e.b.port);
	voter_build(&rw, url, &vt);
	for (int i = 0; i < DRAIN_MAX && !limited; i++) {
		vyh_resp r;

		vyh_get(&rw.e.b, VY_PATH_STATUS, &r);
		limited = r.status == 429;
		vyh_resp_free(&r);
	}
	assert_true(limited);
	log_open(&l, &o, 6, 250); /* each wait as long as Retry-After asks (a token is back by then) */
	receipt_path(&rw, rcpt, "receipt-rate.pb");
	if (vyc_cast(&vt.bd, &vt.b, &o, rcpt, &seq, &why) != VY_R_OK)
		fail_msg("cast against the rate limit: %s", why.msg);
	assert_true(log_count(&l, "busy; trying again") >= 1);
	/* one ballot on the record, once the bucket lets us read it */
	for (int i = 0; i < 40 && n == 0; i++) {
		vyh_resp r;

		vyh_get(&rw.e.b, VY_PATH_RECORD_FROM "0", &r);
		if (r.status == 200) {
			vy_record_state st;

			assert_int_equal(vyh_verify_record(r.body, r.len, &st, &why), VY_R_OK);
			n = st.ballots;
			assert_int_equal(n, 1);
			assert_int_equal(st.next_seq, seq + 1);
			vy_record_state_free(&st);
		} else {
			assert_int_equal(r.status, 429);
			nanosleep(&step, NULL);
		}
		vyh_resp_free(&r);
	}
	assert_int_equal(n, 1);
	log_close(&l);
	voter_free(&vt);
	assert_int_equal(vyh_stop(&rw.e.b, SIGTERM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_twice_then_ok),
		cmocka_unit_test(test_busy_forever),
		cmocka_unit_test(test_answer_lost_then_409),
		cmocka_unit_test_teardown(test_real_rate_limit, rate_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
