/*
 * The generator of specs/vectors/protocol.json (specs/protocol.md "Test
 * vectors").
 *
 * The election is the fixtures' default manifest with one trustee; the
 * record is: the manifest, the key ceremony (announce, reveal, verdict),
 * the opening, an audited ballot under a one-time key, one ballot and the
 * close. Every entry goes through the
 * validity rules (vyf_record_append), so the vectors are a valid record.
 * Every "random" value is derived from a fixed label and Ed25519 signing is
 * deterministic, so a rerun is byte-identical.
 *
 * Messages are written twice: as their protobuf bytes (what the entry hash
 * covers) and as their fields, walked generically through the protobuf-c
 * descriptors, so that a field added to specs/vybar.proto shows up here
 * without a change to this file. Field names are those of the schema,
 * enums are their numbers, bytes lowercase hex, an absent sub-message null.
 *
 * The JSON layout is exactly Python's json.dumps(v, indent=2) followed by a
 * newline, which specs/tools/check_protocol_vectors.py also verifies.
 */
#include "tests/support/protocol_vectors_gen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "crypto/vy_proof.h"
#include "protocol/vy_entry_types.h"
#include "protocol/vy_record.h"
#include "tests/support/json_writer.h"
#include "tests/support/protocol_fixtures.h"

#define SEED_BYTES 32
#define LABEL_BYTES 64
#define LABEL_PREFIX "vybar test vector " /* protocol_fixtures.c: vyf_bytes32 */
#define BOARD_SEED_LABEL "board"          /* protocol_fixtures.c: vyf_keys_init */
#define COMMISSION_SEED_LABEL "commission" /* protocol_fixtures.c: vyf_manifest_pack */
#define VOTER_SEED_SUFFIX " credential"   /* protocol_fixtures.c: vyf_voter_init */
#define CTX_SELECTION_CONTEST 1 /* the selection context of the vectors: contest 1, option 2 */
#define CTX_SELECTION_OPTION 2
#define CTX_SUM_CONTEST 2 /* the sum-proof context: contest 2 */
#define CTX_COEFF_TRUSTEE 3 /* a key-ceremony context with i != j, both != 0 */
#define CTX_COEFF_INDEX 2


/* ---- generator state ---- */

typedef struct {
	vyjw w;
	vy_err err; /* the first failure, VY_OK while all is well */
	vyf_record r;
	vyf_voter v;
	uint8_t *ballot_bytes;
	size_t ballot_len;
	Vybar__Ballot *ballot;
	uint8_t ballot_hash[VY_HASH_BYTES];
	uint8_t ciphertexts_hash[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES];
	Vybar__AuditedBallot *audited; /* the voter's audit, before the cast (§6) */
	uint8_t *audited_bytes;
	size_t audited_len;
	vyf_voter audit_key;
	uint64_t ballot_seq;
	uint8_t ballot_head[VY_HASH_BYTES]; /* head hash right after the ballot */
} gen;

/* A cross-check: a false condition fails the generation. */
static void expect(gen *s, int cond)
{
	if (!cond && s->err == VY_OK)
		s->err = VY_ERR_LIB;
}

/* The 32-byte seed of a label, and the key pair crypto_sign_seed_keypair
 * makes of it, checked against the public key the fixtures use. */
static void put_seed(gen *s, const char *label_key, const char *seed_key, const char *label, const uint8_t *pk)
{
	uint8_t seed[SEED_BYTES], pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];

	vyf_bytes32(seed, label);
	crypto_sign_seed_keypair(pk2, sk2, seed);
	expect(s, memcmp(pk2, pk, sizeof pk2) == 0);
	vyjw_string(&s->w, label_key, label);
	vyjw_hex(&s->w, seed_key, seed, sizeof seed);
	sodium_memzero(sk2, sizeof sk2);
}

/* ---- messages by their fields, through the protobuf-c descriptors ---- */

static void put_message(gen *s, const char *key, const ProtobufCMessage *m);

/* The size of one value of field f in its C structure (or array). */
static size_t value_size(gen *s, const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(uint32_t);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_UINT64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		expect(s, 0); /* a field type the schema does not use yet */
		return 0;
	}
}

