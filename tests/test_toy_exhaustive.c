/*
 * Exhaustive tests of ElGamal and the proofs (specs/crypto.md §4, §5) over
 * the toy group p = 23, q = 11, g = 2, where every key, message, nonce,
 * ciphertext, commitment and challenge can be enumerated (in the spirit of
 * libsecp256k1's exhaustive tests).
 */
#include "tests/support/vytest.h"

#include <sodium.h>
#include <string.h>

#include "crypto/proof_impl.h"

#define Q VYTEST_TOY_Q

static const vy_group *G;
static vy_elem elems[Q];  /* elems[k] = g^k */
static vy_scalar sc[Q];   /* sc[k] = k */
static int dlog_of[VYTEST_TOY_P]; /* encoding byte -> k, or -1 */

/* Tables of the toy group: every element, every scalar, discrete logs. */
static int setup(void **state)
{
	uint8_t enc;

	(void)state;
	G = vytest_toy_group();
	assert_int_equal(vy_group_elem_bytes(G), 1);
	for (int i = 0; i < VYTEST_TOY_P; i++)
		dlog_of[i] = -1;
	for (int k = 0; k < Q; k++) {
		vy_scalar_from_u64(G, &sc[k], (uint64_t)k);
		vy_elem_exp_base(G, &elems[k], &sc[k]);
		vy_elem_encode(G, &enc, &elems[k]);
		assert_true(enc < VYTEST_TOY_P);
		assert_int_equal(dlog_of[enc], -1); /* g generates all Q elements */
		dlog_of[enc] = k;
	}
	return 0;
}

/* The discrete log of e to base g. */
static int dlog(const vy_elem *e)
{
	uint8_t enc;

	vy_elem_encode(G, &enc, e);
	assert_true(enc < VYTEST_TOY_P && dlog_of[enc] >= 0);
	return dlog_of[enc];
}

/* A proof context with a fixed base hash and no ctx. */
static void toy_pc(vy_proof_ctx *pc)
{
	memset(pc, 0, sizeof *pc);
	pc->group = G;
	memset(pc->base_hash, 0x5a, sizeof pc->base_hash);
}

/* ---------------- Completeness ---------------- */

/* ElGamal: every key, message and randomness decrypts correctly, and the
 * ciphertext is (g^r, g^(m + s r)). */
static void test_elgamal_all(void **state)
{
	vy_ciphertext ct;
	vy_elem pk, gm;

	(void)state;
	for (int s = 1; s < Q; s++) {
		pk = elems[s];
		for (int m = 0; m < Q; m++) {
			for (int r = 0; r < Q; r++) {
				vy_elgamal_encrypt(G, &ct, &pk, (uint64_t)m, &sc[r]);
				assert_int_equal(dlog(&ct.alpha), r);
				assert_int_equal(dlog(&ct.beta), (m + s * r) % Q);
				vy_elgamal_decrypt(G, &gm, &ct, &sc[s]);
				assert_int_equal(dlog(&gm), m);
			}
		}
	}
}

/* Every honest 0/1 range proof verifies: every key s, message m in {0, 1},
 * randomness r and true-branch nonce u (simulated values random). */
static void test_range01_complete(void **state)
{
	vy_proof_ctx pc;
	vy_ciphertext ct;
	vy_scalar c[2], v[2], sim_c[2], sim_v[2];

	(void)state;
	toy_pc(&pc);
	for (int s = 1; s < Q; s++) {
		for (uint64_t m = 0; m <= 1; m++) {
			for (int r = 0; r < Q; r++) {
				vy_elgamal_encrypt(G, &ct, &elems[s], m, &sc[r]);
				for (int u = 0; u < Q; u++) {
					for (int j = 0; j < 2; j++) {
						vy_scalar_random(G, &sim_c[j]);
						vy_scalar_random(G, &sim_v[j]);
					}
					assert_int_equal(vy_range_prove_det(&pc, c, v, 2, &elems[s], &ct, 0, 1, m,
									    &sc[r], &sc[u], sim_c, sim_v),
							 VY_OK);
					assert_int_equal(vy_range_verify(&pc, c, v, 2, &elems[s], &ct, 0, 1), VY_OK);
				}
			}
		}
	}
}

