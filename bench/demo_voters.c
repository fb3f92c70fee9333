/*
 * demo_voters: many voters at once for `make demo` (bench/demo.sh), in one
 * process, with the same library code vybar-vote uses (client/registration.h,
 * client/vote.h) over HTTP to the real registrar and board.
 *
 *   demo_voters --board URL --registrar URL --codes FILE --dir DIR
 *               --totals V1,V2,...  [--threads N] [--audit-every K]
 *               [--revote-every K] [--reserve R --reserve-out FILE]
 *               [--wait-before-cast]
 *
 * The election is fetched and verified once (client.md §2). Each code of
 * FILE is one voter; the totals (one per list, summing to the number of
 * codes) are dealt out in a random order. Every voter registers first
 * (registrar.md §5; the election need not be open yet); then, with
 * --wait-before-cast, the line "registered N" goes to stdout and a line is
 * read from stdin before anyone casts (bench/demo.sh closes registration
 * and opens voting in between). Then each voter builds a ballot for its
 * list and casts it (client.md §4), keeping the receipt in DIR (the
 * credential only in memory). Every K-th voter first audits a
 * ballot (a fresh one is cast after); every K-th revoter first casts a
 * ballot for another list, then its final one (the last counts, so the
 * totals hold). The last R voters are not simulated: their code and list
 * number (1-based) go to the reserve file, for the real vybar-vote.
 * Progress goes to stderr; exit 0 only if every voter succeeded.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gcrypt.h>
#include <sodium.h>

#include "client/registration.h"
#include "client/vote.h"
#include "net/vy_http.h"

#define DV_MAX_LISTS 64
#define DV_MAX_THREADS 64
#define DV_CODE_BYTES 64
#define DV_PATH_BYTES 1024
#define DV_PROGRESS_MS 1000

typedef struct {
	const char *board_url, *reg_url, *dir;
	vyc_board bd;
	vyc_registration *regs; /* each voter's finished registration, until it casts */
	char (*codes)[DV_CODE_BYTES];
	uint32_t *list_of; /* the final list of each voter (0-based) */
	size_t n_voters, n_sim, n_lists, n_sel;
	unsigned audit_every, revote_every;
	int casting; /* the phase: 0 registering, 1 casting */
	atomic_size_t next, registered, voted, audited, revoted, failed;
} dv_world;

/* Read the codes file, one code a line. */
static int read_codes(dv_world *w, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[DV_CODE_BYTES];
	size_t cap = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (w->n_voters == cap) {
			void *p;

			cap = cap ? 2 * cap : 1024;
			p = realloc(w->codes, cap * sizeof *w->codes);
			if (p == NULL) {
				fclose(f);
				return -1;
			}
			w->codes = p;
		}
		memcpy(w->codes[w->n_voters++], line, sizeof line);
	}
	fclose(f);
	return 0;
}

/* The totals dealt out to the voters, then shuffled (Fisher-Yates). */
static int deal_totals(dv_world *w, const char *spec)
{
	uint64_t totals[DV_MAX_LISTS], sum = 0;
	const char *p = spec;
	char *end;
	size_t k = 0;

	while (*p != '\0' && w->n_lists < DV_MAX_LISTS) {
		totals[w->n_lists++] = strtoull(p, &end, 10);
		if (end == p || (*end != ',' && *end != '\0'))
			return -1;
		sum += totals[w->n_lists - 1];
		p = *end == ',' ? end + 1 : end;
	}
	if (sum != w->n_voters) {
		fprintf(stderr, "demo_voters: the totals add up to %llu, but there are %zu codes\n",
			(unsigned long long)sum, w->n_voters);
		return -1;
	}
	w->list_of = calloc(w->n_voters ? w->n_voters : 1, sizeof *w->list_of);
	if (w->list_of == NULL)
		return -1;
	for (size_t l = 0; l < w->n_lists; l++)
		for (uint64_t v = 0; v < totals[l]; v++)
			w->list_of[k++] = (uint32_t)l;
	for (size_t i = w->n_voters; i > 1; i--) {
		size_t j = randombytes_uniform((uint32_t)i);
		uint32_t t = w->list_of[i - 1];

		w->list_of[i - 1] = w->list_of[j];
		w->list_of[j] = t;
	}
	return 0;
}

/* Build a ballot for one list with fresh randomness. */
static vy_rc build_for(const dv_world *w, const vyc_credential *c, uint32_t list, vy_built_ballot *b,
		       vy_reason *why)
{
	uint32_t choices[DV_MAX_LISTS] = { 0 };

	choices[list] = 1;
	return vy_ballot_build(b, &w->bd.st.election, &c->signer, choices, w->n_sel, NULL, NULL, why);
}

