/*
 * Decoding (specs/protocol.md §1.3): round trips of every message, and
 * decoders reject truncated, oversized and type-confused input with the
 * right reason.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"

static vyf_record rec;
static uint8_t *ballot, *audited;
static size_t ballot_len, audited_len;

static int setup(void **state)
{
	vyf_voter v;
	uint32_t ch[VYF_SELECTIONS];
	Vybar__AuditedBallot *a;

	(void)state;
	vyf_record_init(&rec, 2, 2);
	vyf_record_ceremony(&rec);
	vyf_default_choices(ch);
	vyf_voter_init(&v, &rec.st.election, "codec");
	ballot = vyf_ballot_pack(&rec.st.election, &v, ch, "cast", NULL, &ballot_len);
	a = vyf_audited_new(&rec.st.election, &v, ch);
	audited = vy_msg_pack(a, &audited_len);
	vy_msg_free(a);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ballot);
	free(audited);
	vyf_record_free(&rec);
	return 0;
}

/* decode(buf) succeeds and re-packs to the same bytes. */
static void round_trip(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len)
{
	ProtobufCMessage *m = NULL;
	vy_reason why = { 0 };
	uint8_t *again;
	size_t len2;

	if (vy_decode_message(&m, d, VY_MAX_ENTRY_BYTES, buf, len, &why) != VY_R_OK)
		fail_msg("%s: %s", d->short_name, why.msg);
	again = vy_msg_pack(m, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, buf, len);
	free(again);
	vy_msg_free(m);
}

