/*
 * The intake benchmarks' shared parts (intake.h).
 */
#include "bench/intake.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "protocol/vy_api.h"

double vybench_now_s(void)
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
	Vybar__Option opts[VYBENCH_OPTIONS], *op[VYBENCH_OPTIONS];
	char titles[VYBENCH_OPTIONS][16];
	size_t saved_n = m->n_contests;
	uint8_t *out;

	vybar__contest__init(&c);
	c.title = "Which list?";
	c.kind = VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N;
	c.n_options = VYBENCH_OPTIONS;
	c.options = op;
	for (int i = 0; i < VYBENCH_OPTIONS; i++) {
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

uint8_t *vybench_fixture_manifest_1_of_11(const vyf_keys *k, size_t *len)
{
	Vybar__Option opts[VYBENCH_OPTIONS], *optp[VYBENCH_OPTIONS];
	char titles[VYBENCH_OPTIONS][16];
	size_t flen;
	uint8_t *full = vyf_manifest_pack(k, &flen), *out;
	Vybar__Manifest *m = NULL;
	Vybar__Contest *c;
	size_t saved_n, saved_opts;
	Vybar__Option **saved_optp;

	if (vy_decode_manifest(&m, full, flen, NULL) != VY_R_OK)
		abort();
	c = m->contests[0];
	for (size_t i = 0; i < VYBENCH_OPTIONS; i++) {
		vybar__option__init(&opts[i]);
		snprintf(titles[i], sizeof titles[i], "Candidate %zu", i + 1);
		opts[i].title = titles[i];
		optp[i] = &opts[i];
	}
	saved_n = m->n_contests, saved_opts = c->n_options, saved_optp = c->options;
	m->n_contests = 1;
	c->kind = VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N;
	c->allow_blank = 0;
	c->n_options = VYBENCH_OPTIONS;
	c->options = optp;
	out = vy_msg_pack(m, len);
	m->n_contests = saved_n, c->n_options = saved_opts, c->options = saved_optp;
	vy_msg_free(m);
	free(full);
	return out;
}

void vybench_record_init(vyf_record *r, uint32_t n, uint32_t t)
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

void vybench_election_start(vyh_election *e, const char *who)
{
	const char *const extra[] = { "--rate", "0", "--per-ip-limit", "0", "--queue", "4096", NULL };

	vybench_election_start_with(e, who, extra);
}

void vybench_election_start_with(vyh_election *e, const char *who, const char *const *extra)
{
	uint8_t seed[32];

	vybench_record_init(&e->r, 3, 2);
	vyf_bytes32(seed, "commission");
	crypto_sign_seed_keypair(e->commission_pk, e->commission_sk, seed);
	vyh_init(&e->b);
	vyf_bytes32(seed, "board");
	vyh_write_key(&e->b, seed);
	vyh_write_manifest(&e->b, e->r.manifest_bytes, e->r.manifest_len);
	if (vyh_start(&e->b, extra) != -1) {
		fprintf(stderr, "%s: the board did not start\n", who);
		exit(1);
	}
	vyh_election_ceremony(e);
}

void *vybench_prepare(void *arg)
{
	vybench_worker *w = arg;
	uint32_t choices[VYBENCH_OPTIONS];
	char label[64];
	vyf_voter v;

	for (size_t i = w->first; i < w->first + w->count; i++) {
		memset(choices, 0, sizeof choices);
		choices[i % VYBENCH_OPTIONS] = 1;
		snprintf(label, sizeof label, "%s voter %zu", w->label, i);
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

void *vybench_submit(void *arg)
{
	vybench_worker *w = arg;
	CURL *c = curl_easy_init();
	char url[128];
	long status = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%u" VY_PATH_BALLOTS, w->b->port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	for (size_t i = w->first; i < w->first + w->count; i++) {
		double t0 = vybench_now_s();

		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)w->ballots[i]);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)w->lens[i]);
		if (curl_easy_perform(c) == CURLE_OK && curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status == 200)
			w->ok++;
		w->lat_ms[i] = (vybench_now_s() - t0) * 1e3;
		if (w->done != NULL)
			atomic_fetch_add(w->done, 1);
	}
	curl_easy_cleanup(c);
	return NULL;
}

void vybench_run_all(vybench_worker *w, size_t n, void *(*fn)(void *))
{
	pthread_t t[VYBENCH_MAX_THREADS];

	for (size_t k = 0; k < n; k++)
		if (pthread_create(&t[k], NULL, fn, &w[k]) != 0)
			exit(1);
	for (size_t k = 0; k < n; k++)
		pthread_join(t[k], NULL);
}

int vybench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}
