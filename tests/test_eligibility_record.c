/*
 * Eligibility on the record (specs/protocol.md §3.3, §3.5, §8.9, §8.12;
 * verification.md V2.7, V6.2, V6.3): the manifest's registrar statement
 * key, and the CREDENTIALS_ISSUED entry that bounds the number of distinct
 * credentials that voted by the registrar's signed count. Every check is
 * broken on its own and fails with its reason; nothing is appended then.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"

#define ISSUED VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED
#define TALLY VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY

/* Try an entry that must be refused with code, a message containing msg
 * and the check id; the record does not move. */
static void expect_refused(vyf_record *r, Vybar__EntryType type, const uint8_t *p, size_t len, vy_rc code,
			   const char *msg, const char *check)
{
	vy_reason why = { 0 };
	uint64_t before = r->st.next_seq;
	vy_rc rc = vyf_record_try(r, type, p, len, &why);

	if (rc != code)
		fail_msg("expected code %d, got %d: %s", (int)code, (int)rc, why.msg);
	if (msg != NULL && strstr(why.msg, msg) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", msg, why.msg);
	if (check != NULL)
		assert_string_equal(why.check, check);
	assert_int_equal(r->st.next_seq, before);
	assert_int_equal(r->st.have_issued, 0);
}

/* The fixture's statement with issued and the fixture's key. */
static uint8_t *statement(const vyf_record *r, uint64_t issued, size_t *len)
{
	return vyf_issued_statement(r->st.election.base_hash, issued, VYF_ISSUED_TIME, r->keys.statement_sk, len);
}

/* V2.7: registrar_statement_key is a valid Ed25519 key, and the last item
 * of the base hash (§3.5). */
static void test_manifest_statement_key(void **state)
{
	vyf_keys k;
	Vybar__Manifest *m;
	vy_reason why = { 0 };
	uint8_t h0[VY_HASH_BYTES], h1[VY_HASH_BYTES], saved[VY_ED25519_PK_BYTES];

	(void)state;
	vytest_init();
	vyf_keys_init(&k, 3, 2);
	m = vyf_manifest_new(&k);
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_OK);
	assert_int_equal(m->registrar_statement_key.len, VY_ED25519_PK_BYTES);
	assert_memory_equal(m->registrar_statement_key.data, k.statement_pk, VY_ED25519_PK_BYTES);
	vy_manifest_hash(m, h0);
	memcpy(saved, m->registrar_statement_key.data, sizeof saved);
	/* another key (the board's): valid, and another base hash */
	memcpy(m->registrar_statement_key.data, k.board_pk, VY_ED25519_PK_BYTES);
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_OK);
	vy_manifest_hash(m, h1);
	assert_memory_not_equal(h0, h1, VY_HASH_BYTES);
	/* small order (all zero) */
	memset(m->registrar_statement_key.data, 0, VY_ED25519_PK_BYTES);
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "registrar_statement_key"));
	/* 31 bytes, then absent */
	memcpy(m->registrar_statement_key.data, saved, sizeof saved);
	m->registrar_statement_key.len = 31;
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "registrar_statement_key"));
	m->registrar_statement_key.len = 0;
	assert_int_equal(vy_manifest_validate(m, &why), VY_R_KEY);
	assert_non_null(strstr(why.msg, "registrar_statement_key"));
	m->registrar_statement_key.len = VY_ED25519_PK_BYTES;
	vy_manifest_hash(m, h1);
	assert_memory_equal(h0, h1, VY_HASH_BYTES);
	vy_msg_free(m);
}

/* Voters a, b and c: c votes twice (a revote), b also casts an audited
 * ballot. Three distinct credentials, four BALLOT entries. */
