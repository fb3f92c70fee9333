/*
 * The record (specs/protocol.md §5, §7, §8; verification.md V1, V3, V6-V8):
 * frame rules (seq, chain, board signature), phases, the key ceremony's
 * rules, revoting, receipts, and the record file written and re-verified
 * by streaming.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"

/* Validate an entry built from parts; returns the code. */
static vy_rc try_entry(vyf_record *r, uint64_t seq, const uint8_t *prev, uint32_t type, const uint8_t *payload,
		       size_t len, const uint8_t *sk, vy_reason *why)
{
	Vybar__RecordEntry e;
	uint8_t h[VY_HASH_BYTES], sig[64];

	vybar__record_entry__init(&e);
	e.seq = seq;
	e.prev_hash.data = (uint8_t *)prev;
	e.prev_hash.len = VY_HASH_BYTES;
	e.type = type;
	e.payload.data = (uint8_t *)payload;
	e.payload.len = len;
	vy_entry_hash_of(h, &e);
	crypto_sign_detached(sig, NULL, h, sizeof h, sk);
	e.signature.data = sig;
	e.signature.len = sizeof sig;
	return vy_validate_entry(&r->st, &e, why);
}

static void expect_try(vyf_record *r, Vybar__EntryType type, const uint8_t *p, size_t len, vy_rc code)
{
	vy_reason why = { 0 };
	vy_rc rc = vyf_record_try(r, type, p, len, &why);

	if (rc != code)
		fail_msg("expected %s, got %s: %s", vy_rc_str(code), vy_rc_str(rc), why.msg);
}

static void test_frame_rules(void **state)
{
	vyf_record r;
	uint8_t zero[VY_HASH_BYTES] = { 0 }, other_sk[64], other_pk[32];
	size_t len;
	uint8_t *p;
	vy_reason why = { 0 };

	(void)state;
	vyf_record_init(&r, 2, 1);
	p = vyf_announce(&r, 1, &len);
	crypto_sign_keypair(other_pk, other_sk);
	/* V1.1 sequence number */
	assert_int_equal(try_entry(&r, 2, r.st.head_hash, 2, p, len, r.keys.board_sk, &why), VY_R_SEQ);
	/* V1.2 chain */
	assert_int_equal(try_entry(&r, 1, zero, 2, p, len, r.keys.board_sk, &why), VY_R_CHAIN);
	/* V1.3 board signature */
	assert_int_equal(try_entry(&r, 1, r.st.head_hash, 2, p, len, other_sk, &why), VY_R_BOARD_SIGNATURE);
	/* V1.4 type */
	assert_int_equal(try_entry(&r, 1, r.st.head_hash, 99, p, len, r.keys.board_sk, &why), VY_R_UNKNOWN_TYPE);
	assert_int_equal(try_entry(&r, 1, r.st.head_hash, 0, p, len, r.keys.board_sk, &why), VY_R_UNKNOWN_TYPE);
	/* the same entry, correctly framed, passes */
	assert_int_equal(try_entry(&r, 1, r.st.head_hash, 2, p, len, r.keys.board_sk, &why), VY_R_OK);
	free(p);
	vyf_record_free(&r);
}

static void test_first_entry(void **state)
{
	vy_record_state st;
	vyf_keys k;
	uint8_t zero[VY_HASH_BYTES] = { 0 }, h[VY_HASH_BYTES], sig[64];
	size_t len;
	uint8_t *m;
	Vybar__RecordEntry e;

	(void)state;
	vytest_init();
	vyf_keys_init(&k, 1, 1);
	vy_record_state_init(&st);
	m = vyf_manifest_pack(&k, &len);
	vybar__record_entry__init(&e);
	e.prev_hash.data = zero;
	e.prev_hash.len = sizeof zero;
	e.type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE;
	e.payload.data = m;
	e.payload.len = len;
	e.signature.data = sig;
	e.signature.len = sizeof sig;
	vy_entry_hash_of(h, &e);
	crypto_sign_detached(sig, NULL, h, sizeof h, k.board_sk);
	assert_int_equal(vy_validate_entry(&st, &e, NULL), VY_R_PHASE); /* entry 0 must be the manifest */
	e.type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST;
	assert_int_equal(vy_validate_entry(&st, &e, NULL), VY_R_BOARD_SIGNATURE); /* type is signed */
	vy_entry_hash_of(h, &e);
	crypto_sign_detached(sig, NULL, h, sizeof h, k.board_sk);
	assert_int_equal(vy_record_accept(&st, &e, NULL), VY_R_OK);
	assert_int_equal(st.phase, VY_PHASE_SETUP);
	/* a second manifest is refused */
	assert_int_equal(vy_validate_manifest_entry(&st, m, len, NULL), VY_R_PHASE);
	free(m);
	vy_record_state_free(&st);
}

