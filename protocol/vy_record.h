/*
 * The election record (specs/protocol.md §5, §7, §8): entries, the hash
 * chain, board signatures, receipts, the validity rules of every entry type,
 * and the record file.
 *
 * The validity rules are the ONE definition of "valid": the board calls
 * vy_validate_entry() before it appends anything, the verifier calls it again
 * on every entry of the record, in order, applying each accepted entry with
 * vy_record_state_apply().
 */
#ifndef VY_RECORD_H
#define VY_RECORD_H

#include <stdio.h>

#include "protocol/vy_election.h"
#include "protocol/vy_merkle.h"

/* Phases (§7.4). */
typedef enum {
	VY_PHASE_EMPTY = 0,   /* nothing yet: only the manifest may come */
	VY_PHASE_SETUP = 1,   /* key ceremony */
	VY_PHASE_OPEN = 2,    /* ballots accepted */
	VY_PHASE_CLOSED = 3,  /* tally and decryption */
	VY_PHASE_TALLIED = 4  /* result published: nothing more */
} vy_phase;

/* "empty", "setup", "open", "closed", "tallied": a phase as messages and the
 * board's status name it; "?" for no phase. */
const char *vy_phase_name(vy_phase p);

/* One trustee as the record knows it. The int flags are 0 or 1. */
typedef struct {
	int announced, revealed, verdict;
	int justified;            /* its KeyJustification is on the record (§5.3) */
	int qualified;            /* set by ELECTION_OPEN (§5.5) */
	int decrypted;            /* its partial decryption is on the record (§10.2) */
	uint64_t complained_by;   /* bit k-1 set: trustee k complained against it (§5.3) */
	uint8_t commitment_hash[VY_HASH_BYTES];
	vy_elem *commitments;     /* t elements once revealed */
	vy_elem vk;               /* verification key vk_i, once qualified (§5.5) */
	uint8_t *dec_shares;      /* n_sel encodings of M_i = alpha^{s_i}, once decrypted */
} vy_trustee_state;

/* Fetch the entry at seq, a BALLOT on the record, into *out (free with
 * vy_msg_free; NULL on failure): how a holder of the record that keeps it
 * elsewhere (the board's store) gives back a credential's previous ballot
 * on a revote (§10.1), instead of the state keeping its ciphertexts. */
typedef vy_rc (*vy_ballot_fetch_fn)(void *arg, uint64_t seq, Vybar__RecordEntry **out, vy_reason *why);

/* The bytes of an alpha's digest kept by the no-replay set (replay.c). */
#define VY_REPLAY_DIGEST_BYTES 16

/* What later checks need from the record so far. Fields are read-only for
 * callers: only vy_record_state_apply() changes them. */
typedef struct {
	vy_phase phase;
	uint64_t next_seq;
	uint8_t head_hash[VY_HASH_BYTES]; /* hash of the last entry; zero before entry 0 */
	Vybar__Manifest *manifest;        /* owned */
	vy_election election;
	vy_trustee_state trustees[VY_MAX_TRUSTEES];
	/* credential public key -> seq of its last accepted ballot (§3.6) */
	uint8_t (*cred_keys)[VY_ED25519_PK_BYTES];
	uint64_t *cred_last_seq;
	uint32_t *cred_ballots; /* its accepted ballots so far (§3.6, V4.10) */
	size_t cred_cap, cred_count;
	uint8_t cred_hash_key[16];
	uint64_t ballots, audited;
	vy_registrar_verify_fn registrar_verify;
	void *registrar_arg;
	/* The counted ballots (§10.1). n_sel is the number of selections of the
	 * whole manifest (every contest's options or lists, contests in order);
	 * tally[j] is the running product of selection j over the counted
	 * ballots. To divide a superseded ballot out on a revote, the ciphertexts
	 * of every credential's last ballot are kept: cred_cts holds
	 * 2 * elem_bytes * n_sel bytes per credential, in order of first
	 * appearance (cred_ref maps a table slot to its position). Memory:
	 * about (2 * elem_bytes * n_sel + 96) bytes per credential, e.g. 800
	 * bytes for a 1-of-11 ristretto255 election. With ballot_fetch set
	 * (vy_record_state_set_ballot_fetch), none of them is kept: a revote
	 * fetches the previous ballot from cred_last_seq instead. */
	size_t n_sel;
	vy_ciphertext *tally;
	/* Set by a board replaying the entries a restart checkpoint covers
	 * (bulletin/checkpoint.h): a ballot then only replaces its credential's
	 * stored ciphertexts (if any are kept), and tally is left alone until
	 * the board sets it from the checkpoint and clears this. 0 everywhere
	 * else. */
	int tally_deferred;
	vy_ballot_fetch_fn ballot_fetch; /* NULL: cred_cts is kept */
	void *ballot_fetch_arg;
	size_t *cred_ref;
	uint8_t *cred_cts;
	size_t cred_cts_cap;
	/* §8.12: the registrar's CREDENTIALS_ISSUED statement */
	int have_issued;
	uint64_t issued; /* its count of credentials issued */
	/* §10: the tally stage */
	int have_tally;
	uint8_t tally_hash[VY_HASH_BYTES]; /* entry hash of the ENCRYPTED_TALLY entry */
	uint32_t n_qualified, n_decrypted;
	/* §11.1: entry hash of the ELECTION_OPEN entry, the seats' tie seed
	 * (fixed before any ballot exists); zero before it is applied */
	uint8_t open_hash[VY_HASH_BYTES];
	/* specs/witness.md §2: the Merkle tree of the entries so far (leaf:
	 * the entry hash), kept as its peaks */
	vy_merkle_acc tree;
	int have_witnessed; /* §8.13: the WITNESSED entry is on the record */
	/* §8.6 (V4.8): the first VY_REPLAY_DIGEST_BYTES of the SHA-256 of
	 * every alpha of every BALLOT and AUDITED_BALLOT so far, in an
	 * open-addressing set at most 3/4 full (an all-zero slot is empty):
	 * about 21 to 43 bytes an alpha (replay.c) */
	uint8_t (*alphas)[VY_REPLAY_DIGEST_BYTES];
	size_t alpha_cap, alpha_count;
} vy_record_state;

