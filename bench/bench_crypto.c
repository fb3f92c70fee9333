/*
 * bench_crypto: the cost of the cryptographic core, per operation, for
 * ristretto255 and modp4096, on one core. Run by `make bench`, never by the
 * tests. Each row is the median, over several batches, of the batch time
 * divided by the batch size.
 *
 *   bench_crypto [--quick]     --quick: fewer and smaller batches
 *
 * The 1-of-11 contest rows are the shape of a ballot question: 11
 * encryptions, 11 0/1 proofs and the proof that the selections sum to 1
 * (create), and the 12 proof checks (verify). The aims on one core,
 * ristretto255, are from the design brief: create < 5 ms, verify < 3 ms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/vy_dlog.h"
#include "crypto/vy_elgamal.h"
#include "crypto/vy_group.h"
#include "crypto/vy_proof.h"

#define BATCHES 9
#define QUICK_BATCHES 3
#define QUICK_DIVISOR 10 /* --quick divides every batch size by this (at least 1) */
#define MAX_BATCHES BATCHES

#define CONTEST_OPTIONS 11 /* a 1-of-11 question */
#define CONTEST_CHOICE 4   /* the option voted for */
#define DLOG_BOUND 10000000u
#define BIT_BRANCHES 2 /* the 0/1 proof: lo = 0, hi = 1 */
#define SUM_BRANCHES 1 /* the sum proof [1, 1] */

#define CREATE_AIM_MS 5.0
#define VERIFY_AIM_MS 3.0

static const uint8_t bench_context[] = "vybar/bench";

/* Everything one group's operations work on, prepared once. */
typedef struct {
	const vy_group *g;
	vy_proof_ctx pc;
	vy_scalar sk, k1, k2, r;
	vy_elem pk, a, b, out;
	vy_ciphertext ct;
	vy_scalar bit_c[BIT_BRANCHES], bit_v[BIT_BRANCHES];
	/* the 1-of-11 contest */
	vy_ciphertext cts[CONTEST_OPTIONS];
	vy_scalar rs[CONTEST_OPTIONS];
	vy_scalar cc[CONTEST_OPTIONS][BIT_BRANCHES], cv[CONTEST_OPTIONS][BIT_BRANCHES];
	vy_scalar sum_c[SUM_BRANCHES], sum_v[SUM_BRANCHES];
	vy_dlog_table *table;
} bench_state;

typedef void (*bench_fn)(bench_state *s, size_t count);

/* One row: an operation and its batch size in each group. */
typedef struct {
	const char *name;
	bench_fn fn;
	size_t batch_r255;
	size_t batch_modp;
	double aim_ms; /* 0: no aim; otherwise printed for ristretto255 */
} bench_row;

