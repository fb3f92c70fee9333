/*
 * vybar-board: sustained ballot intake on loopback (the aim: at
 * least 300 ballots/s on 2 cores).
 *
 *   bench_board [clients] [ballots]      (defaults: 8 clients, 2000 ballots)
 *
 * A 1-of-11 election on ristretto255 (3 trustees, threshold 2) is set up on
 * a fresh vybar-board on 127.0.0.1 (rate limit off), its ballots are
 * precomputed (distinct voters, real registrar signatures), then `clients`
 * threads each POST their share of the ballots over one keep-alive
 * connection. Every ballot is fully checked (signatures, registrar
 * signature, proofs) and durably committed (SQLite WAL, synchronous=FULL)
 * before its receipt. Reports ballots/s and latency percentiles. Only ever
 * targets 127.0.0.1.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "protocol/vy_api.h"
#include "tests/support/board_harness.h"

#define OPTIONS 11
#define DEFAULT_CLIENTS 8
#define DEFAULT_BALLOTS 2000
#define MAX_CLIENTS 64

typedef struct {
	const vyh_board *b;
	const vy_election *el;
	uint8_t **ballots;
	size_t *lens;
	double *lat_ms;
	size_t first, count;
	size_t ok;
} worker;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The fixtures' manifest with one contest: one of 11 options. */
static uint8_t *manifest_1_of_11(const vyf_keys *k, size_t *len)
{
	Vybar__Manifest *m = vyf_manifest_new(k);
	Vybar__Contest c, *cs[1] = { &c }, **saved = m->contests;
	Vybar__Option opts[OPTIONS], *op[OPTIONS];
	char titles[OPTIONS][16];
	size_t saved_n = m->n_contests;
	uint8_t *out;

	vybar__contest__init(&c);
	c.title = "Which list?";
	c.kind = VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N;
	c.n_options = OPTIONS;
	c.options = op;
	for (int i = 0; i < OPTIONS; i++) {
		vybar__option__init(&opts[i]);
		snprintf(titles[i], sizeof titles[i], "List %d", i + 1);
		opts[i].title = titles[i];
		op[i] = &opts[i];
	}
	m->contests = cs;
	m->n_contests = 1;
	out = vy_msg_pack(m, len);
	m->contests = saved;
	m->n_contests = saved_n;
	vy_msg_free(m);
	return out;
}

/* vyf_record_init with the 1-of-11 manifest. */
static void record_init(vyf_record *r, uint32_t n, uint32_t t)
{
	char label[64];

	vytest_init();
	memset(r, 0, sizeof *r);
	vyf_keys_init(&r->keys, n, t);
	vy_record_state_init(&r->st);
	r->manifest_bytes = manifest_1_of_11(&r->keys, &r->manifest_len);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r->manifest_bytes, r->manifest_len);
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < t; j++) {
			snprintf(label, sizeof label, "trustee %u coefficient %u", i + 1, j);
			vyf_scalar(r->st.election.group, &r->coeffs[i][j], label);
		}
		vy_scalar_add(r->st.election.group, &r->joint_sk, &r->joint_sk, &r->coeffs[i][0]);
	}
}

/* The election on a fresh board, ceremony done, voting open. */
static void election_start(vyh_election *e)
{
	const char *const extra[] = { "--rate", "0", "--per-ip-limit", "0", "--queue", "4096", NULL };
	uint8_t seed[32];

	record_init(&e->r, 3, 2);
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(e->commission_pk, e->commission_sk, seed);
	vyh_init(&e->b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&e->b, seed);
	vyh_write_manifest(&e->b, e->r.manifest_bytes, e->r.manifest_len);
	if (vyh_start(&e->b, extra) != -1) {
		fprintf(stderr, "bench_board: the board did not start\n");
		exit(1);
	}
	vyh_election_ceremony(e);
}