/* One value of field f at p: a number, true/false, a string, hex or an object. */
static void put_value(gen *s, const char *key, const ProtobufCFieldDescriptor *f, const uint8_t *p)
{
	uint32_t u32;
	uint64_t u64;
	protobuf_c_boolean b;
	const char *str;
	ProtobufCBinaryData bin;
	const ProtobufCMessage *sub;

	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_ENUM:
		memcpy(&u32, p, sizeof u32);
		vyjw_u64(&s->w, key, u32);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		memcpy(&b, p, sizeof b);
		vyjw_literal(&s->w, key, b ? "true" : "false");
		break;
	case PROTOBUF_C_TYPE_UINT64:
		memcpy(&u64, p, sizeof u64);
		vyjw_u64(&s->w, key, u64);
		break;
	case PROTOBUF_C_TYPE_STRING:
		memcpy(&str, p, sizeof str);
		vyjw_string(&s->w, key, str != NULL ? str : "");
		break;
	case PROTOBUF_C_TYPE_BYTES:
		memcpy(&bin, p, sizeof bin);
		vyjw_hex(&s->w, key, bin.data, bin.len);
		break;
	case PROTOBUF_C_TYPE_MESSAGE:
		memcpy(&sub, p, sizeof sub);
		if (sub == NULL)
			vyjw_literal(&s->w, key, "null");
		else
			put_message(s, key, sub);
		break;
	default:
		expect(s, 0);
		break;
	}
}

/* One field of m: its value, or for a repeated field the array of its values. */
static void put_field(gen *s, const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const uint8_t *base = (const uint8_t *)m;
	const uint8_t *arr;
	size_t n, size = value_size(s, f);

	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		memcpy(&n, base + f->quantifier_offset, sizeof n);
		memcpy(&arr, base + f->offset, sizeof arr);
		vyjw_open(&s->w, f->name, "[");
		for (size_t i = 0; i < n && size != 0; i++)
			put_value(s, NULL, f, arr + i * size);
		vyjw_close(&s->w, "]");
		return;
	}
	/* proto3 without presence only: no oneof, no optional with has_ flags */
	expect(s, f->label == PROTOBUF_C_LABEL_NONE && (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) == 0);
	if (size != 0)
		put_value(s, f->name, f, base + f->offset);
}

/* Every field of m, in the descriptor's order (by field number). */
static void put_message(gen *s, const char *key, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	vyjw_open(&s->w, key, "{");
	for (unsigned i = 0; i < d->n_fields; i++)
		put_field(s, m, &d->fields[i]);
	vyjw_close(&s->w, "}");
}

/* ---- the record (§7) ---- */

/* Build the record: manifest, ceremony, open, the voter's ballot, close. */
static void build_record(gen *s)
{
	const vy_election *e;
	uint32_t choices[VYF_SELECTIONS];
	Vybar__ElectionClose close = VYBAR__ELECTION_CLOSE__INIT;
	uint8_t *p;
	size_t len;
	vy_reason why;
	vyf_keys k;

	/* the manifest of vyf_record_init, its texts translated (§3.7) */
	vytest_init();
	vyf_keys_init(&k, VYPVEC_TRUSTEES, VYPVEC_THRESHOLD);
	k.n_witnesses = VYF_WITNESSES;
	k.witness_k = VYF_WITNESS_K;
	k.translated = 1;
	p = vyf_manifest_pack(&k, &len);
	vyf_record_init_manifest(&s->r, VYPVEC_TRUSTEES, VYPVEC_THRESHOLD, p, len);
	free(p);
	vyf_record_ceremony(&s->r);
	e = &s->r.st.election;
	vyf_voter_init(&s->v, e, VYPVEC_VOTER);
	vyf_default_choices(choices);
	/* §6: the voter audits first, under a one-time key, then casts afresh */
	vyf_audit_key(&s->v, &s->audit_key);
	s->audited = vyf_audited_new(e, &s->v, choices);
	s->audited_bytes = vy_msg_pack(s->audited, &s->audited_len);
	expect(s, s->audited_bytes != NULL && vy_audited_ballot_check(e, s->audited, &why) == VY_R_OK);
	if (s->err != VY_OK)
		return;
	vyf_record_append(&s->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, s->audited_bytes, s->audited_len);
	s->ballot_bytes = vyf_ballot_pack(e, &s->v, choices, "cast", NULL, &s->ballot_len);
	expect(s, vy_decode_ballot(&s->ballot, s->ballot_bytes, s->ballot_len, &why) == VY_R_OK);
	if (s->err != VY_OK)
		return;
	vy_ballot_hash(e, s->ballot_hash, s->ballot);
	vy_ballot_ciphertexts_hash(e, s->ciphertexts_hash, s->ballot);
	vy_tracking_code(s->code, s->ciphertexts_hash);
	expect(s, strlen(s->code) == VY_TRACKING_CODE_LEN);
	expect(s, vy_ballot_validate(e, s->ballot, &why) == VY_R_OK);
	s->ballot_seq = s->r.st.next_seq;
	vyf_record_append(&s->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, s->ballot_bytes, s->ballot_len);
	memcpy(s->ballot_head, s->r.st.head_hash, VY_HASH_BYTES);
	close.ballots_received = VYPVEC_BALLOTS_RECEIVED;
	p = vy_msg_pack(&close, &len);
	expect(s, p != NULL);
	if (p != NULL)
		vyf_record_append(&s->r, VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE, p, len);
	free(p);
}