static void test_second_manifest(void **state)
{
	vyf_record r;

	(void)state;
	vyf_record_init(&r, 1, 1);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, r.manifest_bytes, r.manifest_len, VY_R_PHASE);
	vyf_record_free(&r);
}

static void test_ceremony_rules(void **state)
{
	vyf_record r;
	size_t len, len2;
	uint8_t *p, *q;

	(void)state;
	vyf_record_init(&r, 3, 2);
	/* ballots and open are refused during the ceremony */
	p = vyf_open(&r, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len, VY_R_PHASE);
	free(p);
	/* V3.1 signature by the named trustee */
	p = vyf_announce(&r, 1, &len);
	{
		Vybar__TrusteeSigned *ts = NULL;

		/* trustee 1's signed announce relabelled as trustee 2's */
		assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
						   VY_MAX_MESSAGE_BYTES, p, len, NULL), VY_R_OK);
		ts->trustee_index = 2;
		q = vy_msg_pack(ts, &len2);
		expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, q, len2, VY_R_TRUSTEE_SIGNATURE);
		ts->trustee_index = 9;
		free(q);
		q = vy_msg_pack(ts, &len2);
		expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, q, len2, VY_R_TRUSTEE);
		free(q);
		vy_msg_free(ts);
	}
	/* the same announce under another entry type: signature binds the type */
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, p, len, VY_R_TRUSTEE_SIGNATURE);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, p, len);
	/* V3.2 one announce per trustee */
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, p, len, VY_R_DUPLICATE);
	free(p);
	/* V3.3 reveal only after every announce */
	p = vyf_reveal(&r, 1, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, p, len, VY_R_PHASE);
	free(p);
	for (uint32_t i = 2; i <= 3; i++) {
		p = vyf_announce(&r, i, &len);
		vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, p, len);
		free(p);
	}
	/* V3.4 reveal must match the announced commitment hash */
	r.coeffs[0][1].b[0] ^= 1;
	p = vyf_reveal(&r, 1, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, p, len, VY_R_COMMITMENT);
	free(p);
	r.coeffs[0][1].b[0] ^= 1;
	/* verdicts wait for every reveal */
	p = vyf_verdict(&r, 1, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, len, VY_R_PHASE);
	free(p);
	for (uint32_t i = 1; i <= 3; i++) {
		p = vyf_reveal(&r, i, &len);
		vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, p, len);
		free(p);
	}
	/* V3.7 a verdict that neither accepts nor complains is refused
	 * (complaints themselves: test_protocol_tally.c) */
	{
		Vybar__KeyVerdict v = VYBAR__KEY_VERDICT__INIT;
		size_t bl;
		uint8_t *b;

		v.trustee_index = 2;
		v.accept_all = 0;
		b = vy_msg_pack(&v, &bl);
		p = vyf_trustee_signed(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, 2, b, bl, &len);
		expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, len, VY_R_FIELD);
		free(p);
		free(b);
	}
	for (uint32_t i = 1; i <= 3; i++) {
		p = vyf_verdict(&r, i, &len);
		vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, p, len);
		free(p);
	}
	/* V3.6 the joint key is the product of the constant terms */
	r.joint_sk.b[0] ^= 1;
	p = vyf_open(&r, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len, VY_R_JOINT_KEY);
	free(p);
	r.joint_sk.b[0] ^= 1;
	p = vyf_open(&r, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN, p, len);
	free(p);
	assert_int_equal(r.st.phase, VY_PHASE_OPEN);
	vyf_record_free(&r);
}