static void vote(vyf_record *r)
{
	const vy_election *e = &r->st.election;
	uint32_t choices[VYF_SELECTIONS];
	const char *labels[] = { "eligibility a", "eligibility b", "eligibility c", "eligibility c" };
	const char *variants[] = { "1", "1", "1", "2" };
	Vybar__AuditedBallot *ab;
	vyf_voter v;
	uint8_t *p;
	size_t len;

	vyf_default_choices(choices);
	for (size_t i = 0; i < 4; i++) {
		vyf_voter_init(&v, e, labels[i]);
		p = vyf_ballot_pack(e, &v, choices, variants[i], NULL, &len);
		vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
		free(p);
	}
	vyf_voter_init(&v, e, "eligibility audited");
	ab = vyf_audited_new(e, &v, choices);
	p = vy_msg_pack(ab, &len);
	assert_non_null(p);
	vyf_record_append(r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, p, len);
	free(p);
	vy_msg_free(ab);
	assert_int_equal(r->st.ballots, 4);
	assert_int_equal(r->st.cred_count, 3);
}

/* §8.12 step 1: only in phase CLOSED; out of its place, V1.7 (verification.md §Reporting). */
static void test_issued_phase(void **state)
{
	vyf_record r;
	uint8_t *p;
	size_t len;

	(void)state;
	vyf_record_init(&r, 3, 2);
	p = statement(&r, 10, &len);
	expect_refused(&r, ISSUED, p, len, VY_R_PHASE, "phase closed", "V1.7"); /* setup */
	vyf_record_ceremony(&r);
	vote(&r);
	expect_refused(&r, ISSUED, p, len, VY_R_PHASE, "phase closed", "V1.7"); /* open */
	free(p);
	vyf_record_free(&r);
}

/* §8.12 steps 2-5 and §8.9, each broken alone, then the good statement,
 * a second one, the tally, and a statement after the tally. */
static void test_issued_rules(void **state)
{
	vyf_record r;
	Vybar__IssuedStatement *s = NULL;
	uint8_t *p, *q, *tally;
	size_t len, qlen, tlen;
	vy_reason why = { 0 };

	(void)state;
	vyf_record_init(&r, 3, 2);
	vyf_record_ceremony(&r);
	vote(&r);
	vyf_record_close_only(&r);

	/* §8.9: no tally without the statement (checked after the tally's own rules): an
	 * entry out of its place, V1.7 */
	assert_int_equal(vy_tally_encrypted(&r.st, &tally, &tlen, &why), VY_R_OK);
	expect_refused(&r, TALLY, tally, tlen, VY_R_PHASE, "CREDENTIALS_ISSUED", "V1.7");

	/* step 2: a truncated statement, then an unknown field */
	expect_refused(&r, ISSUED, (const uint8_t *)"\x0a\x05\x01", 3, VY_R_TRUNCATED, NULL, "V6.2");
	expect_refused(&r, ISSUED, (const uint8_t *)"\x78\x01", 2, VY_R_UNKNOWN_FIELD, NULL, "V6.2");

	/* step 3: base_hash of another election (signed correctly for it) */
	{
		uint8_t bh[VY_HASH_BYTES];

		memcpy(bh, r.st.election.base_hash, sizeof bh);
		bh[0] ^= 1;
		q = vyf_issued_statement(bh, 10, VYF_ISSUED_TIME, r.keys.statement_sk, &qlen);
		expect_refused(&r, ISSUED, q, qlen, VY_R_FIELD, "base_hash is not this election's", "V6.2");
		free(q);
	}
	p = statement(&r, 3, &len);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&s, &vybar__issued_statement__descriptor, 4096, p, len,
					   NULL),
			 VY_R_OK);
	/* step 3: base_hash 31 bytes */
	s->base_hash.len = 31;
	q = vy_msg_pack(s, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_FIELD, "base_hash is 31 bytes", "V6.2");
	free(q);
	s->base_hash.len = VY_HASH_BYTES;
	/* step 4: signature of 63 bytes */
	s->signature.len = 63;
	q = vy_msg_pack(s, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_FIELD, "signature is 63 bytes", "V6.2");
	free(q);
	s->signature.len = VY_ED25519_SIG_BYTES;
	/* step 4: issued raised after signing, then time changed */
	s->issued = 1000;
	q = vy_msg_pack(s, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_REGISTRAR_SIGNATURE, "registrar_statement_key", "V6.2");
	free(q);
	s->issued = 3;
	s->time++;
	q = vy_msg_pack(s, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_REGISTRAR_SIGNATURE, "does not verify", "V6.2");
	free(q);
	vy_msg_free(s);
	/* step 4: signed by another key (the board's) */
	q = vyf_issued_statement(r.st.election.base_hash, 3, VYF_ISSUED_TIME, r.keys.board_sk, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_REGISTRAR_SIGNATURE, "registrar_statement_key", "V6.2");
	free(q);

	/* step 5 (V6.3): three distinct credentials voted (four ballots), two issued */
	q = statement(&r, 2, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_FIELD, "3 distinct credentials voted, the registrar issued only 2",
		       "V6.3");
	free(q);
	q = statement(&r, 0, &qlen);
	expect_refused(&r, ISSUED, q, qlen, VY_R_FIELD, "issued only 0", "V6.3");
	free(q);

	/* exactly three: accepted (the revote and the audited ballot do not count) */
	vyf_record_append(&r, ISSUED, p, len);
	assert_int_equal(r.st.have_issued, 1);
	assert_int_equal(r.st.issued, 3);
	/* at most one */
	q = statement(&r, 7, &qlen);
	assert_int_equal(vyf_record_try(&r, ISSUED, q, qlen, &why), VY_R_DUPLICATE);
	assert_string_equal(why.check, "V6.2");
	/* now the tally is accepted */
	vyf_record_append(&r, TALLY, tally, tlen);
	/* and no statement after it */
	assert_int_equal(vyf_record_try(&r, ISSUED, q, qlen, &why), VY_R_PHASE);
	assert_non_null(strstr(why.msg, "before the encrypted tally"));
	free(q);
	free(p);
	free(tally);
	vyf_record_free(&r);
}