/* "manifest": its fields, its protobuf bytes (entry 0's payload) and the
 * base hash (§3.5), recomputed from the decoded manifest. */
static void section_manifest(gen *s)
{
	const Vybar__Manifest *m = s->r.st.manifest;
	uint8_t h[VY_HASH_BYTES];

	vy_manifest_hash(m, h);
	expect(s, memcmp(h, s->r.st.election.base_hash, VY_HASH_BYTES) == 0);
	vyjw_open(&s->w, "manifest", "{");
	put_message(s, "fields", &m->base);
	vyjw_hex(&s->w, "protobuf", s->r.manifest_bytes, s->r.manifest_len);
	vyjw_hex(&s->w, "base_hash", h, sizeof h);
	vyjw_close(&s->w, "}");
}

/* "credential" (§4.1): the voter's key from its seed, the credential
 * message and the prepared message the registrar signs. */
static void section_credential(gen *s)
{
	uint8_t cm[VY_HASH_BYTES], msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];
	char label[LABEL_BYTES];

	snprintf(label, sizeof label, "%s%s", VYPVEC_VOTER, VOTER_SEED_SUFFIX);
	vy_credential_message(&s->r.st.election, cm, s->v.pk);
	vyjw_open(&s->w, "credential", "{");
	put_seed(s, "seed_label", "seed", label, s->v.pk);
	vyjw_hex(&s->w, "public_key", s->v.pk, sizeof s->v.pk);
	vyjw_hex(&s->w, "randomizer", s->v.randomizer, sizeof s->v.randomizer);
	vyjw_hex(&s->w, "credential_message", cm, sizeof cm);
	memcpy(msg, s->v.randomizer, VY_RANDOMIZER_BYTES);
	memcpy(msg + VY_RANDOMIZER_BYTES, cm, sizeof cm);
	vyjw_hex(&s->w, "registrar_message", msg, sizeof msg);
	vyjw_close(&s->w, "}");
}

/* The digest of a tracking code (§4.4): H("vybar/v1/tracking-code", ciphertexts_hash). */
static void tracking_digest(uint8_t out[VY_HASH_BYTES], const uint8_t ciphertexts_hash[VY_HASH_BYTES])
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_TRACKING);
	vy_hasher_item(&h, ciphertexts_hash, VY_HASH_BYTES);
	vy_hasher_final(&h, out);
}

/* "ballot" (§4.4): fields, bytes, ballot hash, the credential's signature
 * (checked), the ciphertext hash, the tracking code and its digest. */
static void section_ballot(gen *s)
{
	uint8_t d[VY_HASH_BYTES];

	expect(s, s->ballot->signature.len == VY_ED25519_SIG_BYTES &&
			  crypto_sign_verify_detached(s->ballot->signature.data, s->ballot_hash, VY_HASH_BYTES,
						      s->v.pk) == 0);
	tracking_digest(d, s->ciphertexts_hash);
	vyjw_open(&s->w, "ballot", "{");
	put_message(s, "fields", &s->ballot->base);
	vyjw_hex(&s->w, "protobuf", s->ballot_bytes, s->ballot_len);
	vyjw_hex(&s->w, "ballot_hash", s->ballot_hash, sizeof s->ballot_hash);
	vyjw_hex(&s->w, "ciphertexts_hash", s->ciphertexts_hash, sizeof s->ciphertexts_hash);
	vyjw_hex(&s->w, "tracking_digest", d, sizeof d);
	vyjw_string(&s->w, "tracking_code", s->code);
	vyjw_close(&s->w, "}");
}