static void test_round_trips(void **state)
{
	static const ProtobufCMessageDescriptor *const by_entry[] = {
		NULL,
		&vybar__manifest__descriptor,
		&vybar__trustee_signed__descriptor,
		&vybar__trustee_signed__descriptor,
		&vybar__trustee_signed__descriptor,
		&vybar__election_open__descriptor,
	};
	Vybar__ElectionClose c = VYBAR__ELECTION_CLOSE__INIT;
	Vybar__Receipt r;
	uint8_t sig[64], *p;
	size_t len;

	(void)state;
	/* every entry of the ceremony, and the entries themselves */
	for (size_t i = 0; i < rec.n_entries; i++) {
		Vybar__RecordEntry *e = NULL;

		round_trip(&vybar__record_entry__descriptor, rec.entries[i], rec.entry_lens[i]);
		assert_int_equal(vy_decode_entry(&e, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
		assert_true(e->type >= 1 && e->type <= 5);
		round_trip(by_entry[e->type], e->payload.data, e->payload.len);
		vy_msg_free(e);
	}
	round_trip(&vybar__ballot__descriptor, ballot, ballot_len);
	round_trip(&vybar__audited_ballot__descriptor, audited, audited_len);
	c.ballots_received = 12345;
	p = vy_msg_pack(&c, &len);
	round_trip(&vybar__election_close__descriptor, p, len);
	free(p);
	vy_receipt_make(&r, sig, "ABCD-EFGH-JKMN-PQRS", 7, rec.st.head_hash, rec.keys.board_sk);
	p = vy_msg_pack(&r, &len);
	round_trip(&vybar__receipt__descriptor, p, len);
	free(p);
}

/* Every cut inside a field is TRUNCATED; a cut on a field boundary decodes
 * but then fails validation. */
static void test_truncated(void **state)
{
	size_t truncated = 0;

	(void)state;
	for (size_t n = 0; n < ballot_len; n++) {
		Vybar__Ballot *b = NULL;
		vy_reason why = { 0 };
		vy_rc rc = vy_decode_ballot(&b, ballot, n, &why);

		if (rc == VY_R_OK) {
			assert_int_not_equal(vy_ballot_validate(&rec.st.election, b, NULL), VY_R_OK);
			vy_msg_free(b);
			continue;
		}
		assert_null(b);
		assert_int_equal(rc, VY_R_TRUNCATED);
		assert_int_equal(why.code, VY_R_TRUNCATED);
		truncated++;
	}
	assert_true(truncated > ballot_len / 2);
}

static void test_oversized(void **state)
{
	uint8_t *big = calloc(1, VY_MAX_BALLOT_BYTES + 1);
	Vybar__Ballot *b = NULL;
	Vybar__Manifest *m = NULL;

	(void)state;
	assert_non_null(big);
	memcpy(big, ballot, ballot_len);
	assert_int_equal(vy_decode_ballot(&b, big, VY_MAX_BALLOT_BYTES + 1, NULL), VY_R_TOO_LARGE);
	assert_null(b);
	assert_int_equal(vy_decode_manifest(&m, big, VY_MAX_MANIFEST_BYTES + 1, NULL), VY_R_TOO_LARGE);
	free(big);
}

/* Bytes of one type given to another type's decoder never decode as valid. */
static void test_type_confusion(void **state)
{
	Vybar__Manifest *m = NULL;
	Vybar__Ballot *b = NULL;
	Vybar__RecordEntry *e = NULL;
	vy_rc rc;

	(void)state;
	rc = vy_decode_manifest(&m, ballot, ballot_len, NULL);
	assert_true(rc == VY_R_UNKNOWN_FIELD || rc == VY_R_MALFORMED);
	assert_null(m);
	rc = vy_decode_ballot(&b, rec.manifest_bytes, rec.manifest_len, NULL);
	assert_true(rc == VY_R_UNKNOWN_FIELD || rc == VY_R_MALFORMED);
	rc = vy_decode_entry(&e, ballot, ballot_len, NULL);
	assert_true(rc == VY_R_UNKNOWN_FIELD || rc == VY_R_MALFORMED);
	/* an audited ballot is not a ballot */
	rc = vy_decode_ballot(&b, audited, audited_len, NULL);
	assert_int_not_equal(rc, VY_R_OK);
	assert_null(b);
}

static void test_malformed(void **state)
{
	static const uint8_t group_wire[] = { 0x0b, 0x0c };         /* wire type 3 */
	static const uint8_t wrong_wire[] = { 0x08, 0x01 };         /* credential as varint */
	static const uint8_t bad_utf8[] = { 0x0a, 0x02, 0xc3, 0x28 }; /* election_id */
	static const uint8_t unknown[] = { 0xf8, 0x01, 0x01 };      /* field 31 */
	Vybar__Ballot *b = NULL;
	Vybar__Manifest *m = NULL;

	(void)state;
	assert_int_equal(vy_decode_ballot(&b, group_wire, sizeof group_wire, NULL), VY_R_MALFORMED);
	assert_int_equal(vy_decode_ballot(&b, wrong_wire, sizeof wrong_wire, NULL), VY_R_MALFORMED);
	assert_int_equal(vy_decode_manifest(&m, bad_utf8, sizeof bad_utf8, NULL), VY_R_MALFORMED);
	assert_int_equal(vy_decode_ballot(&b, unknown, sizeof unknown, NULL), VY_R_UNKNOWN_FIELD);
	assert_null(b);
	assert_null(m);
	/* the empty encoding is a message with every field absent: it decodes, and is invalid */
	assert_int_equal(vy_decode_ballot(&b, NULL, 0, NULL), VY_R_OK);
	assert_int_not_equal(vy_ballot_validate(&rec.st.election, b, NULL), VY_R_OK);
	vy_msg_free(b);
}

/* §1.3 strict decoding: each row is a small hand-made encoding that a
 * lenient protobuf decoder would accept (truncating, merging or taking the
 * last value), and that Vybar refuses, naming the field. KeyVerdict: 1
 * trustee_index uint32, 2 accept_all bool, 3 complaints; ElectionOpen: 2
 * qualified_trustees repeated uint32; ElectionClose: 1 uint64. */
static void test_strict(void **state)
{
	static const struct {
		const char *what;
		const ProtobufCMessageDescriptor *d;
		uint8_t bytes[16];
		size_t len;
		vy_rc want;
		const char *says;
	} rows[] = {
		{ "uint32 as the varint 2^32 + 1", &vybar__key_verdict__descriptor,
		  { 0x08, 0x81, 0x80, 0x80, 0x80, 0x10 }, 6, VY_R_MALFORMED, "trustee_index" },
		{ "bool 2", &vybar__key_verdict__descriptor, { 0x10, 0x02 }, 2, VY_R_MALFORMED, "accept_all" },
		{ "singular field twice", &vybar__key_verdict__descriptor, { 0x08, 0x01, 0x08, 0x02 }, 4,
		  VY_R_MALFORMED, "given twice" },
		{ "padded varint", &vybar__key_verdict__descriptor, { 0x08, 0x81, 0x00 }, 3, VY_R_MALFORMED,
		  "trustee_index" },
		{ "11-byte varint", &vybar__election_close__descriptor,
		  { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 12, VY_R_MALFORMED,
		  "ballots_received" },
		{ "repeated uint32 unpacked", &vybar__election_open__descriptor, { 0x10, 0x01, 0x10, 0x02 }, 4,
		  VY_R_MALFORMED, "(packed)" },
		{ "packed run twice", &vybar__election_open__descriptor, { 0x12, 0x01, 0x01, 0x12, 0x01, 0x02 }, 6,
		  VY_R_MALFORMED, "given twice" },
		{ "packed value above 2^32 - 1", &vybar__election_open__descriptor,
		  { 0x12, 0x05, 0x80, 0x80, 0x80, 0x80, 0x10 }, 7, VY_R_MALFORMED, "qualified_trustees" },
		{ "wire type 5 for a varint field", &vybar__key_verdict__descriptor, { 0x0d, 1, 0, 0, 0 }, 5,
		  VY_R_MALFORMED, "wire type" },
		{ "field number 0", &vybar__key_verdict__descriptor, { 0x00, 0x01 }, 2, VY_R_MALFORMED, "field key" },
		{ "sub-message with an unknown field", &vybar__key_verdict__descriptor, { 0x1a, 0x02, 0x48, 0x01 }, 4,
		  VY_R_UNKNOWN_FIELD, "Complaint" },
	};
	/* and what stays accepted: the canonical forms */
	static const uint8_t ok_packed[] = { 0x12, 0x02, 0x01, 0x02 }, ok_max[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0x0f };
	ProtobufCMessage *m;

	(void)state;
	for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
		vy_reason why = { 0 };
		vy_rc rc = vy_decode_message(&m, rows[r].d, 4096, rows[r].bytes, rows[r].len, &why);

		if (rc != rows[r].want || strstr(why.msg, rows[r].says) == NULL)
			fail_msg("row %zu (%s): got %d \"%s\", want %d naming \"%s\"", r, rows[r].what, rc, why.msg,
				 rows[r].want, rows[r].says);
		assert_null(m);
	}
	assert_int_equal(vy_decode_message(&m, &vybar__election_open__descriptor, 4096, ok_packed, sizeof ok_packed,
					   NULL),
			 VY_R_OK);
	assert_int_equal(((Vybar__ElectionOpen *)m)->n_qualified_trustees, 2);
	vy_msg_free(m);
	assert_int_equal(vy_decode_message(&m, &vybar__key_verdict__descriptor, 4096, ok_max, sizeof ok_max, NULL),
			 VY_R_OK);
	assert_int_equal(((Vybar__KeyVerdict *)m)->trustee_index, UINT32_MAX);
	vy_msg_free(m);
}

static void test_reason_strings(void **state)
{
	(void)state;
	for (int i = 0; i < VY_R__COUNT; i++)
		assert_string_not_equal(vy_rc_str((vy_rc)i), "unknown reason");
	assert_string_equal(vy_rc_str(VY_R__COUNT), "unknown reason");
	assert_int_equal(VY_R_NOT_IMPLEMENTED, 34); /* stable numbers */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_type_confusion),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_reason_strings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