/* Stops the benchmark when a proof or a table fails: the numbers would be meaningless. */
static void check(vy_err err, const char *what)
{
	if (err != VY_OK) {
		fprintf(stderr, "bench_crypto: %s failed: %s\n", what, vy_err_str(err));
		exit(1);
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the operations ---- */

static void op_exp_base(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		vy_elem_exp_base(s->g, &s->out, &s->k1);
}

static void op_exp(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		vy_elem_exp(s->g, &s->out, &s->a, &s->k1);
}

static void op_exp2_public(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		vy_elem_exp2_public(s->g, &s->out, &s->a, &s->k1, &s->b, &s->k2);
}

/* The shape of a range proof's b_j: pk^v * beta^c * g^(-j c). */
static void op_multiexp3(bench_state *s, size_t count)
{
	vy_elem bases[3];
	vy_scalar k[3] = { s->k1, s->k2, s->r };

	bases[0] = s->pk;
	bases[1] = s->a;
	vy_elem_generator(s->g, &bases[2]);
	for (size_t i = 0; i < count; i++)
		vy_elem_multiexp_public(s->g, &s->out, 3, bases, k);
}

static void op_mul_public(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		vy_elem_mul_public(s->g, &s->out, &s->out, &s->a);
}

static void op_mul(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		vy_elem_mul(s->g, &s->out, &s->out, &s->a);
}

static void op_encrypt(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		vy_elgamal_encrypt(s->g, &s->ct, &s->pk, 1, &s->r);
}

static void op_bit_prove(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		check(vy_range_prove(&s->pc, s->bit_c, s->bit_v, BIT_BRANCHES, &s->pk, &s->ct, 0, 1, 1, &s->r),
		      "vy_range_prove");
}

static void op_bit_verify(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		check(vy_range_verify(&s->pc, s->bit_c, s->bit_v, BIT_BRANCHES, &s->pk, &s->ct, 0, 1),
		      "vy_range_verify");
}

/* One 1-of-11 contest as a voter's device builds it. */
static void contest_create(bench_state *s)
{
	vy_scalar r_sum;

	vy_scalar_from_u64(s->g, &r_sum, 0);
	for (size_t j = 0; j < CONTEST_OPTIONS; j++) {
		uint64_t m = j == CONTEST_CHOICE;
		vy_scalar_random(s->g, &s->rs[j]);
		vy_elgamal_encrypt(s->g, &s->cts[j], &s->pk, m, &s->rs[j]);
		check(vy_range_prove(&s->pc, s->cc[j], s->cv[j], BIT_BRANCHES, &s->pk, &s->cts[j], 0, 1, m,
				     &s->rs[j]),
		      "vy_range_prove");
		vy_scalar_add(s->g, &r_sum, &r_sum, &s->rs[j]);
	}
	check(vy_sum_prove(&s->pc, s->sum_c, s->sum_v, SUM_BRANCHES, &s->pk, s->cts, CONTEST_OPTIONS, 1, 1, 1,
			   &r_sum),
	      "vy_sum_prove");
}

static void op_contest_create(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++)
		contest_create(s);
}

/* One 1-of-11 contest as the board or a verifier checks it. */
static void op_contest_verify(bench_state *s, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		for (size_t j = 0; j < CONTEST_OPTIONS; j++)
			check(vy_range_verify(&s->pc, s->cc[j], s->cv[j], BIT_BRANCHES, &s->pk, &s->cts[j], 0, 1),
			      "vy_range_verify");
		check(vy_sum_verify(&s->pc, s->sum_c, s->sum_v, SUM_BRANCHES, &s->pk, s->cts, CONTEST_OPTIONS,
				    1, 1),
		      "vy_sum_verify");
	}
}

static void op_dlog_build(bench_state *s, size_t count)
{
	vy_dlog_table *t;

	for (size_t i = 0; i < count; i++) {
		check(vy_dlog_table_new(s->g, &t, DLOG_BOUND), "vy_dlog_table_new");
		vy_dlog_table_free(t);
	}
}

/* g^{10^7}: the last giant step but one, about the slowest solve. */
static void op_dlog_solve(bench_state *s, size_t count)
{
	uint64_t m;

	for (size_t i = 0; i < count; i++) {
		check(vy_dlog_solve(s->table, &m, &s->b), "vy_dlog_solve");
		if (m != DLOG_BOUND)
			check(VY_ERR_DLOG_RANGE, "vy_dlog_solve (wrong answer)");
	}
}

static const bench_row rows[] = {
	{ "exp_base (fixed base)", op_exp_base, 200, 10, 0 },
	{ "exp (variable base)", op_exp, 200, 10, 0 },
	{ "exp2_public", op_exp2_public, 200, 10, 0 },
	{ "multiexp_public, 3 terms", op_multiexp3, 200, 10, 0 },
	{ "elem_mul", op_mul, 2000, 200, 0 },
	{ "elem_mul_public", op_mul_public, 2000, 200, 0 },
	{ "ElGamal encryption", op_encrypt, 200, 10, 0 },
	{ "0/1 proof create", op_bit_prove, 100, 5, 0 },
	{ "0/1 proof verify", op_bit_verify, 100, 5, 0 },
	{ "1-of-11 contest create", op_contest_create, 10, 1, CREATE_AIM_MS },
	{ "1-of-11 contest verify", op_contest_verify, 10, 1, VERIFY_AIM_MS },
	{ "dlog table build, bound 10^7", op_dlog_build, 1, 1, 0 },
	{ "dlog solve, m = 10^7", op_dlog_solve, 1, 1, 0 },
};

