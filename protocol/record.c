/*
 * The election record (specs/protocol.md §7, §8): entry hashes, the chain,
 * board signatures, receipts, the record state and the validity rules of
 * the manifest, ballot, audited-ballot and close entries. The key
 * ceremony's rules are in ceremony.c, the tally stage's in tally.c; which
 * rule and which application an entry type has is the table's
 * (entry_types.c).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/vy_hash.h"
#include "protocol/record_impl.h"
#include "protocol/vy_entry_types.h"

#define CRED_INITIAL_CAP 1024
#define CRED_CTS_INITIAL_CAP 64

void vy_record_state_init(vy_record_state *st)
{
	memset(st, 0, sizeof *st);
	randombytes_buf(st->cred_hash_key, sizeof st->cred_hash_key);
}

void vy_record_state_free(vy_record_state *st)
{
	for (size_t i = 0; i < VY_MAX_TRUSTEES; i++)
		free(st->trustees[i].commitments);
	vy_tally_free(st);
	free(st->cred_keys);
	free(st->cred_last_seq);
	free(st->cred_ballots);
	free(st->cred_ref);
	free(st->cred_cts);
	vy_replay_free(st);
	vy_msg_free(st->manifest);
	memset(st, 0, sizeof *st);
}

void vy_record_state_set_registrar_verifier(vy_record_state *st, vy_registrar_verify_fn fn, void *arg)
{
	st->registrar_verify = fn;
	st->registrar_arg = arg;
	st->election.registrar_verify = fn;
	st->election.registrar_arg = arg;
}

vy_rc vy_record_state_set_ballot_fetch(vy_record_state *st, vy_ballot_fetch_fn fetch, void *arg)
{
	if (st->cred_count != 0 || st->cred_cts != NULL)
		return VY_R_ARG;
	st->ballot_fetch = fetch;
	st->ballot_fetch_arg = arg;
	return VY_R_OK;
}

/* Slot of pk in the open-addressing table: its own or the first empty one. */
static size_t cred_slot(const vy_record_state *st, const uint8_t *pk)
{
	uint8_t h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	size_t i;

	crypto_shorthash(h, pk, VY_ED25519_PK_BYTES, st->cred_hash_key);
	for (size_t k = 0; k < sizeof h; k++)
		v = v << 8 | h[k];
	i = (size_t)(v & (st->cred_cap - 1));
	while (st->cred_last_seq[i] != 0 && memcmp(st->cred_keys[i], pk, VY_ED25519_PK_BYTES) != 0)
		i = (i + 1) & (st->cred_cap - 1);
	return i;
}

uint64_t vy_record_state_last_ballot(const vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES], int *found)
{
	size_t i;

	*found = 0;
	if (st->cred_cap == 0)
		return 0;
	i = cred_slot(st, pk);
	if (st->cred_last_seq[i] == 0)
		return 0;
	*found = 1;
	return st->cred_last_seq[i];
}

uint32_t vy_record_state_ballots_of(const vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES])
{
	size_t i;

	if (st->cred_cap == 0)
		return 0;
	i = cred_slot(st, pk);
	return st->cred_last_seq[i] == 0 ? 0 : st->cred_ballots[i];
}

