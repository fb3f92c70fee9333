/*
 * Ballots and audited ballots (specs/protocol.md §4, §6; verification.md
 * V4.x, V5.x): a valid ballot passes, and each test breaks exactly one rule
 * and expects exactly that rule's reason code.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_proof.h"
#include "protocol/vy_ballot_build.h"
#include "tests/support/protocol_fixtures.h"

static vyf_record rec;
static vyf_voter voter;

static int setup(void **state)
{
	(void)state;
	vyf_record_init(&rec, 3, 2);
	vyf_record_ceremony(&rec);
	vyf_voter_init(&voter, &rec.st.election, "voter 1");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vyf_record_free(&rec);
	return 0;
}

static const vy_election *E(void)
{
	return &rec.st.election;
}

/* Validate b and check the code (and that a message was written). */
static void expect(const Vybar__Ballot *b, vy_rc code)
{
	vy_reason why = { 0 };
	vy_rc rc = vy_ballot_validate(E(), b, &why);

	if (rc != code)
		fail_msg("expected %s, got %s: %s", vy_rc_str(code), vy_rc_str(rc), why.msg);
	if (code != VY_R_OK) {
		assert_int_equal(why.code, code);
		assert_true(strlen(why.msg) > 0);
	}
}

static Vybar__Ballot *fresh(void)
{
	uint32_t ch[VYF_SELECTIONS];

	vyf_default_choices(ch);
	return vyf_ballot_new(E(), &voter, ch);
}

static void test_valid_ballot(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	expect(b, VY_R_OK);
	vy_msg_free(b);
}

/* V4.4 by default is the real RSA-PSS check (crypto §9.7): with no hook
 * the valid ballot passes and a damaged signature fails, never "not
 * implemented". */
static void test_registrar_real_by_default(void **state)
{
	Vybar__Ballot *b = fresh();
	vy_election e = *E();
	vy_reason why = { 0 };

	(void)state;
	assert_null(E()->registrar_verify);
	e.registrar_verify = NULL;
	assert_int_equal(vy_ballot_validate(&e, b, &why), VY_R_OK);
	b->credential->signature.data[VYF_REGISTRAR_BYTES - 1] ^= 1;
	vyf_ballot_resign(E(), &voter, b);
	assert_int_equal(vy_ballot_validate(&e, b, &why), VY_R_REGISTRAR_SIGNATURE);
	assert_null(strstr(why.msg, "not implemented"));
	vy_msg_free(b);
}

static void test_bad_registrar_signature(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->credential->signature.data[5] ^= 1;
	vyf_ballot_resign(E(), &voter, b);
	expect(b, VY_R_REGISTRAR_SIGNATURE);
	vy_msg_free(b);
}

/* The registrar's signature covers the randomizer. */
static void test_registrar_covers_randomizer(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->credential->randomizer.data[0] ^= 0x80;
	vyf_ballot_resign(E(), &voter, b);
	expect(b, VY_R_REGISTRAR_SIGNATURE);
	vy_msg_free(b);
}

/* Replace the ballot's registrar signature by one over this voter's
 * randomizer || credential message of election e, by registrar `which`,
 * and re-sign the ballot. */
static void replace_registrar_signature(Vybar__Ballot *b, const vy_election *e, unsigned which, const char *label)
{
	uint8_t msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];

	memcpy(msg, voter.randomizer, VY_RANDOMIZER_BYTES);
	vy_credential_message(e, msg + VY_RANDOMIZER_BYTES, voter.pk);
	vyf_registrar_sign(b->credential->signature.data, which, msg, sizeof msg, label);
	vyf_ballot_resign(E(), &voter, b);
}

/* A credential the real registrar signed for another election (another
 * base hash) is refused; the same round for this election passes. */
static void test_registrar_other_election(void **state)
{
	Vybar__Ballot *b = fresh();
	vy_election other = *E();

	(void)state;
	replace_registrar_signature(b, E(), 0, "this election");
	expect(b, VY_R_OK);
	other.base_hash[0] ^= 1;
	replace_registrar_signature(b, &other, 0, "other election");
	expect(b, VY_R_REGISTRAR_SIGNATURE);
	vy_msg_free(b);
}

