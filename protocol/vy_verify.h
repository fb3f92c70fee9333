/*
 * The verification engine (specs/verification.md): re-verify a whole record
 * stream, entry by entry, and count what every numbered check examined.
 * Part of libvybar: vybar-verify reports with it, and vybar-trustee re-checks
 * the record with it before it signs or decrypts anything.
 *
 * One thread (the caller's) applies entries to the record state in order; a
 * reader thread reads frames into a bounded ring; worker threads check the
 * board signatures and the ballots' proofs ahead of the applier. Memory is
 * flat in the length of the record: the ring holds at most VYV_RING_SLOTS
 * entries, and the state what vy_record_state keeps per credential.
 */
#ifndef VYV_VERIFY_H
#define VYV_VERIFY_H

#include <stdint.h>
#include <stdio.h>

#include "protocol/vy_record.h"

/* The numbered checks of specs/verification.md, in report order. */
typedef enum {
	VYV_1_0, VYV_1_1, VYV_1_2, VYV_1_3, VYV_1_4, VYV_1_5, VYV_1_6, VYV_1_7, VYV_1_8,
	VYV_2_1, VYV_2_2, VYV_2_3, VYV_2_4, VYV_2_5, VYV_2_6, VYV_2_7, VYV_2_8, VYV_2_9, VYV_2_10, VYV_2_11,
	VYV_3_1, VYV_3_2, VYV_3_3, VYV_3_4, VYV_3_5, VYV_3_6, VYV_3_7, VYV_3_8, VYV_3_9,
	VYV_4_1, VYV_4_2, VYV_4_3, VYV_4_4, VYV_4_5, VYV_4_6, VYV_4_7, VYV_4_8, VYV_4_9, VYV_4_10,
	VYV_5_1, VYV_5_2, VYV_5_3, VYV_5_4, VYV_5_5,
	VYV_6_1, VYV_6_2, VYV_6_3,
	VYV_7_1, VYV_7_2, VYV_7_3, VYV_7_4, VYV_7_5,
	VYV_8_1, VYV_8_2,
	VYV_9_1,
	VYV_10_1, VYV_10_2, VYV_10_3,
	VYV__COUNT
} vyv_check;

/* "V4.5" and a short description. */
const char *vyv_check_id(vyv_check c);
const char *vyv_check_what(vyv_check c);

/* Outcome of a verification. */
typedef enum {
	VYV_OK = 0,         /* every check held and the record has its RESULT */
	VYV_FAILED = 1,     /* a check failed */
	VYV_INCOMPLETE = 2, /* every check held, but the record ends before the RESULT */
	VYV_ERROR = 3       /* usage, I/O or memory: nothing was decided */
} vyv_outcome;

typedef struct {
	uint64_t examined[VYV__COUNT];
	vyv_outcome outcome;
	int have_failure;
	vyv_check failed_check;
	uint64_t failed_seq;     /* entry sequence number of the failure */
	int failed_seq_known;    /* 0 for a failure before any entry (V1.0) */
	vy_reason why;
	uint64_t entries;        /* entries applied */
	uint64_t trusted;        /* of which from --since, proofs not re-checked */
	vy_phase phase;          /* phase at the end */
	uint8_t head_hash[VY_HASH_BYTES];
	uint64_t ballots, audited, counted;
	unsigned jobs;
	char note[160];          /* why the record is incomplete */
	/* The watched entry (vybar-verify receipt): what it is on the record. */
	int64_t watch_seq;       /* -1: none */
	int watch_found;
	int watch_type;
	uint8_t watch_hash[VY_HASH_BYTES];            /* its entry hash */
	char watch_code[VY_TRACKING_CODE_BYTES];      /* a BALLOT's tracking code */
	uint8_t watch_pk[VY_ED25519_PK_BYTES];        /* a BALLOT's credential key */
} vyv_report;

/* Called on the applier's thread with each entry just applied to st, in
 * record order. Return 0 to leave e to the engine (it frees it), 1 to keep
 * it (the callee frees it with vy_msg_free), -1 to stop: the verification
 * then ends with VYV_ERROR. */
typedef int (*vyv_entry_fn)(void *arg, const vy_record_state *st, Vybar__RecordEntry *e);

typedef struct {
	FILE *earlier;         /* NULL, or an earlier record file (V9.1) */
	unsigned jobs;         /* threads checking proofs, the applier's included */
	int64_t watch_seq;     /* the entry to note in rep->watch_* (-1: none) */
	vyv_entry_fn on_entry; /* NULL: none */
	void *arg;             /* on_entry's */
} vyv_options;

/* Verify the record read from src (a record file stream). o->earlier (may
 * be NULL) is an earlier record file that src must extend byte for byte
 * (V9.1); its entries are applied without re-checking board signatures
 * and ballot proofs. o->jobs >= 1 threads. If st is not NULL, the final
 * record state is moved into it (the caller frees it). Call it after
 * vy_init(). */
void vyv_verify_with(FILE *src, const vyv_options *o, vyv_report *rep, vy_record_state *st);
/* The same without a callback, and noting no entry (vyv_verify) or entry
 * watch_seq (vyv_verify_watch, -1: none). */
void vyv_verify(FILE *src, FILE *earlier, unsigned jobs, vyv_report *rep, vy_record_state *st);
void vyv_verify_watch(FILE *src, FILE *earlier, unsigned jobs, int64_t watch_seq, vyv_report *rep,
		      vy_record_state *st);

/* The report as text (every check, then the verdict) or as JSON. */
void vyv_report_print(FILE *out, const vyv_report *rep);
void vyv_report_json(FILE *out, const vyv_report *rep);

/* The check a failing entry of type `type` reports for reason why (the
 * table of specs/verification.md §Reporting). */
vyv_check vyv_check_of(int type, const vy_reason *why);

#endif
