/*
 * bench_verify: vybar-verify's time per ballot (median of REPS runs) on a
 * record of N ballots of one 1-of-11 question over ristretto255 (one
 * trustee), with --jobs 1 and with every core. Not a test: never run by
 * ctest.
 *
 *   bench_verify [N] [REPS] [RECORD_OUT]
 *
 * RECORD_OUT (optional): keep the record file there (bench/belenios_compare.sh
 * times the verifier on it).
 *
 * While building the record it also times, on one core, the library's
 * ballot build (vy_ballot_build: 11 encryptions, their proofs, the sum
 * proof and the signature; median over the N ballots), the encrypted tally,
 * the trustee's partial decryption and the result (bench/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/intake.h"
#include "tests/support/protocol_fixtures.h"

#define DEFAULT_N 1000
#define DEFAULT_REPS 5
#define MAX_REPS 64
#define OPTIONS VYBENCH_OPTIONS

/* Seconds spent in each phase of building the record. */
typedef struct {
	double cast_median; /* one ballot build, median over the ballots */
	double tally; /* close + credentials statement + encrypted tally */
	double partial; /* one trustee's partial decryption with proofs */
	double result; /* combining the partials into the result */
} phase_times;

static double now(void);
static int cmp_double(const void *a, const void *b);

/* A complete record of n ballots (voter i chooses option i mod 11); the
 * time of each phase goes to pt. */
static void build(vyf_record *rec, size_t n, phase_times *pt)
{
	static const uint32_t q[1] = { 1 };
	vyf_keys k;
	uint8_t *m, *p;
	size_t mlen, len;
	vy_scalar s;
	vy_reason why;
	double *cast = calloc(n, sizeof *cast), t0;

	if (cast == NULL)
		abort();
	vyf_keys_init(&k, 1, 1);
	m = vybench_fixture_manifest_1_of_11(&k, &mlen);
	vyf_record_init_manifest(rec, 1, 1, m, mlen);
	free(m);
	vyf_record_ceremony(rec);
	for (size_t i = 0; i < n; i++) {
		uint32_t choices[OPTIONS] = { 0 };
		char label[32];
		vyf_voter v;

		choices[i % OPTIONS] = 1;
		snprintf(label, sizeof label, "voter %zu", i);
		vyf_voter_init(&v, &rec->st.election, label);
		t0 = now();
		p = vyf_ballot_pack(&rec->st.election, &v, choices, "x", NULL, &len);
		cast[i] = now() - t0;
		vyf_record_append(rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
		free(p);
	}
	qsort(cast, n, sizeof cast[0], cmp_double);
	pt->cast_median = cast[n / 2];
	free(cast);
	vyf_record_close(rec);
	t0 = now();
	vyf_record_tally(rec);
	pt->tally = now() - t0;
	vyf_secret_share(rec, 1, q, 1, &s);
	t0 = now();
	p = vyf_partial(rec, 1, &s, &len);
	pt->partial = now() - t0;
	vyf_record_append(rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, p, len);
	free(p);
	t0 = now();
	if (vy_tally_result(&rec->st, NULL, 0, &p, &len, &why) != VY_R_OK) {
		fprintf(stderr, "result: %s\n", why.msg);
		exit(1);
	}
	pt->result = now() - t0;
	vyf_record_append(rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT, p, len);
	free(p);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median seconds of reps runs of `vybar-verify record path --jobs jobs`. */
static double median_run(const char *path, unsigned jobs, int reps)
{
	double t[MAX_REPS];
	char cmd[1024];

	snprintf(cmd, sizeof cmd, "%s record '%s' --jobs %u > /dev/null", VYBAR_VERIFY_PROGRAM, path, jobs);
	for (int i = 0; i < reps; i++) {
		double t0 = now();

		if (system(cmd) != 0) {
			fprintf(stderr, "bench_verify: %s failed\n", cmd);
			exit(1);
		}
		t[i] = now() - t0;
	}
	qsort(t, (size_t)reps, sizeof t[0], cmp_double);
	return t[reps / 2];
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : DEFAULT_N;
	int reps = argc > 2 ? atoi(argv[2]) : DEFAULT_REPS;
	const char *keep = argc > 3 ? argv[3] : NULL;
	char path[] = "/tmp/bench-verify-XXXXXX";
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	vyf_record rec;
	phase_times pt;
	double t0, t1, tall;
	FILE *f;
	int fd;

	if (n == 0 || reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "usage: bench_verify [N >= 1] [REPS 1..%d] [RECORD_OUT]\n", MAX_REPS);
		return 2;
	}
	vytest_init();
	t0 = now();
	build(&rec, n, &pt);
	fprintf(stderr, "built a record of %zu ballots (1-of-%d, ristretto255) in %.1f s\n", n, OPTIONS, now() - t0);
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	if (f == NULL)
		return 1;
	vyf_record_write(&rec, f);
	fclose(f);
	t1 = median_run(path, 1, reps);
	tall = median_run(path, cores > 0 ? (unsigned)cores : 1, reps);
	printf("ballots: %zu, question: 1-of-%d, group: ristretto255, runs: %d (median)\n", n, OPTIONS, reps);
	printf("vybar-verify --jobs 1: %.3f s total, %.3f ms per ballot\n", t1, 1e3 * t1 / (double)n);
	printf("vybar-verify --jobs %ld: %.3f s total, %.3f ms per ballot\n", cores, tall, 1e3 * tall / (double)n);
	printf("ballot build (vy_ballot_build, one core): %.3f ms per ballot (median)\n", 1e3 * pt.cast_median);
	printf("encrypted tally: %.3f ms\n", 1e3 * pt.tally);
	printf("partial decryption (1 trustee): %.3f ms\n", 1e3 * pt.partial);
	printf("result: %.3f ms\n", 1e3 * pt.result);
	if (keep != NULL && rename(path, keep) != 0)
		perror(keep);
	unlink(path);
	vyf_record_free(&rec);
	return 0;
}
