/*
 * The protocol test vectors (specs/vectors/protocol.json, specs/protocol.md
 * "Test vectors"):
 *
 *  1. the committed file is byte-identical to what
 *     tests/support/protocol_vectors_gen.c generates today (and generation is
 *     deterministic), so the code and the vectors cannot drift apart;
 *  2. the values of the committed file, read back as a verifier would, agree
 *     with the library: the manifest decodes, validates and hashes to the
 *     base hash; the ballot hashes to its ballot hash and tracking code and
 *     its signature verifies; the proof contexts (of a ballot and of the key
 *     ceremony) and credential message are the library's, and the
 *     ceremony's coefficient proof verifies with its context; the record, rebuilt from its entries, passes every
 *     validity rule and ends at the head hash; the receipt verifies; and
 *     altered copies (a flipped signature byte, another seq) fail with the
 *     expected reason;
 *  3. the manifest's key rule is crypto.md §10.3 (protocol.md §3.3 item 3):
 *     every key of specs/vectors/ed25519.json, put in the manifest as a
 *     trustee's or the board's key, is accepted iff its "key_valid" is true;
 *  4. each rule of protocol.md §3.3 reports the reason and the numbered check
 *     the text gives it, in the text's order (a table of broken manifests);
 *  5. a ballot's proofs are checked in the order of §4.5 step 5: contest by
 *     contest, the 0/1 proofs before the sum proof (a table of ballots with
 *     two broken proofs, re-signed by the voter's key from its seed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/vy_proof.h"
#include "protocol/vy_record.h"
#include "tests/support/json.h"
#include "tests/support/protocol_fixtures.h"
#include "tests/support/protocol_vectors_gen.h"
#include "tests/support/vytest.h"

#define VECTORS_PATH "specs/vectors/" VYPVEC_FILE_NAME
#define ALTERED_ENTRY 3      /* the entry whose signature is altered */

/* ---- reading the committed file ---- */

static vyjson *parse_committed(void)
{
	char err[256] = "";
	size_t len;
	char *text = vytest_read_file(vytest_source_path(VECTORS_PATH), &len);
	vyjson *v = vyjson_parse(text, len, err, sizeof err);

	free(text);
	if (v == NULL)
		fail_msg("%s does not parse: %s", VECTORS_PATH, err);
	return v;
}

static const vyjson *member(const vyjson *o, const char *key)
{
	const vyjson *m = vyjson_get(o, key);

	if (m == NULL)
		fail_msg("vector member \"%s\" missing", key);
	return m;
}

/* A hex member as a malloc'd buffer; its length in *len. */
static uint8_t *blob_at(const vyjson *o, const char *key, size_t *len)
{
	const char *hex = vyjson_string(member(o, key));
	uint8_t *b;
	long n;

	assert_non_null(hex);
	b = malloc(strlen(hex) / 2 + 1);
	assert_non_null(b);
	n = vytest_unhex(b, strlen(hex) / 2 + 1, hex);
	assert_true(n >= 0);
	*len = (size_t)n;
	return b;
}

/* A hex member of exactly len bytes. */
static void hex_exact(const vyjson *o, const char *key, uint8_t *out, size_t len)
{
	const char *hex = vyjson_string(member(o, key));

	assert_non_null(hex);
	assert_int_equal(vytest_unhex(out, len, hex), (long)len);
}

static uint64_t u64_at(const vyjson *o, const char *key)
{
	long long x;

	assert_true(vyjson_int(member(o, key), &x));
	assert_true(x >= 0);
	return (uint64_t)x;
}

/* The committed manifest, decoded and validated, with its election. */
static Vybar__Manifest *manifest_of(const vyjson *v, vy_election *e)
{
	Vybar__Manifest *m = NULL;
	vy_reason why = { 0 };
	size_t len;
	uint8_t *b = blob_at(member(v, "manifest"), "protobuf", &len);

	assert_int_equal(vy_decode_manifest(&m, b, len, &why), VY_R_OK);
	assert_int_equal(vy_election_init(e, m, &why), VY_R_OK);
	free(b);
	return m;
}

/* ---- 1. committed == generated ---- */

#define SHOWN_LINE_BYTES 160 /* at most this much of a differing line is printed */

/* The length of the line starting at s + start (at most SHOWN_LINE_BYTES). */
static int line_len(const char *s, size_t len, size_t start)
{
	size_t n = 0;

	while (start + n < len && s[start + n] != '\n' && n < SHOWN_LINE_BYTES)
		n++;
	return (int)n;
}