/* Cast one ballot for list, its receipt in DIR/receipt-i[-first].pb. */
static vy_rc cast_for(dv_world *w, const vyc_credential *c, size_t i, uint32_t list, const char *suffix,
		      vy_reason *why)
{
	char rcpt[DV_PATH_BYTES];
	vy_built_ballot b;
	uint64_t seq = 0;
	vy_rc rc;

	snprintf(rcpt, sizeof rcpt, "%s/receipt-%zu%s.pb", w->dir, i, suffix);
	rc = build_for(w, c, list, &b, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vyc_cast(&w->bd, &b, NULL, rcpt, &seq, why);
	vy_built_ballot_free(&b);
	return rc;
}

/* One voter registers. The credential stays in memory: sealing a file
 * under a passphrase (Argon2id, about a second and 256 MiB each) for
 * thousands of simulated voters would take the demo hours; vybar-vote's
 * voters keep sealed files (specs/client.md §6.1). */
static vy_rc register_voter(dv_world *w, size_t i, vy_reason *why)
{
	long status = 0;
	vy_rc rc = vyc_register_to(NULL, &w->regs[i], &w->bd.st.election, w->reg_url, w->codes[i], &status, why);

	if (rc == VY_R_OK)
		atomic_fetch_add(&w->registered, 1);
	return rc;
}

/* One registered voter votes: maybe audit, maybe a first ballot, the final one. */
static vy_rc cast_voter(dv_world *w, size_t i, vy_reason *why)
{
	vyc_credential c;
	uint32_t list = w->list_of[i];
	vy_rc rc;

	rc = vyc_registration_credential(&c, &w->regs[i], why);
	vyc_registration_wipe(&w->regs[i]);
	if (rc != VY_R_OK)
		return rc;
	if (w->audit_every && i % w->audit_every == 1) {
		vy_built_ballot a;

		/* client.md §4: an audited ballot is never counted, and is made
		 * under a one-time key, never the credential */
		uint32_t choices[DV_MAX_LISTS] = { 0 };

		choices[list] = 1;
		rc = vyc_commit(&w->bd, choices, w->n_sel, &a, why);
		if (rc == VY_R_OK) {
			rc = vyc_audit(&w->bd, &a, NULL, why);
			vy_built_ballot_free(&a);
		}
		if (rc != VY_R_OK)
			goto out;
		atomic_fetch_add(&w->audited, 1);
	}
	if (w->revote_every && i % w->revote_every == 2) {
		/* protocol.md: the last ballot of a credential counts */
		rc = cast_for(w, &c, i, (uint32_t)((list + 1) % w->n_lists), "-first", why);
		if (rc != VY_R_OK)
			goto out;
		atomic_fetch_add(&w->revoted, 1);
	}
	rc = cast_for(w, &c, i, list, "", why);
	if (rc == VY_R_OK)
		atomic_fetch_add(&w->voted, 1);
out:
	vyc_credential_close(&c);
	return rc;
}

/* A worker: voters until none is left. */
static void *worker(void *arg)
{
	dv_world *w = arg;
	vy_reason why;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, 1)) < w->n_sim) {
		if ((w->casting ? cast_voter : register_voter)(w, i, &why) != VY_R_OK) {
			if (atomic_fetch_add(&w->failed, 1) < 10)
				fprintf(stderr, "demo_voters: voter %zu: %s\n", i, why.msg);
		}
	}
	return NULL;
}

/* The reserved voters' codes and lists (1-based), for vybar-vote. */
static int write_reserve(const dv_world *w, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (size_t i = w->n_sim; i < w->n_voters; i++)
		fprintf(f, "%s %u\n", w->codes[i], w->list_of[i] + 1);
	return fclose(f) == 0 ? 0 : -1;
}

/* Milliseconds since some fixed point. */
static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Print progress until every worker is done. */
static void progress(dv_world *w, pthread_t *th, unsigned n_th)
{
	struct timespec tick = { DV_PROGRESS_MS / 1000, (DV_PROGRESS_MS % 1000) * 1000000L };
	double t0 = now_ms();

	for (;;) {
		size_t v = atomic_load(w->casting ? &w->voted : &w->registered), f = atomic_load(&w->failed);

		if (w->casting)
			fprintf(stderr, "  voters: %zu/%zu voted (%zu audits, %zu revotes)%s, %.0f s\n", v, w->n_sim,
				atomic_load(&w->audited), atomic_load(&w->revoted), f ? ", FAILURES" : "",
				(now_ms() - t0) / 1e3);
		else
			fprintf(stderr, "  voters: %zu/%zu registered%s, %.0f s\n", v, w->n_sim, f ? ", FAILURES" : "",
				(now_ms() - t0) / 1e3);
		if (v + f >= w->n_sim)
			break;
		nanosleep(&tick, NULL);
	}
	for (unsigned t = 0; t < n_th; t++)
		pthread_join(th[t], NULL);
}

/* The value of --name, or NULL. */
static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* A number option with a default. */
static unsigned long num_opt(int argc, char **argv, const char *name, unsigned long dflt)
{
	const char *v = opt(argc, argv, name);

	return v != NULL ? strtoul(v, NULL, 10) : dflt;
}