/* Double the table (or create it). Slots hold seq >= 1: a ballot is never entry 0. */
static vy_rc cred_grow(vy_record_state *st)
{
	vy_record_state old = *st;
	size_t cap = st->cred_cap ? 2 * st->cred_cap : CRED_INITIAL_CAP;

	st->cred_keys = calloc(cap, sizeof *st->cred_keys);
	st->cred_last_seq = calloc(cap, sizeof *st->cred_last_seq);
	st->cred_ref = st->ballot_fetch == NULL ? calloc(cap, sizeof *st->cred_ref) : NULL;
	st->cred_ballots = calloc(cap, sizeof *st->cred_ballots);
	if (st->cred_keys == NULL || st->cred_last_seq == NULL ||
	    (st->ballot_fetch == NULL && st->cred_ref == NULL) || st->cred_ballots == NULL) {
		free(st->cred_keys);
		free(st->cred_last_seq);
		free(st->cred_ref);
		free(st->cred_ballots);
		st->cred_keys = old.cred_keys;
		st->cred_last_seq = old.cred_last_seq;
		st->cred_ref = old.cred_ref;
		st->cred_ballots = old.cred_ballots;
		return VY_R_NOMEM;
	}
	st->cred_cap = cap;
	for (size_t i = 0; i < old.cred_cap; i++) {
		if (old.cred_last_seq[i] == 0)
			continue;
		size_t j = cred_slot(st, old.cred_keys[i]);
		memcpy(st->cred_keys[j], old.cred_keys[i], VY_ED25519_PK_BYTES);
		st->cred_last_seq[j] = old.cred_last_seq[i];
		if (st->cred_ref != NULL)
			st->cred_ref[j] = old.cred_ref[i];
		st->cred_ballots[j] = old.cred_ballots[i];
	}
	free(old.cred_keys);
	free(old.cred_last_seq);
	free(old.cred_ref);
	free(old.cred_ballots);
	return VY_R_OK;
}

/* Bytes of one credential's stored ciphertexts (§10.1). */
static size_t cred_cts_bytes(const vy_record_state *st)
{
	return 2 * vy_group_elem_bytes(st->election.group) * st->n_sel;
}

/* Room for one more credential in the table and, unless ballots are
 * fetched, in the ciphertext store. */
static vy_rc cred_reserve(vy_record_state *st)
{
	size_t cap;
	uint8_t *p;

	if (2 * (st->cred_count + 1) > st->cred_cap && cred_grow(st) != VY_R_OK)
		return VY_R_NOMEM;
	if (st->ballot_fetch != NULL || st->cred_count < st->cred_cts_cap)
		return VY_R_OK;
	cap = st->cred_cts_cap ? 2 * st->cred_cts_cap : CRED_CTS_INITIAL_CAP;
	p = realloc(st->cred_cts, cap * cred_cts_bytes(st));
	if (p == NULL)
		return VY_R_NOMEM;
	st->cred_cts = p;
	st->cred_cts_cap = cap;
	return VY_R_OK;
}

/* §10.1: the ciphertexts of the ballot at seq, credential pk's last,
 * fetched (ballot_fetch), into a malloc'd *out. */
static vy_rc fetched_cts(vy_record_state *st, const uint8_t *pk, uint64_t seq, uint8_t **out, vy_reason *why)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__Ballot *b = NULL;
	vy_rc rc;

	*out = NULL;
	rc = st->ballot_fetch(st->ballot_fetch_arg, seq, &e, why);
	if (rc != VY_R_OK)
		return rc;
	if (e->seq != seq || e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT)
		rc = vy_reason_set(why, VY_R_SEQ, "ballot: the previous ballot of its credential, entry %llu, is not there",
				   (unsigned long long)seq);
	if (rc == VY_R_OK)
		rc = vy_decode_ballot(&b, e->payload.data, e->payload.len, why);
	if (rc == VY_R_OK && (b->credential == NULL || b->credential->public_key.len != VY_ED25519_PK_BYTES ||
			      memcmp(b->credential->public_key.data, pk, VY_ED25519_PK_BYTES) != 0))
		rc = vy_reason_set(why, VY_R_SEQ, "ballot: entry %llu is not a ballot of its credential",
				   (unsigned long long)seq);
	if (rc == VY_R_OK) {
		*out = malloc(cred_cts_bytes(st) ? cred_cts_bytes(st) : 1);
		rc = *out == NULL ? vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory")
				  : vy_tally_ballot_cts(st, b, *out, why);
	}
	if (rc != VY_R_OK) {
		free(*out);
		*out = NULL;
	}
	vy_msg_free(b);
	vy_msg_free(e);
	return rc;
}

/* §3.6, §10.1: count ballot b (entry seq) as its credential's last ballot,
 * dividing the previous one out of the tally: its ciphertexts kept in
 * cred_cts, or fetched by seq (ballot_fetch; not under a restart
 * checkpoint, where the tally is not counted). Nothing changes on
 * failure. */