void vy_record_state_init(vy_record_state *st);
void vy_record_state_free(vy_record_state *st);
/* The registrar-signature verifier used for ballots (see vy_election.h). */
void vy_record_state_set_registrar_verifier(vy_record_state *st, vy_registrar_verify_fn fn, void *arg);
/* Keep no ciphertexts per credential: on a revote, fetch(arg, seq, ...)
 * gives back the credential's previous ballot (at seq < next_seq). Set
 * before the first ballot is applied (VY_R_ARG after). */
vy_rc vy_record_state_set_ballot_fetch(vy_record_state *st, vy_ballot_fetch_fn fetch, void *arg) VY_WARN_UNUSED;
/* The number of accepted ballots of a credential (§3.6, V4.10); 0 if none. */
uint32_t vy_record_state_ballots_of(const vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES]);
/* Seq of the last accepted ballot of a credential; 0 and *found = 0 if none. */
uint64_t vy_record_state_last_ballot(const vy_record_state *st, const uint8_t pk[VY_ED25519_PK_BYTES], int *found);

/* ---- entries (§7) ---- */

/* entry hash = H("vybar/v1/entry", u64(seq), prev_hash, u64(type), payload) (§7.2). */
void vy_entry_hash(uint8_t out[VY_HASH_BYTES], uint64_t seq, const uint8_t *prev_hash, size_t prev_len,
		   uint64_t type, const uint8_t *payload, size_t payload_len);
void vy_entry_hash_of(uint8_t out[VY_HASH_BYTES], const Vybar__RecordEntry *e);
/* Fill e as the next entry after st, signed with the board's secret key
 * (crypto_sign, 64 bytes). The entry borrows payload; its prev_hash and
 * signature point into sig_buf (96 bytes), owned by the caller. */
#define VY_ENTRY_SIG_BUF_BYTES (VY_HASH_BYTES + VY_ED25519_SIG_BYTES)
void vy_entry_make(Vybar__RecordEntry *e, uint8_t sig_buf[VY_ENTRY_SIG_BUF_BYTES], const vy_record_state *st,
		   Vybar__EntryType type, const uint8_t *payload, size_t payload_len, const uint8_t *board_sk);

/* ---- validity rules, one per entry type (§8) ----
 * Each says whether payload is valid as the next entry of that type after
 * st; vy_validate_entry checks the frame (seq, chain, board signature) and
 * dispatches on the type. */
vy_rc vy_validate_entry(const vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why) VY_WARN_UNUSED;
/* vy_validate_entry without the checks the caller has already made itself
 * (the verifier checks them in parallel, or trusts an earlier verification,
 * specs/verification.md §Incremental):
 *   VY_CHECK_SKIP_BOARD_SIGNATURE: the board signature (vy_entry_signature_check);
 *   VY_CHECK_SKIP_BALLOT: of a BALLOT or AUDITED_BALLOT, everything but the
 *     phase and the decoding (vy_ballot_validate, vy_audited_ballot_check).
 * flags = 0 is vy_validate_entry. */