/* "audited_ballot" (§6): the one-time key from its seed, the fields and
 * bytes, the inner ballot's hash (signed by the one-time key, checked),
 * its ciphertext hash and tracking code, and the joint key its revealed
 * values re-encrypt under (the ELECTION_OPEN entry's). */
static void section_audited(gen *s)
{
	const vy_election *e = &s->r.st.election;
	const Vybar__Ballot *b = s->audited->ballot;
	uint8_t h[VY_HASH_BYTES], c[VY_HASH_BYTES], k[VY_ELEM_MAX_BYTES];
	char label[LABEL_BYTES], code[VY_TRACKING_CODE_BYTES];

	vy_ballot_hash(e, h, b);
	vy_ballot_ciphertexts_hash(e, c, b);
	vy_tracking_code(code, c);
	expect(s, b->signature.len == VY_ED25519_SIG_BYTES &&
			  crypto_sign_verify_detached(b->signature.data, h, sizeof h, s->audit_key.pk) == 0);
	vy_elem_encode(e->group, k, &e->joint_key);
	snprintf(label, sizeof label, "%s audit key", VYPVEC_VOTER);
	vyjw_open(&s->w, "audited_ballot", "{");
	put_seed(s, "one_time_seed_label", "one_time_seed", label, s->audit_key.pk);
	vyjw_hex(&s->w, "one_time_public_key", s->audit_key.pk, sizeof s->audit_key.pk);
	put_message(s, "fields", &s->audited->base);
	vyjw_hex(&s->w, "protobuf", s->audited_bytes, s->audited_len);
	vyjw_hex(&s->w, "ballot_hash", h, sizeof h);
	vyjw_hex(&s->w, "ciphertexts_hash", c, sizeof c);
	vyjw_string(&s->w, "tracking_code", code);
	vyjw_hex(&s->w, "joint_public_key", k, vy_group_elem_bytes(e->group));
	vyjw_close(&s->w, "}");
}

/* One "tracking_codes" sample. */
static void put_tracking(gen *s, const uint8_t ciphertexts_hash[VY_HASH_BYTES])
{
	uint8_t d[VY_HASH_BYTES];
	char code[VY_TRACKING_CODE_BYTES];

	tracking_digest(d, ciphertexts_hash);
	vy_tracking_code(code, ciphertexts_hash);
	vyjw_open(&s->w, NULL, "{");
	vyjw_hex(&s->w, "ciphertexts_hash", ciphertexts_hash, VY_HASH_BYTES);
	vyjw_hex(&s->w, "digest", d, sizeof d);
	vyjw_string(&s->w, "tracking_code", code);
	vyjw_close(&s->w, "}");
}

/* "tracking_codes": the ballot's, and those of the all-zero and all-ff hashes. */
static void section_tracking(gen *s)
{
	uint8_t h[VY_HASH_BYTES];

	vyjw_open(&s->w, "tracking_codes", "[");
	put_tracking(s, s->ciphertexts_hash);
	memset(h, 0, sizeof h);
	put_tracking(s, h);
	memset(h, 0xff, sizeof h);
	put_tracking(s, h);
	vyjw_close(&s->w, "]");
}

/* One "proof_contexts" sample (§4.3); option VY_CTX_OPTION_SUM is "sum". */
static void put_ctx(gen *s, uint64_t contest, uint64_t option)
{
	uint8_t ctx[VY_CTX_MAX_BYTES];
	size_t n = vy_ballot_ctx(ctx, s->v.pk, contest, option);

	vyjw_open(&s->w, NULL, "{");
	vyjw_hex(&s->w, "public_key", s->v.pk, sizeof s->v.pk);
	vyjw_u64(&s->w, "contest", contest);
	if (option == VY_CTX_OPTION_SUM)
		vyjw_string(&s->w, "option", VY_CTX_SUM);
	else
		vyjw_u64(&s->w, "option", option);
	vyjw_hex(&s->w, "ctx", ctx, n);
	vyjw_close(&s->w, "}");
}

