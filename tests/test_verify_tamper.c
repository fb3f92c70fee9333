/*
 * vybar-verify's numbered checks (specs/verification.md), one tamper each:
 * a whole valid election, then for every check a record in which exactly
 * what that check covers is changed. Every other entry is re-chained and
 * re-signed with the fixtures' board key (and a changed ballot with its
 * voter's key, a changed ceremony or decryption message with its trustee's
 * key), so the earlier checks still hold. The verifier (linked in) must
 * fail exactly that check, at exactly that entry, and no other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/protocol_fixtures.h"
#include "protocol/vy_entry_types.h"
#include "protocol/vy_verify.h"

#define N 3
#define T 2
#define UNKNOWN_ENTRY_TYPE 99

/* Entry positions of the fixture election (N = 3, T = 2). */
enum {
	AT_MANIFEST = 0,
	AT_ANNOUNCE = 1,              /* trustees 1..3: 1..3 */
	AT_REVEAL = AT_ANNOUNCE + N,  /* 4..6 */
	AT_VERDICT = AT_REVEAL + N,   /* 7..9 */
	AT_OPEN = AT_VERDICT + N,     /* 10 */
	AT_BALLOT_A = AT_OPEN + 1,    /* 11 */
	AT_BALLOT_C1 = AT_OPEN + 2,   /* 12 */
	AT_AUDITED = AT_OPEN + 3,     /* 13 */
	AT_BALLOT_C2 = AT_OPEN + 4,   /* 14 */
	AT_BALLOT_B = AT_OPEN + 5,    /* 15 */
	AT_CLOSE = AT_OPEN + 6,       /* 16 */
	AT_ISSUED = AT_OPEN + 7,      /* 17: CREDENTIALS_ISSUED */
	AT_TALLY = AT_OPEN + 8,       /* 18 */
	AT_WITNESSED = AT_OPEN + 9,   /* 19: the tally's checkpoint, cosigned */
	AT_PARTIAL = AT_OPEN + 10,    /* 20, 21 */
	AT_RESULT = AT_PARTIAL + T,   /* 22 */
	AT_COUNT
};

/* How the tampered entry is framed. */
enum { FRAME_SIGNED, FRAME_SEQ, FRAME_PREV, FRAME_BAD_SIGNATURE, FRAME_GARBAGE };

static vyf_record rec;
static vyf_voter va, vb, vc, vd;

/* The manifest's max_ballots_per_credential: voter c's two ballots are
 * exactly the limit, so a third is what V4.10 refuses. */
#define MAX_BALLOTS 2

/* The whole election: ceremony, 4 ballots (c revotes, up to the limit),
 * an audited ballot, close, tally, T partial decryptions, the result. */