static vy_rc cred_set(vy_record_state *st, const Vybar__Ballot *b, uint64_t seq, vy_reason *why)
{
	const uint8_t *pk = b->credential->public_key.data;
	size_t i, ref = 0;
	int had;
	uint8_t *slot = NULL, *fetched = NULL;
	const uint8_t *prev = NULL;
	vy_rc rc;

	if (cred_reserve(st) != VY_R_OK)
		return vy_reason_set(why, VY_R_NOMEM, "ballot: out of memory");
	i = cred_slot(st, pk);
	had = st->cred_last_seq[i] != 0;
	if (st->ballot_fetch == NULL) {
		ref = had ? st->cred_ref[i] : st->cred_count;
		slot = st->cred_cts + ref * cred_cts_bytes(st);
		prev = had ? slot : NULL;
	} else if (had && !st->tally_deferred) {
		rc = fetched_cts(st, pk, st->cred_last_seq[i], &fetched, why);
		if (rc != VY_R_OK)
			return rc;
		prev = fetched;
	}
	rc = vy_tally_count_ballot(st, b, prev, slot, why);
	free(fetched);
	if (rc != VY_R_OK)
		return rc;
	if (!had) {
		memcpy(st->cred_keys[i], pk, VY_ED25519_PK_BYTES);
		if (st->cred_ref != NULL)
			st->cred_ref[i] = ref;
		st->cred_ballots[i] = 0;
		st->cred_count++;
	}
	st->cred_last_seq[i] = seq;
	st->cred_ballots[i]++;
	return VY_R_OK;
}

/* ---- entries ---- */

void vy_entry_hash(uint8_t out[VY_HASH_BYTES], uint64_t seq, const uint8_t *prev_hash, size_t prev_len,
		   uint64_t type, const uint8_t *payload, size_t payload_len)
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_ENTRY);
	vy_hasher_u64(&h, seq);
	vy_hasher_item(&h, prev_hash, prev_len);
	vy_hasher_u64(&h, type);
	vy_hasher_item(&h, payload, payload_len);
	vy_hasher_final(&h, out);
}

void vy_entry_hash_of(uint8_t out[VY_HASH_BYTES], const Vybar__RecordEntry *e)
{
	vy_entry_hash(out, e->seq, e->prev_hash.data, e->prev_hash.len, (uint64_t)e->type, e->payload.data,
		      e->payload.len);
}

void vy_entry_make(Vybar__RecordEntry *e, uint8_t sig_buf[VY_ENTRY_SIG_BUF_BYTES], const vy_record_state *st,
		   Vybar__EntryType type, const uint8_t *payload, size_t payload_len, const uint8_t *board_sk)
{
	uint8_t h[VY_HASH_BYTES];

	vybar__record_entry__init(e);
	memcpy(sig_buf, st->head_hash, VY_HASH_BYTES);
	e->seq = st->next_seq;
	e->prev_hash.data = sig_buf;
	e->prev_hash.len = VY_HASH_BYTES;
	e->type = type;
	e->payload.data = (uint8_t *)payload;
	e->payload.len = payload_len;
	vy_entry_hash_of(h, e);
	crypto_sign_detached(sig_buf + VY_HASH_BYTES, NULL, h, sizeof h, board_sk);
	e->signature.data = sig_buf + VY_HASH_BYTES;
	e->signature.len = VY_ED25519_SIG_BYTES;
}

const char *vy_phase_name(vy_phase p)
{
	static const char *const names[] = { "empty", "setup", "open", "closed", "tallied" };

	return (unsigned)p <= VY_PHASE_TALLIED ? names[p] : "?";
}

/* §8.1: the frame: sequence number, chain, board signature. For entry 0
 * the board key comes from the manifest it carries. */