/* Precompute this worker's ballots (not timed). */
static void *prepare(void *arg)
{
	worker *w = arg;
	uint32_t choices[OPTIONS];
	char label[48];
	vyf_voter v;

	for (size_t i = w->first; i < w->first + w->count; i++) {
		memset(choices, 0, sizeof choices);
		choices[i % OPTIONS] = 1;
		snprintf(label, sizeof label, "bench voter %zu", i);
		vyf_voter_init(&v, w->el, label);
		w->ballots[i] = vyf_ballot_pack(w->el, &v, choices, "cast", NULL, &w->lens[i]);
	}
	return NULL;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POST this worker's ballots over one keep-alive connection, timing each. */
static void *submit(void *arg)
{
	worker *w = arg;
	CURL *c = curl_easy_init();
	char url[128];
	long status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%u" VY_PATH_BALLOTS, w->b->port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	for (size_t i = w->first; i < w->first + w->count; i++) {
		double t0 = now_s();

		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)w->ballots[i]);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)w->lens[i]);
		if (curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status == 200)
			w->ok++;
		w->lat_ms[i] = (now_s() - t0) * 1e3;
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Run `fn` on every worker in its own thread. */
static void run_all(worker *w, size_t n, void *(*fn)(void *))
{
	pthread_t t[MAX_CLIENTS];

	for (size_t k = 0; k < n; k++)
		if (pthread_create(&t[k], NULL, fn, &w[k]) != 0)
			exit(1);
	for (size_t k = 0; k < n; k++)
		pthread_join(t[k], NULL);
}

int main(int argc, char **argv)
{
	size_t clients = argc > 1 ? strtoul(argv[1], NULL, 10) : DEFAULT_CLIENTS;
	size_t total = argc > 2 ? strtoul(argv[2], NULL, 10) : DEFAULT_BALLOTS, ok = 0;
	worker w[MAX_CLIENTS];
	vyh_election e;
	uint8_t **ballots;
	size_t *lens;
	double *lat, t0, secs;

	if (clients < 1 || clients > MAX_CLIENTS || total < clients) {
		fprintf(stderr, "usage: bench_board [clients 1..%d] [ballots >= clients]\n", MAX_CLIENTS);
		return 1;
	}
	election_start(&e);
	ballots = calloc(total, sizeof *ballots);
	lens = calloc(total, sizeof *lens);
	lat = calloc(total, sizeof *lat);
	if (ballots == NULL || lens == NULL || lat == NULL)
		return 1;
	(void)vyf_registrar_sk(0); /* set up the fixtures' key before the threads share it */
	for (size_t k = 0; k < clients; k++) {
		w[k] = (worker){ .b = &e.b, .el = &e.r.st.election, .ballots = ballots, .lens = lens, .lat_ms = lat,
				 .first = k * (total / clients),
				 .count = k + 1 < clients ? total / clients : total - k * (total / clients) };
	}
	fprintf(stderr, "bench_board: preparing %zu 1-of-11 ballots...\n", total);
	run_all(w, clients, prepare);
	t0 = now_s();
	run_all(w, clients, submit);
	secs = now_s() - t0;
	for (size_t k = 0; k < clients; k++)
		ok += w[k].ok;
	qsort(lat, total, sizeof *lat, cmp_double);
	printf("board intake, 1-of-11 ristretto255, %zu clients, %zu ballots (%zu accepted): %.1f ballots/s; "
	       "latency ms p50 %.2f p95 %.2f p99 %.2f max %.2f\n",
	       clients, total, ok, (double)ok / secs, lat[total / 2], lat[total * 95 / 100], lat[total * 99 / 100],
	       lat[total - 1]);
	(void)vyh_stop(&e.b, SIGTERM);
	for (size_t i = 0; i < total; i++)
		free(ballots[i]);
	free(ballots);
	free(lens);
	free(lat);
	vyh_election_free(&e);
	return ok == total ? 0 : 1;
}
