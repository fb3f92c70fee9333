/*
 * vybar-witness (specs/witness.md §7.2-§7.3): a copy of one election's
 * record, checked entry by entry with the protocol's validity rules, the
 * Merkle tree of its entry hashes, and the state of what it last cosigned.
 *
 * Files in the witness's directory:
 *   key      its Ed25519 key (cli/vy_keys.h), name  its key name
 *   record   the record file of the entries it accepted (fsync'd)
 *   state    what it last cosigned (written atomically before a
 *            cosignature leaves it)
 *   checkpoint  the last cosigned note and its cosignature line
 */
#ifndef VYW_WITNESS_H
#define VYW_WITNESS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "net/vy_http.h"
#include "protocol/vy_checkpoint.h"
#include "protocol/vy_record.h"

/* An add-checkpoint body is at most this long (§7.2). */
#define VYW_MAX_ADD_BODY (16u * 1024u)
#define VYW_PATH_BYTES 4096
/* The directory's name is at most this long (room for the file names). */
#define VYW_DIR_BYTES (VYW_PATH_BYTES - 64)
/* A cosignature line: "— " name " " base64(4 + 72 bytes) "\n". */
#define VYW_LINE_BYTES (VY_WITNESS_NAME_MAX + 128)

typedef struct {
	pthread_mutex_t mu; /* one request at a time, and the follower */
	char dir[VYW_DIR_BYTES];
	char board[VY_HTTP_URL_BYTES];
	char name[VY_WITNESS_NAME_MAX + 1];
	uint8_t *sk; /* guarded memory */
	uint8_t pk[32];
	/* the record it holds: frames (a record file's bytes after the magic
	 * line), the offset of each frame, and each entry's hash */
	vy_record_state st;
	vy_merkle_tree *tree;
	uint8_t *frames;
	size_t frames_len, frames_cap;
	size_t *offs;
	uint8_t (*hashes)[VY_HASH_BYTES];
	size_t n, cap;
	int fd; /* DIR/record, appended */
	/* what it last cosigned */
	int have_state;
	uint8_t base_hash[VY_HASH_BYTES];
	uint64_t cs_size;
	uint8_t cs_root[VY_MERKLE_HASH_BYTES];
	uint8_t cs_head[VY_HASH_BYTES];
	char *cs_note; /* the note and the cosignature line it answered */
	size_t cs_note_len;
	/* the board forked or lied: it follows no more and cosigns nothing */
	int forked;
} vyw_witness;

/* An answer of the witness: HTTP status, content type, body (malloc'd). */
typedef struct {
	unsigned status;
	const char *content_type;
	char *body;
	size_t len;
	const char *next; /* X-Vybar-Next, or NULL */
	char next_buf[VY_NEXT_DIGITS + 1];
} vyw_answer;

/* Load the key, the record and the state from dir; refuse a state its
 * record does not reproduce. */
vy_rc vyw_open(vyw_witness *w, const char *dir, const char *board, vy_reason *why) VY_WARN_UNUSED;
void vyw_close(vyw_witness *w);

/* Read the board's record from the witness's size on, accepting each
 * entry in order (caller holds w->mu). VY_R_OK even when the board lied:
 * then w->forked is set and the evidence is on standard error. */
vy_rc vyw_follow(vyw_witness *w, vy_reason *why) VY_WARN_UNUSED;

/* The endpoints (each takes w->mu). */
void vyw_add_checkpoint(vyw_witness *w, const char *body, size_t len, vyw_answer *out);
void vyw_get_record(vyw_witness *w, const char *from, vyw_answer *out);
void vyw_get_status(vyw_witness *w, vyw_answer *out);
void vyw_get_checkpoint(vyw_witness *w, vyw_answer *out);
/* The proofs of the tree it holds, as the board serves them
 * (board-api.md): inclusion (consistency = 0) of entry a in the tree of b
 * entries, or consistency from a entries to b. */
void vyw_get_proof(vyw_witness *w, int consistency, const char *a, const char *b, vyw_answer *out);

#endif