static void section_contexts(gen *s)
{
	vyjw_open(&s->w, "proof_contexts", "[");
	put_ctx(s, CTX_SELECTION_CONTEST, CTX_SELECTION_OPTION);
	put_ctx(s, CTX_SUM_CONTEST, VY_CTX_OPTION_SUM);
	vyjw_close(&s->w, "]");
}

/* One "coefficient_proof_contexts" sample (§5.2): item(u64(i)) || item(u64(j)). */
static void put_coeff_ctx(gen *s, uint32_t index, uint32_t j)
{
	uint8_t ctx[VY_CTX_MAX_BYTES];
	size_t n = vy_coefficient_proof_ctx(ctx, index, j);

	vyjw_open(&s->w, NULL, "{");
	vyjw_u64(&s->w, "trustee_index", index);
	vyjw_u64(&s->w, "coefficient", j);
	vyjw_hex(&s->w, "ctx", ctx, n);
	vyjw_close(&s->w, "}");
}

/* The record's KeyReveal (decoded), or NULL. */
static Vybar__KeyReveal *record_reveal(gen *s)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__TrusteeSigned *ts = NULL;
	Vybar__KeyReveal *kr = NULL;

	for (size_t i = 0; i < s->r.n_entries && kr == NULL; i++) {
		if (vy_decode_entry(&e, s->r.entries[i], s->r.entry_lens[i], NULL) == VY_R_OK &&
		    e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL &&
		    vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor, VY_MAX_MESSAGE_BYTES,
				      e->payload.data, e->payload.len, NULL) == VY_R_OK)
			expect(s, vy_decode_message((ProtobufCMessage **)&kr, &vybar__key_reveal__descriptor,
						    VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL) == VY_R_OK);
		vy_msg_free(ts);
		vy_msg_free(e);
		ts = NULL;
		e = NULL;
	}
	expect(s, kr != NULL);
	return kr;
}

/* "coefficient_proof_contexts" (§5.2) and "coefficient_proof": the Schnorr
 * proof of a_{1,0} in the record's KeyReveal, verified here with its context
 * and refused with the context of another coefficient. */
static void section_coefficient_proofs(gen *s)
{
	const vy_group *g = s->r.st.election.group;
	Vybar__KeyReveal *kr = record_reveal(s);
	uint8_t ctx[VY_CTX_MAX_BYTES];
	vy_proof_ctx pc = { .group = g, .ctx = ctx };
	vy_schnorr_proof pr;
	vy_elem X;

	vyjw_open(&s->w, "coefficient_proof_contexts", "[");
	put_coeff_ctx(s, 1, 0);
	put_coeff_ctx(s, CTX_COEFF_TRUSTEE, CTX_COEFF_INDEX);
	vyjw_close(&s->w, "]");
	if (kr == NULL || kr->n_commitments < 1 || kr->n_proofs < 1)
		return;
	memcpy(pc.base_hash, s->r.st.election.base_hash, VY_HASH_BYTES);
	pc.ctx_len = vy_coefficient_proof_ctx(ctx, kr->trustee_index, 0);
	expect(s, vy_elem_decode_nonidentity(g, &X, kr->commitments[0].data, kr->commitments[0].len) == VY_OK &&
			  vy_scalar_decode(g, &pr.c, kr->proofs[0]->c.data, kr->proofs[0]->c.len) == VY_OK &&
			  vy_scalar_decode(g, &pr.v, kr->proofs[0]->v.data, kr->proofs[0]->v.len) == VY_OK);
	expect(s, vy_schnorr_verify(&pc, &pr, &X) == VY_OK);
	pc.ctx_len = vy_coefficient_proof_ctx(ctx, kr->trustee_index, 1);
	expect(s, vy_schnorr_verify(&pc, &pr, &X) == VY_ERR_PROOF);
	vyjw_open(&s->w, "coefficient_proof", "{");
	vyjw_u64(&s->w, "trustee_index", kr->trustee_index);
	vyjw_u64(&s->w, "coefficient", 0);
	vyjw_hex(&s->w, "commitment", kr->commitments[0].data, kr->commitments[0].len);
	vyjw_hex(&s->w, "c", kr->proofs[0]->c.data, kr->proofs[0]->c.len);
	vyjw_hex(&s->w, "v", kr->proofs[0]->v.data, kr->proofs[0]->v.len);
	vyjw_close(&s->w, "}");
	vy_msg_free(kr);
}