/* One phase on n_th threads, with progress; 0 if every voter succeeded. */
static int phase(dv_world *w, int casting, unsigned long n_th)
{
	pthread_t th[DV_MAX_THREADS];
	unsigned started = 0;

	w->casting = casting;
	atomic_store(&w->next, 0);
	for (; started < n_th; started++)
		if (pthread_create(&th[started], NULL, worker, w) != 0)
			break;
	if (started == 0) {
		fprintf(stderr, "demo_voters: cannot start threads\n");
		return -1;
	}
	progress(w, th, started);
	if (atomic_load(&w->failed) == 0)
		return 0;
	fprintf(stderr, "demo_voters: %zu voters failed\n", atomic_load(&w->failed));
	return -1;
}

/* With --wait-before-cast: say that everyone registered, and wait for a
 * line on stdin. 0 to go on. */
static int wait_before_cast(const dv_world *w)
{
	char line[64];

	printf("registered %zu\n", w->n_sim);
	fflush(stdout);
	return fgets(line, sizeof line, stdin) != NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
	static dv_world w;
	const char *codes = opt(argc, argv, "--codes"), *totals = opt(argc, argv, "--totals");
	const char *reserve_out = opt(argc, argv, "--reserve-out");
	unsigned long n_th = num_opt(argc, argv, "--threads", 8), reserve = num_opt(argc, argv, "--reserve", 0);
	int wait = 0;
	vy_reason why;
	int rc = 1;

	w.board_url = opt(argc, argv, "--board");
	w.reg_url = opt(argc, argv, "--registrar");
	w.dir = opt(argc, argv, "--dir");
	w.audit_every = (unsigned)num_opt(argc, argv, "--audit-every", 0);
	w.revote_every = (unsigned)num_opt(argc, argv, "--revote-every", 0);
	for (int i = 1; i < argc; i++)
		wait |= strcmp(argv[i], "--wait-before-cast") == 0;
	if (w.board_url == NULL || w.reg_url == NULL || w.dir == NULL || codes == NULL || totals == NULL ||
	    n_th == 0 || n_th > DV_MAX_THREADS || (reserve > 0 && reserve_out == NULL)) {
		fprintf(stderr, "usage: demo_voters --board URL --registrar URL --codes FILE --dir DIR --totals V1,V2,...\n"
				"                   [--threads N] [--audit-every K] [--revote-every K]\n"
				"                   [--reserve R --reserve-out FILE] [--wait-before-cast]\n");
		return 1;
	}
	/* libgcrypt (SHA-384 of the blind signatures) and the HTTP client are
	 * set up once here, before any thread uses them */
	if (sodium_init() < 0 || vy_init() != VY_OK || gcry_check_version(NULL) == NULL ||
	    vy_http_global_init() != VY_R_OK) {
		fprintf(stderr, "demo_voters: cannot initialise the libraries\n");
		return 1;
	}
	if (read_codes(&w, codes) != 0 || deal_totals(&w, totals) != 0 || reserve > w.n_voters) {
		fprintf(stderr, "demo_voters: bad codes file or totals\n");
		goto out;
	}
	w.n_sim = w.n_voters - reserve;
	if (reserve > 0 && write_reserve(&w, reserve_out) != 0) {
		fprintf(stderr, "demo_voters: cannot write %s\n", reserve_out);
		goto out;
	}
	w.regs = calloc(w.n_sim ? w.n_sim : 1, sizeof *w.regs);
	if (w.regs == NULL)
		goto out;
	/* client.md §2: the election, fetched and verified once for everyone
	 * (its manifest is enough to register) */
	if (vyc_board_fetch_election(&w.bd, NULL, w.board_url, NULL, &why) != VY_R_OK) {
		fprintf(stderr, "demo_voters: the board: %s\n", why.msg);
		goto out_board;
	}
	w.n_sel = vy_manifest_selections(w.bd.st.manifest);
	if (w.n_sel != w.n_lists) {
		fprintf(stderr, "demo_voters: %zu totals for %zu lists\n", w.n_lists, w.n_sel);
		goto out_board;
	}
	if (phase(&w, 0, n_th) != 0 || (wait && wait_before_cast(&w) != 0))
		goto out_board;
	/* the election again, now open (the joint key known) */
	vyc_board_free(&w.bd);
	if (vyc_board_fetch(&w.bd, NULL, w.board_url, NULL, &why) != VY_R_OK) {
		fprintf(stderr, "demo_voters: the board: %s\n", why.msg);
		goto out_board;
	}
	if (phase(&w, 1, n_th) == 0)
		rc = 0;
out_board:
	vyc_board_free(&w.bd);
out:
	if (w.regs != NULL) {
		vy_wipe(w.regs, w.n_sim * sizeof *w.regs);
		free(w.regs);
	}
	free(w.codes);
	free(w.list_of);
	vy_http_global_cleanup();
	return rc;
}