/* Report the first line where two texts differ, then fail. */
static void fail_with_first_difference(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0, line = 1, start = 0;

	while (i < alen && i < blen && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	print_error("%s differs from a fresh generation at line %zu:\n  committed: %.*s\n  generated: %.*s\n"
		    "Regenerate with `make vectors` if the change is intended (specs/protocol.md, Test vectors).\n",
		    VECTORS_PATH, line, line_len(a, alen, start), a + start, line_len(b, blen, start), b + start);
	fail();
}

static void test_committed_matches(void **state)
{
	char *generated = NULL, *again = NULL, *committed;
	size_t glen, alen, clen;

	(void)state;
	vytest_init();
	assert_int_equal(vypvec_generate(&generated, &glen), VY_OK);
	assert_int_equal(vypvec_generate(&again, &alen), VY_OK);
	assert_int_equal(glen, alen);
	assert_memory_equal(generated, again, glen);
	committed = vytest_read_file(vytest_source_path(VECTORS_PATH), &clen);
	if (clen != glen || memcmp(committed, generated, glen) != 0)
		fail_with_first_difference(committed, clen, generated, glen);
	free(committed);
	free(generated);
	free(again);
}

/* ---- 2. the committed values through the library ---- */

/* The manifest validates and hashes to the base hash; the credential
 * message is the library's. */
static void test_manifest_and_credential(void **state)
{
	vyjson *v;
	vy_election e;
	Vybar__Manifest *m;
	uint8_t want[VY_HASH_BYTES], pk[VY_ED25519_PK_BYTES], cm[VY_HASH_BYTES];
	const vyjson *cred;

	(void)state;
	vytest_init();
	v = parse_committed();
	m = manifest_of(v, &e);
	hex_exact(member(v, "manifest"), "base_hash", want, sizeof want);
	assert_memory_equal(e.base_hash, want, sizeof want);
	assert_string_equal(vyjson_get_string(v, "group"), m->group);
	cred = member(v, "credential");
	hex_exact(cred, "public_key", pk, sizeof pk);
	hex_exact(cred, "credential_message", want, sizeof want);
	vy_credential_message(&e, cm, pk);
	assert_memory_equal(cm, want, sizeof want);
	/* another base hash, another credential message */
	e.base_hash[0] ^= 1;
	vy_credential_message(&e, cm, pk);
	assert_memory_not_equal(cm, want, sizeof want);
	vy_msg_free(m);
	vyjson_free(v);
}

/* The audited ballot (§6): it checks (V5.1-V5.3) under its one-time key,
 * which is not the credential's, carries no registrar credential, and its
 * tracking code is that of its ciphertexts. */
static void test_audited_vector(void **state)
{
	vyjson *v;
	vy_election e;
	Vybar__Manifest *m;
	Vybar__AuditedBallot *a = NULL;
	const vyjson *aj;
	uint8_t h[VY_HASH_BYTES], want[VY_HASH_BYTES], pk[VY_ED25519_PK_BYTES], *bytes;
	char code[VY_TRACKING_CODE_BYTES];
	size_t len;
	vy_reason why;

	(void)state;
	vytest_init();
	v = parse_committed();
	m = manifest_of(v, &e);
	aj = member(v, "audited_ballot");
	hex_exact(aj, "joint_public_key", h, sizeof h);
	assert_int_equal(vy_elem_decode_nonidentity(e.group, &e.joint_key, h, sizeof h), VY_OK);
	e.have_joint_key = 1;
	bytes = blob_at(aj, "protobuf", &len);
	assert_int_equal(vy_decode_audited_ballot(&a, bytes, len, NULL), VY_R_OK);
	if (vy_audited_ballot_check(&e, a, &why) != VY_R_OK)
		fail_msg("%s", why.msg);
	hex_exact(aj, "one_time_public_key", pk, sizeof pk);
	assert_memory_equal(a->ballot->credential->public_key.data, pk, sizeof pk);
	hex_exact(member(v, "credential"), "public_key", h, sizeof h);
	assert_memory_not_equal(pk, h, sizeof pk);
	assert_int_equal(a->ballot->credential->randomizer.len, 0);
	assert_int_equal(a->ballot->credential->signature.len, 0);
	vy_ballot_ciphertexts_hash(&e, h, a->ballot);
	hex_exact(aj, "ciphertexts_hash", want, sizeof want);
	assert_memory_equal(h, want, sizeof h);
	vy_tracking_code(code, h);
	assert_string_equal(code, vyjson_get_string(aj, "tracking_code"));
	a->contests[0]->selections[0]->value ^= 1;
	assert_int_equal(vy_audited_ballot_check(&e, a, NULL), VY_R_REVEAL);
	vy_msg_free(a);
	vy_msg_free(m);
	vyjson_free(v);
}

/* The ballot hash, its signature and tracking code, the tracking-code
 * samples and the proof contexts. */
static void test_ballot_and_tracking(void **state)
{
	vyjson *v;
	vy_election e;
	Vybar__Manifest *m;
	Vybar__Ballot *b = NULL;
	const vyjson *bj, *list;
	uint8_t h[VY_HASH_BYTES], want[VY_HASH_BYTES], *bytes;
	char code[VY_TRACKING_CODE_BYTES];
	size_t len;

	(void)state;
	vytest_init();
	v = parse_committed();
	m = manifest_of(v, &e);
	bj = member(v, "ballot");
	bytes = blob_at(bj, "protobuf", &len);
	assert_int_equal(vy_decode_ballot(&b, bytes, len, NULL), VY_R_OK);
	vy_ballot_hash(&e, h, b);
	hex_exact(bj, "ballot_hash", want, sizeof want);
	assert_memory_equal(h, want, sizeof h);
	assert_int_equal(crypto_sign_verify_detached(b->signature.data, h, sizeof h, b->credential->public_key.data), 0);
	h[0] ^= 1;
	assert_int_not_equal(crypto_sign_verify_detached(b->signature.data, h, sizeof h, b->credential->public_key.data),
			     0);
	vy_ballot_ciphertexts_hash(&e, h, b);
	hex_exact(bj, "ciphertexts_hash", want, sizeof want);
	assert_memory_equal(h, want, sizeof h);
	vy_tracking_code(code, h);
	assert_string_equal(code, vyjson_get_string(bj, "tracking_code"));
	h[0] ^= 1;
	vy_tracking_code(code, h);
	assert_string_not_equal(code, vyjson_get_string(bj, "tracking_code"));

	list = member(v, "tracking_codes");
	assert_int_equal(vyjson_len(list), 3);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		hex_exact(vyjson_at(list, i), "ciphertexts_hash", h, sizeof h);
		vy_tracking_code(code, h);
		assert_string_equal(code, vyjson_get_string(vyjson_at(list, i), "tracking_code"));
	}

	list = member(v, "proof_contexts");
	assert_int_equal(vyjson_len(list), 2);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *c = vyjson_at(list, i);
		const char *opt = vyjson_get_string(c, "option");
		uint8_t pk[VY_ED25519_PK_BYTES], ctx[VY_CTX_MAX_BYTES], *wctx;
		size_t n, wlen;

		hex_exact(c, "public_key", pk, sizeof pk);
		n = vy_ballot_ctx(ctx, pk, u64_at(c, "contest"),
				  opt != NULL && strcmp(opt, VY_CTX_SUM) == 0 ? VY_CTX_OPTION_SUM : u64_at(c, "option"));
		wctx = blob_at(c, "ctx", &wlen);
		assert_int_equal(n, wlen);
		assert_memory_equal(ctx, wctx, n);
		free(wctx);
	}
	free(bytes);
	vy_msg_free(b);
	vy_msg_free(m);
	vyjson_free(v);
}