/* One entry of "record.entries": its frame fields, its hash (which must
 * chain to the next entry's prev_hash) and the board's signature (checked). */
static void put_entry(gen *s, size_t i, uint8_t prev[VY_HASH_BYTES])
{
	Vybar__RecordEntry *e = NULL;
	const ProtobufCEnumValue *tv;
	uint8_t h[VY_HASH_BYTES];
	vy_reason why;

	expect(s, vy_decode_entry(&e, s->r.entries[i], s->r.entry_lens[i], &why) == VY_R_OK);
	if (e == NULL)
		return;
	vy_entry_hash_of(h, e);
	tv = protobuf_c_enum_descriptor_get_value(&vybar__entry_type__descriptor, (int)e->type);
	expect(s, e->seq == i && tv != NULL && e->prev_hash.len == VY_HASH_BYTES &&
			  memcmp(e->prev_hash.data, prev, VY_HASH_BYTES) == 0);
	expect(s, e->signature.len == VY_ED25519_SIG_BYTES &&
			  crypto_sign_verify_detached(e->signature.data, h, sizeof h, s->r.keys.board_pk) == 0);
	vyjw_open(&s->w, NULL, "{");
	vyjw_u64(&s->w, "seq", e->seq);
	vyjw_hex(&s->w, "prev_hash", e->prev_hash.data, e->prev_hash.len);
	vyjw_u64(&s->w, "type", (uint64_t)e->type);
	vyjw_string(&s->w, "type_name", tv != NULL ? tv->name : "?");
	vyjw_hex(&s->w, "payload", e->payload.data, e->payload.len);
	vyjw_hex(&s->w, "entry_hash", h, sizeof h);
	vyjw_hex(&s->w, "signature", e->signature.data, e->signature.len);
	vyjw_close(&s->w, "}");
	memcpy(prev, h, VY_HASH_BYTES);
	vy_msg_free(e);
}

/* "record" (§7): the board's key and seed, every entry, the head hash. */
static void section_record(gen *s)
{
	uint8_t prev[VY_HASH_BYTES];

	memset(prev, 0, sizeof prev);
	vyjw_open(&s->w, "record", "{");
	put_seed(s, "board_seed_label", "board_seed", BOARD_SEED_LABEL, s->r.keys.board_pk);
	vyjw_hex(&s->w, "board_public_key", s->r.keys.board_pk, sizeof s->r.keys.board_pk);
	vyjw_open(&s->w, "entries", "[");
	for (size_t i = 0; i < s->r.n_entries; i++)
		put_entry(s, i, prev);
	vyjw_close(&s->w, "]");
	expect(s, memcmp(prev, s->r.st.head_hash, VY_HASH_BYTES) == 0);
	vyjw_hex(&s->w, "head_hash", prev, sizeof prev);
	vyjw_close(&s->w, "}");
}

/* "commission_orders" (§12.4): the commission's key from its seed, and for
 * every entry it ordered the admin hash over the entry's prev_hash and the
 * commission_signature its payload carries (checked here). */