static void test_ballots_revote_close(void **state)
{
	vyf_record r;
	vyf_voter v1, v2;
	uint32_t ch[VYF_SELECTIONS];
	size_t len;
	uint8_t *b1, *b2, *b3, *p;
	int found;
	Vybar__ElectionClose c = VYBAR__ELECTION_CLOSE__INIT;

	(void)state;
	vyf_record_init(&r, 2, 2);
	vyf_default_choices(ch);
	vyf_voter_init(&v1, &r.st.election, "voter 1");
	vyf_voter_init(&v2, &r.st.election, "voter 2");
	/* before open: phase */
	vyf_record_ceremony(&r);
	b1 = vyf_ballot_pack(&r.st.election, &v1, ch, "first", NULL, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b1, len);
	assert_int_equal(vy_record_state_last_ballot(&r.st, v1.pk, &found), r.st.next_seq - 1);
	assert_true(found);
	b2 = vyf_ballot_pack(&r.st.election, &v2, ch, "first", NULL, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b2, len);
	/* revote: the later ballot becomes the credential's last */
	ch[0] = 1;
	ch[1] = 0;
	b3 = vyf_ballot_pack(&r.st.election, &v1, ch, "second", NULL, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b3, len);
	assert_int_equal(vy_record_state_last_ballot(&r.st, v1.pk, &found), r.st.next_seq - 1);
	assert_int_equal(r.st.ballots, 3);
	/* a damaged ballot is refused with the ballot's reason and changes nothing */
	b3[len - 1] ^= 1;
	uint64_t before = r.st.next_seq;
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b3, len, VY_R_BALLOT_SIGNATURE);
	assert_int_equal(r.st.next_seq, before);
	/* close with the wrong count, then the right one */
	c.ballots_received = 2;
	p = vy_msg_pack(&c, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, len, VY_R_FIELD);
	free(p);
	c.ballots_received = 3;
	p = vy_msg_pack(&c, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, len);
	free(p);
	/* V1.7: no ballot after close */
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, b2, len, VY_R_PHASE);
	/* V7.1 a tally of the wrong shape is refused (the rest: test_protocol_tally.c) */
	{
		Vybar__EncryptedTally t = VYBAR__ENCRYPTED_TALLY__INIT;

		p = vy_msg_pack(&t, &len);
		expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY, p, len, VY_R_SHAPE);
		free(p);
	}
	free(b1);
	free(b2);
	free(b3);
	vyf_record_free(&r);
}

static void test_audited_entry(void **state)
{
	vyf_record r;
	vyf_voter v;
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;
	size_t len;
	uint8_t *p;

	(void)state;
	vyf_record_init(&r, 1, 1);
	vyf_record_ceremony(&r);
	vyf_default_choices(ch);
	vyf_voter_init(&v, &r.st.election, "auditor");
	a = vyf_audited_new(&r.st.election, &v, ch);
	p = vy_msg_pack(a, &len);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, p, len);
	assert_int_equal(r.st.audited, 1);
	assert_int_equal(r.st.ballots, 0); /* never counted */
	free(p);
	a->contests[0]->selections[0]->value = 1;
	p = vy_msg_pack(a, &len);
	expect_try(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, p, len, VY_R_REVEAL);
	free(p);
	vy_msg_free(a);
	vyf_record_free(&r);
}

static void test_receipt(void **state)
{
	vyf_record r;
	vyf_voter v;
	uint32_t ch[VYF_SELECTIONS];
	Vybar__Receipt rc, *dec = NULL;
	Vybar__Ballot *b = NULL;
	uint8_t sig[64], h[VY_HASH_BYTES], *buf, *bp;
	char code[VY_TRACKING_CODE_BYTES];
	size_t len, blen;
	vy_reason why = { 0 };

	(void)state;
	vyf_record_init(&r, 1, 1);
	vyf_record_ceremony(&r);
	vyf_default_choices(ch);
	vyf_voter_init(&v, &r.st.election, "voter r");
	bp = vyf_ballot_pack(&r.st.election, &v, ch, "cast", NULL, &blen);
	vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, bp, blen);
	assert_int_equal(vy_decode_ballot(&b, bp, blen, NULL), VY_R_OK);
	vy_ballot_ciphertexts_hash(&r.st.election, h, b);
	vy_tracking_code(code, h);
	vy_receipt_make(&rc, sig, code, r.st.next_seq - 1, r.st.head_hash, r.keys.board_sk);
	buf = vy_msg_pack(&rc, &len);
	assert_int_equal(vy_decode_receipt(&dec, buf, len, NULL), VY_R_OK);
	assert_int_equal(vy_receipt_verify(r.keys.board_pk, dec, &why), VY_R_OK);
	assert_string_equal(dec->tracking_code, code);
	dec->seq++;
	assert_int_equal(vy_receipt_verify(r.keys.board_pk, dec, &why), VY_R_RECEIPT);
	dec->seq--;
	dec->head_hash.data[0] ^= 1;
	assert_int_equal(vy_receipt_verify(r.keys.board_pk, dec, &why), VY_R_RECEIPT);
	vy_msg_free(dec);
	vy_msg_free(b);
	free(buf);
	free(bp);
	vyf_record_free(&r);
}