/* The key ceremony's Schnorr contexts (§5.2) are the library's, and the
 * coefficient proof verifies with its context, not with another's. */
static void test_coefficient_proofs(void **state)
{
	vyjson *v;
	vy_election e;
	Vybar__Manifest *m;
	const vyjson *list, *pj;
	uint8_t ctx[VY_CTX_MAX_BYTES], b[VY_ELEM_MAX_BYTES];
	vy_proof_ctx pc;
	vy_schnorr_proof pr;
	vy_elem X;
	uint32_t index;

	(void)state;
	vytest_init();
	v = parse_committed();
	m = manifest_of(v, &e);
	list = member(v, "coefficient_proof_contexts");
	assert_int_equal(vyjson_len(list), 2);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *c = vyjson_at(list, i);
		uint8_t *want;
		size_t n, wlen;

		n = vy_coefficient_proof_ctx(ctx, (uint32_t)u64_at(c, "trustee_index"), (uint32_t)u64_at(c, "coefficient"));
		want = blob_at(c, "ctx", &wlen);
		assert_int_equal(n, wlen);
		assert_memory_equal(ctx, want, n);
		free(want);
	}
	pj = member(v, "coefficient_proof");
	index = (uint32_t)u64_at(pj, "trustee_index");
	hex_exact(pj, "commitment", b, vy_group_elem_bytes(e.group));
	assert_int_equal(vy_elem_decode_nonidentity(e.group, &X, b, vy_group_elem_bytes(e.group)), VY_OK);
	hex_exact(pj, "c", b, VY_SCALAR_BYTES);
	assert_int_equal(vy_scalar_decode(e.group, &pr.c, b, VY_SCALAR_BYTES), VY_OK);
	hex_exact(pj, "v", b, VY_SCALAR_BYTES);
	assert_int_equal(vy_scalar_decode(e.group, &pr.v, b, VY_SCALAR_BYTES), VY_OK);
	pc.group = e.group;
	memcpy(pc.base_hash, e.base_hash, VY_HASH_BYTES);
	pc.ctx = ctx;
	pc.ctx_len = vy_coefficient_proof_ctx(ctx, index, (uint32_t)u64_at(pj, "coefficient"));
	assert_int_equal(vy_schnorr_verify(&pc, &pr, &X), VY_OK);
	pc.ctx_len = vy_coefficient_proof_ctx(ctx, index + 1, (uint32_t)u64_at(pj, "coefficient"));
	assert_int_equal(vy_schnorr_verify(&pc, &pr, &X), VY_ERR_PROOF);
	vy_msg_free(m);
	vyjson_free(v);
}