static vy_rc check_frame(const vy_record_state *st, const Vybar__RecordEntry *e, const uint8_t *board_pk,
			 unsigned flags, vy_reason *why)
{
	if (e->seq != st->next_seq)
		return vy_reason_set(why, VY_R_SEQ, "entry seq %llu, expected %llu", (unsigned long long)e->seq,
				     (unsigned long long)st->next_seq);
	if (e->prev_hash.len != VY_HASH_BYTES || memcmp(e->prev_hash.data, st->head_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_CHAIN, "entry %llu: prev_hash is not the hash of entry %lld",
				     (unsigned long long)e->seq, (long long)e->seq - 1);
	if (flags & VY_CHECK_SKIP_BOARD_SIGNATURE)
		return VY_R_OK;
	return vy_entry_signature_check(board_pk, e, why);
}

vy_rc vy_entry_signature_check(const uint8_t board_pk[VY_ED25519_PK_BYTES], const Vybar__RecordEntry *e,
			       vy_reason *why)
{
	uint8_t h[VY_HASH_BYTES];

	vy_entry_hash_of(h, e);
	if (e->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(e->signature.data, h, sizeof h, board_pk) != 0)
		return vy_reason_set(why, VY_R_BOARD_SIGNATURE, "entry %llu: board signature does not verify",
				     (unsigned long long)e->seq);
	return VY_R_OK;
}

/* Entry 0: the manifest is valid, then the frame under the manifest's own board key. */
static vy_rc validate_first(const vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	Vybar__Manifest *m = NULL;
	vy_rc rc;

	if (e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST)
		return vy_reason_set(why, VY_R_PHASE, "entry 0 must be the manifest");
	rc = vy_validate_manifest_entry(st, e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vy_decode_manifest(&m, e->payload.data, e->payload.len, why);
	if (rc == VY_R_OK)
		rc = check_frame(st, e, m->board_key.data, 0, why);
	vy_msg_free(m);
	return rc;
}

static vy_rc need_phase(const vy_record_state *st, vy_phase p, const char *what, vy_reason *why);

/* Only the phase, the decoding and the rules that depend on the record
 * state (b->state) of a ballot or audited ballot whose proofs, credential
 * and signatures the caller already checked (flags of
 * vy_validate_entry_flags). */
static vy_rc validate_prechecked(const vy_record_state *st, const vy_ballot_rules *b, const Vybar__RecordEntry *e,
				 vy_reason *why)
{
	vy_rc rc = need_phase(st, VY_PHASE_OPEN, b->what, why);

	if (rc == VY_R_OK)
		rc = b->check(NULL, e->payload.data, e->payload.len, why);
	if (rc == VY_R_OK)
		rc = b->state(st, e->payload.data, e->payload.len, why);
	return rc;
}

vy_rc vy_validate_entry(const vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	return vy_validate_entry_flags(st, e, 0, why);
}

vy_rc vy_validate_entry_flags(const vy_record_state *st, const Vybar__RecordEntry *e, unsigned flags,
			      vy_reason *why)
{
	const vy_entry_type_info *t;
	vy_rc rc;

	if (st == NULL || e == NULL)
		return vy_reason_set(why, VY_R_ARG, "entry: NULL argument");
	if (st->phase == VY_PHASE_EMPTY)
		return validate_first(st, e, why);
	t = vy_entry_type(e->type);
	if (t == NULL)
		return vy_reason_set(why, VY_R_UNKNOWN_TYPE, "entry %llu: unknown type %d", (unsigned long long)e->seq,
				     (int)e->type);
	rc = check_frame(st, e, st->manifest->board_key.data, flags, why);
	if (rc != VY_R_OK)
		return rc;
	if ((flags & VY_CHECK_SKIP_BALLOT) && t->ballot != NULL)
		return validate_prechecked(st, t->ballot, e, why);
	rc = t->validate(st, e->payload.data, e->payload.len, why);
	if (rc == VY_R_OK)
		rc = vy_admin_signature_check(st, e->type, e->payload.data, e->payload.len, why);
	return rc;
}

/* Phase check shared by the validators. */
static vy_rc need_phase(const vy_record_state *st, vy_phase p, const char *what, vy_reason *why)
{
	if (st->phase != p)
		return vy_reason_set(why, VY_R_PHASE, "%s: only in phase %s, the record is in phase %s", what,
				     vy_phase_name(p), vy_phase_name(st->phase));
	return VY_R_OK;
}

/* §8.2: the manifest is entry 0 and valid (§3.3). */
vy_rc vy_validate_manifest_entry(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__Manifest *m = NULL;
	vy_rc rc;

	rc = need_phase(st, VY_PHASE_EMPTY, "manifest", why);
	if (rc == VY_R_OK)
		rc = vy_decode_manifest(&m, p, n, why);
	if (rc == VY_R_OK)
		rc = vy_manifest_validate(m, why);
	vy_msg_free(m);
	return rc;
}

/* §4.5: payload p decodes as a Ballot and, unless e is NULL, the ballot
 * is valid in election e. */
vy_rc vy_ballot_payload_check(const vy_election *e, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__Ballot *b = NULL;
	vy_rc rc = vy_decode_ballot(&b, p, n, why);

	if (rc == VY_R_OK && e != NULL)
		rc = vy_ballot_validate(e, b, why);
	vy_msg_free(b);
	return rc;
}

/* §6: the same for an AuditedBallot. */
vy_rc vy_audited_payload_check(const vy_election *e, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__AuditedBallot *a = NULL;
	vy_rc rc = vy_decode_audited_ballot(&a, p, n, why);

	if (rc == VY_R_OK && e != NULL)
		rc = vy_audited_ballot_check(e, a, why);
	vy_msg_free(a);
	return rc;
}

/* §8.6 steps 2 to 4: what a ballot's validity owes to the record so far:
 * none of its ciphertexts stands on it already (V4.8), its credential key
 * is no audited ballot's one-time key (V4.9), and the credential has cast
 * fewer than max_ballots_per_credential ballots (V4.10). */
vy_rc vy_ballot_state_rules(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__Ballot *b = NULL;
	vy_rc rc = vy_decode_ballot(&b, p, n, why);

	if (rc == VY_R_OK)
		rc = vy_replay_check(st, b, "V4.8", why);
	if (rc == VY_R_OK && b->credential != NULL && b->credential->public_key.len == VY_ED25519_PK_BYTES &&
	    vy_audit_key_seen(st, b->credential->public_key.data))
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_KEY,
						   "ballot credential public_key: the one-time key of an audited ballot "
						   "on the record, whose choices are public"),
				     "V4.9");
	if (rc == VY_R_OK && b->credential != NULL && b->credential->public_key.len == VY_ED25519_PK_BYTES &&
	    st->manifest != NULL &&
	    vy_record_state_ballots_of(st, b->credential->public_key.data) >= st->manifest->max_ballots_per_credential)
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_BALLOT_LIMIT,
						   "ballot: this credential has cast %u ballots already, the limit "
						   "(max_ballots_per_credential)",
						   st->manifest->max_ballots_per_credential),
				     "V4.10");
	vy_msg_free(b);
	return rc;
}

