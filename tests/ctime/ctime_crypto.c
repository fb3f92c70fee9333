/*
 * Constant-time check under Valgrind (in the spirit of libsecp256k1's
 * ctime_tests): every secret input is marked as undefined memory, so that
 * memcheck reports any branch or memory index that depends on it. Outputs
 * that are public by design (proofs, ciphertexts, public keys) are marked
 * defined again before anything looks at them.
 *
 * Run by ctest as: valgrind --error-exitcode=42 ctime_crypto
 * Outside Valgrind the client requests do nothing and it simply runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <valgrind/memcheck.h>

#include "crypto/proof_impl.h"
#include "crypto/vy_elgamal.h"
#include "crypto/vy_group.h"
#include "crypto/vy_proof.h"
#include "crypto/vy_shamir.h"
#include "tests/support/vytest.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* Run every secret-handling operation of one group with secrets marked. */
static void check_group(const vy_group *g)
{
	vy_scalar sk, r, u, x, coeffs[3], share, t;
	vy_scalar c[2], v[2], sim_c[2], sim_v[2];
	vy_elem pk, e;
	vy_ciphertext ct;
	vy_proof_ctx pc;
	vy_schnorr_proof sp;
	vy_cp_proof cp;
	uint64_t m = 1;
	vy_err err;

	memset(&pc, 0, sizeof pc);
	pc.group = g;
	vy_elgamal_keygen(g, &sk, &pk);
	vy_scalar_random(g, &r);
	vy_scalar_random(g, &u);
	vy_scalar_random(g, &x);
	for (int i = 0; i < 2; i++) {
		vy_scalar_random(g, &sim_c[i]);
		vy_scalar_random(g, &sim_v[i]);
	}
	vy_poly_random(g, coeffs, 3);

	SECRET(&sk, sizeof sk);
	SECRET(&r, sizeof r);
	SECRET(&u, sizeof u);
	SECRET(&x, sizeof x);
	SECRET(&m, sizeof m);
	SECRET(coeffs, sizeof coeffs);
	SECRET(sim_c, sizeof sim_c);
	SECRET(sim_v, sizeof sim_v);

	/* Scalar arithmetic. */
	vy_scalar_add(g, &t, &r, &u);
	vy_scalar_sub(g, &t, &t, &x);
	vy_scalar_mul(g, &t, &t, &sk);
	vy_scalar_neg(g, &t, &t);
	(void)vy_scalar_is_zero(g, &t);
	(void)vy_scalar_eq(g, &t, &r);

	/* Exponentiation with secret exponents. */
	vy_elem_exp_base(g, &e, &r);
	vy_elem_exp(g, &e, &pk, &r);

	/* Encryption of a secret choice with secret randomness. */
	vy_elgamal_encrypt(g, &ct, &pk, m, &r);
	PUBLIC(&ct, sizeof ct); /* a ciphertext is published */
	vy_elgamal_decrypt(g, &e, &ct, &sk);

	/* Provers: which branch is true must not show. */
	err = vy_range_prove_det(&pc, c, v, 2, &pk, &ct, 0, 1, m, &r, &u, sim_c, sim_v);
	PUBLIC(&err, sizeof err);
	if (err != VY_OK) {
		fprintf(stderr, "range proof failed: %s\n", vy_err_str(err));
		exit(1);
	}
	vy_elem_exp_base(g, &e, &x);
	PUBLIC(&e, sizeof e);
	err = vy_schnorr_prove_det(&pc, &sp, &e, &x, &u);
	PUBLIC(&err, sizeof err);
	if (err != VY_OK)
		exit(1);
	/* A decryption share and its Chaum-Pedersen proof. */
	vy_elem gen, share_elem;
	vy_elem_generator(g, &gen);
	vy_elem_exp(g, &share_elem, &ct.alpha, &sk);
	PUBLIC(&share_elem, sizeof share_elem);
	err = vy_cp_prove_det(&pc, &cp, &gen, &pk, &ct.alpha, &share_elem, &sk, &u);
	PUBLIC(&err, sizeof err);
	if (err != VY_OK)
		exit(1);

	/* Shares: evaluating a secret polynomial. */
	vy_poly_eval(g, &share, coeffs, 3, 4);

	PUBLIC(&share, sizeof share);
	PUBLIC(c, sizeof c);
	PUBLIC(v, sizeof v);
	vy_wipe(&sk, sizeof sk);
	vy_wipe(&r, sizeof r);
	vy_wipe(&u, sizeof u);
	vy_wipe(&x, sizeof x);
	vy_wipe(coeffs, sizeof coeffs);
}

/* The control: a deliberate branch on a secret, which Valgrind must report
 * (ctest expects this run to fail), so the check above cannot pass vacuously. */
static int control_branch_on_secret(void)
{
	volatile int sink = 0;
	vy_scalar k;

	vy_scalar_random(vy_group_by_id(VY_GROUP_RISTRETTO255), &k);
	SECRET(&k, sizeof k);
	if (k.b[0] & 1)
		sink = 1;
	return sink;
}

int main(int argc, char **argv)
{
	if (vy_init() != VY_OK)
		return 1;
	if (argc > 1 && strcmp(argv[1], "--control") == 0) {
		(void)control_branch_on_secret();
		printf("ctime_crypto: control ran\n");
		return 0;
	}
	check_group(vy_group_by_id(VY_GROUP_RISTRETTO255));
	check_group(vytest_toy_group());
	check_group(vy_group_by_id(VY_GROUP_MODP4096));
	printf("ctime_crypto: done (%s)\n", RUNNING_ON_VALGRIND ? "under valgrind" : "not under valgrind");
	return 0;
}