/* Pack entry i of the committed record, with one signature byte flipped
 * when alter is set. */
static uint8_t *entry_bytes(const vyjson *ej, int alter, size_t *len)
{
	Vybar__RecordEntry e = VYBAR__RECORD_ENTRY__INIT;
	size_t n;
	uint8_t *out;

	e.seq = u64_at(ej, "seq");
	e.type = (Vybar__EntryType)u64_at(ej, "type");
	e.prev_hash.data = blob_at(ej, "prev_hash", &e.prev_hash.len);
	e.payload.data = blob_at(ej, "payload", &e.payload.len);
	e.signature.data = blob_at(ej, "signature", &n);
	e.signature.len = n;
	if (alter)
		e.signature.data[0] ^= 1;
	out = vy_msg_pack(&e, len);
	assert_non_null(out);
	free(e.prev_hash.data);
	free(e.payload.data);
	free(e.signature.data);
	return out;
}

/* The record file of the committed entries (§7.6); entry `altered` (or
 * none, if out of range) gets a flipped signature byte. */
static FILE *record_file(const vyjson *entries, size_t altered)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < vyjson_len(entries); i++) {
		size_t len;
		uint8_t *b = entry_bytes(vyjson_at(entries, i), i == altered, &len);
		uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };

		assert_int_equal(fwrite(hdr, 1, sizeof hdr, f), sizeof hdr);
		assert_int_equal(fwrite(b, 1, len, f), len);
		free(b);
	}
	rewind(f);
	return f;
}

/* Each entry hash and chain link as written; the whole record through
 * every validity rule; an altered board signature refused at its entry. */
static void test_record_chain(void **state)
{
	vyjson *v;
	const vyjson *rec, *entries;
	uint8_t prev[VY_HASH_BYTES], h[VY_HASH_BYTES], want[VY_HASH_BYTES], board_pk[VY_ED25519_PK_BYTES];
	vy_record_state st;
	vy_reason why = { 0 };
	uint64_t bad = 0;
	FILE *f;

	(void)state;
	vytest_init();
	v = parse_committed();
	rec = member(v, "record");
	entries = member(rec, "entries");
	assert_true(vyjson_len(entries) > ALTERED_ENTRY);
	hex_exact(rec, "board_public_key", board_pk, sizeof board_pk);
	memset(prev, 0, sizeof prev);
	for (size_t i = 0; i < vyjson_len(entries); i++) {
		const vyjson *ej = vyjson_at(entries, i);
		uint8_t sig[VY_ED25519_SIG_BYTES], *payload;
		size_t plen;

		assert_int_equal(u64_at(ej, "seq"), i);
		hex_exact(ej, "prev_hash", want, sizeof want);
		assert_memory_equal(want, prev, sizeof prev);
		payload = blob_at(ej, "payload", &plen);
		vy_entry_hash(h, i, prev, sizeof prev, u64_at(ej, "type"), payload, plen);
		hex_exact(ej, "entry_hash", want, sizeof want);
		assert_memory_equal(h, want, sizeof h);
		hex_exact(ej, "signature", sig, sizeof sig);
		assert_int_equal(crypto_sign_verify_detached(sig, h, sizeof h, board_pk), 0);
		memcpy(prev, h, sizeof h);
		free(payload);
	}
	hex_exact(rec, "head_hash", want, sizeof want);
	assert_memory_equal(prev, want, sizeof prev);

	vy_record_state_init(&st);
	f = record_file(entries, SIZE_MAX);
	if (vy_record_verify_file(&st, f, &bad, &why) != VY_R_OK)
		fail_msg("committed record refused at entry %llu: %s", (unsigned long long)bad, why.msg);
	assert_int_equal(st.next_seq, vyjson_len(entries));
	assert_memory_equal(st.head_hash, want, sizeof want);
	fclose(f);
	vy_record_state_free(&st);

	vy_record_state_init(&st);
	f = record_file(entries, ALTERED_ENTRY);
	assert_int_equal(vy_record_verify_file(&st, f, &bad, &why), VY_R_BOARD_SIGNATURE);
	assert_int_equal(bad, ALTERED_ENTRY);
	fclose(f);
	vy_record_state_free(&st);
	vyjson_free(v);
}