static void section_commission_orders(gen *s)
{
	const uint8_t *ck = s->r.st.manifest->commission_key.data;
	uint8_t h[VY_HASH_BYTES];
	vy_reason why;

	vyjw_open(&s->w, "commission_orders", "{");
	put_seed(s, "commission_seed_label", "commission_seed", COMMISSION_SEED_LABEL, ck);
	vyjw_hex(&s->w, "commission_public_key", ck, VY_ED25519_PK_BYTES);
	vyjw_open(&s->w, "entries", "[");
	for (size_t i = 0; i < s->r.n_entries; i++) {
		Vybar__RecordEntry *e = NULL;
		const vy_entry_type_info *t;
		const uint8_t *sig;

		expect(s, vy_decode_entry(&e, s->r.entries[i], s->r.entry_lens[i], &why) == VY_R_OK);
		t = e != NULL ? vy_entry_type(e->type) : NULL;
		if (t != NULL && t->signer == VY_SIGNER_COMMISSION) {
			/* protobuf-c writes fields in number order: the signature,
			 * the payload's last field, is its last 64 bytes */
			sig = e->payload.data + e->payload.len - VY_ED25519_SIG_BYTES;
			vy_admin_hash(h, s->r.st.election.base_hash, (uint64_t)t->admin, e->prev_hash.data);
			expect(s, e->payload.len > VY_ED25519_SIG_BYTES &&
					  crypto_sign_verify_detached(sig, h, sizeof h, ck) == 0);
			vyjw_open(&s->w, NULL, "{");
			vyjw_u64(&s->w, "seq", e->seq);
			vyjw_string(&s->w, "type_name", t->name);
			vyjw_u64(&s->w, "action", (uint64_t)t->admin);
			vyjw_hex(&s->w, "prev_hash", e->prev_hash.data, e->prev_hash.len);
			vyjw_hex(&s->w, "admin_hash", h, sizeof h);
			vyjw_hex(&s->w, "commission_signature", sig, VY_ED25519_SIG_BYTES);
			vyjw_close(&s->w, "}");
		}
		vy_msg_free(e);
	}
	vyjw_close(&s->w, "]");
	vyjw_close(&s->w, "}");
}

/* "receipt" (§7.5) of the ballot entry, verified with vy_receipt_verify. */
static void section_receipt(gen *s)
{
	Vybar__Receipt rc;
	uint8_t sig[VY_ED25519_SIG_BYTES], h[VY_HASH_BYTES], *p;
	size_t len;
	vy_reason why;

	vy_receipt_make(&rc, sig, s->code, s->ballot_seq, s->ballot_head, s->r.keys.board_sk);
	vy_receipt_hash(h, s->code, s->ballot_seq, s->ballot_head);
	expect(s, vy_receipt_verify(s->r.keys.board_pk, &rc, &why) == VY_R_OK);
	p = vy_msg_pack(&rc, &len);
	expect(s, p != NULL);
	vyjw_open(&s->w, "receipt", "{");
	vyjw_string(&s->w, "tracking_code", rc.tracking_code);
	vyjw_u64(&s->w, "seq", rc.seq);
	vyjw_hex(&s->w, "head_hash", rc.head_hash.data, rc.head_hash.len);
	vyjw_hex(&s->w, "receipt_hash", h, sizeof h);
	vyjw_hex(&s->w, "signature", rc.signature.data, rc.signature.len);
	if (p != NULL)
		vyjw_hex(&s->w, "protobuf", p, len);
	vyjw_close(&s->w, "}");
	free(p);
}

/* ---- entry point ---- */

vy_err vypvec_generate(char **out, size_t *out_len)
{
	gen *s;
	vy_err err;

	if (out == NULL || out_len == NULL)
		return VY_ERR_ARG;
	*out = NULL;
	*out_len = 0;
	err = vy_init();
	if (err != VY_OK)
		return err;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return VY_ERR_NOMEM;
	build_record(s);
	if (s->err == VY_OK) {
		vyjw_open(&s->w, NULL, "{");
		vyjw_string(&s->w, "generated", VYPVEC_GENERATED);
		vyjw_string(&s->w, "specification", VYPVEC_SPECIFICATION);
		vyjw_string(&s->w, "label_prefix", LABEL_PREFIX);
		vyjw_string(&s->w, "group", s->r.st.manifest->group);
		section_manifest(s);
		section_credential(s);
		section_ballot(s);
		section_audited(s);
		section_tracking(s);
		section_contexts(s);
		section_coefficient_proofs(s);
		section_record(s);
		section_commission_orders(s);
		section_receipt(s);
		vyjw_close(&s->w, "}");
		vyjw_puts(&s->w, "\n");
	}
	err = s->err;
	if (err == VY_OK && (s->w.failed || s->w.depth != 0))
		err = VY_ERR_NOMEM;
	if (err == VY_OK) {
		*out = s->w.buf;
		*out_len = s->w.len;
		s->w.buf = NULL;
	}
	free(s->w.buf);
	vy_msg_free(s->ballot);
	free(s->ballot_bytes);
	vy_msg_free(s->audited);
	free(s->audited_bytes);
	vyf_record_free(&s->r);
	sodium_memzero(s, sizeof *s);
	free(s);
	return err;
}
