/*
 * The servers under the attacks of issue 17, at full size, on loopback
 * (specs/security.md §3.6; bench/README.md has the figures).
 *
 *   bench_attack [seconds] [board|record|registrar]
 *                      (default: 20 s of measuring the board; every part)
 *
 * Board (its defaults: 1,024 connections, 64 per address, 60 s deadline,
 * 128 MiB body budget), voting open:
 *   - 2,000 connections that trickle their headers a byte every second,
 *     from 32 addresses (127.0.0.2 .. 127.0.0.33), each reopened at once
 *     when the board closes it;
 *   - 200 connections, from the same addresses, announcing bodies of
 *     16 MiB (partial decryptions, out of phase) and of 2 MB (ballots),
 *     half each, sending as fast as the board reads and never finishing,
 *     each reopened when closed;
 *   - meanwhile, from 127.0.0.1, a voter posts a ballot on a new connection
 *     every second, and a reader asks GET /v1/status every 0.5 s: their
 *     latencies and outcomes; the board's VmRSS, sampled every 0.25 s.
 * Board, a record of 3,000 ballots: 256 connections ask for
 * GET /v1/record?from=0 and never read the answer: the board's VmRSS.
 * Registrar (its defaults), then:
 *   - 300 connections from 127.0.0.1 trickling their headers (reopened);
 *   - voters from 127.0.0.1 registering one after another: latencies.
 * Only ever targets 127.0.0.0/8 on this machine; every loop is bounded in
 * time, and every connection is closed at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "bench/attackers.h"
#include "client/registration.h"
#include "tests/support/board_harness.h"
#include "tests/support/registrar_harness.h"

#define DEFAULT_SECONDS 20
#define WARMUP_S 5
#define REG_SLOW_CONNS 300
#define REG_CODES 16
#define REG_QUIET 4 /* registered before the attack, for comparison */
#define QUIET_BALLOTS 5
#define MAX_SAMPLES 4096
#define RECORD_BALLOTS 3000 /* past the 8 MiB of a record page */
#define RECORD_READERS 256
#define RECORD_RCVBUF 4096  /* the readers' receive buffers: as small as the kernel allows */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
}

/* ---- measuring ---- */

typedef struct {
	double ms[MAX_SAMPLES];
	size_t n, ok;
} samples;

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

static void report(const char *what, samples *s)
{
	if (s->n == 0) {
		printf("%-34s no sample\n", what);
		return;
	}
	qsort(s->ms, s->n, sizeof s->ms[0], cmp_double);
	printf("%-34s %4zu of %4zu ok; ms p50 %8.1f  p99 %8.1f  max %8.1f\n", what, s->ok, s->n, s->ms[s->n / 2],
	       s->ms[s->n * 99 / 100], s->ms[s->n - 1]);
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p, (void)arg;
	return size * n;
}

/* One request on a new connection: its time, 1 if 200. */
static int timed_request(unsigned port, const char *path, const uint8_t *body, size_t len, double *ms)
{
	CURL *c = curl_easy_init();
	char url[128];
	long status = 0;
	double t0 = now_s();
	int ok;

	snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	ok = curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
	     status == 200;
	*ms = (now_s() - t0) * 1e3;
	curl_easy_cleanup(c);
	return ok;
}