/* Every honest Schnorr proof verifies, for every x and u. */
static void test_schnorr_complete(void **state)
{
	vy_proof_ctx pc;
	vy_schnorr_proof p;

	(void)state;
	toy_pc(&pc);
	for (int x = 0; x < Q; x++) {
		for (int u = 0; u < Q; u++) {
			assert_int_equal(vy_schnorr_prove_det(&pc, &p, &elems[x], &sc[x], &sc[u]), VY_OK);
			assert_int_equal(vy_schnorr_verify(&pc, &p, &elems[x]), VY_OK);
		}
	}
}

/* Every honest Chaum-Pedersen proof verifies, for every x, u and second
 * base g2 (g1 = g). */
static void test_cp_complete(void **state)
{
	vy_proof_ctx pc;
	vy_cp_proof p;
	vy_elem h2;

	(void)state;
	toy_pc(&pc);
	for (int x = 0; x < Q; x++) {
		for (int u = 0; u < Q; u++) {
			for (int b = 0; b < Q; b++) {
				vy_elem_exp(G, &h2, &elems[b], &sc[x]);
				assert_int_equal(vy_cp_prove_det(&pc, &p, &elems[1], &elems[x], &elems[b], &h2, &sc[x],
								 &sc[u]),
						 VY_OK);
				assert_int_equal(vy_cp_verify(&pc, &p, &elems[1], &elems[x], &elems[b], &h2), VY_OK);
			}
		}
	}
}

/* ---------------- Special soundness ---------------- */

/*
 * With q = 11 a non-interactive forger hits the hash with probability 1/11
 * per attempt simply because the challenge space has 11 values, so the
 * exhaustive claim tested here is special soundness of the underlying
 * interactive protocol: for a false statement, each commitment can be
 * answered for at most one challenge (two accepting challenges would
 * extract a witness that does not exist). This bounds the Fiat-Shamir
 * soundness error by 1/q in any group.
 *
 * An accept table counts, for every commitment (a, b) (as discrete logs)
 * and every challenge c, the responses v that make the verification
 * equations hold.
 */
typedef struct {
	uint8_t n[Q][Q][Q]; /* n[log a][log b][c] */
} accept_table;

/* Range branch j of ciphertext ct under pk: a == g^v alpha^c and
 * b == pk^v (beta / g^j)^c, through vy_range_branch_commit. */
static void range_branch_table(accept_table *t, const vy_elem *pk, const vy_ciphertext *ct, uint64_t j)
{
	vy_elem a, b;

	memset(t, 0, sizeof *t);
	for (int c = 0; c < Q; c++) {
		for (int v = 0; v < Q; v++) {
			vy_range_branch_commit(G, &a, &b, pk, ct, j, &sc[c], &sc[v]);
			t->n[dlog(&a)][dlog(&b)][c]++;
		}
	}
}

/* Chaum-Pedersen: a == g1^v h1^c and b == g2^v h2^c. */
static void cp_table(accept_table *t, const vy_elem *g1, const vy_elem *h1, const vy_elem *g2, const vy_elem *h2)
{
	vy_elem a, b;

	memset(t, 0, sizeof *t);
	for (int c = 0; c < Q; c++) {
		for (int v = 0; v < Q; v++) {
			vy_elem_exp2_public(G, &a, g1, &sc[v], h1, &sc[c]);
			vy_elem_exp2_public(G, &b, g2, &sc[v], h2, &sc[c]);
			t->n[dlog(&a)][dlog(&b)][c]++;
		}
	}
}

/* The challenges that commitment (a, b) can answer, as a bit mask. */
static unsigned answerable(const accept_table *t, int a, int b)
{
	unsigned mask = 0;

	for (int c = 0; c < Q; c++) {
		if (t->n[a][b][c] != 0)
			mask |= 1u << c;
	}
	return mask;
}

/* False statement: every commitment answers at most one challenge. (In
 * fact exactly one: 121 pairs (c, v) land on 121 distinct commitments,
 * which is why the simulator works for any statement.) */
static void assert_sound(const accept_table *t)
{
	for (int a = 0; a < Q; a++) {
		for (int b = 0; b < Q; b++) {
			unsigned mask = answerable(t, a, b);

			assert_true(mask != 0 && (mask & (mask - 1)) == 0);
		}
	}
}

/* True statement: each honest commitment, one with log b = ratio * log a,
 * answers every challenge with exactly one response, and no other
 * commitment answers any. */