/* A credential signed by another registrar key (same size) is refused. */
static void test_registrar_other_key(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	replace_registrar_signature(b, E(), 1, "other registrar");
	expect(b, VY_R_REGISTRAR_SIGNATURE);
	vy_msg_free(b);
}

/* A registrar key the manifest rules let through but RSA refuses (a
 * 3065-bit modulus: 384 bytes, first byte 0x01) fails V4.4 with VY_R_KEY. */
static void test_registrar_key_unusable(void **state)
{
	Vybar__Ballot *b = fresh();
	vy_election e = *E();
	Vybar__Manifest m = *E()->manifest;
	Vybar__RsaPublicKey rk = *m.registrar_key;
	uint8_t n[VYF_REGISTRAR_BYTES];
	vy_reason why = { 0 };

	(void)state;
	memcpy(n, rk.modulus.data, sizeof n);
	n[0] = 0x01;
	rk.modulus.data = n;
	m.registrar_key = &rk;
	e.manifest = &m;
	assert_int_equal(vy_ballot_validate(&e, b, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "registrar_key"));
	vy_msg_free(b);
}

/* A ballot with a valid credential, signed (Ed25519) by another
 * credential's key, is refused. */
static void test_ballot_signed_by_other_credential(void **state)
{
	Vybar__Ballot *b = fresh();
	vyf_voter other;

	(void)state;
	vyf_voter_init(&other, E(), "voter 2");
	vyf_ballot_resign(E(), &other, b);
	expect(b, VY_R_BALLOT_SIGNATURE);
	vy_msg_free(b);
}

static void test_bad_ballot_signature(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->signature.data[0] ^= 1;
	expect(b, VY_R_BALLOT_SIGNATURE);
	vy_msg_free(b);
}

static void test_signature_covers_ciphertexts(void **state)
{
	Vybar__Ballot *b = fresh(), *o = fresh();

	(void)state;
	/* swap in another valid ciphertext without re-signing */
	memcpy(b->contests[0]->selections[0]->alpha.data, o->contests[0]->selections[1]->alpha.data, 32);
	expect(b, VY_R_BALLOT_SIGNATURE);
	vy_msg_free(b);
	vy_msg_free(o);
}

static void test_bad_credential_key(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	memset(b->credential->public_key.data, 0, 32); /* small-order point */
	expect(b, VY_R_KEY);
	vy_msg_free(b);
}

static void test_bad_randomizer_length(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->credential->randomizer.len = 31;
	expect(b, VY_R_FIELD);
	vy_msg_free(b);
}

static void test_wrong_contest_count(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->n_contests = 2;
	expect(b, VY_R_SHAPE);
	b->n_contests = 3;
	vy_msg_free(b);
}

static void test_wrong_selection_count(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->contests[1]->n_selections = 3;
	expect(b, VY_R_SHAPE);
	b->contests[1]->n_selections = 4;
	vy_msg_free(b);
}

static void test_wrong_branch_count(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	b->contests[0]->selections[2]->proof->n_c = 1;
	expect(b, VY_R_SHAPE);
	b->contests[0]->selections[2]->proof->n_c = 2;
	vy_msg_free(b);
}

static void test_invalid_element(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	memset(b->contests[0]->selections[1]->beta.data, 0xff, 32); /* non-canonical */
	vyf_ballot_resign(E(), &voter, b);
	expect(b, VY_R_ELEMENT);
	vy_msg_free(b);
}

static void test_invalid_scalar(void **state)
{
	Vybar__Ballot *b = fresh();

	(void)state;
	memset(b->contests[1]->selections[0]->proof->v[1].data, 0xff, 32); /* >= q */
	vyf_ballot_resign(E(), &voter, b);
	expect(b, VY_R_SCALAR);
	vy_msg_free(b);
}