/* ---- measuring and printing ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median seconds per operation over `batches` batches of `batch` operations. */
static double median_per_op(bench_state *s, bench_fn fn, size_t batch, int batches)
{
	double t[MAX_BATCHES];

	fn(s, 1); /* warm up */
	for (int i = 0; i < batches; i++) {
		double start = now_seconds();
		fn(s, batch);
		t[i] = (now_seconds() - start) / (double)batch;
	}
	qsort(t, (size_t)batches, sizeof t[0], cmp_double);
	return t[batches / 2];
}

/* "12.3 us" or "4.56 ms". */
static void format_time(char *out, size_t cap, double seconds)
{
	if (seconds < 1e-3)
		snprintf(out, cap, "%.1f us", seconds * 1e6);
	else
		snprintf(out, cap, "%.2f ms", seconds * 1e3);
}

/* Keys, inputs, one 0/1 proof, one contest and the dlog table. */
static void prepare(bench_state *s, const vy_group *g)
{
	vy_scalar e;

	memset(s, 0, sizeof *s);
	s->g = g;
	s->pc.group = g;
	memset(s->pc.base_hash, 0x42, sizeof s->pc.base_hash);
	s->pc.ctx = bench_context;
	s->pc.ctx_len = sizeof bench_context - 1;
	vy_elgamal_keygen(g, &s->sk, &s->pk);
	vy_scalar_random(g, &s->k1);
	vy_scalar_random(g, &s->k2);
	vy_scalar_random(g, &s->r);
	vy_scalar_random(g, &e);
	vy_elem_exp_base(g, &s->a, &e);
	vy_elem_exp_base(g, &s->out, &e);
	vy_elgamal_encrypt(g, &s->ct, &s->pk, 1, &s->r);
	op_bit_prove(s, 1);
	contest_create(s);
	check(vy_dlog_table_new(g, &s->table, DLOG_BOUND), "vy_dlog_table_new");
	vy_scalar_from_u64(g, &e, DLOG_BOUND);
	vy_elem_exp_base(g, &s->b, &e);
}

static void bench_group(vy_group_id id, int quick)
{
	const vy_group *g = vy_group_by_id(id);
	int batches = quick ? QUICK_BATCHES : BATCHES;
	int r255 = id == VY_GROUP_RISTRETTO255;
	bench_state *s;

	if (g == NULL) {
		fprintf(stderr, "bench_crypto: group %d is not available\n", (int)id);
		exit(1);
	}
	s = malloc(sizeof *s);
	if (s == NULL) {
		fprintf(stderr, "bench_crypto: out of memory\n");
		exit(1);
	}
	prepare(s, g);
	printf("%s (one core)\n", vy_group_name(g));
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const bench_row *row = &rows[i];
		size_t batch = r255 ? row->batch_r255 : row->batch_modp;
		char when[32];

		if (quick)
			batch = batch / QUICK_DIVISOR > 0 ? batch / QUICK_DIVISOR : 1;
		format_time(when, sizeof when, median_per_op(s, row->fn, batch, batches));
		printf("  %-30s %11s   median of %d batches x %zu", row->name, when, batches, batch);
		if (r255 && row->aim_ms > 0)
			printf("   (aim < %g ms)", row->aim_ms);
		printf("\n");
		fflush(stdout);
	}
	vy_dlog_table_free(s->table);
	free(s);
}

int main(int argc, char **argv)
{
	int quick = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			quick = 1;
		} else {
			fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
			return 2;
		}
	}
	check(vy_init(), "vy_init");
	printf("bench_crypto: median time per operation, single-threaded%s\n", quick ? " (--quick)" : "");
	bench_group(VY_GROUP_RISTRETTO255, quick);
	bench_group(VY_GROUP_MODP4096, quick);
	return 0;
}
