/*
 * Internal to the board's core: its state, shared by the writer (board.c)
 * and the checker pool (checkers.c). Nothing outside bulletin/board.c and
 * bulletin/checkers.c includes it.
 */
#ifndef VYB_BOARD_IMPL_H
#define VYB_BOARD_IMPL_H

#include <pthread.h>

#include <sodium.h>

#include "bulletin/board.h"
#include "bulletin/pace.h"
#include "protocol/vy_entry_types.h"
#include "protocol/vy_merkle.h"

/* Entries validated and applied, waiting for their common COMMIT. */
typedef struct {
	vyb_store_entry entries[VYB_MAX_GROUP]; /* entry and receipt malloc'd */
	vyb_job *jobs[VYB_MAX_GROUP];
	size_t n;
} vyb_group;

struct vyb_board {
	vyb_store *store;
	uint8_t *sk; /* sodium_malloc'd, read-only */
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	/* the record state, changed only by the writer, under state_lock */
	pthread_mutex_t state_lock;
	vy_record_state st;
	uint8_t *manifest;                /* entry 0's payload, as stored */
	size_t manifest_len;
	Vybar__Manifest *manifest_msg;    /* its decoding, made once by load() */
	int have_result;
	uint64_t result_seq;
	/* the bounded queue of jobs for the writer */
	pthread_mutex_t q_lock;
	pthread_cond_t q_cond, idle_cond;
	vyb_job *head, *tail;
	size_t reserved, queue_max;
	int refuse, stopping;
	pthread_t writer;
	int writer_started;
	/* the election ballots are checked against, off the writer: a copy of
	 * st.election taken when ELECTION_OPEN is applied (snap_ready set once,
	 * under q_lock; snap never changes after) */
	vy_election snap; /* snap.manifest is manifest_msg */
	int snap_ready;
	vy_registrar_verify_fn registrar_verify;
	/* the writer's group of validated, applied, not yet committed entries */
	vyb_group grp;
	/* the checker pool and its queue (under q_lock) */
	vyb_job *c_head, *c_tail;
	pthread_cond_t c_cond;
	pthread_t checkers[VYB_MAX_CHECKERS];
	size_t n_checkers;
	int checkers_stop;
	/* specs/witness.md §2: the Merkle tree of the committed entries (leaf:
	 * the entry hash) and the type of the last one; changed only by the
	 * writer, under state_lock */
	vy_merkle_tree *tree;
	Vybar__EntryType last_type;
	/* protocol.md §3.6: when each credential that cast within the last
	 * min_seconds_between_ballots did (pace.h); the writer's, under
	 * state_lock */
	vyb_pace pace;
	/* the restart checkpoint (checkpoint.h): the chained hash of the stored
	 * bytes of the committed entries, the size of the last checkpoint
	 * written, and whether the record was loaded (a checkpoint may be
	 * written); changed by start-up and the writer, under state_lock */
	uint8_t bytes_hash[VY_HASH_BYTES];
	uint64_t ckpt_size;
	int loaded;
	/* witness.c: the checkpoint pusher, NULL without --witness */
	struct vyb_pusher *pusher;
};

/* board.c: append job to the queue from *head to *tail (its lock held). */
void vyb_job_append(vyb_job **head, vyb_job **tail, vyb_job *job);
/* Append a job to the writer's queue (q_lock held). */
void vyb_writer_enqueue(vyb_board *b, vyb_job *job);

/* checkers.c: the rules of a ballot job, which a checker can run; NULL
 * for any other job. */
const vy_ballot_rules *vyb_job_ballot_rules(const vyb_job *job);
/* Append a ballot job to the checkers' queue (q_lock held). */
void vyb_checkers_enqueue(vyb_board *b, vyb_job *job);
/* Start `want` checker threads, or one per online CPU when 0, at most
 * VYB_MAX_CHECKERS. Threads that cannot be started are done without (with
 * none, the writer checks every ballot itself). */
void vyb_checkers_start(vyb_board *b, size_t want);
/* Stop the checkers once their queue is empty (every reservation is done). */
void vyb_checkers_stop(vyb_board *b);

/* witness.c: start the pusher for the witnesses' submission URLs (n >= 1,
 * before the writer starts); stop its thread (before the writer stops) and
 * free it (after); the writer's word after a commit, urgent when an
 * ENCRYPTED_TALLY was committed (no-op without a pusher). */
vy_rc vyb_pusher_start(vyb_board *b, const char *const *urls, size_t n, vy_reason *why) VY_WARN_UNUSED;
void vyb_pusher_stop(vyb_board *b);
void vyb_pusher_free(vyb_board *b);
void vyb_pusher_notify(vyb_board *b, int urgent);

#endif