/* V1.3 (verification.md, Reporting): an entry whose seq field lies, re-signed
 * by the board, is reported at its position in the record, not at the seq
 * it claims; the reason gives both. */
static void test_seq_reported_by_position(void **state)
{
	vyjson *v;
	const vyjson *rec, *entries;
	uint8_t seed[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	vy_record_state st;
	vy_reason why = { 0 };
	uint64_t bad = 0;
	FILE *f = tmpfile();

	(void)state;
	vytest_init();
	v = parse_committed();
	rec = member(v, "record");
	entries = member(rec, "entries");
	hex_exact(rec, "board_seed", seed, sizeof seed);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	assert_non_null(f);
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i <= ALTERED_ENTRY; i++) {
		Vybar__RecordEntry *e = NULL;
		uint8_t h[VY_HASH_BYTES], *b, *out;
		size_t len;

		b = entry_bytes(vyjson_at(entries, i), 0, &len);
		assert_int_equal(vy_decode_entry(&e, b, len, NULL), VY_R_OK);
		free(b);
		if (i == ALTERED_ENTRY) {
			e->seq = ALTERED_ENTRY + 6;
			vy_entry_hash_of(h, e);
			crypto_sign_detached(e->signature.data, NULL, h, sizeof h, sk);
		}
		out = vy_msg_pack(e, &len);
		assert_non_null(out);
		{
			uint8_t hdr[4] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };

			assert_int_equal(fwrite(hdr, 1, sizeof hdr, f), sizeof hdr);
			assert_int_equal(fwrite(out, 1, len, f), len);
		}
		free(out);
		vy_msg_free(e);
	}
	rewind(f);
	vy_record_state_init(&st);
	assert_int_equal(vy_record_verify_file(&st, f, &bad, &why), VY_R_SEQ);
	assert_int_equal(bad, ALTERED_ENTRY);
	assert_string_equal(why.msg, "entry seq 9, expected 3");
	fclose(f);
	vy_record_state_free(&st);
	sodium_memzero(sk, sizeof sk);
	vyjson_free(v);
}

/* The receipt verifies under the board key and points at the ballot's
 * entry; another seq fails. */
static void test_receipt(void **state)
{
	vyjson *v;
	const vyjson *rj, *entries;
	Vybar__Receipt *r = NULL;
	uint8_t board_pk[VY_ED25519_PK_BYTES], h[VY_HASH_BYTES], want[VY_HASH_BYTES], *b;
	vy_reason why = { 0 };
	size_t len;

	(void)state;
	vytest_init();
	v = parse_committed();
	rj = member(v, "receipt");
	hex_exact(member(v, "record"), "board_public_key", board_pk, sizeof board_pk);
	b = blob_at(rj, "protobuf", &len);
	assert_int_equal(vy_decode_receipt(&r, b, len, NULL), VY_R_OK);
	assert_int_equal(vy_receipt_verify(board_pk, r, &why), VY_R_OK);
	vy_receipt_hash(h, r->tracking_code, r->seq, r->head_hash.data);
	hex_exact(rj, "receipt_hash", want, sizeof want);
	assert_memory_equal(h, want, sizeof h);
	assert_string_equal(r->tracking_code, vyjson_get_string(member(v, "ballot"), "tracking_code"));
	entries = member(member(v, "record"), "entries");
	assert_true(r->seq < vyjson_len(entries));
	hex_exact(vyjson_at(entries, r->seq), "entry_hash", want, sizeof want);
	assert_memory_equal(r->head_hash.data, want, sizeof want);
	r->seq++;
	assert_int_equal(vy_receipt_verify(board_pk, r, &why), VY_R_RECEIPT);
	free(b);
	vy_msg_free(r);
	vyjson_free(v);
}

