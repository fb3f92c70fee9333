/*
 * vybar-verify record and receipt (specs/verification.md): a whole valid
 * election verifies with every check counted, in text and JSON; tampering
 * makes exactly the covering check fail at the right entry; flipped bits
 * fail; incremental verification; the voter's receipt check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/json.h"
#include "tests/support/protocol_fixtures.h"

#define N 3
#define T 2
#define OUT_BYTES (64u << 10)

static char dir[] = "/tmp/vybar-verify-XXXXXX";
static char full_path[256], prefix_path[256], work_path[256];
static uint8_t *full;
static size_t full_len, prefix_len;
static size_t ballot_entry[4]; /* a, c (first), c (second, counted), b */
static vyf_record rec;

/* Run vybar-verify with args (NULL-terminated); its exit status, its output into out. */
static int run(char *out, const char *const *args)
{
	return vytest_run(out, OUT_BYTES, 0, VYBAR_VERIFY_PROGRAM, args);
}


/* The whole election: ceremony, 4 ballots (c revotes), an audited ballot,
 * close, tally, two partial decryptions, the result. */
static void build_election(void)
{
	static const uint32_t q[N] = { 1, 2, 3 };
	uint32_t choices[VYF_SELECTIONS];
	const vy_election *e;
	vyf_voter a, b, c, d;
	Vybar__AuditedBallot *ab;
	uint8_t *p;
	size_t len;

	vyf_record_init(&rec, N, T);
	vyf_record_ceremony(&rec);
	e = &rec.st.election;
	vyf_default_choices(choices);
	vyf_voter_init(&a, e, "voter a");
	vyf_voter_init(&b, e, "voter b");
	vyf_voter_init(&c, e, "voter c");
	vyf_voter_init(&d, e, "voter d");
	ballot_entry[0] = rec.n_entries;
	p = vyf_ballot_pack(e, &a, choices, "x", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	ballot_entry[1] = rec.n_entries;
	p = vyf_ballot_pack(e, &c, choices, "1", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	ab = vyf_audited_new(e, &d, choices);
	p = vy_msg_pack(ab, &len);
	vy_msg_free(ab);
	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, p, len);
	ballot_entry[2] = rec.n_entries;
	p = vyf_ballot_pack(e, &c, choices, "2", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	ballot_entry[3] = rec.n_entries;
	p = vyf_ballot_pack(e, &b, choices, "x", NULL, &len);

	vyf_record_append_owned(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	vyf_record_close(&rec);
	vyf_record_tally(&rec);
	vyf_record_decrypt(&rec, q, N, T);
}

/* The record file bytes of entries [0, n). */
static uint8_t *record_bytes(const vyf_record *r, size_t n, size_t *len)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	vyf_record copy = *r;

	assert_non_null(f);
	copy.n_entries = n;
	vyf_record_write(&copy, f);
	assert_int_equal(fclose(f), 0);
	*len = blen;
	return (uint8_t *)buf;
}

static int setup(void **state)
{
	(void)state;
	vytest_init();
	assert_non_null(mkdtemp(dir));
	snprintf(full_path, sizeof full_path, "%s/full.rec", dir);
	snprintf(prefix_path, sizeof prefix_path, "%s/prefix.rec", dir);
	snprintf(work_path, sizeof work_path, "%s/work.rec", dir);
	build_election();
	full = record_bytes(&rec, rec.n_entries, &full_len);
	vytest_write_file(full_path, full, full_len);
	{
		uint8_t *pre = record_bytes(&rec, ballot_entry[3], &prefix_len);

		vytest_write_file(prefix_path, pre, prefix_len);
		free(pre);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	free(full);
	vyf_record_free(&rec);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The examined count of check id in the text report ("%-5s %-48s %10llu"), -1 if absent. */
#define TEXT_COUNT_COLUMN 55
static long long text_count(const char *out, const char *id)
{
	for (const char *line = out; line != NULL && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, id, strlen(id)) == 0 && line[strlen(id)] == ' ')
			return strtoll(line + TEXT_COUNT_COLUMN, NULL, 10);
	return -1;
}

/* The status ("held", "FAILED", "not reached") of check id in the text
 * report, into buf; fails the test if the line is absent. */
#define TEXT_STATUS_COLUMN 67
static const char *text_status(const char *out, const char *id, char *buf, size_t cap)
{
	for (const char *line = out; line != NULL && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (strncmp(line, id, strlen(id)) == 0 && line[strlen(id)] == ' ') {
			const char *end = strchr(line, '\n');
			size_t n = end ? (size_t)(end - line) : strlen(line);

			assert_true(n > TEXT_STATUS_COLUMN);
			snprintf(buf, cap, "%.*s", (int)(n - TEXT_STATUS_COLUMN), line + TEXT_STATUS_COLUMN);
			return buf;
		}
	fail_msg("no line for %s in:\n%s", id, out);
	return NULL;
}

/* Check id examined want items and has status st. */
static void expect_count(const char *out, const char *id, long long want, const char *st)
{
	char buf[32];
	const char *got = text_status(out, id, buf, sizeof buf);

	if (text_count(out, id) != want || strcmp(got, st) != 0)
		fail_msg("%s: expected %lld %s, got %lld %s in:\n%s", id, want, st, text_count(out, id), buf, out);
}

/* A complete valid record: exit 0, every check held with its count; JSON the same. */
static void test_valid(void **state)
{
	static char out[OUT_BYTES], js[OUT_BYTES];
	char err[128];
	vyjson *j;
	const vyjson *checks;

	(void)state;
	assert_int_equal(run(out, (const char *const[]){ "record", full_path, NULL }), 0);
	assert_non_null(strstr(out, "OK: every check holds"));
	assert_null(strstr(out, "FAILED"));
	expect_count(out, "V9.1", 0, "not reached"); /* no --since */
	assert_int_equal(run(js, (const char *const[]){ "record", full_path, "--json", "--jobs", "1", NULL }), 0);
	j = vyjson_parse(js, strlen(js), err, sizeof err);
	assert_non_null(j);
	assert_string_equal(vyjson_get_string(j, "outcome"), "ok");
	checks = vyjson_get(j, "checks");
	assert_true(vyjson_len(checks) >= 40);
	for (size_t i = 0; i < vyjson_len(checks); i++) {
		const vyjson *c = vyjson_at(checks, i);
		const char *id = vyjson_get_string(c, "id");
		long long n;

		assert_true(vyjson_int(vyjson_get(c, "examined"), &n));
		assert_int_equal(n, text_count(out, id));
		if (strcmp(id, "V9.1") != 0 && strcmp(id, "V3.8") != 0)
			assert_string_equal(vyjson_get_string(c, "status"), "held");
		if (strcmp(id, "V1.3") == 0)
			assert_int_equal(n, (long long)rec.n_entries);
		if (strcmp(id, "V4.5") == 0)
			assert_int_equal(n, 4 * VYF_SELECTIONS);
		if (strcmp(id, "V4.7") == 0)
			assert_int_equal(n, 3);
		if (strcmp(id, "V7.2") == 0)
			assert_int_equal(n, T * VYF_SELECTIONS);
	}
	vyjson_free(j);
}

/* A record that ends before its RESULT: exit 4 with the note; 0 with
 * --partial-ok. While voting is open, V4.7 counts the ballots counted so
 * far (the last of each credential so far), as the totals line does. */
static void test_incomplete(void **state)
{
	static char out[OUT_BYTES];

	(void)state;
	assert_int_equal(run(out, (const char *const[]){ "record", prefix_path, NULL }), 4);
	assert_non_null(strstr(out, "no ELECTION_CLOSE entry yet"));
	/* a, c (twice): two credentials; the audited ballot is never counted */
	expect_count(out, "V4.7", 2, "held");
	assert_non_null(strstr(out, "ballots: 3, audited: 1, counted: 2,"));
	expect_count(out, "V7.1", 0, "not reached");
	assert_int_equal(run(out, (const char *const[]){ "record", prefix_path, "--partial-ok", NULL }), 0);
}

/* Re-frame entries (type, payload) with the board key into a record file,
 * replacing entry `at` by (type, payload). */
static void write_resigned(size_t at, Vybar__EntryType type, const uint8_t *payload, size_t plen)
{
	vy_record_state st;
	FILE *f = fopen(work_path, "wb");

	assert_non_null(f);
	memset(&st, 0, sizeof st);
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < rec.n_entries; i++) {
		Vybar__RecordEntry *old = NULL, e;
		uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], hdr[4], *packed;
		size_t len;

		assert_int_equal(vy_decode_entry(&old, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
		if (i == at)
			vy_entry_make(&e, sig, &st, type, payload, plen, rec.keys.board_sk);
		else
			vy_entry_make(&e, sig, &st, old->type, old->payload.data, old->payload.len, rec.keys.board_sk);
		packed = vy_msg_pack(&e, &len);
		hdr[0] = (uint8_t)(len >> 24), hdr[1] = (uint8_t)(len >> 16), hdr[2] = (uint8_t)(len >> 8);
		hdr[3] = (uint8_t)len;
		assert_int_equal(fwrite(hdr, 1, 4, f), 4);
		assert_int_equal(fwrite(packed, 1, len, f), len);
		vy_entry_hash_of(st.head_hash, &e);
		st.next_seq++;
		free(packed);
		vy_msg_free(old);
	}
	assert_int_equal(fclose(f), 0);
}

/* Verify work_path; expect failure of check id at entry seq. */
static void expect_failure(const char *id, long long seq)
{
	static char out[OUT_BYTES];
	char want[64];

	assert_int_equal(run(out, (const char *const[]){ "record", work_path, NULL }), 1);
	if (seq >= 0)
		snprintf(want, sizeof want, "FAILED %s at entry %lld:", id, seq);
	else
		snprintf(want, sizeof want, "FAILED %s", id);
	if (strstr(out, want) == NULL)
		fail_msg("expected \"%s\", got:\n%s", want, out);
}

/* The payload of entry i, decoded from the fixture's record (malloc'd copy). */
static uint8_t *payload_of(size_t i, size_t *len, Vybar__EntryType *type)
{
	Vybar__RecordEntry *e = NULL;
	uint8_t *p;

	assert_int_equal(vy_decode_entry(&e, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
	*len = e->payload.len;
	*type = e->type;
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, e->payload.data, *len);
	vy_msg_free(e);
	return p;
}

/* The index of the first entry of type t in the fixture's record. */
static size_t entry_of_type(Vybar__EntryType t)
{
	for (size_t i = 0; i < rec.n_entries; i++) {
		Vybar__RecordEntry *e = NULL;
		int hit;

		assert_int_equal(vy_decode_entry(&e, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
		hit = e->type == t;
		vy_msg_free(e);
		if (hit)
			return i;
	}
	fail_msg("no entry of type %d", (int)t);
	return 0;
}

/* Tamper with one byte of the file at offset off (bit flip). */
static void write_flipped(size_t off, uint8_t mask)
{
	full[off] ^= mask;
	vytest_write_file(work_path, full, full_len);
	full[off] ^= mask;
}

/* Frame-level checks (V1.x): each tamper hits exactly its check. */
static void test_tamper_frame(void **state)
{
	size_t len;
	Vybar__EntryType type;
	uint8_t *p;

	(void)state;
	write_flipped(0, 0x01); /* V1.0 magic */
	expect_failure("V1.0", -1);
	vytest_write_file(work_path, full, full_len - 5); /* V1.1 truncated last frame */
	expect_failure("V1.1", (long long)rec.n_entries - 1);
	/* V1.6: the last byte of entry 1's frame is in its signature (field 5). */
	{
		size_t off = VY_RECORD_MAGIC_LEN + 4 + rec.entry_lens[0] + 4 + rec.entry_lens[1] - 1;

		write_flipped(off, 0x01);
		expect_failure("V1.6", 1);
	}
	/* V1.5: a second manifest, properly signed and chained. */
	p = payload_of(0, &len, &type);
	write_resigned(2, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, p, len);
	expect_failure("V1.5", 2);
	free(p);
	/* V1.7: the close entry before the ceremony ends. */
	p = payload_of(entry_of_type(VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE), &len, &type);
	assert_int_equal(type, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE);
	write_resigned(1, type, p, len);
	expect_failure("V1.7", 1);
	free(p);
}

/* Ballot-level checks: a re-signed ballot whose proof or signature is wrong. */
static void test_tamper_ballot(void **state)
{
	Vybar__Ballot *b = NULL;
	size_t len, plen;
	Vybar__EntryType type;
	uint8_t *p, *packed;
	size_t at = ballot_entry[3];

	(void)state;
	p = payload_of(at, &len, &type);
	/* V4.3: the credential's signature over the ballot hash. */
	assert_int_equal(vy_decode_ballot(&b, p, len, NULL), VY_R_OK);
	b->signature.data[0] ^= 1;
	packed = vy_msg_pack(b, &plen);
	write_resigned(at, type, packed, plen);
	expect_failure("V4.3", (long long)at);
	free(packed);
	b->signature.data[0] ^= 1;
	/* V4.5: a 0/1 proof's response (the ballot signature stays valid only
	 * if re-signed: the fixture's voter is gone, so V4.3 would fail first;
	 * the proof is checked after the signatures, see §4.5). */
	vy_msg_free(b);
	free(p);
	/* V6.1: close with a wrong count. */
	{
		Vybar__ElectionClose c = VYBAR__ELECTION_CLOSE__INIT;
		size_t ci = entry_of_type(VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE);

		c.ballots_received = 99;
		packed = vy_msg_pack(&c, &plen);
		write_resigned(ci, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, packed, plen);
		expect_failure("V6.1", (long long)ci);
		free(packed);
	}
}

/* Result checks: a count changed (V7.3). */
static void test_tamper_result(void **state)
{
	Vybar__Result *r = NULL;
	size_t len, plen, at = rec.n_entries - 1;
	Vybar__EntryType type;
	uint8_t *p, *packed;

	(void)state;
	p = payload_of(at, &len, &type);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&r, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES, p,
					   len, NULL),
			 VY_R_OK);
	r->contests[0]->counts[0] += 1;
	packed = vy_msg_pack(r, &plen);
	write_resigned(at, type, packed, plen);
	expect_failure("V7.3", (long long)at);
	free(packed);
	vy_msg_free(r);
	free(p);
}

/* Any single flipped bit makes verification fail: one bit in each sampled byte. */
static void test_bit_flips(void **state)
{
	static char out[OUT_BYTES];
	size_t step = full_len / 300 + 1;

	(void)state;
	for (size_t off = 0; off < full_len; off += step) {
		int rc;

		write_flipped(off, (uint8_t)(1u << (off % 8)));
		rc = run(out, (const char *const[]){ "record", work_path, "--jobs", "2", NULL });
		if (rc == 0)
			fail_msg("flipping bit %zu of byte %zu still verifies", off % 8, off);
	}
}

/* --since: a prefix then the full record; a rewritten record is refused.
 * The counts are what was examined: V9.1 the entries compared with the
 * earlier record; V1.6 and the ballot rules only the entries after it
 * (and entry 0, whose board signature is checked under its own key). */
static void test_incremental(void **state)
{
	static char out[OUT_BYTES];
	char want[64];
	long long earlier = (long long)ballot_entry[3], later = (long long)rec.n_entries - earlier;

	(void)state;
	assert_int_equal(run(out, (const char *const[]){ "record", full_path, "--since", prefix_path, NULL }), 0);
	snprintf(want, sizeof want, "incremental: entries 0..%lld extend", earlier - 1);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "OK: every check holds"));
	expect_count(out, "V9.1", earlier, "held");
	expect_count(out, "V1.3", (long long)rec.n_entries, "held");
	expect_count(out, "V1.6", later + 1, "held");
	/* the rules of the one ballot after the earlier record (b) ran; V4.7 counts every credential */
	expect_count(out, "V4.3", 1, "held");
	expect_count(out, "V4.5", VYF_SELECTIONS, "held");
	expect_count(out, "V4.7", 3, "held");
	/* the audited ballot is in the earlier record: its checks did not run */
	expect_count(out, "V5.1", 0, "not reached");
	expect_count(out, "V5.2", 0, "not reached");
	/* the ceremony's rules are re-checked on the earlier entries */
	expect_count(out, "V3.2", N, "held");
	write_flipped(prefix_len - 3, 0x10); /* an entry of the earlier part changes */
	assert_int_equal(run(out, (const char *const[]){ "record", work_path, "--since", prefix_path, NULL }), 1);
	assert_non_null(strstr(out, "FAILED V9.1"));
	expect_count(out, "V9.1", earlier - 1, "FAILED"); /* the last earlier entry differs */
	/* The earlier record is longer than the new one. */
	assert_int_equal(run(out, (const char *const[]){ "record", prefix_path, "--since", full_path, NULL }), 1);
	assert_non_null(strstr(out, "FAILED V9.1"));
}

/* Write the receipt of ballot entry i to path. */
static void write_receipt(const char *path, size_t i, int corrupt)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__Ballot *b = NULL;
	Vybar__Receipt r;
	uint8_t h[VY_HASH_BYTES], bh[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES], *packed;
	char code[VY_TRACKING_CODE_BYTES];
	size_t len;

	assert_int_equal(vy_decode_entry(&e, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
	assert_int_equal(vy_decode_ballot(&b, e->payload.data, e->payload.len, NULL), VY_R_OK);
	vy_entry_hash_of(h, e);
	vy_ballot_ciphertexts_hash(&rec.st.election, bh, b);
	vy_tracking_code(code, bh);
	if (corrupt)
		h[0] ^= 1; /* a receipt for a ballot the record does not hold */
	vy_receipt_make(&r, sig, code, e->seq, h, rec.keys.board_sk);
	packed = vy_msg_pack(&r, &len);
	vytest_write_file(path, packed, len);
	free(packed);
	vy_msg_free(b);
	vy_msg_free(e);
}

/* The voter's check: counted, superseded, missing, forged. */
static void test_receipt(void **state)
{
	static char out[OUT_BYTES];
	char path[300];

	(void)state;
	snprintf(path, sizeof path, "%s/receipt", dir);
	write_receipt(path, ballot_entry[2], 0);
	assert_int_equal(run(out, (const char *const[]){ "receipt", "--receipt", path, full_path, NULL }), 0);
	assert_non_null(strstr(out, "COUNTED"));
	assert_non_null(strstr(out, "counted set"));
	write_receipt(path, ballot_entry[1], 0);
	assert_int_equal(run(out, (const char *const[]){ "receipt", "--receipt", path, full_path, NULL }), 5);
	assert_non_null(strstr(out, "SUPERSEDED"));
	write_receipt(path, ballot_entry[0], 1);
	assert_int_equal(run(out, (const char *const[]){ "receipt", "--receipt", path, full_path, NULL }), 1);
	assert_non_null(strstr(out, "V8.2 FAILED"));
	write_receipt(path, ballot_entry[0], 0);
	{
		uint8_t *buf;
		size_t len;

		buf = (uint8_t *)vytest_read_file(path, &len);
		buf[len - 1] ^= 1; /* the board signature's last byte */
		vytest_write_file(path, buf, len);
		free(buf);
	}
	assert_int_equal(run(out, (const char *const[]){ "receipt", "--receipt", path, full_path, NULL }), 1);
	assert_non_null(strstr(out, "V8.1 FAILED"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_tamper_frame),
		cmocka_unit_test(test_tamper_ballot),
		cmocka_unit_test(test_tamper_result),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_receipt),
		cmocka_unit_test(test_bit_flips),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