static unsigned long rss_kb(pid_t pid)
{
	char path[64], line[256];
	unsigned long kb = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

typedef struct {
	unsigned port;
	volatile int stop;
	samples st;
} status_reader;

static void *read_status(void *arg)
{
	status_reader *r = arg;

	while (!r->stop && r->st.n < MAX_SAMPLES) {
		double ms;

		r->st.ok += (size_t)timed_request(r->port, VY_PATH_STATUS, NULL, 0, &ms);
		r->st.ms[r->st.n++] = ms;
		sleep_ms(500);
	}
	return NULL;
}

/* ---- the board ---- */

/* A fresh voter's ballot, posted on a new connection and timed. */
static void post_ballot(vyh_election *e, const char *who, unsigned i, const uint32_t *choices, samples *s)
{
	char label[48];
	vyf_voter v;
	size_t len;
	uint8_t *b;
	double ms;

	snprintf(label, sizeof label, "%s %u", who, i);
	vyf_voter_init(&v, &e->r.st.election, label);
	b = vyf_ballot_pack(&e->r.st.election, &v, choices, "cast", NULL, &len);
	s->ok += (size_t)timed_request(e->b.port, VY_PATH_BALLOTS, b, len, &ms);
	s->ms[s->n++] = ms;
	free(b);
}

static void board_attack(unsigned seconds)
{
	static samples ballots, quiet;
	status_reader reader = { 0 };
	vybench_attacker slow = { 0 }, bodies = { 0 };
	unsigned long rss_max = 0, rss0;
	uint32_t choices[VYF_SELECTIONS];
	pthread_t rt;
	vyh_election e;
	double t_end;

	vyh_election_start(&e, 1, 1, NULL);
	vyh_election_ceremony(&e);
	vyf_default_choices(choices);
	for (unsigned i = 0; i < QUIET_BALLOTS; i++)
		post_ballot(&e, "quiet voter", i, choices, &quiet);
	rss0 = rss_kb(e.b.pid);
	vybench_board_attackers(&slow, &bodies, e.b.port);
	vybench_attack_start(&slow);
	vybench_attack_start(&bodies);
	fprintf(stderr, "bench_attack: board: %d slow + %d body connections, %u s warm-up...\n", VYBENCH_SLOW_CONNS,
		VYBENCH_BODY_CONNS, WARMUP_S);
	sleep_ms(WARMUP_S * 1000);
	reader.port = e.b.port;
	if (pthread_create(&rt, NULL, read_status, &reader) != 0)
		exit(1);
	t_end = now_s() + seconds;
	for (unsigned i = 0; now_s() < t_end && ballots.n < MAX_SAMPLES; i++) {
		double next = now_s() + 1.0;
		unsigned long kb;

		post_ballot(&e, "attack voter", i, choices, &ballots);
		while (now_s() < next) {
			kb = rss_kb(e.b.pid);
			rss_max = kb > rss_max ? kb : rss_max;
			sleep_ms(250);
		}
	}
	reader.stop = 1;
	pthread_join(rt, NULL);
	printf("board under %d slow-header connections (%d addresses) and %d large bodies, %u s:\n", VYBENCH_SLOW_CONNS,
	       VYBENCH_ATTACK_ADDRS, VYBENCH_BODY_CONNS, seconds);
	printf("  attackers' connections open at the end: %zu slow, %zu bodies; reopened %lu and %lu times\n",
	       vybench_attack_open(&slow), vybench_attack_open(&bodies), slow.closed, bodies.closed);
	report("  voter: POST /v1/ballots, no attack", &quiet);
	report("  voter: POST /v1/ballots, attacked", &ballots);
	report("  reader: GET /v1/status", &reader.st);
	printf("  board VmRSS: %lu MiB before, at most %lu MiB during\n", rss0 / 1024, rss_max / 1024);
	vybench_attack_stop(&slow);
	vybench_attack_stop(&bodies);
	vyh_election_free(&e);
}

/* ---- record pages nobody reads ---- */

typedef struct {
	vyh_election *e;
	size_t first, count, ok;
} poster;

/* Post ballots first .. first + count - 1 over one keep-alive connection. */
static void *post_many(void *arg)
{
	poster *p = arg;
	uint32_t choices[VYF_SELECTIONS];
	CURL *c = curl_easy_init();
	char url[128], label[48];
	long status = 0;

	vyf_default_choices(choices);
	snprintf(url, sizeof url, "http://127.0.0.1:%u" VY_PATH_BALLOTS, p->e->b.port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	for (size_t i = p->first; i < p->first + p->count; i++) {
		vyf_voter v;
		size_t len;
		uint8_t *b;

		snprintf(label, sizeof label, "record voter %zu", i);
		vyf_voter_init(&v, &p->e->r.st.election, label);
		b = vyf_ballot_pack(&p->e->r.st.election, &v, choices, "cast", NULL, &len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)b);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		if (curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status == 200)
			p->ok++;
		free(b);
	}
	curl_easy_cleanup(c);
	return NULL;
}

/* A record of RECORD_BALLOTS ballots (a first page of 8 MiB), then 256
 * connections that ask for it from entry 0 and never read the answer. */
static void record_attack(void)
{
	const char *const extra[] = { "--rate", "0", NULL };
	static const char req[] = "GET " VY_PATH_RECORD "?from=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	static samples st;
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fds[RECORD_READERS], small = RECORD_RCVBUF;
	poster p[2];
	pthread_t t[2];
	unsigned long rss0, rss1;
	size_t record_bytes = 0;
	vyh_election e;

	vyh_election_start(&e, 1, 1, extra);
	vyh_election_ceremony(&e);
	fprintf(stderr, "bench_attack: posting %d ballots for a large record...\n", RECORD_BALLOTS);
	for (int k = 0; k < 2; k++) {
		p[k] = (poster){ &e, (size_t)k * RECORD_BALLOTS / 2, RECORD_BALLOTS / 2, 0 };
		if (pthread_create(&t[k], NULL, post_many, &p[k]) != 0)
			exit(1);
	}
	for (int k = 0; k < 2; k++)
		pthread_join(t[k], NULL);
	{
		size_t len = 0;
		uint8_t *rec = vyh_record(&e.b, &len);

		record_bytes = len;
		free(rec);
	}
	rss0 = rss_kb(e.b.pid);
	to.sin_port = htons((uint16_t)e.b.port);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	for (int i = 0; i < RECORD_READERS; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		(void)setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
		if (fds[i] < 0 || connect(fds[i], (struct sockaddr *)&to, sizeof to) != 0 ||
		    send(fds[i], req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
			fprintf(stderr, "bench_attack: reader %d could not ask\n", i);
			exit(1);
		}
	}
	sleep_ms(3000);
	rss1 = rss_kb(e.b.pid);
	for (int i = 0; i < 10; i++) {
		double ms;

		st.ok += (size_t)timed_request(e.b.port, VY_PATH_STATUS, NULL, 0, &ms);
		st.ms[st.n++] = ms;
	}
	printf("board with %zu ballots on its record (%.1f MiB) and %d requests for it that are never read:\n",
	       p[0].ok + p[1].ok, (double)record_bytes / (1024.0 * 1024.0), RECORD_READERS);
	printf("  board VmRSS: %lu MiB before the requests, %lu MiB 3 s after\n", rss0 / 1024, rss1 / 1024);
	report("  reader: GET /v1/status", &st);
	for (int i = 0; i < RECORD_READERS; i++)
		close(fds[i]);
	vyh_election_free(&e);
}

/* ---- the registrar ---- */

/* Register voters codes[first .. first + n - 1] one after another. */
static void register_voters(vyrh_registrar *reg, size_t first, size_t n, samples *regs)
{
	for (size_t i = first; i < first + n; i++) {
		char file[VYRH_PATH_BYTES];
		long status = 0;
		vy_reason why = { 0 };
		double t0 = now_s();

		snprintf(file, sizeof file, "%.400s/bench-%zu.pb", reg->dir, i);
		if (vyc_register(&reg->e, reg->url, reg->codes[i], file, "bench", 0, &status, &why) == VY_R_OK)
			regs->ok++;
		else
			fprintf(stderr, "bench_attack: registration %zu failed: %s\n", i, why.msg);
		regs->ms[regs->n++] = (now_s() - t0) * 1e3;
	}
}

static void registrar_attack(void)
{
	static samples regs, quiet;
	vybench_attacker slow = { 0 };
	vyrh_registrar reg;
	const char *colon;

	vyrh_start(&reg, REG_CODES);
	register_voters(&reg, 0, REG_QUIET, &quiet);
	colon = strrchr(reg.url, ':');
	slow = (vybench_attacker){ .port = (unsigned)strtoul(colon + 1, NULL, 10), .n = REG_SLOW_CONNS,
			   .heads = { "POST /v1/register HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
				      "GET /v1/issued HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " },
			   .tick_ms = VYBENCH_SLOW_TICK_MS };
	vybench_attack_start(&slow);
	fprintf(stderr, "bench_attack: registrar: %d slow connections from 127.0.0.1, %u s warm-up...\n",
		REG_SLOW_CONNS, WARMUP_S);
	sleep_ms(WARMUP_S * 1000);
	register_voters(&reg, REG_QUIET, REG_CODES - REG_QUIET, &regs);
	printf("registrar under %d slow-header connections from the voters' own address:\n", REG_SLOW_CONNS);
	printf("  attackers' connections open at the end: %zu; reopened %lu times\n", vybench_attack_open(&slow), slow.closed);
	report("  voter: registration, no attack", &quiet);
	report("  voter: registration, attacked", &regs);
	vybench_attack_stop(&slow);
	vyrh_stop(&reg);
}

int main(int argc, char **argv)
{
	unsigned long seconds = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_SECONDS;
	const char *part = argc > 2 ? argv[2] : NULL;

	if (seconds < 1 || seconds > 600 ||
	    (part != NULL && strcmp(part, "board") != 0 && strcmp(part, "record") != 0 && strcmp(part, "registrar") != 0)) {
		fprintf(stderr, "usage: bench_attack [seconds 1..600] [board|record|registrar]\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	vytest_init();
	(void)vyf_registrar_sk(0);
	if (part == NULL || strcmp(part, "board") == 0)
		board_attack((unsigned)seconds);
	if (part == NULL || strcmp(part, "record") == 0)
		record_attack();
	if (part == NULL || strcmp(part, "registrar") == 0)
		registrar_attack();
	return 0;
}