/* §8.7 steps 2 and 3: what an audited ballot owes to the record so far:
 * none of its ciphertexts stands on it already (V5.4), and its one-time
 * key is neither a credential that cast a BALLOT nor the key of an earlier
 * AUDITED_BALLOT (V5.5). */
vy_rc vy_audited_state_rules(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__AuditedBallot *a = NULL;
	const uint8_t *pk;
	int found = 0;
	vy_rc rc = vy_decode_audited_ballot(&a, p, n, why);

	if (rc != VY_R_OK)
		return rc;
	if (a->ballot == NULL || a->ballot->credential == NULL ||
	    a->ballot->credential->public_key.len != VY_ED25519_PK_BYTES) {
		rc = vy_reason_check(why, vy_reason_set(why, VY_R_FIELD, "audited ballot: no one-time key"), "V5.1");
		goto out;
	}
	rc = vy_replay_check(st, a->ballot, "V5.4", why);
	if (rc != VY_R_OK)
		goto out;
	pk = a->ballot->credential->public_key.data;
	(void)vy_record_state_last_ballot(st, pk, &found);
	if (found || vy_audit_key_seen(st, pk))
		rc = vy_reason_check(why,
				     vy_reason_set(why, VY_R_KEY, "audited ballot: its one-time key is %s",
						   found ? "a credential that cast a ballot on the record"
							 : "the key of an earlier audited ballot"),
				     "V5.5");
out:
	vy_msg_free(a);
	return rc;
}