#define VY_CHECK_SKIP_BOARD_SIGNATURE 1u
#define VY_CHECK_SKIP_BALLOT 2u
vy_rc vy_validate_entry_flags(const vy_record_state *st, const Vybar__RecordEntry *e, unsigned flags,
			      vy_reason *why) VY_WARN_UNUSED;
/* §7.3: the board's Ed25519 signature over the entry hash, alone. */
vy_rc vy_entry_signature_check(const uint8_t board_pk[VY_ED25519_PK_BYTES], const Vybar__RecordEntry *e,
			       vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_manifest_entry(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_key_announce(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_key_reveal(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_key_verdict(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_key_justification(const vy_record_state *st, const uint8_t *p, size_t n,
				    vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_election_open(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_ballot_entry(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_audited_entry(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_election_close(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_encrypted_tally(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_partial_decryption(const vy_record_state *st, const uint8_t *p, size_t n,
				     vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_validate_result(const vy_record_state *st, const uint8_t *p, size_t n, vy_reason *why) VY_WARN_UNUSED;

/* ---- eligibility: the registrar's count of credentials issued (§8.12) ----
 * CREDENTIALS_ISSUED carries the registrar's IssuedStatement
 * (specs/registrar.md §4.2), signed by the manifest's registrar_statement_key
 * over issued_hash = H(VY_TAG_REGISTRAR_ISSUED, base_hash, u64(issued),
 * u64(time)). The one home of the statement: the registrar makes it with
 * vy_issued_statement_pack, an observer checks it with
 * vy_issued_statement_verify, the record with the rule below.
 * protocol/eligibility.c. */
#define VY_MAX_ISSUED_BYTES 4096
void vy_issued_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t issued,
		    uint64_t time);
/* registrar.md §4.2: IssuedStatement{base_hash, issued, time, signature},
 * the signature by the statement key's secret half sk (crypto_sign, 64
 * bytes) over vy_issued_hash, packed into a malloc'd buffer; NULL when out
 * of memory. */
uint8_t *vy_issued_statement_pack(const uint8_t base_hash[VY_HASH_BYTES], uint64_t issued, uint64_t time,
				  const uint8_t *sk, size_t *len);
/* §8.12 step 2: an IssuedStatement, at most VY_MAX_ISSUED_BYTES. */
vy_rc vy_decode_issued_statement(Vybar__IssuedStatement **out, const uint8_t *buf, size_t len,
				 vy_reason *why) VY_WARN_UNUSED;
/* §8.12 steps 3-4: s is for the election of base_hash (VY_R_FIELD) and its
 * signature verifies under key, key_len bytes that must be an Ed25519 public
 * key (VY_R_FIELD for a signature of the wrong length, else
 * VY_R_REGISTRAR_SIGNATURE). */
vy_rc vy_issued_statement_check(const uint8_t *key, size_t key_len, const uint8_t base_hash[VY_HASH_BYTES],
				const Vybar__IssuedStatement *s, vy_reason *why) VY_WARN_UNUSED;
/* registrar.md §4.2, for whoever holds the registrar's statement key
 * (RegistrarPublicKeys): buf decodes and passes vy_issued_statement_check for
 * base_hash; *issued and *time receive its values (0 on failure). */
vy_rc vy_issued_statement_verify(const uint8_t statement_key[VY_ED25519_PK_BYTES],
				 const uint8_t base_hash[VY_HASH_BYTES], const uint8_t *buf, size_t len,
				 uint64_t *issued, uint64_t *time, vy_reason *why) VY_WARN_UNUSED;
/* §8.12 (V6.2, V6.3): phase CLOSED before the encrypted tally, once, for
 * this election, signed under registrar_statement_key, and the number of
 * distinct credentials that voted is at most the count issued. */
vy_rc vy_validate_credentials_issued(const vy_record_state *st, const uint8_t *p, size_t n,
				     vy_reason *why) VY_WARN_UNUSED;
/* §8.9 (V6.3): the encrypted tally needs the CREDENTIALS_ISSUED entry. */
vy_rc vy_eligibility_tally_check(const vy_record_state *st, vy_reason *why) VY_WARN_UNUSED;
/* Apply an accepted CREDENTIALS_ISSUED entry. */
vy_rc vy_credentials_issued_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why) VY_WARN_UNUSED;

/* ---- administrative actions (§12) ----
 * The commission drives the phases with AdminAction{action, base_hash,
 * head_hash, signature}, signed by the manifest's commission_key over
 * admin_hash = H(VY_TAG_ADMIN_ACTION, base_hash, u64(action), head_hash).
 * The commission signs with vy_admin_action_pack; the board authenticates
 * with vy_admin_action_check and derives the entry with vy_admin_entry.
 * protocol/admin.c. */
#define VY_MAX_ADMIN_BYTES 4096u
void vy_admin_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t action,
		   const uint8_t head_hash[VY_HASH_BYTES]);
/* §12.1: the AdminAction `action` over head_hash, signed with the
 * commission's secret key sk (crypto_sign, 64 bytes), packed into a
 * malloc'd buffer; NULL when out of memory. */
uint8_t *vy_admin_action_pack(const uint8_t base_hash[VY_HASH_BYTES], Vybar__AdminActionKind action,
			      const uint8_t head_hash[VY_HASH_BYTES], const uint8_t *sk, size_t *len);
/* §12.2, against the record st, in order: the message decodes; action is
 * 1..4 and base_hash this election's (VY_R_FIELD); head_hash is the hash of
 * the record's last entry (VY_R_CHAIN, "stale head"); the signature
 * verifies under commission_key (VY_R_KEY). *out (free with vy_msg_free) is
 * NULL on failure. */
vy_rc vy_admin_action_check(const vy_record_state *st, Vybar__AdminAction **out, const uint8_t *p, size_t n,
			    vy_reason *why) VY_WARN_UNUSED;
/* §12.3: the entry that the authenticated action a adds after st: its
 * type and payload (malloc'd), carrying a's signature (§12.4), or why the
 * record cannot take it now. */
vy_rc vy_admin_entry(const vy_record_state *st, const Vybar__AdminAction *a, Vybar__EntryType *type,
		     uint8_t **payload, size_t *len, vy_reason *why) VY_WARN_UNUSED;
/* §12.4: replace *payload (malloc'd, of a type the commission orders) by
 * the same message with commission_signature = sig. */
vy_rc vy_admin_payload_sign(Vybar__EntryType type, const uint8_t sig[VY_ED25519_SIG_BYTES], uint8_t **payload,
			    size_t *len, vy_reason *why) VY_WARN_UNUSED;
/* §12.4, V1.8: payload p of an entry of `type` about to follow st carries
 * the commission's signature of its action over st's head (VY_R_OK for a
 * type the commission does not order; VY_R_ADMIN_SIGNATURE otherwise). */
vy_rc vy_admin_signature_check(const vy_record_state *st, Vybar__EntryType type, const uint8_t *p, size_t n,
			       vy_reason *why) VY_WARN_UNUSED;

/* Record an entry that vy_validate_entry accepted. */
vy_rc vy_record_state_apply(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why) VY_WARN_UNUSED;
/* vy_validate_entry, then vy_record_state_apply. */
vy_rc vy_record_accept(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why) VY_WARN_UNUSED;

/* ---- trustee-signed ceremony messages (§5.4) ---- */
void vy_trustee_signed_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t type,
			    uint32_t trustee_index, const uint8_t *body, size_t body_len);
/* §5.1: H("vybar/v1/coefficient-commitments", base_hash, u64(index), A_0, ..., A_{t-1}). */
void vy_coefficient_commitment_hash(uint8_t out[VY_HASH_BYTES], const vy_election *e, uint32_t index,
				    const vy_elem *commits, size_t t);
/* §5.2: ctx of the Schnorr proof of coefficient j of trustee index. */
size_t vy_coefficient_proof_ctx(uint8_t out[VY_CTX_MAX_BYTES], uint32_t index, uint32_t j);
/* Wrap body in TrusteeSigned{index, body, Ed25519-sign(sk, §5.4 hash)},
 * packed into a malloc'd buffer; NULL when out of memory. */
uint8_t *vy_trustee_signed_pack(const vy_election *e, Vybar__EntryType type, uint32_t index, const uint8_t *body,
				size_t body_len, const uint8_t *sk, size_t *len);
/* §5.3, for trustee `to`: open the sealed share that trustee `from` sent it
 * in its KeyReveal (decoded) with to's X25519 key pair, and check it
 * against from's commitments (from's reveal must be on the record).
 * VY_R_COMMITMENT when it does not open or does not match: `to` must then
 * complain against `from`. share is zero on failure. */
vy_rc vy_ceremony_open_share(const vy_record_state *st, vy_scalar *share, const Vybar__KeyReveal *from_reveal,
			     uint32_t to, const uint8_t xpk[VY_X25519_PK_BYTES], const uint8_t xsk[32],
			     vy_reason *why) VY_WARN_UNUSED;
/* §5.5: the ElectionOpen payload the board posts once every trustee gave
 * its verdict (and the accused had their chance to justify): Q from the
 * record, K = prod_{i in Q} A_{i,0}. Packed into a malloc'd *out; fails
 * with the reason vy_validate_election_open would give (e.g. fewer than t
 * qualify). */
vy_rc vy_ceremony_open(const vy_record_state *st, uint8_t **out, size_t *len, vy_reason *why) VY_WARN_UNUSED;
/* §5.5, after ELECTION_OPEN, for qualified trustee index: s = sum over
 * qualified i of received[i-1] = f_i(index) (as opened, or as justified on
 * the record), each checked against i's commitments, and g^s = vk_index.
 * Constant time in the shares; s is zero on failure. */
vy_rc vy_trustee_secret_share(const vy_record_state *st, vy_scalar *s, uint32_t index, const vy_scalar *received,
			      vy_reason *why) VY_WARN_UNUSED;

/* ---- receipts (§7.5) ---- */
void vy_receipt_hash(uint8_t out[VY_HASH_BYTES], const char *tracking_code, uint64_t seq,
		     const uint8_t head_hash[VY_HASH_BYTES]);
/* Fill r (tracking code and head hash borrowed; signature into sig[64]). */
void vy_receipt_make(Vybar__Receipt *r, uint8_t sig[VY_ED25519_SIG_BYTES], const char *tracking_code, uint64_t seq,
		     const uint8_t head_hash[VY_HASH_BYTES], const uint8_t *board_sk);
vy_rc vy_receipt_verify(const uint8_t board_pk[VY_ED25519_PK_BYTES], const Vybar__Receipt *r,
			vy_reason *why) VY_WARN_UNUSED;

/* ---- the record file (§7.6) ----
 * The magic line, then frames: u32be(len) || RecordEntry (len bytes),
 * 1 <= len <= VY_MAX_ENTRY_BYTES. The reader holds one entry at a time. */
#define VY_RECORD_MAGIC "VYBAR-RECORD/1\n"
#define VY_RECORD_MAGIC_LEN 15
#define VY_RECORD_FRAME_HEADER_BYTES 4 /* u32be(len) */

typedef struct {
	FILE *f;
	uint8_t *buf;
	size_t cap;
	uint64_t offset; /* bytes consumed so far */
} vy_record_reader;

typedef struct {
	FILE *f;
} vy_record_writer;

/* Check the magic line. The reader does not own f. */
vy_rc vy_record_reader_open(vy_record_reader *r, FILE *f, vy_reason *why) VY_WARN_UNUSED;
/* Next entry in *out (free with vy_msg_free), or *out = NULL at the end. */
vy_rc vy_record_reader_next(vy_record_reader *r, Vybar__RecordEntry **out, vy_reason *why) VY_WARN_UNUSED;
void vy_record_reader_close(vy_record_reader *r);

vy_rc vy_record_writer_open(vy_record_writer *w, FILE *f, vy_reason *why) VY_WARN_UNUSED;
vy_rc vy_record_writer_append(vy_record_writer *w, const Vybar__RecordEntry *e, vy_reason *why) VY_WARN_UNUSED;
/* Flush to the operating system, and with durable = 1 to the disk (fsync). */
vy_rc vy_record_writer_flush(vy_record_writer *w, int durable, vy_reason *why) VY_WARN_UNUSED;

/* The length a frame header gives (*len, always set) and whether it is one
 * a frame may have: VY_R_OK for 1..VY_MAX_ENTRY_BYTES, VY_R_MALFORMED for
 * 0, VY_R_TOO_LARGE beyond. */
vy_rc vy_record_frame_header(const uint8_t hdr[VY_RECORD_FRAME_HEADER_BYTES], uint32_t *len) VY_WARN_UNUSED;
/* The frame at *off of the frames buf[0..len) (a record file's bytes after
 * its magic line, or a part of them that holds whole frames): *entry points
 * at its RecordEntry bytes (*entry_len of them) and *off moves past it.
 * VY_R_OK with *entry = NULL once *off reaches len; VY_R_TRUNCATED if buf
 * ends inside a frame; the code of vy_record_frame_header for a length out
 * of range. */
vy_rc vy_record_frame_next(const uint8_t *buf, size_t len, size_t *off, const uint8_t **entry, size_t *entry_len,
			   vy_reason *why) VY_WARN_UNUSED;

/* Read a whole record file, validating and applying every entry into st
 * (initialised by the caller). *bad_seq receives the position of the first
 * entry that failed. */
vy_rc vy_record_verify_file(vy_record_state *st, FILE *f, uint64_t *bad_seq, vy_reason *why) VY_WARN_UNUSED;

#endif