static void assert_complete(const accept_table *t, int ratio)
{
	for (int a = 0; a < Q; a++) {
		for (int b = 0; b < Q; b++) {
			int honest = b == (a * ratio) % Q;

			for (int c = 0; c < Q; c++)
				assert_int_equal(t->n[a][b][c], honest ? 1 : 0);
		}
	}
}

/* The number of overall challenges c = c0 + c1 that a full 0/1 transcript
 * with commitments (a0, b0, a1, b1) can answer. */
static int overall_answerable(unsigned mask0, unsigned mask1)
{
	unsigned sums = 0;
	int count = 0;

	for (int c0 = 0; c0 < Q; c0++) {
		for (int c1 = 0; c1 < Q; c1++) {
			if ((mask0 >> c0 & 1) && (mask1 >> c1 & 1))
				sums |= 1u << ((c0 + c1) % Q);
		}
	}
	for (int c = 0; c < Q; c++)
		count += (int)(sums >> c & 1);
	return count;
}

/* No full 0/1 transcript of a ciphertext of 2..10 answers more than one
 * overall challenge. */
static void assert_transcripts_sound(const accept_table *t0, const accept_table *t1)
{
	unsigned m0[Q * Q], m1[Q * Q];

	for (int i = 0; i < Q * Q; i++) {
		m0[i] = answerable(t0, i / Q, i % Q);
		m1[i] = answerable(t1, i / Q, i % Q);
	}
	for (int i = 0; i < Q * Q; i++) {
		for (int k = 0; k < Q * Q; k++)
			assert_true(overall_answerable(m0[i], m1[k]) <= 1);
	}
}

/*
 * The 0/1 range proof, for every key s and every ciphertext (g^x, g^y):
 * it encrypts m = y - s x. Branch j is a false statement unless m = j.
 */
static void test_range01_special_soundness(void **state)
{
	accept_table *t[2];
	vy_ciphertext ct;
	int m;

	(void)state;
	t[0] = test_malloc(sizeof *t[0]);
	t[1] = test_malloc(sizeof *t[1]);
	for (int s = 1; s < Q; s++) {
		for (int x = 0; x < Q; x++) {
			for (int y = 0; y < Q; y++) {
				ct.alpha = elems[x];
				ct.beta = elems[y];
				m = ((y - s * x) % Q + Q) % Q;
				for (int j = 0; j < 2; j++) {
					range_branch_table(t[j], &elems[s], &ct, (uint64_t)j);
					/* honest commitments (g^k, pk^k): log b = s log a */
					if (m == j)
						assert_complete(t[j], s);
					else
						assert_sound(t[j]);
				}
				if (m >= 2)
					assert_transcripts_sound(t[0], t[1]);
			}
		}
	}
	test_free(t[0]);
	test_free(t[1]);
}

/* Chaum-Pedersen, for every statement (g1, h1, g2, h2) with g1, g2 not the
 * identity: sound when log_g1 h1 != log_g2 h2, complete otherwise. */
static void test_cp_special_soundness(void **state)
{
	accept_table *t = test_malloc(sizeof *t);
	int sound = 0, complete = 0;

	(void)state;
	for (int g1 = 1; g1 < Q; g1++) {
		for (int g2 = 1; g2 < Q; g2++) {
			for (int h1 = 0; h1 < Q; h1++) {
				for (int h2 = 0; h2 < Q; h2++) {
					/* log_g1 h1 = h1 / g1, log_g2 h2 = h2 / g2 (mod Q) */
					int same = (h1 * g2) % Q == (h2 * g1) % Q;
					int g1_inv = 1, ratio;

					cp_table(t, &elems[g1], &elems[h1], &elems[g2], &elems[h2]);
					if (!same) {
						assert_sound(t);
						sound++;
						continue;
					}
					/* honest commitments (g1^k, g2^k): log b = (g2/g1) log a */
					while ((g1 * g1_inv) % Q != 1)
						g1_inv++;
					ratio = (g2 * g1_inv) % Q;
					assert_complete(t, ratio);
					complete++;
				}
			}
		}
	}
	assert_int_equal(sound, 10 * 10 * 11 * 11 - 10 * 10 * 11);
	assert_int_equal(complete, 10 * 10 * 11);
	test_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elgamal_all),
		cmocka_unit_test(test_range01_complete),
		cmocka_unit_test(test_schnorr_complete),
		cmocka_unit_test(test_cp_complete),
		cmocka_unit_test(test_range01_special_soundness),
		cmocka_unit_test(test_cp_special_soundness),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
