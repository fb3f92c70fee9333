/*
 * vybar-trustee (specs/trustee.md), one concern a file:
 *
 *   main.c       the command line: the commands, their options, and running one
 *   view.c       the record, read from a file or the board and re-checked with
 *                the verifier's engine, as this trustee sees it
 *   ceremony.c   the key ceremony's rounds (protocol.md §5)
 *   decrypt.c    the partial decryption of the tally (§5.5, §10.2)
 *   status.c     the status report that guides the trustee (trustee.md §6)
 *   messages.c   messages out: signed, checked as the board will, then posted
 *                or written to a message file; and a message file carried to
 *                the board (post)
 *   memory.c     what the trustee remembers of the records it saw: the head
 *                it saw last (DIR/seen) and the tally it decrypted
 *                (DIR/decrypted), so that no board can show it another
 *   keystore.c   the secrets at rest; transport.c the board over HTTP and the
 *                message file format
 *   cheats.h     what only the test build (vybar-trustee-cheat) does wrong
 *
 * Every command's function takes the context below and returns 0, or -1
 * with the reason in c->err and the exit status in c->status.
 */
#ifndef VYT_TRUSTEE_H
#define VYT_TRUSTEE_H

#include <stdint.h>

#include "cli/vy_keys.h"
#include "protocol/vy_record.h"
#include "trustee/keystore.h"

#define VYT_MAX_JOBS 1024

/* The command line, parsed (main.c). */
typedef struct {
	const char *cmd, *dir, *board, *record, *out, *message;
	unsigned jobs; /* threads re-checking the record */
	vy_pass_src pass;
} vyt_opts;

/* A record's head: its size (entries) and the hash of its last entry. */
typedef struct {
	uint64_t size;
	uint8_t head[VY_HASH_BYTES];
} vyt_head;

/* The record as this trustee sees it: the state, and of the entries only
 * the trustees' signed messages (vyt_find_body), not the ballots. */
typedef struct {
	vy_record_state st;
	Vybar__RecordEntry **e;
	size_t n;
	uint64_t entries;   /* on the record */
	uint32_t me;        /* this trustee's index, 0 if not a trustee */
	uint64_t tally_seq; /* the ENCRYPTED_TALLY entry's position (st.have_tally) */
	/* memory.c: the head seen before (DIR/seen), and the hash this record
	 * has at its position seen.size - 1 (zero if it is shorter) */
	int have_seen;
	vyt_head seen;
	uint8_t seen_now[VY_HASH_BYTES];
} vyt_view;

/* One command's context. */
typedef struct {
	const vyt_opts *o;
	vyt_view v;
	vyt_secrets *s;
	char err[VYT_ERR_BYTES];
	int status; /* the exit status of a failure (VY_EXIT_FAILED unless set) */
} vyt_ctx;

/* ---- view.c ---- */
/* Read the record (--record FILE or --board URL) and re-check it whole. */
int vyt_view_load(vyt_ctx *c);
void vyt_view_free(vyt_view *v);
/* This trustee's index: the manifest's trustee whose signing key is ours. */
int vyt_find_me(vyt_ctx *c);
/* The decoded body of trustee idx's entry of type (NULL if absent). */
ProtobufCMessage *vyt_find_body(const vyt_view *v, Vybar__EntryType type, uint32_t idx,
				const ProtobufCMessageDescriptor *desc);

/* ---- ceremony.c ---- */
int vyt_cmd_announce(vyt_ctx *c);
int vyt_cmd_reveal(vyt_ctx *c);
int vyt_cmd_verdict(vyt_ctx *c);
int vyt_cmd_justify(vyt_ctx *c);
/* The polynomial of round 1, which must be this election's and trustee's. */
int vyt_load_poly(vyt_ctx *c, vyt_poly **p);
/* §5.3: open and check the share from trustee `from`; 0 when good. */
int vyt_share_from(vyt_ctx *c, uint32_t from, vy_scalar *share, vy_reason *why);
/* The share trustee i justified for us on the record (§5.3); 0 when found. */
int vyt_justified_share(vyt_ctx *c, uint32_t i, vy_scalar *out);

/* ---- decrypt.c, status.c ---- */
int vyt_cmd_decrypt(vyt_ctx *c);
int vyt_cmd_status(vyt_ctx *c);

/* ---- memory.c (specs/trustee.md §7) ---- */
#define VYT_SEEN_FILE "seen"
#define VYT_DECRYPTED_FILE "decrypted"
/* DIR/seen into c->v.seen, before the record is read (absent: nothing). */
int vyt_seen_load(vyt_ctx *c);
/* The record read must extend the head seen before; then DIR/seen becomes
 * its head, written atomically. */
int vyt_seen_check(vyt_ctx *c);
/* decrypt: refuse a tally of this election other than the one DIR/decrypted
 * names (the same tally again is allowed). */
int vyt_decrypted_check(vyt_ctx *c);
/* decrypt: DIR/decrypted names this tally and head, written atomically
 * before the partial decryption is sent or written. */
int vyt_decrypted_save(vyt_ctx *c);

/* ---- messages.c ---- */
/* Sign the body of a message of type, check it as the board will, then post
 * it (--board) or write it to the message file (--out). */
int vyt_emit(vyt_ctx *c, Vybar__EntryType type, const void *body_msg);
int vyt_cmd_post(vyt_ctx *c);

/* A failure of a keystore or transport function (VYT_REFUSED, VYT_IO_ERROR)
 * as the context's exit status; -1. */
int vyt_failed(vyt_ctx *c, int rc);

#endif