/* §8.6: a ballot, while voting is open. */
vy_rc vy_validate_ballot_entry(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	vy_rc rc = need_phase(st, VY_PHASE_OPEN, "ballot", why);

	if (rc == VY_R_OK)
		rc = vy_ballot_payload_check(&st->election, p, n, why);
	return rc != VY_R_OK ? rc : vy_ballot_state_rules(st, p, n, why);
}

/* §8.7: an audited ballot, while voting is open. */
vy_rc vy_validate_audited_entry(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	vy_rc rc = need_phase(st, VY_PHASE_OPEN, "audited ballot", why);

	if (rc == VY_R_OK)
		rc = vy_audited_payload_check(&st->election, p, n, why);
	return rc != VY_R_OK ? rc : vy_audited_state_rules(st, p, n, why);
}

/* §8.8: close, while open; the count of ballots matches the record. */
vy_rc vy_validate_election_close(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why)
{
	Vybar__ElectionClose *c = NULL;
	vy_rc rc;

	rc = need_phase(st, VY_PHASE_OPEN, "close", why);
	if (rc == VY_R_OK)
		rc = vy_decode_message((ProtobufCMessage **)&c, &vybar__election_close__descriptor, VY_MAX_MESSAGE_BYTES,
				       p, n, why);
	if (rc == VY_R_OK && c->ballots_received != st->ballots)
		rc = vy_reason_set(why, VY_R_FIELD, "close: ballots_received %llu, the record holds %llu",
				   (unsigned long long)c->ballots_received, (unsigned long long)st->ballots);
	vy_msg_free(c);
	return rc;
}

/* Apply entry 0. */
vy_rc vy_record_apply_manifest(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	vy_rc rc;

	rc = vy_decode_manifest(&st->manifest, e->payload.data, e->payload.len, why);
	if (rc == VY_R_OK)
		rc = vy_election_init(&st->election, st->manifest, why);
	if (rc == VY_R_OK)
		rc = vy_tally_init(st, why);
	if (rc != VY_R_OK) {
		vy_msg_free(st->manifest);
		st->manifest = NULL;
		return rc;
	}
	st->election.registrar_verify = st->registrar_verify;
	st->election.registrar_arg = st->registrar_arg;
	st->phase = VY_PHASE_SETUP;
	return VY_R_OK;
}

/* Apply a ballot: it becomes its credential's last ballot (§3.6) and
 * replaces the previous one in the running tally (§10.1). */
