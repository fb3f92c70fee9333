/*
 * The board's core, independent of HTTP: the record state, the store, the
 * board's signing key, and the single writer that validates and appends
 * entries (specs/board-api.md). It speaks the protocol's terms (a job's
 * outcome and reason, the status counts, the Result message); the HTTP
 * layer (http.c, answers.c) turns them into statuses and bodies.
 *
 * Every entry is checked by the protocol library's validity rules
 * (vy_validate_entry, specs/protocol.md §8) before it is appended; a receipt
 * or acknowledgement is produced only after the store's append (COMMIT)
 * returned. Writes go through one writer thread fed by a bounded queue: a
 * caller reserves a slot (vyb_board_reserve), then submits its job, whose
 * done() callback runs on the writer thread once the job is finished.
 *
 * Ballots and audited ballots first pass through a pool of checker threads
 * (one per CPU) that run their state-free rules (§4.5, §6: credential,
 * signatures, proofs) against a snapshot of the election fixed when
 * ELECTION_OPEN was applied; the writer then runs only the rules that
 * depend on the record state (board.c explains why nothing invalid can be
 * appended that way).
 */
#ifndef VYB_BOARD_H
#define VYB_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "bulletin/store.h"
#include "protocol/vy_record.h"

typedef struct vyb_board vyb_board;

typedef struct {
	const char *db_path;
	const char *store;         /* instead of db_path: a store named as vyb_store_open wants it */
	const char *key_path;
	const char *manifest_path; /* NULL: the record must already exist */
	size_t queue_max;          /* jobs waiting for the checkers or the writer */
	size_t checkers;           /* ballot checker threads; 0: one per CPU */
	vy_registrar_verify_fn registrar_verify; /* NULL: the library's real check */
	const char *const *witness_urls; /* the witnesses' submission URLs (specs/witness.md §7.1) */
	size_t n_witness_urls;
} vyb_board_config;

typedef enum {
	VYB_JOB_ENTRY = 0, /* append payload as an entry of type `type` */
	VYB_JOB_ADMIN = 1  /* payload is an AdminAction (protocol.md §12) */
} vyb_job_kind;

/* How a job ended. */
typedef enum {
	VYB_APPENDED = 0,  /* appended and committed */
	VYB_REFUSED,       /* the protocol's rules refused it (§8, or the payload does not decode): why */
	VYB_ADMIN_REFUSED, /* §12.2 refused the AdminAction itself (stale head, signature, ...): why */
	VYB_FAILED         /* storage or memory failed: nothing was appended */
} vyb_outcome;

typedef struct vyb_job vyb_job;
struct vyb_job {
	/* input, owned by the caller */
	vyb_job_kind kind;
	Vybar__EntryType type;
	const uint8_t *payload;
	size_t payload_len;
	void (*done)(vyb_job *job, void *arg);
	void *done_arg;
	/* output, set by the writer before done() */
	vyb_outcome outcome;
	vy_reason why;        /* the reason unless appended */
	uint64_t seq;         /* the new entry's seq */
	Vybar__EntryType appended_type;
	uint8_t entry_hash[VY_HASH_BYTES];
	char tracking_code[VY_TRACKING_CODE_BYTES]; /* ballots only, else "" */
	uint8_t *receipt;     /* ballots: malloc'd packed Receipt, freed by the caller */
	size_t receipt_len;
	/* refused for its credential's pace (protocol.md §3.6): the seconds
	 * until it would be accepted; else 0 */
	unsigned retry_after;
	/* private to the board: vyb_board_submit clears them, only a checker
	 * thread sets them (board.c) */
	int precheck;         /* VYB_PRECHECK_* */
	vy_reason precheck_why;
	vyb_job *next;        /* queue link */
};

/* What the checker pool found about a ballot job (board.c). */
#define VYB_PRECHECK_NONE 0   /* not checked: the writer runs every rule */
#define VYB_PRECHECK_PASSED 1 /* the state-free rules hold for this payload */
#define VYB_PRECHECK_FAILED 2 /* they do not: precheck_why says why */
#define VYB_MAX_CHECKERS 16
/* A restart checkpoint (checkpoint.h) is written at least every this many
 * entries, and at start-up and a clean stop. */
#define VYB_CHECKPOINT_EVERY 1024
/* At most this many queued jobs are committed in one transaction. */
#define VYB_MAX_GROUP 64

/* Open the store, load the key, replay and re-validate the whole record
 * (refusing, with the failing entry and reason in why, if anything fails),
 * create entry 0 from the manifest on first start, and start the writer. */
vy_rc vyb_board_open(vyb_board **out, const vyb_board_config *cfg, vy_reason *why) VY_WARN_UNUSED;
/* Stop taking jobs, finish every queued one, stop the writer, close the store. */
void vyb_board_close(vyb_board *b);

/* Reserve a queue slot: 1 on success, 0 when the queue is full or the board
 * is stopping (answer 503). Every reservation is followed by one submit. */
int vyb_board_reserve(vyb_board *b) VY_WARN_UNUSED;
void vyb_board_submit(vyb_board *b, vyb_job *job);
/* Stop accepting new reservations (shutdown has begun). */
void vyb_board_refuse_new(vyb_board *b);
/* Wait until every reserved job is finished (its done() has returned). */
void vyb_board_drain(vyb_board *b);

/* ---- read side (any thread) ---- */
vyb_store *vyb_board_store(vyb_board *b);
/* The manifest as stored in entry 0, and decoded (valid for the board's
 * lifetime). */
const uint8_t *vyb_board_manifest(const vyb_board *b, size_t *len);
const Vybar__Manifest *vyb_board_manifest_msg(const vyb_board *b);

/* What the status shows: counts only, never partial results. */
typedef struct {
	char election_id[VY_MAX_ELECTION_ID_BYTES + 1];
	vy_phase phase;
	uint64_t entries, ballots, audited, credentials; /* credentials: distinct ones that voted */
	uint8_t head_hash[VY_HASH_BYTES], base_hash[VY_HASH_BYTES];
	int result_published;
} vyb_status;
/* The status between two groups (never uncommitted state). */
void vyb_board_status(vyb_board *b, vyb_status *out);
/* The published result: 1 with the RESULT entry's Result in *r (free with
 * vy_msg_free) and its seq; 0 (*r NULL) before it, or if it cannot be read. */
int vyb_board_result(vyb_board *b, Vybar__Result **r, uint64_t *seq);

/* specs/witness.md §7.1: the checkpoint note of the whole record as it
 * stands, signed by the board, with every cosignature line held for its
 * size (malloc'd, NUL-terminated, *len without the NUL); NULL if out of
 * memory. */
char *vyb_board_checkpoint_note(vyb_board *b, size_t *len);
/* RFC 9162 §2.1.3.1: entry seq's inclusion proof in the tree of the first
 * size entries, as standard base64 lines (malloc'd, NUL-terminated, *len
 * without the NUL); NULL with *len 0 when seq >= size or size is beyond
 * the record, NULL with *len 1 if out of memory. */
char *vyb_board_inclusion_proof(vyb_board *b, uint64_t seq, uint64_t size, size_t *len);
/* RFC 9162 §2.1.4.1: the consistency proof from the tree of the first
 * `first` entries to that of the first `second`, the same way; NULL with
 * *len 0 unless 0 < first <= second <= the record's size. */
char *vyb_board_consistency_proof(vyb_board *b, uint64_t first, uint64_t second, size_t *len);

#endif