static void build_election(void)
{
	static const uint32_t q[N] = { 1, 2, 3 };
	uint32_t choices[VYF_SELECTIONS];
	const vy_election *e;
	Vybar__AuditedBallot *ab;
	uint8_t *p;
	size_t len;
	vyf_keys k;

	vyf_keys_init(&k, N, T);
	k.n_witnesses = VYF_WITNESSES;
	k.witness_k = VYF_WITNESS_K;
	k.max_ballots = MAX_BALLOTS;
	p = vyf_manifest_pack(&k, &len);
	vyf_record_init_manifest(&rec, N, T, p, len);
	free(p);
	vyf_record_ceremony(&rec);
	e = &rec.st.election;
	vyf_default_choices(choices);
	vyf_voter_init(&va, e, "voter a");
	vyf_voter_init(&vb, e, "voter b");
	vyf_voter_init(&vc, e, "voter c");
	vyf_voter_init(&vd, e, "voter d");
	p = vyf_ballot_pack(e, &va, choices, "x", NULL, &len);
	vyf_record_append(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	free(p);
	p = vyf_ballot_pack(e, &vc, choices, "1", NULL, &len);
	vyf_record_append(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	free(p);
	ab = vyf_audited_new(e, &vd, choices);
	p = vy_msg_pack(ab, &len);
	vy_msg_free(ab);
	vyf_record_append(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT, p, len);
	free(p);
	p = vyf_ballot_pack(e, &vc, choices, "2", NULL, &len);
	vyf_record_append(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	free(p);
	p = vyf_ballot_pack(e, &vb, choices, "x", NULL, &len);
	vyf_record_append(&rec, VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT, p, len);
	free(p);
	vyf_record_close(&rec);
	vyf_record_tally(&rec);
	vyf_record_decrypt(&rec, q, N, T);
	assert_int_equal(rec.n_entries, AT_COUNT);
}

/* The record file of the fixture election with entry `at` replaced by
 * (type, payload) framed as `how`; every entry re-chained and re-signed
 * by the board. The file's bytes (malloc'd) and their length. */
static uint8_t *tampered(size_t at, int type, const uint8_t *payload, size_t plen, int how, size_t *out_len)
{
	char *buf = NULL;
	size_t blen = 0;
	FILE *f = open_memstream(&buf, &blen);
	vy_record_state st;

	assert_non_null(f);
	memset(&st, 0, sizeof st);
	assert_int_equal(fwrite(VY_RECORD_MAGIC, 1, VY_RECORD_MAGIC_LEN, f), VY_RECORD_MAGIC_LEN);
	for (size_t i = 0; i < rec.n_entries; i++) {
		Vybar__RecordEntry *old = NULL, e;
		uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], *packed;
		vy_record_state as = st;
		size_t len;

		assert_int_equal(vy_decode_entry(&old, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
		if (i == at && how == FRAME_SEQ)
			as.next_seq++;
		if (i == at && how == FRAME_PREV)
			as.head_hash[0] ^= 1;
		if (i == at)
			vy_entry_make(&e, sig, &as, (Vybar__EntryType)type, payload, plen, rec.keys.board_sk);
		else
			vy_entry_make(&e, sig, &as, old->type, old->payload.data, old->payload.len, rec.keys.board_sk);
		if (i == at && how == FRAME_BAD_SIGNATURE)
			e.signature.data[0] ^= 1;
		packed = vy_msg_pack(&e, &len);
		if (i == at && how == FRAME_GARBAGE)
			memset(packed, 0xff, len);
		vytest_put_frame(f, packed, len);
		vy_entry_hash_of(st.head_hash, &e);
		st.next_seq++;
		free(packed);
		vy_msg_free(old);
	}
	assert_int_equal(fclose(f), 0);
	*out_len = blen;
	return (uint8_t *)buf;
}

/* Verify a record file's bytes in this process (one job). */
static void verify_bytes(const uint8_t *b, size_t len, unsigned jobs, vyv_report *rep)
{
	FILE *f = fmemopen((void *)b, len, "rb");

	assert_non_null(f);
	vyv_verify(f, NULL, jobs, rep, NULL);
	assert_int_equal(fclose(f), 0);
}

/* ---- payload helpers ---- */

/* Entry i's payload decoded as desc (free with vy_msg_free). */
static void *decode_payload(size_t i, const ProtobufCMessageDescriptor *desc)
{
	Vybar__RecordEntry *e = NULL;
	ProtobufCMessage *m = NULL;

	assert_int_equal(vy_decode_entry(&e, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
	assert_int_equal(vy_decode_message(&m, desc, VY_MAX_MESSAGE_BYTES, e->payload.data, e->payload.len, NULL),
			 VY_R_OK);
	vy_msg_free(e);
	return m;
}

/* The body of entry i's TrusteeSigned decoded as desc; *index its signer. */
static void *decode_body(size_t i, const ProtobufCMessageDescriptor *desc, uint32_t *index)
{
	Vybar__TrusteeSigned *ts = decode_payload(i, &vybar__trustee_signed__descriptor);
	ProtobufCMessage *m = NULL;

	assert_int_equal(vy_decode_message(&m, desc, VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL),
			 VY_R_OK);
	*index = ts->trustee_index;
	vy_msg_free(ts);
	return m;
}

/* body packed and signed by trustee index (a TrusteeSigned payload). */
static uint8_t *trustee_signed(Vybar__EntryType type, uint32_t index, const void *body, size_t *len)
{
	size_t blen;
	uint8_t *b = vy_msg_pack(body, &blen), *out;

	assert_non_null(b);
	out = vyf_trustee_signed(&rec, type, index, b, blen, len);
	free(b);
	return out;
}

/* Entry i's payload, as stored (malloc'd). */
static uint8_t *raw_payload(size_t i, size_t *len, int *type)
{
	Vybar__RecordEntry *e = NULL;
	uint8_t *p;

	assert_int_equal(vy_decode_entry(&e, rec.entries[i], rec.entry_lens[i], NULL), VY_R_OK);
	*len = e->payload.len;
	*type = (int)e->type;
	p = malloc(*len ? *len : 1);
	assert_non_null(p);
	memcpy(p, e->payload.data, *len);
	vy_msg_free(e);
	return p;
}

/* ---- the tampers: each returns the replacement payload of its entry ---- */

/* Pack m (any message) and free it. */
static uint8_t *pack_free(void *m, size_t *len)
{
	uint8_t *p = vy_msg_pack(m, len);

	assert_non_null(p);
	vy_msg_free(m);
	return p;
}

/* Further manifest tampers, beside the one per check: a control character
 * in a text (protocol.md §1.5). */
#define CTRL_TITLE (VYV__COUNT + 1)
#define CTRL_LIST (VYV__COUNT + 2)
/* Translations (protocol.md §3.7): a language tag in upper case on the
 * election title, two translations of a contest title into one language, a
 * control character in a translated option title and in a translated
 * candidate name. */
#define TR_TITLE_LANG (VYV__COUNT + 3)
#define TR_CONTEST_TWICE (VYV__COUNT + 4)
#define TR_OPTION_CTRL (VYV__COUNT + 5)
#define TR_CANDIDATE_CTRL (VYV__COUNT + 6)

/* The manifest with change applied in place (counts restored before the free). */
static uint8_t *manifest_tamper(int what, size_t *len, int *type)
{
	Vybar__Manifest *m = decode_payload(AT_MANIFEST, &vybar__manifest__descriptor);
	Vybar__PartyListContest *pl = m->contests[2]->party_list;
	size_t saved = m->n_contests;
	/* Translations set here live on the stack: unset before the free. */
	char be[] = "be", ru[] = "ru", upper[] = "RU", text[] = "tekst", ctrl[] = "te\x07kst";
	Vybar__Translation t[2] = { VYBAR__TRANSLATION__INIT, VYBAR__TRANSLATION__INIT };
	Vybar__Translation *tp[2] = { &t[0], &t[1] };
	size_t *n_tr = NULL, saved_n = 0;
	Vybar__Translation ***tr = NULL, **saved_tr = NULL;
	uint8_t *p;

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST;
	switch (what) {
	case VYV_2_1: m->group[0] = 'x'; break;                          /* unknown group */
	case VYV_2_2: m->n_contests = 0; break;                          /* no contest */
	case VYV_2_3: m->contests[1]->min_selections = 3; break;         /* approval min > max */
	case VYV_2_4: pl->seats = 0; break;                              /* no seat */
	case VYV_2_5: pl->lists[0]->candidates[1]->gender = pl->lists[0]->candidates[0]->gender; break;
	case VYV_2_6: m->threshold = N + 1; break;                       /* t > n */
	case VYV_2_7: m->registrar_key->exponent.data[m->registrar_key->exponent.len - 1] &= 0xfe; break;
	case VYV_2_8: m->voting_end = m->voting_start; break;            /* empty voting period */
	case VYV_2_10: m->witness_threshold = (uint32_t)m->n_witnesses + 1; break; /* k > m */
	case VYV_2_11: m->max_ballots_per_credential = 0; break;         /* no ballot at all */
	case CTRL_TITLE: m->title[0] = '\x1b'; break;                    /* an escape in the title (protocol §1.5) */
	case CTRL_LIST: pl->lists[0]->name[0] = '\n'; break;            /* a newline in a list name */
	case TR_TITLE_LANG: n_tr = &m->n_translations; tr = &m->translations; break;
	case TR_CONTEST_TWICE: n_tr = &m->contests[0]->n_translations; tr = &m->contests[0]->translations; break;
	case TR_OPTION_CTRL:
		n_tr = &m->contests[1]->options[0]->n_translations;
		tr = &m->contests[1]->options[0]->translations;
		break;
	case TR_CANDIDATE_CTRL:
		n_tr = &pl->lists[0]->candidates[0]->n_translations;
		tr = &pl->lists[0]->candidates[0]->translations;
		break;
	default: fail();
	}
	if (tr != NULL) {
		/* "be" then what differs: "RU", "be" again, or a control character */
		t[0].lang = be;
		t[0].text = text;
		t[1].lang = what == TR_TITLE_LANG ? upper : what == TR_CONTEST_TWICE ? be : ru;
		t[1].text = what == TR_OPTION_CTRL || what == TR_CANDIDATE_CTRL ? ctrl : text;
		saved_n = *n_tr;
		saved_tr = *tr;
		*n_tr = 2;
		*tr = tp;
	}
	p = vy_msg_pack(m, len);
	if (tr != NULL) {
		*n_tr = saved_n;
		*tr = saved_tr;
	}
	m->n_contests = saved;
	vy_msg_free(m);
	return p;
}

/* The key announce of trustee 1 with its body changed (what: V3.1, V3.2). */
static uint8_t *announce_tamper(int what, size_t *len, int *type)
{
	uint32_t idx;
	Vybar__KeyAnnounce *a = decode_body(AT_ANNOUNCE, &vybar__key_announce__descriptor, &idx);
	Vybar__TrusteeSigned *ts;
	uint8_t *p;

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE;
	if (what == VYV_3_2)
		a->encryption_key.len--; /* 31-byte X25519 key */
	p = trustee_signed(VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_ANNOUNCE, idx, a, len);
	if (what == VYV_3_1) {
		a->encryption_key.len = a->encryption_key.len; /* body unchanged, signature broken */
		assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
						   VY_MAX_MESSAGE_BYTES, p, *len, NULL),
				 VY_R_OK);
		ts->signature.data[0] ^= 1;
		free(p);
		p = pack_free(ts, len);
	} else {
		a->encryption_key.len = VY_X25519_PK_BYTES;
	}
	vy_msg_free(a);
	return p;
}

/* Trustee 1's key reveal changed (V3.4 commitment, V3.5 proof, V3.6 share). */
static uint8_t *reveal_tamper(int what, size_t *len, int *type)
{
	uint32_t idx;
	Vybar__KeyReveal *r = decode_body(AT_REVEAL, &vybar__key_reveal__descriptor, &idx);
	uint8_t *p;
	size_t saved = 0;

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL;
	if (what == VYV_3_4) {
		/* swap A_0 and A_1: valid elements, the commitment hash no longer matches */
		ProtobufCBinaryData t0 = r->commitments[0];

		r->commitments[0] = r->commitments[1];
		r->commitments[1] = t0;
	} else if (what == VYV_3_5) {
		r->proofs[1]->v.data[0] ^= 1;
	} else {
		saved = r->shares[0]->sealed.len;
		r->shares[0]->sealed.len--;
	}
	p = trustee_signed(VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_REVEAL, idx, r, len);
	if (what == VYV_3_4) {
		ProtobufCBinaryData t0 = r->commitments[0];

		r->commitments[0] = r->commitments[1];
		r->commitments[1] = t0;
	} else if (what == VYV_3_6) {
		r->shares[0]->sealed.len = saved;
	}
	vy_msg_free(r);
	return p;
}

/* Trustee 1's verdict: accept_all together with a complaint (V3.7). */
static uint8_t *verdict_tamper(size_t *len, int *type)
{
	static const uint32_t against[1] = { 2 };
	Vybar__TrusteeSigned *ts;
	Vybar__KeyVerdict *v = NULL;
	uint8_t *p = vyf_complaints(&rec, 1, against, 1, len);

	assert_int_equal(vy_decode_message((ProtobufCMessage **)&ts, &vybar__trustee_signed__descriptor,
					   VY_MAX_MESSAGE_BYTES, p, *len, NULL),
			 VY_R_OK);
	assert_int_equal(vy_decode_message((ProtobufCMessage **)&v, &vybar__key_verdict__descriptor,
					   VY_MAX_MESSAGE_BYTES, ts->body.data, ts->body.len, NULL),
			 VY_R_OK);
	free(p);
	v->accept_all = 1;
	p = trustee_signed(VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT, 1, v, len);
	vy_msg_free(v);
	vy_msg_free(ts);
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_VERDICT;
	return p;
}

/* ---- the table ---- */

typedef struct {
	vyv_check check;
	size_t at;
	int how;
	int arg;
	uint8_t *(*make)(int arg, size_t *len, int *type); /* NULL: the stored payload */
} tamper_case;

/* Wrappers of the helpers without an argument. */
static uint8_t *verdict_case(int arg, size_t *len, int *type)
{
	(void)arg;
	return verdict_tamper(len, type);
}

static uint8_t *manifest_case(int arg, size_t *len, int *type)
{
	return manifest_tamper(arg, len, type);
}

static uint8_t *announce_case(int arg, size_t *len, int *type)
{
	return announce_tamper(arg, len, type);
}

static uint8_t *reveal_case(int arg, size_t *len, int *type)
{
	return reveal_tamper(arg, len, type);
}

/* The stored payload of entry arg (moved elsewhere by the table). */
static uint8_t *moved_case(int arg, size_t *len, int *type)
{
	return raw_payload((size_t)arg, len, type);
}

/* The audited ballot's ciphertexts cast as a BALLOT by voter d's own
 * credential (V4.8): its choices and randomness are public. (Its own inner
 * ballot has no registrar credential and fails V4.1 first.) */
static uint8_t *audited_inner_case(int arg, size_t *len, int *type)
{
	uint32_t choices[VYF_SELECTIONS];

	(void)arg;
	vyf_default_choices(choices);
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT;
	return vyf_ballot_pack(&rec.st.election, &vd, choices, "audit", NULL, len);
}

/* The WITNESSED entry changed: its root (V10.1), a cosignature (V10.2),
 * one cosignature fewer than k (V10.3). */
static uint8_t *witnessed_case(int arg, size_t *len, int *type)
{
	Vybar__Witnessed *w = decode_payload(AT_WITNESSED, &vybar__witnessed__descriptor);
	size_t saved = w->n_cosignatures;
	uint8_t *p;

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED;
	if (arg == VYV_10_1)
		w->root.data[0] ^= 1;
	else if (arg == VYV_10_2)
		w->cosignatures[0]->signature.data[0] ^= 1;
	else
		w->n_cosignatures--;
	p = vy_msg_pack(w, len);
	assert_non_null(p);
	w->n_cosignatures = saved;
	vy_msg_free(w);
	return p;
}

/* The stored payload of the close entry, with type UNKNOWN_ENTRY_TYPE. */
static uint8_t *unknown_type_case(int arg, size_t *len, int *type)
{
	uint8_t *p = raw_payload((size_t)arg, len, type);

	*type = UNKNOWN_ENTRY_TYPE;
	return p;
}

/* Trustee 1 justifies a share nobody complained about (V3.8). */
static uint8_t *justification_case(int arg, size_t *len, int *type)
{
	static const uint32_t complainers[1] = { 2 };

	(void)arg;
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_KEY_JUSTIFICATION;
	return vyf_justification(&rec, 1, complainers, NULL, 1, len);
}

/* ElectionOpen leaving trustee 3 out of Q, K over {1, 2} (V3.9). */
static uint8_t *open_case(int arg, size_t *len, int *type)
{
	static const uint32_t q[2] = { 1, 2 };

	(void)arg;
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN;
	return vyf_open_qualified(&rec, q, 2, len);
}

/* Ballot b (entry AT_BALLOT_B) changed, then re-signed by its voter. */
static uint8_t *ballot_case(int arg, size_t *len, int *type)
{
	Vybar__Ballot *b = decode_payload(AT_BALLOT_B, &vybar__ballot__descriptor);
	Vybar__EncryptedContest *c0 = b->contests[0];
	size_t saved = 0;
	uint8_t *p;

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT;
	switch (arg) {
	case VYV_4_1: b->credential->public_key.len--; break;
	case VYV_4_2: saved = c0->n_selections--; break;
	case VYV_4_4: b->credential->randomizer.data[0] ^= 1; break;
	case VYV_4_5: c0->selections[1]->proof->v[0].data[0] ^= 1; break;
	case VYV_4_6: c0->sum_proof->v[0].data[0] ^= 1; break;
	default: break;
	}
	if (arg != VYV_4_1)
		vyf_ballot_resign(&rec.st.election, &vb, b);
	if (arg == VYV_4_3)
		b->signature.data[0] ^= 1;
	p = vy_msg_pack(b, len);
	assert_non_null(p);
	if (arg == VYV_4_1)
		b->credential->public_key.len++;
	if (arg == VYV_4_2)
		c0->n_selections = saved;
	vy_msg_free(b);
	return p;
}

/* The audited ballot changed, re-signed by its one-time key (V5.1: a
 * proof; CARRIES_CREDENTIAL: voter d's randomizer and registrar signature
 * put in; V5.2: a revealed randomness). */
enum { CARRIES_CREDENTIAL = VYV__COUNT };
static uint8_t *audited_case(int arg, size_t *len, int *type)
{
	Vybar__AuditedBallot *a = decode_payload(AT_AUDITED, &vybar__audited_ballot__descriptor);
	Vybar__RevealedContest *r0 = a->contests[0];
	Vybar__Credential *cr = a->ballot->credential;
	vyf_voter k;
	uint8_t *p;

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT;
	vyf_audit_key(&vd, &k);
	if (arg == VYV_5_1) {
		a->ballot->contests[0]->selections[1]->proof->v[0].data[0] ^= 1;
		vyf_ballot_resign(&rec.st.election, &k, a->ballot);
	} else if (arg == CARRIES_CREDENTIAL) {
		cr->randomizer = (ProtobufCBinaryData){ VY_RANDOMIZER_BYTES, vd.randomizer };
		cr->signature = (ProtobufCBinaryData){ sizeof vd.reg_sig, vd.reg_sig };
		vyf_ballot_resign(&rec.st.election, &k, a->ballot);
		p = vy_msg_pack(a, len);
		assert_non_null(p);
		cr->randomizer = (ProtobufCBinaryData){ 0, NULL };
		cr->signature = (ProtobufCBinaryData){ 0, NULL };
		vy_msg_free(a);
		return p;
	} else {
		/* another selection's randomness: a valid scalar that does not re-encrypt */
		ProtobufCBinaryData t = r0->selections[0]->randomness;

		r0->selections[0]->randomness = r0->selections[1]->randomness;
		r0->selections[1]->randomness = t;
	}
	return pack_free(a, len);
}

/* Audited ballots at odds with the record (V5.4, V5.5), and a ballot cast
 * under an audit's key (V4.9). */
enum { AUDIT_CIPHERTEXTS_OF_A, AUDIT_UNDER_CREDENTIAL_A, AUDIT_KEY_AGAIN, CAST_UNDER_AUDIT_KEY };
static uint8_t *audit_key_case(int arg, size_t *len, int *type)
{
	const vy_election *e = &rec.st.election;
	uint32_t choices[VYF_SELECTIONS];
	Vybar__AuditedBallot *a = NULL;
	vyf_voter k;
	uint8_t msg[VY_RANDOMIZER_BYTES + VY_HASH_BYTES];

	vyf_default_choices(choices);
	vyf_audit_key(&vd, &k);
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT;
	switch (arg) {
	case AUDIT_CIPHERTEXTS_OF_A: /* voter a's cast ciphertexts, revealed */
		a = vyf_audited_new_as(e, &va, choices, "x", &k);
		break;
	case AUDIT_UNDER_CREDENTIAL_A: /* under the key of a credential that cast */
		a = vyf_audited_new_as(e, &vd, choices, "audit", &va);
		break;
	case AUDIT_KEY_AGAIN: /* voter d's one-time key a second time */
		a = vyf_audited_new_as(e, &vd, choices, "audit again", &k);
		break;
	default: /* the registrar signs d's one-time key as a credential, which casts */
		vyf_bytes32(k.randomizer, "voter d audit key randomizer");
		memcpy(msg, k.randomizer, VY_RANDOMIZER_BYTES);
		vy_credential_message(e, msg + VY_RANDOMIZER_BYTES, k.pk);
		vyf_registrar_sign(k.reg_sig, 0, msg, sizeof msg, "voter d audit key registrar");
		*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT;
		return vyf_ballot_pack(e, &k, choices, "x", NULL, len);
	}
	return pack_free(a, len);
}

/* Close with a wrong count (V6.1). */
static uint8_t *close_case(int arg, size_t *len, int *type)
{
	Vybar__ElectionClose *c = decode_payload(AT_CLOSE, &vybar__election_close__descriptor);

	(void)arg;
	c->ballots_received += 1;
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE;
	return pack_free(c, len);
}

/* The registrar's statement changed: signed by another key (V6.2), or
 * validly signed with one credential fewer than voted (V6.3). */
static uint8_t *issued_case(int arg, size_t *len, int *type)
{
	const uint8_t *sk = arg == VYV_6_2 ? rec.keys.board_sk : rec.keys.statement_sk;
	uint64_t issued = rec.st.cred_count - (arg == VYV_6_3);

	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_CREDENTIALS_ISSUED;
	return vyf_issued_statement(rec.st.election.base_hash, issued, VYF_ISSUED_TIME, sk, len);
}

/* An entry the commission orders (arg: its position), appended by a board
 * on its own (V1.8): the same payload, but signed over the same admin hash
 * with the board's own key instead of the commission's. */
static uint8_t *unordered_case(int arg, size_t *len, int *type)
{
	Vybar__RecordEntry *e = NULL;
	const vy_entry_type_info *t;
	uint8_t h[VY_HASH_BYTES], sig[VY_ED25519_SIG_BYTES], *p;

	assert_int_equal(vy_decode_entry(&e, rec.entries[arg], rec.entry_lens[arg], NULL), VY_R_OK);
	t = vy_entry_type(e->type);
	assert_true(t != NULL && t->signer == VY_SIGNER_COMMISSION);
	vy_admin_hash(h, rec.st.election.base_hash, (uint64_t)t->admin, e->prev_hash.data);
	crypto_sign_detached(sig, NULL, h, sizeof h, rec.keys.board_sk);
	*type = (int)e->type;
	*len = e->payload.len;
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, e->payload.data, *len);
	vy_msg_free(e);
	assert_int_equal(vy_admin_payload_sign((Vybar__EntryType)*type, sig, &p, len, NULL), VY_R_OK);
	return p;
}

/* The encrypted tally changed (V7.1): one ciphertext replaced by another. */
static uint8_t *tally_case(int arg, size_t *len, int *type)
{
	Vybar__EncryptedTally *t = decode_payload(AT_TALLY, &vybar__encrypted_tally__descriptor);
	Vybar__Ciphertext *x = t->contests[0]->options[0];

	(void)arg;
	t->contests[0]->options[0] = t->contests[0]->options[1];
	t->contests[0]->options[1] = x;
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY;
	return pack_free(t, len);
}

/* Trustee 1's partial decryption with a broken proof, re-signed (V7.2). */
static uint8_t *partial_case(int arg, size_t *len, int *type)
{
	uint32_t idx;
	Vybar__PartialDecryption *d = decode_body(AT_PARTIAL, &vybar__partial_decryption__descriptor, &idx);
	uint8_t *p;

	(void)arg;
	d->contests[0]->options[0]->proof->v.data[0] ^= 1;
	p = trustee_signed(VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION, idx, d, len);
	vy_msg_free(d);
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_PARTIAL_DECRYPTION;
	return p;
}

/* A third ballot of voter c, valid in itself, where the limit is two (V4.10). */
static uint8_t *over_limit_case(int arg, size_t *len, int *type)
{
	uint32_t choices[VYF_SELECTIONS];

	(void)arg;
	vyf_default_choices(choices);
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT;
	return vyf_ballot_pack(&rec.st.election, &vc, choices, "3", NULL, len);
}

/* The result changed: a count (V7.3), a list's seats (V7.4), an elected position (V7.5). */
static uint8_t *result_case(int arg, size_t *len, int *type)
{
	Vybar__Result *r = decode_payload(AT_RESULT, &vybar__result__descriptor);
	Vybar__ContestResult *pc = r->contests[2];
	size_t l = 0;

	while (l + 1 < pc->n_lists && pc->lists[l]->n_elected == 0)
		l++;
	assert_true(pc->lists[l]->n_elected > 0);
	if (arg == VYV_7_3)
		r->contests[0]->counts[0] += 1;
	else if (arg == VYV_7_4)
		pc->lists[l]->seats += 1;
	else
		pc->lists[l]->elected[0] += 1; /* another candidate of the list */
	*type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT;
	return pack_free(r, len);
}

static const tamper_case cases[] = {
	{ VYV_1_2, AT_ANNOUNCE + 1, FRAME_GARBAGE, AT_ANNOUNCE + 1, moved_case },
	{ VYV_1_3, AT_ANNOUNCE + 1, FRAME_SEQ, AT_ANNOUNCE + 1, moved_case },
	{ VYV_1_4, AT_ANNOUNCE + 1, FRAME_PREV, AT_ANNOUNCE + 1, moved_case },
	{ VYV_1_5, AT_ANNOUNCE + 1, FRAME_SIGNED, AT_CLOSE, unknown_type_case },
	{ VYV_1_5, AT_ANNOUNCE + 1, FRAME_SIGNED, AT_MANIFEST, moved_case },
	{ VYV_1_6, AT_BALLOT_A, FRAME_BAD_SIGNATURE, AT_BALLOT_A, moved_case },
	{ VYV_1_7, AT_ANNOUNCE, FRAME_SIGNED, AT_CLOSE, moved_case },
	/* the board alone opens, closes, tallies, publishes a result */
	{ VYV_1_8, AT_OPEN, FRAME_SIGNED, AT_OPEN, unordered_case },
	{ VYV_1_8, AT_CLOSE, FRAME_SIGNED, AT_CLOSE, unordered_case },
	{ VYV_1_8, AT_TALLY, FRAME_SIGNED, AT_TALLY, unordered_case },
	{ VYV_1_8, AT_RESULT, FRAME_SIGNED, AT_RESULT, unordered_case },
	{ VYV_2_1, AT_MANIFEST, FRAME_SIGNED, VYV_2_1, manifest_case },
	{ VYV_2_1, AT_MANIFEST, FRAME_SIGNED, CTRL_TITLE, manifest_case },
	{ VYV_2_1, AT_MANIFEST, FRAME_SIGNED, TR_TITLE_LANG, manifest_case },
	{ VYV_2_2, AT_MANIFEST, FRAME_SIGNED, TR_CONTEST_TWICE, manifest_case },
	{ VYV_2_3, AT_MANIFEST, FRAME_SIGNED, TR_OPTION_CTRL, manifest_case },
	{ VYV_2_4, AT_MANIFEST, FRAME_SIGNED, TR_CANDIDATE_CTRL, manifest_case },
	{ VYV_2_2, AT_MANIFEST, FRAME_SIGNED, VYV_2_2, manifest_case },
	{ VYV_2_3, AT_MANIFEST, FRAME_SIGNED, VYV_2_3, manifest_case },
	{ VYV_2_4, AT_MANIFEST, FRAME_SIGNED, VYV_2_4, manifest_case },
	{ VYV_2_4, AT_MANIFEST, FRAME_SIGNED, CTRL_LIST, manifest_case },
	{ VYV_2_5, AT_MANIFEST, FRAME_SIGNED, VYV_2_5, manifest_case },
	{ VYV_2_6, AT_MANIFEST, FRAME_SIGNED, VYV_2_6, manifest_case },
	{ VYV_2_7, AT_MANIFEST, FRAME_SIGNED, VYV_2_7, manifest_case },
	{ VYV_2_8, AT_MANIFEST, FRAME_SIGNED, VYV_2_8, manifest_case },
	{ VYV_2_10, AT_MANIFEST, FRAME_SIGNED, VYV_2_10, manifest_case },
	{ VYV_2_11, AT_MANIFEST, FRAME_SIGNED, VYV_2_11, manifest_case },
	{ VYV_3_1, AT_ANNOUNCE, FRAME_SIGNED, VYV_3_1, announce_case },
	{ VYV_3_2, AT_ANNOUNCE, FRAME_SIGNED, VYV_3_2, announce_case },
	/* a reveal before every announce is out of its place (V1.7); a second reveal, V3.3 */
	{ VYV_1_7, AT_ANNOUNCE + N - 1, FRAME_SIGNED, AT_REVEAL, moved_case },
	{ VYV_3_3, AT_REVEAL + 1, FRAME_SIGNED, AT_REVEAL, moved_case },
	{ VYV_3_4, AT_REVEAL, FRAME_SIGNED, VYV_3_4, reveal_case },
	{ VYV_3_5, AT_REVEAL, FRAME_SIGNED, VYV_3_5, reveal_case },
	{ VYV_3_6, AT_REVEAL, FRAME_SIGNED, VYV_3_6, reveal_case },
	{ VYV_3_7, AT_VERDICT, FRAME_SIGNED, 0, verdict_case },
	{ VYV_3_8, AT_OPEN, FRAME_SIGNED, 0, justification_case },
	{ VYV_3_9, AT_OPEN, FRAME_SIGNED, 0, open_case },
	{ VYV_1_7, AT_TALLY, FRAME_SIGNED, AT_BALLOT_A, moved_case }, /* a ballot after close */
	{ VYV_4_1, AT_BALLOT_B, FRAME_SIGNED, VYV_4_1, ballot_case },
	{ VYV_4_2, AT_BALLOT_B, FRAME_SIGNED, VYV_4_2, ballot_case },
	{ VYV_4_3, AT_BALLOT_B, FRAME_SIGNED, VYV_4_3, ballot_case },
	{ VYV_4_4, AT_BALLOT_B, FRAME_SIGNED, VYV_4_4, ballot_case },
	{ VYV_4_5, AT_BALLOT_B, FRAME_SIGNED, VYV_4_5, ballot_case },
	{ VYV_4_6, AT_BALLOT_B, FRAME_SIGNED, VYV_4_6, ballot_case },
	/* replays: voter c's superseded ballot again, the audited ballot's own */
	{ VYV_4_8, AT_BALLOT_B, FRAME_SIGNED, AT_BALLOT_C1, moved_case },
	{ VYV_4_8, AT_BALLOT_B, FRAME_SIGNED, 0, audited_inner_case },
	{ VYV_4_9, AT_BALLOT_B, FRAME_SIGNED, CAST_UNDER_AUDIT_KEY, audit_key_case },
	{ VYV_4_10, AT_BALLOT_B, FRAME_SIGNED, 0, over_limit_case },
	{ VYV_5_1, AT_AUDITED, FRAME_SIGNED, VYV_5_1, audited_case },
	{ VYV_5_1, AT_AUDITED, FRAME_SIGNED, CARRIES_CREDENTIAL, audited_case },
	{ VYV_5_2, AT_AUDITED, FRAME_SIGNED, VYV_5_2, audited_case },
	{ VYV_5_4, AT_AUDITED, FRAME_SIGNED, AUDIT_CIPHERTEXTS_OF_A, audit_key_case },
	{ VYV_5_5, AT_AUDITED, FRAME_SIGNED, AUDIT_UNDER_CREDENTIAL_A, audit_key_case },
	{ VYV_5_5, AT_BALLOT_C2, FRAME_SIGNED, AUDIT_KEY_AGAIN, audit_key_case },
	{ VYV_6_1, AT_CLOSE, FRAME_SIGNED, 0, close_case },
	{ VYV_6_2, AT_ISSUED, FRAME_SIGNED, VYV_6_2, issued_case },
	{ VYV_6_3, AT_ISSUED, FRAME_SIGNED, VYV_6_3, issued_case },
	/* the tally before the registrar's statement: out of its place */
	{ VYV_1_7, AT_ISSUED, FRAME_SIGNED, AT_TALLY, moved_case },
	{ VYV_7_1, AT_TALLY, FRAME_SIGNED, 0, tally_case },
	{ VYV_10_1, AT_WITNESSED, FRAME_SIGNED, VYV_10_1, witnessed_case },
	{ VYV_10_2, AT_WITNESSED, FRAME_SIGNED, VYV_10_2, witnessed_case },
	{ VYV_10_3, AT_WITNESSED, FRAME_SIGNED, VYV_10_3, witnessed_case },
	/* a partial decryption before the tally's checkpoint is cosigned */
	{ VYV_1_7, AT_WITNESSED, FRAME_SIGNED, AT_PARTIAL, moved_case },
	{ VYV_7_2, AT_PARTIAL, FRAME_SIGNED, 0, partial_case },
	{ VYV_7_3, AT_RESULT, FRAME_SIGNED, VYV_7_3, result_case },
	{ VYV_7_4, AT_RESULT, FRAME_SIGNED, VYV_7_4, result_case },
	{ VYV_7_5, AT_RESULT, FRAME_SIGNED, VYV_7_5, result_case },
};

/* Checks that cannot fail alone (specs/verification.md, "Checks that
 * cannot fail alone"): V2.9, V4.7, V5.3; V1.0, V1.1 and V8.x, V9.1 are
 * tampered with in tests/test_verify_record.c. */

static int setup(void **state)
{
	(void)state;
	vytest_init();
	build_election();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vyf_record_free(&rec);
	return 0;
}

/* The untampered record verifies, with one job and with three. */
static void test_untampered(void **state)
{
	size_t len;
	int type;
	uint8_t *p = raw_payload(AT_CLOSE, &len, &type);
	uint8_t *b = tampered(AT_CLOSE, type, p, len, FRAME_SIGNED, &len);
	vyv_report rep;

	(void)state;
	verify_bytes(b, len, 1, &rep);
	assert_int_equal(rep.outcome, VYV_OK);
	verify_bytes(b, len, 3, &rep);
	assert_int_equal(rep.outcome, VYV_OK);
	free(b);
	free(p);
}

/* Every row: exactly its check fails, at its entry; the report says so. */
static void test_each_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const tamper_case *k = &cases[i];
		size_t plen, len;
		int type;
		uint8_t *p = k->make(k->arg, &plen, &type);
		uint8_t *b = tampered(k->at, type, p, plen, k->how, &len);
		/* the report names an entry by its position, a forged seq field too */
		size_t want_seq = k->at;
		vyv_report rep;
		char *text = NULL;
		size_t tlen = 0;
		FILE *f;

		for (unsigned jobs = 1; jobs <= 2; jobs++) {
			verify_bytes(b, len, jobs, &rep);
			if (rep.outcome != VYV_FAILED || rep.failed_check != k->check || !rep.failed_seq_known ||
			    rep.failed_seq != want_seq)
				fail_msg("row %zu: expected %s at entry %zu, got outcome %d %s at %llu: %s", i,
					 vyv_check_id(k->check), want_seq, (int)rep.outcome, vyv_check_id(rep.failed_check),
					 (unsigned long long)rep.failed_seq, rep.why.msg);
		}
		/* The text report: one check line FAILED, and the verdict names it. */
		f = open_memstream(&text, &tlen);
		assert_non_null(f);
		vyv_report_print(f, &rep);
		assert_int_equal(fclose(f), 0);
		{
			char want[64];
			size_t n = 0;

			snprintf(want, sizeof want, "FAILED %s at entry %zu:", vyv_check_id(k->check), want_seq);
			for (const char *s = text; (s = strstr(s, "FAILED")) != NULL; s++)
				n++;
			if (n != 2 || strstr(text, want) == NULL)
				fail_msg("row %zu: want one FAILED check and \"%s\":\n%s", i, want, text);
		}
		free(text);
		free(b);
		free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_untampered),
		cmocka_unit_test(test_each_check),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