/* ---- 3. the key rule of §3.3 item 3 on the keys of ed25519.json ---- */

/* Validate m with `key` as trustee 1's signing key (trustee set) or as the board
 * key; returns the reason code and leaves the check named in *why. */
static vy_rc validate_with_key(Vybar__Manifest *m, const uint8_t key[VY_ED25519_PK_BYTES], int trustee,
			       vy_reason *why)
{
	ProtobufCBinaryData *slot = trustee ? &m->trustees[0]->signing_key : &m->board_key;
	ProtobufCBinaryData saved = *slot;
	vy_rc rc;

	slot->data = (uint8_t *)key;
	slot->len = VY_ED25519_PK_BYTES;
	memset(why, 0, sizeof *why);
	rc = vy_manifest_validate(m, why);
	*slot = saved;
	return rc;
}

static void test_manifest_key_rule(void **state)
{
	char err[256] = "";
	size_t len;
	char *text;
	vyjson *v, *ed;
	vy_election e;
	Vybar__Manifest *m;
	const vyjson *list;

	(void)state;
	vytest_init();
	v = parse_committed();
	m = manifest_of(v, &e);
	text = vytest_read_file(vytest_source_path("specs/vectors/ed25519.json"), &len);
	ed = vyjson_parse(text, len, err, sizeof err);
	free(text);
	assert_non_null(ed);
	list = member(ed, "vectors");
	assert_true(vyjson_len(list) >= 2);
	for (size_t i = 0; i < vyjson_len(list); i++) {
		const vyjson *x = vyjson_at(list, i);
		int valid = member(x, "key_valid")->type == VYJSON_TRUE;
		uint8_t key[VY_ED25519_PK_BYTES];
		vy_reason why;

		hex_exact(x, "public_key", key, sizeof key);
		for (int trustee = 0; trustee <= 1; trustee++) {
			vy_rc rc = validate_with_key(m, key, trustee, &why);

			if (valid) {
				assert_int_equal(rc, VY_R_OK);
				continue;
			}
			assert_int_equal(rc, VY_R_KEY);
			assert_string_equal(why.check, trustee ? "V2.6" : "V2.7");
		}
	}
	vyjson_free(ed);
	vy_msg_free(m);
	vyjson_free(v);
}

/* ---- 4. the numbered check of each manifest rule (§3.3) ---- */

/* The committed manifest's contests: 0 ONE_OF_N (3 options), 1 APPROVAL
 * (4 options, 1..2), 2 PARTY_LIST (3 lists, gender rule 1 of each in 2). */
enum { C_ONE = 0, C_APPROVAL = 1, C_LISTS = 2 };

typedef struct {
	const char *what;
	vy_rc rc;
	const char *check;
} rule_row;

static const rule_row rule_rows[] = {
	{ "no contest", VY_R_CONTEST, "V2.2" },
	{ "contest title empty", VY_R_FIELD, "V2.2" },
	{ "contest kind unknown", VY_R_CONTEST, "V2.2" },
	{ "party_list on a ONE_OF_N contest", VY_R_CONTEST, "V2.3" },
	{ "party_list on an APPROVAL contest", VY_R_CONTEST, "V2.3" },
	{ "ONE_OF_N option title empty", VY_R_FIELD, "V2.3" },
	{ "ONE_OF_N with max_selections", VY_R_CONTEST, "V2.3" },
	{ "APPROVAL with allow_blank", VY_R_CONTEST, "V2.3" },
	{ "APPROVAL max above the options", VY_R_CONTEST, "V2.3" },
	{ "options on a PARTY_LIST contest", VY_R_CONTEST, "V2.4" },
	{ "PARTY_LIST without party_list", VY_R_CONTEST, "V2.4" },
	{ "PARTY_LIST with 0 seats", VY_R_CONTEST, "V2.4" },
	{ "PARTY_LIST seat method unknown", VY_R_CONTEST, "V2.4" },
	{ "list name empty", VY_R_FIELD, "V2.4" },
	{ "candidate gender unspecified", VY_R_FIELD, "V2.4" },
	{ "list breaks the gender rule", VY_R_GENDER_RULE, "V2.5" },
	{ "list 0 breaks the gender rule, list 1 has no name: list by list", VY_R_GENDER_RULE, "V2.5" },
	{ "contest 0 and contest 2 broken: contest by contest", VY_R_CONTEST, "V2.3" },
	{ "threshold 0", VY_R_TRUSTEES, "V2.6" },
	{ "trustee name empty", VY_R_FIELD, "V2.6" },
	{ "voting period empty", VY_R_FIELD, "V2.8" },
};