static void test_selection_proof_fails(void **state)
{
	Vybar__Ballot *b = fresh();
	vy_reason why = { 0 };

	(void)state;
	/* swap the proofs of options 0 and 1 of contest 0: each is valid, but for the other position */
	Vybar__Proof *p = b->contests[0]->selections[0]->proof;
	b->contests[0]->selections[0]->proof = b->contests[0]->selections[1]->proof;
	b->contests[0]->selections[1]->proof = p;
	vyf_ballot_resign(E(), &voter, b);
	assert_int_equal(vy_ballot_validate(E(), b, &why), VY_R_PROOF);
	assert_string_equal(why.msg, "ballot contest 0 option 0: 0/1 proof does not verify");
	vy_msg_free(b);
}

static void test_sum_proof_fails(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__Ballot *b, *o;

	(void)state;
	vyf_default_choices(ch);
	b = vyf_ballot_new(E(), &voter, ch);
	ch[1] = 0;
	ch[2] = 1; /* another valid ballot: different contest-0 ciphertexts */
	o = vyf_ballot_new(E(), &voter, ch);
	/* contest 0 with b's selections but o's sum proof */
	Vybar__Proof *p = b->contests[0]->sum_proof;
	b->contests[0]->sum_proof = o->contests[0]->sum_proof;
	o->contests[0]->sum_proof = p;
	vyf_ballot_resign(E(), &voter, b);
	expect(b, VY_R_SUM_PROOF);
	vy_msg_free(b);
	vy_msg_free(o);
}

static void test_overvote_cannot_be_proven(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	vy_ciphertext ct;
	vy_scalar r;

	(void)state;
	/* the prover refuses a sum outside the range: an overvote needs a forged proof */
	vyf_default_choices(ch);
	vy_scalar_from_u64(E()->group, &r, 7);
	vy_elgamal_encrypt(E()->group, &ct, &E()->joint_key, 2, &r);
	vy_scalar c[2], v[2];
	uint8_t ctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc = { .group = E()->group, .ctx = ctx };
	memcpy(pc.base_hash, E()->base_hash, VY_HASH_BYTES);
	pc.ctx_len = vy_ballot_ctx(ctx, voter.pk, 0, VY_CTX_OPTION_SUM);
	assert_int_not_equal(vy_sum_prove(&pc, c, v, 1, &E()->joint_key, &ct, 1, 1, 1, 2, &r), VY_OK);
}

static void test_proof_bound_to_credential(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	vyf_voter other;
	Vybar__Ballot *b;

	(void)state;
	/* another voter's valid encrypted contests, re-signed under this credential */
	vyf_default_choices(ch);
	vyf_voter_init(&other, E(), "voter 2");
	b = vyf_ballot_new(E(), &other, ch);
	memcpy(b->credential->public_key.data, voter.pk, 32);
	memcpy(b->credential->randomizer.data, voter.randomizer, 32);
	memcpy(b->credential->signature.data, voter.reg_sig, VYF_REGISTRAR_BYTES);
	vyf_ballot_resign(E(), &voter, b);
	expect(b, VY_R_PROOF);
	vy_msg_free(b);
}

static void test_no_joint_key(void **state)
{
	Vybar__Ballot *b = fresh();
	vy_election e = *E();

	(void)state;
	e.have_joint_key = 0;
	assert_int_equal(vy_ballot_validate(&e, b, NULL), VY_R_PHASE);
	vy_msg_free(b);
}

static void test_tracking_code(void **state)
{
	Vybar__Ballot *b = fresh();
	uint8_t h[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES], code2[VY_TRACKING_CODE_BYTES];

	(void)state;
	vy_ballot_ciphertexts_hash(E(), h, b);
	vy_tracking_code(code, h);
	assert_int_equal(strlen(code), VY_TRACKING_CODE_LEN);
	for (size_t i = 0; i < VY_TRACKING_CODE_LEN; i++) {
		if (i % 5 == 4)
			assert_int_equal(code[i], '-');
		else
			assert_non_null(strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[i]));
	}
	h[31] ^= 1;
	vy_tracking_code(code2, h);
	assert_string_not_equal(code, code2);
	vy_msg_free(b);
}