vy_rc vy_record_apply_ballot(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	Vybar__Ballot *b = NULL;
	vy_rc rc;

	rc = vy_decode_ballot(&b, e->payload.data, e->payload.len, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vy_replay_add(st, b);
	if (rc == VY_R_OK)
		rc = cred_set(st, b, e->seq, why);
	vy_msg_free(b);
	if (rc != VY_R_OK)
		return rc == VY_R_NOMEM ? vy_reason_set(why, rc, "ballot: out of memory") : rc;
	st->ballots++;
	return VY_R_OK;
}

/* An audited ballot is never counted (§6); its ciphertexts may never be
 * cast (V4.8), nor its one-time key cast (V4.9) or used again (V5.5). */
vy_rc vy_record_apply_audited(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	Vybar__AuditedBallot *a = NULL;
	vy_rc rc = vy_decode_audited_ballot(&a, e->payload.data, e->payload.len, why);

	if (rc == VY_R_OK && a->ballot != NULL &&
	    (vy_replay_add(st, a->ballot) != VY_R_OK ||
	     (a->ballot->credential != NULL && a->ballot->credential->public_key.len == VY_ED25519_PK_BYTES &&
	      vy_audit_key_add(st, a->ballot->credential->public_key.data) != VY_R_OK)))
		rc = vy_reason_set(why, VY_R_NOMEM, "audited ballot: out of memory");
	vy_msg_free(a);
	if (rc != VY_R_OK)
		return rc;
	st->audited++;
	return VY_R_OK;
}

vy_rc vy_record_apply_close(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	(void)e;
	(void)why;
	st->phase = VY_PHASE_CLOSED;
	return VY_R_OK;
}

vy_rc vy_record_state_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	const vy_entry_type_info *t = vy_entry_type(e->type);
	vy_rc rc;

	if (t == NULL)
		return vy_reason_set(why, VY_R_UNKNOWN_TYPE, "apply: unknown entry type %d", (int)e->type);
	rc = t->apply(st, e, why);
	if (rc != VY_R_OK)
		return rc;
	vy_entry_hash_of(st->head_hash, e);
	{
		uint8_t leaf[VY_MERKLE_HASH_BYTES];

		vy_merkle_leaf_hash(leaf, st->head_hash, VY_HASH_BYTES); /* witness.md §2 */
		vy_merkle_acc_add(&st->tree, leaf);
	}
	if (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN)
		memcpy(st->open_hash, st->head_hash, VY_HASH_BYTES); /* §11.1: the seats' tie seed */
	st->next_seq++;
	return VY_R_OK;
}

vy_rc vy_record_accept(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	vy_rc rc = vy_validate_entry(st, e, why);

	if (rc != VY_R_OK)
		return rc;
	return vy_record_state_apply(st, e, why);
}

/* ---- receipts (§7.5) ---- */

void vy_receipt_hash(uint8_t out[VY_HASH_BYTES], const char *tracking_code, uint64_t seq,
		     const uint8_t head_hash[VY_HASH_BYTES])
{
	vy_hasher h;

	vy_hasher_init(&h, VY_TAG_RECEIPT);
	vy_hasher_item(&h, (const uint8_t *)tracking_code, strlen(tracking_code));
	vy_hasher_u64(&h, seq);
	vy_hasher_item(&h, head_hash, VY_HASH_BYTES);
	vy_hasher_final(&h, out);
}

void vy_receipt_make(Vybar__Receipt *r, uint8_t sig[VY_ED25519_SIG_BYTES], const char *tracking_code, uint64_t seq,
		     const uint8_t head_hash[VY_HASH_BYTES], const uint8_t *board_sk)
{
	uint8_t h[VY_HASH_BYTES];

	vybar__receipt__init(r);
	r->tracking_code = (char *)tracking_code;
	r->seq = seq;
	r->head_hash.data = (uint8_t *)head_hash;
	r->head_hash.len = VY_HASH_BYTES;
	vy_receipt_hash(h, tracking_code, seq, head_hash);
	crypto_sign_detached(sig, NULL, h, sizeof h, board_sk);
	r->signature.data = sig;
	r->signature.len = VY_ED25519_SIG_BYTES;
}

vy_rc vy_receipt_verify(const uint8_t board_pk[VY_ED25519_PK_BYTES], const Vybar__Receipt *r, vy_reason *why)
{
	uint8_t h[VY_HASH_BYTES];

	if (board_pk == NULL || r == NULL)
		return vy_reason_set(why, VY_R_ARG, "receipt: NULL argument");
	if (r->tracking_code == NULL || strlen(r->tracking_code) != VY_TRACKING_CODE_LEN)
		return vy_reason_set(why, VY_R_RECEIPT, "receipt: tracking code must be %d characters",
				     VY_TRACKING_CODE_LEN);
	if (r->head_hash.len != VY_HASH_BYTES)
		return vy_reason_set(why, VY_R_RECEIPT, "receipt: head_hash must be %d bytes", VY_HASH_BYTES);
	vy_receipt_hash(h, r->tracking_code, r->seq, r->head_hash.data);
	if (r->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(r->signature.data, h, sizeof h, board_pk) != 0)
		return vy_reason_set(why, VY_R_RECEIPT, "receipt: board signature does not verify");
	return VY_R_OK;
}
