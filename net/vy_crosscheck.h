/*
 * One entry of the record, read from the board and from a witness and
 * compared (specs/witness.md §8): what `vybar-vote check --witness` and
 * `vybar-verify receipt --witness` both do, written once.
 *
 * The comparison needs no record, only checkpoints and proofs:
 *
 *   1. the board's checkpoint (GET /v1/checkpoint, signed by board_key) of
 *      Nb entries and root Rb;
 *   2. the witness's last cosigned checkpoint (its GET /v1/checkpoint: the
 *      board's signature and the cosignature of a witness the manifest
 *      names) of Nw entries and root Rw;
 *   3. the two must be one record: Nb = Nw and Rb = Rw, or a consistency
 *      proof from the smaller to the larger (RFC 9162 §2.1.4.2), asked of
 *      the source that holds the larger;
 *   4. the entry (seq, entry hash) must be leaf seq under Rb (the board's
 *      inclusion proof) and, when seq < Nw, under Rw (the witness's).
 *
 * Both checkpoints carry the board's signature, so a failure of 3 is two
 * statements of the board's own key that cannot both hold: the board forked
 * its record. A failure of 4 on one side only names the entry.
 */
#ifndef VY_CROSSCHECK_H
#define VY_CROSSCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "net/vy_http.h"
#include "protocol/vy_checkpoint.h"

/* One line that says what was found. */
#define VY_XC_MSG_BYTES 1024

/* What the reader knows of the election, from its manifest. */
typedef struct {
	uint8_t base_hash[VY_HASH_BYTES];
	uint8_t board_key[32];
	const char *names[VY_MAX_WITNESSES];
	uint8_t keys[VY_MAX_WITNESSES][32];
	size_t n_witnesses;
} vy_xc_election;

typedef enum {
	VY_XC_AGREE = 0, /* one record, and the entry is on both */
	VY_XC_PENDING,   /* one record so far; the witness has not cosigned the entry yet */
	VY_XC_DISAGREE,  /* evidence: the board and the witness hold different records */
	VY_XC_UNKNOWN    /* a source did not answer, or not as the API says: nothing decided */
} vy_xc_verdict;

typedef struct {
	vy_xc_verdict verdict;
	uint64_t board_size, witness_size; /* the checkpoints' sizes (0 if not read) */
	unsigned witness;                  /* the cosigning witness, 1-based into the manifest; 0 if none */
	char msg[VY_XC_MSG_BYTES];          /* one line, for the reader */
} vy_xc_result;

/* The election's base hash, board key and witnesses from manifest m. */
void vy_xc_election_init(vy_xc_election *e, const Vybar__Manifest *m, const uint8_t base_hash[VY_HASH_BYTES]);

/* Compare the board at board_url and the witness at witness_url over
 * entry seq, whose entry hash is entry_hash (a receipt's head_hash), as
 * above, through t (NULL: libcurl). Always fills out. */
void vy_crosscheck_entry(const vy_http_transport *t, const vy_xc_election *e, const char *board_url,
			 const char *witness_url, uint64_t seq, const uint8_t entry_hash[VY_HASH_BYTES],
			 vy_xc_result *out);

/* "agrees", "pending", "DISAGREES", "cannot tell". */
const char *vy_xc_verdict_name(vy_xc_verdict v);

#endif