/* Break m as rule_rows[row] says. Pointers borrowed from another contest
 * are put back by unbreak before m is freed. */
static void break_manifest(Vybar__Manifest *m, size_t row)
{
	Vybar__Contest *one = m->contests[C_ONE], *appr = m->contests[C_APPROVAL], *pl = m->contests[C_LISTS];
	Vybar__PartyListContest *lists = pl->party_list;

	switch (row) {
	case 0: m->n_contests = 0; break;
	case 1: one->title[0] = '\0'; break;
	case 2: one->kind = VYBAR__CONTEST_KIND__CONTEST_KIND_UNSPECIFIED; break;
	case 3: one->party_list = lists; break;
	case 4: appr->party_list = lists; break;
	case 5: one->options[1]->title[0] = '\0'; break;
	case 6: one->max_selections = 1; break;
	case 7: appr->allow_blank = 1; break;
	case 8: appr->max_selections = (uint32_t)appr->n_options + 1; break;
	case 9: pl->options = one->options; pl->n_options = one->n_options; break;
	case 10: pl->party_list = NULL; break;
	case 11: lists->seats = 0; break;
	case 12: lists->seat_method = (Vybar__SeatMethod)5; break;
	case 13: lists->lists[1]->name[0] = '\0'; break;
	case 14: lists->lists[0]->candidates[0]->gender = VYBAR__GENDER__GENDER_UNSPECIFIED; break;
	case 15: lists->lists[0]->candidates[0]->gender = lists->lists[0]->candidates[1]->gender; break;
	case 16:
		lists->lists[0]->candidates[0]->gender = lists->lists[0]->candidates[1]->gender;
		lists->lists[1]->name[0] = '\0';
		break;
	case 17: one->max_selections = 1; lists->seats = 0; break;
	case 18: m->threshold = 0; break;
	case 19: m->trustees[0]->name[0] = '\0'; break;
	case 20: m->voting_end = m->voting_start; break;
	default: fail_msg("no rule row %zu", row);
	}
}

static void unbreak_manifest(Vybar__Manifest *m, size_t row, Vybar__PartyListContest *lists)
{
	if (row == 0)
		m->n_contests = 3;
	if (row == 3 || row == 4)
		m->contests[row == 3 ? C_ONE : C_APPROVAL]->party_list = NULL;
	if (row == 9) {
		m->contests[C_LISTS]->options = NULL;
		m->contests[C_LISTS]->n_options = 0;
	}
	if (row == 10)
		m->contests[C_LISTS]->party_list = lists;
}

static void test_manifest_rule_checks(void **state)
{
	vyjson *v;

	(void)state;
	vytest_init();
	v = parse_committed();
	for (size_t row = 0; row < sizeof rule_rows / sizeof rule_rows[0]; row++) {
		vy_election e;
		Vybar__Manifest *m = manifest_of(v, &e);
		Vybar__PartyListContest *lists;
		vy_reason why = { 0 };
		vy_rc rc;

		assert_int_equal(m->n_contests, 3);
		assert_int_equal(m->contests[C_ONE]->kind, VYBAR__CONTEST_KIND__CONTEST_KIND_ONE_OF_N);
		assert_int_equal(m->contests[C_APPROVAL]->kind, VYBAR__CONTEST_KIND__CONTEST_KIND_APPROVAL);
		assert_int_equal(m->contests[C_LISTS]->kind, VYBAR__CONTEST_KIND__CONTEST_KIND_PARTY_LIST);
		lists = m->contests[C_LISTS]->party_list;
		break_manifest(m, row);
		rc = vy_manifest_validate(m, &why);
		unbreak_manifest(m, row, lists);
		if (rc != rule_rows[row].rc || strcmp(why.check, rule_rows[row].check) != 0)
			fail_msg("%s: reason %d (%s) check %s, expected %d check %s", rule_rows[row].what, (int)rc, why.msg,
				 why.check, (int)rule_rows[row].rc, rule_rows[row].check);
		vy_msg_free(m);
	}
	vyjson_free(v);
}