/* A larger count is fine (the registrar issued credentials that were not
 * used), and the whole record, written to a file, verifies again. */
static void test_issued_record_file(void **state)
{
	vyf_record r;
	vy_record_state st;
	vy_reason why = { 0 };
	uint64_t bad = 0;
	uint8_t *p;
	size_t len;
	FILE *f;

	(void)state;
	vyf_record_init(&r, 3, 2);
	vyf_record_ceremony(&r);
	vote(&r);
	vyf_record_close_only(&r);
	p = statement(&r, 1000, &len);
	vyf_record_append(&r, ISSUED, p, len);
	free(p);
	vyf_record_tally(&r);
	f = tmpfile();
	assert_non_null(f);
	vyf_record_write(&r, f);
	rewind(f);
	vy_record_state_init(&st);
	if (vy_record_verify_file(&st, f, &bad, &why) != VY_R_OK)
		fail_msg("entry %llu: %s", (unsigned long long)bad, why.msg);
	assert_int_equal(st.have_issued, 1);
	assert_int_equal(st.issued, 1000);
	assert_int_equal(st.have_tally, 1);
	vy_record_state_free(&st);
	fclose(f);
	vyf_record_free(&r);
}

/* vyf_record_close appends the statement: the fixtures' complete records
 * carry it before the tally. */
static void test_fixture_close(void **state)
{
	vyf_record r;
	Vybar__RecordEntry *e = NULL;

	(void)state;
	vyf_record_init(&r, 1, 1);
	vyf_record_ceremony(&r);
	vote(&r);
	vyf_record_close(&r);
	vyf_record_tally(&r);
	/* ... CREDENTIALS_ISSUED, ENCRYPTED_TALLY, WITNESSED */
	assert_int_equal(vy_decode_entry(&e, r.entries[r.n_entries - 3], r.entry_lens[r.n_entries - 3], NULL),
			 VY_R_OK);
	assert_int_equal(e->type, ISSUED);
	vy_msg_free(e);
	assert_int_equal(r.st.issued, 3);
	vyf_record_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_statement_key),
		cmocka_unit_test(test_issued_phase),
		cmocka_unit_test(test_issued_rules),
		cmocka_unit_test(test_issued_record_file),
		cmocka_unit_test(test_fixture_close),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