static void test_audited_valid(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;
	vy_reason why = { 0 };

	(void)state;
	vyf_default_choices(ch);
	a = vyf_audited_new(E(), &voter, ch);
	if (vy_audited_ballot_check(E(), a, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	vy_msg_free(a);
}

static void test_audited_wrong_value(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;
	vy_reason why = { 0 };

	(void)state;
	vyf_default_choices(ch);
	a = vyf_audited_new(E(), &voter, ch);
	a->contests[0]->selections[1]->value = 0; /* claims option 1 was not chosen */
	assert_int_equal(vy_audited_ballot_check(E(), a, &why), VY_R_REVEAL);
	assert_non_null(strstr(why.msg, "contest 0 option 1"));
	vy_msg_free(a);
}

static void test_audited_wrong_randomness(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;

	(void)state;
	vyf_default_choices(ch);
	a = vyf_audited_new(E(), &voter, ch);
	a->contests[2]->selections[0]->randomness.data[0] ^= 1;
	assert_int_equal(vy_audited_ballot_check(E(), a, NULL), VY_R_REVEAL);
	vy_msg_free(a);
}

static void test_audited_value_not_bit(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;

	(void)state;
	vyf_default_choices(ch);
	a = vyf_audited_new(E(), &voter, ch);
	a->contests[1]->selections[0]->value = 2;
	assert_int_equal(vy_audited_ballot_check(E(), a, NULL), VY_R_REVEAL);
	vy_msg_free(a);
}

static void test_audited_missing_contest(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;

	(void)state;
	vyf_default_choices(ch);
	a = vyf_audited_new(E(), &voter, ch);
	a->n_contests = 2;
	assert_int_equal(vy_audited_ballot_check(E(), a, NULL), VY_R_SHAPE);
	a->n_contests = 3;
	vy_msg_free(a);
}

/* An audited ballot that carries a registrar credential (randomizer or
 * signature) is refused (§6 step 1, V5.1), even re-signed. */
static void test_audited_carries_credential(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;
	Vybar__Credential *cr;
	vyf_voter k;
	vy_reason why = { 0 };

	(void)state;
	vyf_default_choices(ch);
	vyf_audit_key(&voter, &k);
	a = vyf_audited_new(E(), &voter, ch);
	cr = a->ballot->credential;
	assert_int_equal(cr->randomizer.len, 0);
	assert_int_equal(cr->signature.len, 0);
	assert_memory_not_equal(cr->public_key.data, voter.pk, VY_ED25519_PK_BYTES);
	cr->randomizer.data = voter.randomizer;
	cr->randomizer.len = VY_RANDOMIZER_BYTES;
	vyf_ballot_resign(E(), &k, a->ballot);
	assert_int_equal(vy_audited_ballot_check(E(), a, &why), VY_R_FIELD);
	assert_string_equal(why.check, "V5.1");
	cr->randomizer.data = NULL;
	cr->randomizer.len = 0;
	cr->signature.data = voter.reg_sig;
	cr->signature.len = sizeof voter.reg_sig;
	vyf_ballot_resign(E(), &k, a->ballot);
	assert_int_equal(vy_audited_ballot_check(E(), a, NULL), VY_R_FIELD);
	cr->signature.data = NULL;
	cr->signature.len = 0;
	vy_msg_free(a);
}

/* A ballot built under a one-time key, then rebuilt under the credential
 * with the same randomness (the client's cast after committing, §6): the
 * same ciphertexts and tracking code, other proofs and signature, and each
 * valid under its own rule. */
static void test_rebuild_same_code(void **state)
{
	uint32_t ch[VYF_SELECTIONS];
	vy_ballot_signer cred = { voter.pk, voter.sk, voter.randomizer, voter.reg_sig, sizeof voter.reg_sig };
	vy_ballot_signer once;
	vy_built_ballot a, b;
	Vybar__Ballot *ma = NULL, *mb = NULL;
	Vybar__AuditedBallot *au = NULL;
	uint8_t *ab;
	size_t len;
	vyf_voter k;
	vy_reason why = { 0 };

	(void)state;
	vyf_default_choices(ch);
	vyf_audit_key(&voter, &k);
	once = (vy_ballot_signer){ k.pk, k.sk, NULL, NULL, 0 };
	assert_int_equal(vy_ballot_build(&a, E(), &once, ch, VYF_SELECTIONS, NULL, NULL, &why), VY_R_OK);
	if (vy_ballot_rebuild(&b, E(), &cred, &a, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	assert_string_equal(a.tracking_code, b.tracking_code);
	assert_memory_not_equal(a.hash, b.hash, VY_HASH_BYTES);
	assert_int_equal(vy_decode_ballot(&ma, a.bytes, a.len, NULL), VY_R_OK);
	assert_int_equal(vy_decode_ballot(&mb, b.bytes, b.len, NULL), VY_R_OK);
	assert_memory_equal(ma->contests[1]->selections[2]->alpha.data, mb->contests[1]->selections[2]->alpha.data,
			    ma->contests[1]->selections[2]->alpha.len);
	assert_memory_not_equal(ma->contests[0]->sum_proof->c[0].data, mb->contests[0]->sum_proof->c[0].data,
				VY_SCALAR_BYTES);
	if (vy_ballot_validate(E(), mb, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	/* a one-time key has no registrar credential: as a ballot it fails V4.1 */
	assert_int_equal(vy_ballot_validate(E(), ma, &why), VY_R_FIELD);
	assert_string_equal(why.check, "V4.1");
	assert_int_equal(vy_ballot_audit_pack(E(), &a, &ab, &len, NULL), VY_R_OK);
	assert_int_equal(vy_decode_audited_ballot(&au, ab, len, NULL), VY_R_OK);
	if (vy_audited_ballot_check(E(), au, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	free(ab);
	vy_msg_free(au);
	vy_msg_free(ma);
	vy_msg_free(mb);
	vy_built_ballot_free(&a);
	vy_built_ballot_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_ballot),
		cmocka_unit_test(test_audited_carries_credential),
		cmocka_unit_test(test_rebuild_same_code),
		cmocka_unit_test(test_registrar_real_by_default),
		cmocka_unit_test(test_bad_registrar_signature),
		cmocka_unit_test(test_registrar_covers_randomizer),
		cmocka_unit_test(test_registrar_other_election),
		cmocka_unit_test(test_registrar_other_key),
		cmocka_unit_test(test_registrar_key_unusable),
		cmocka_unit_test(test_ballot_signed_by_other_credential),
		cmocka_unit_test(test_bad_ballot_signature),
		cmocka_unit_test(test_signature_covers_ciphertexts),
		cmocka_unit_test(test_bad_credential_key),
		cmocka_unit_test(test_bad_randomizer_length),
		cmocka_unit_test(test_wrong_contest_count),
		cmocka_unit_test(test_wrong_selection_count),
		cmocka_unit_test(test_wrong_branch_count),
		cmocka_unit_test(test_invalid_element),
		cmocka_unit_test(test_invalid_scalar),
		cmocka_unit_test(test_selection_proof_fails),
		cmocka_unit_test(test_sum_proof_fails),
		cmocka_unit_test(test_overvote_cannot_be_proven),
		cmocka_unit_test(test_proof_bound_to_credential),
		cmocka_unit_test(test_no_joint_key),
		cmocka_unit_test(test_tracking_code),
		cmocka_unit_test(test_audited_valid),
		cmocka_unit_test(test_audited_wrong_value),
		cmocka_unit_test(test_audited_wrong_randomness),
		cmocka_unit_test(test_audited_value_not_bit),
		cmocka_unit_test(test_audited_missing_contest),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