/* Write a record file, then stream it back through every rule. */
static void test_file_round_trip(void **state)
{
	vyf_record r;
	vyf_voter v;
	uint32_t ch[VYF_SELECTIONS];
	vy_record_state st;
	vy_record_writer w;
	vy_reason why = { 0 };
	uint64_t bad;
	size_t len;
	uint8_t *bp;
	FILE *f;

	(void)state;
	vyf_record_init(&r, 2, 1);
	vyf_record_ceremony(&r);
	vyf_default_choices(ch);
	for (int i = 0; i < 5; i++) {
		char label[32];

		snprintf(label, sizeof label, "voter %d", i);
		vyf_voter_init(&v, &r.st.election, label);
		bp = vyf_ballot_pack(&r.st.election, &v, ch, "cast", NULL, &len);
		vyf_record_append(&r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, bp, len);
		free(bp);
	}
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(vy_record_writer_open(&w, f, &why), VY_R_OK);
	for (size_t i = 0; i < r.n_entries; i++) {
		Vybar__RecordEntry *e = NULL;

		assert_int_equal(vy_decode_entry(&e, r.entries[i], r.entry_lens[i], NULL), VY_R_OK);
		assert_int_equal(vy_record_writer_append(&w, e, &why), VY_R_OK);
		vy_msg_free(e);
	}
	assert_int_equal(vy_record_writer_flush(&w, 1, &why), VY_R_OK);
	rewind(f);
	vy_record_state_init(&st);
	vy_record_state_set_registrar_verifier(&st, vyf_fake_registrar_verify, NULL);
	if (vy_record_verify_file(&st, f, &bad, &why) != VY_R_OK)
		fail_msg("entry %llu: %s", (unsigned long long)bad, why.msg);
	assert_int_equal(st.next_seq, r.n_entries);
	assert_memory_equal(st.head_hash, r.st.head_hash, VY_HASH_BYTES);
	assert_int_equal(st.ballots, 5);
	vy_record_state_free(&st);
	fclose(f);
	vyf_record_free(&r);
}

/* Damaged files: bad magic, truncated frame, oversized frame, flipped byte. */
static void test_file_damage(void **state)
{
	vyf_record r;
	vy_record_state st;
	vy_reason why = { 0 };
	uint64_t bad;
	char *buf;
	size_t len;
	FILE *f;

	(void)state;
	vyf_record_init(&r, 2, 1);
	vyf_record_ceremony(&r);
	f = tmpfile();
	vyf_record_write(&r, f);
	len = (size_t)ftell(f);
	buf = malloc(len);
	rewind(f);
	assert_int_equal(fread(buf, 1, len, f), len);
	fclose(f);

	struct {
		size_t cut;   /* keep this many bytes (0: all) */
		long flip;    /* flip a byte here (-1: none) */
		vy_rc code;
	} cases[] = {
		{ 0, 0, VY_R_BAD_MAGIC },
		{ len - 1, -1, VY_R_TRUNCATED },
		{ VY_RECORD_MAGIC_LEN + 2, -1, VY_R_TRUNCATED },
		{ 0, VY_RECORD_MAGIC_LEN, VY_R_TOO_LARGE },     /* length's top byte */
		{ 0, (long)len - 10, VY_R_BOARD_SIGNATURE },    /* inside the last signature */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = tmpfile();
		size_t n = cases[i].cut ? cases[i].cut : len;
		if (cases[i].flip >= 0)
			buf[cases[i].flip] ^= 0x40;
		assert_int_equal(fwrite(buf, 1, n, f), n);
		if (cases[i].flip >= 0)
			buf[cases[i].flip] ^= 0x40;
		rewind(f);
		vy_record_state_init(&st);
		vy_rc rc = vy_record_verify_file(&st, f, &bad, &why);
		if (rc != cases[i].code)
			fail_msg("case %zu: expected %s, got %s: %s", i, vy_rc_str(cases[i].code), vy_rc_str(rc), why.msg);
		vy_record_state_free(&st);
		fclose(f);
	}
	free(buf);
	vyf_record_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_rules),
		cmocka_unit_test(test_first_entry),
		cmocka_unit_test(test_second_manifest),
		cmocka_unit_test(test_ceremony_rules),
		cmocka_unit_test(test_ballots_revote_close),
		cmocka_unit_test(test_audited_entry),
		cmocka_unit_test(test_receipt),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_file_damage),
	};

	vytest_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