/* ---- 5. the order of a ballot's proofs (§4.5 step 5) ---- */

#define NO_PROOF ((size_t)-1)

/* A broken proof: contest, and option (NO_PROOF: the sum proof). */
typedef struct {
	size_t contest, option;
} proof_at;

typedef struct {
	proof_at bad[2];
	vy_rc rc;
	const char *check, *where;
} order_row;

static const order_row order_rows[] = {
	{ { { 0, NO_PROOF }, { 1, 0 } }, VY_R_SUM_PROOF, "V4.6", "ballot contest 0 sum" },
	{ { { 1, 0 }, { 0, NO_PROOF } }, VY_R_SUM_PROOF, "V4.6", "ballot contest 0 sum" },
	{ { { 0, NO_PROOF }, { 0, 2 } }, VY_R_PROOF, "V4.5", "ballot contest 0 option 2" },
	{ { { 2, 1 }, { 1, 3 } }, VY_R_PROOF, "V4.5", "ballot contest 1 option 3" },
	{ { { 2, NO_PROOF }, { 1, NO_PROOF } }, VY_R_SUM_PROOF, "V4.6", "ballot contest 1 sum" },
};

/* Break a proof by exchanging its first challenge and its first response
 * (both stay scalars; the proof no longer verifies). */
static void break_proof(Vybar__Ballot *b, proof_at at)
{
	Vybar__EncryptedContest *c = b->contests[at.contest];
	Vybar__Proof *p = at.option == NO_PROOF ? c->sum_proof : c->selections[at.option]->proof;
	ProtobufCBinaryData t = p->c[0];

	p->c[0] = p->v[0];
	p->v[0] = t;
}

static void test_ballot_proof_order(void **state)
{
	vyjson *v;
	const vyjson *entries, *cred;
	vy_record_state st;
	vy_reason why = { 0 };
	uint8_t seed[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES], h[VY_HASH_BYTES], *bytes;
	size_t len, i;

	(void)state;
	vytest_init();
	v = parse_committed();
	entries = member(member(v, "record"), "entries");
	vy_record_state_init(&st);
	for (i = 0; u64_at(vyjson_at(entries, i), "type") != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT; i++) {
		Vybar__RecordEntry *e = NULL;
		uint8_t *eb = entry_bytes(vyjson_at(entries, i), 0, &len);

		assert_int_equal(vy_decode_entry(&e, eb, len, &why), VY_R_OK);
		assert_int_equal(vy_record_accept(&st, e, &why), VY_R_OK);
		vy_msg_free(e);
		free(eb);
	}
	cred = member(v, "credential");
	hex_exact(cred, "seed", seed, sizeof seed);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	bytes = blob_at(member(v, "ballot"), "protobuf", &len);
	for (size_t row = 0; row < sizeof order_rows / sizeof order_rows[0]; row++) {
		const order_row *r = &order_rows[row];
		Vybar__Ballot *b = NULL;
		vy_rc rc;

		assert_int_equal(vy_decode_ballot(&b, bytes, len, NULL), VY_R_OK);
		assert_int_equal(vy_ballot_validate(&st.election, b, &why), VY_R_OK);
		break_proof(b, r->bad[0]);
		break_proof(b, r->bad[1]);
		vy_ballot_hash(&st.election, h, b);
		crypto_sign_detached(b->signature.data, NULL, h, sizeof h, sk);
		memset(&why, 0, sizeof why);
		rc = vy_ballot_validate(&st.election, b, &why);
		if (rc != r->rc || strcmp(why.check, r->check) != 0 || strncmp(why.msg, r->where, strlen(r->where)) != 0)
			fail_msg("row %zu: reason %d check %s \"%s\", expected %d %s \"%s...\"", row, (int)rc, why.check,
				 why.msg, (int)r->rc, r->check, r->where);
		vy_msg_free(b);
	}
	sodium_memzero(sk, sizeof sk);
	free(bytes);
	vy_record_state_free(&st);
	vyjson_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_committed_matches),
		cmocka_unit_test(test_manifest_and_credential),
		cmocka_unit_test(test_ballot_and_tracking),
		cmocka_unit_test(test_audited_vector),
		cmocka_unit_test(test_coefficient_proofs),
		cmocka_unit_test(test_record_chain),
		cmocka_unit_test(test_seq_reported_by_position),
		cmocka_unit_test(test_receipt),
		cmocka_unit_test(test_manifest_key_rule),
		cmocka_unit_test(test_manifest_rule_checks),
		cmocka_unit_test(test_ballot_proof_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
