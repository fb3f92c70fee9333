/*
 * The board's core (board.h): start-up replay, the single writer, entries,
 * receipts and administrative actions (specs/protocol.md §7, §8, §12;
 * specs/board-api.md).
 *
 *   start    replay every stored entry through vy_record_accept (§8);
 *            refuse to start on the first failure
 *   check    ballots and audited ballots only, on a checker thread:
 *            vy_ballot_validate / vy_audited_ballot_check (§4.5, §6)
 *            against the election snapshot
 *   append   vy_entry_make -> vy_validate_entry_flags (§8) -> store COMMIT
 *            -> vy_record_state_apply -> receipt (§7.5) to the client
 *
 * Why the split cannot let an invalid ballot in (specs/board-api.md,
 * "Checking ballots outside the writer"). vy_validate_entry on a BALLOT or
 * AUDITED_BALLOT entry is: the frame (seq, chain, board signature), the
 * phase is OPEN, the payload decodes, and vy_ballot_validate or
 * vy_audited_ballot_check on st->election. The writer runs all of it with
 * VY_CHECK_SKIP_BALLOT, which leaves out only that last call; it takes
 * that flag only for a job marked VYB_PRECHECK_PASSED, and
 *  1. only a checker sets that mark (vyb_board_submit clears it, so no
 *     caller can forge it), after the call succeeded on the very payload
 *     bytes the writer appends (the job's payload, which the caller keeps
 *     unchanged until done());
 *  2. the call depends only on its vy_election argument (manifest, group,
 *     base hash, joint key, registrar verifier) and the payload, never on
 *     the record state;
 *  3. the checker used b->snap, a copy of st->election taken (under q_lock,
 *     before any checker may read it) when ELECTION_OPEN was applied or
 *     replayed; st->election changes only when the manifest (entry 0) and
 *     ELECTION_OPEN are applied, each at most once, and the phases only move
 *     forward, so whenever the phase is OPEN st->election equals b->snap;
 *  4. the writer refuses the entry unless the phase is OPEN (the flag skips
 *     no phase check).
 * So the call's result on the writer's state would be the checker's: the
 * skipped check holds, and vy_validate_entry with no flags accepts every
 * entry the writer appends. A job not checked (no snapshot yet, no checker
 * thread) gets the full rules on the writer, as before.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "bulletin/board.h"
#include "bulletin/jbuf.h"
#include "cli/vy_files.h"
#include "cli/vy_keys.h"
#include "crypto/vy_hash.h"
#include "protocol/vy_tally.h"

#define HTTP_OK 200
#define HTTP_BAD_REQUEST 400
#define HTTP_FORBIDDEN 403
#define HTTP_CONFLICT 409
#define HTTP_TOO_LARGE 413
#define HTTP_SERVER_ERROR 500
#define HTTP_NOT_IMPLEMENTED 501

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
	uint8_t *manifest;
	size_t manifest_len;
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
	vy_election snap;
	Vybar__Manifest *snap_manifest; /* snap.manifest, owned */
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
};

int vyb_status_of(vy_rc rc)
{
	switch (rc) {
	case VY_R_OK:
		return HTTP_OK;
	case VY_R_PHASE:
		return HTTP_FORBIDDEN;
	case VY_R_DUPLICATE:
		return HTTP_CONFLICT;
	case VY_R_TOO_LARGE:
		return HTTP_TOO_LARGE;
	case VY_R_NOT_IMPLEMENTED:
		return HTTP_NOT_IMPLEMENTED;
	case VY_R_NOMEM:
	case VY_R_IO:
	case VY_R_ARG:
		return HTTP_SERVER_ERROR;
	default:
		return HTTP_BAD_REQUEST;
	}
}

/* Set the job's outcome from a reason. */
static void job_fail(vyb_job *job, int status, const vy_reason *why)
{
	job->http_status = status;
	job->why = *why;
}

void vyb_admin_hash(uint8_t out[VY_HASH_BYTES], const uint8_t base_hash[VY_HASH_BYTES], uint64_t action,
		    const uint8_t head_hash[VY_HASH_BYTES])
{
	vy_hasher h;

	vy_hasher_init(&h, VYB_TAG_ADMIN);
	vy_hasher_item(&h, base_hash, VY_HASH_BYTES);
	vy_hasher_u64(&h, action);
	vy_hasher_item(&h, head_hash, VY_HASH_BYTES);
	vy_hasher_final(&h, out);
}

/* ---- appending (the writer thread, state_lock held) ---- */

/* The state and the store disagree: nothing safe is left to do. The
 * entry is committed, so a restart replays it and recovers. */
static void fatal(const char *what, const vy_reason *why)
{
	fprintf(stderr, "vybar-board: FATAL: %s: %s\n", what, why->msg);
	abort();
}

/* Take the election snapshot once the joint key is on the committed record
 * (ELECTION_OPEN committed or replayed): from then on the checkers check
 * ballots against it. The snapshot owns its own decoding of entry 0, so it
 * does not depend on the state's lifetime (rebuild_state). */
static void snapshot_take(vyb_board *b)
{
	Vybar__Manifest *m = NULL;

	if (b->snap_ready || b->st.phase < VY_PHASE_OPEN || !b->st.election.have_joint_key)
		return;
	if (vy_decode_manifest(&m, b->manifest, b->manifest_len, NULL) != VY_R_OK)
		return; /* out of memory: the writer keeps checking every rule */
	pthread_mutex_lock(&b->q_lock);
	b->snap_manifest = m;
	b->snap = b->st.election;
	b->snap.manifest = m;
	b->snap_ready = 1;
	pthread_mutex_unlock(&b->q_lock);
}

/* §7.2, §8, §7.5: make the next entry, validate it with the protocol rules
 * (less the ones flags say a checker already ran, see the top of this file)
 * and, if valid, apply it to the state and add it (with its index row and
 * receipt when code is not NULL) to the writer's group, committed by
 * group_commit. Bad input changes nothing. */
static void append_entry(vyb_board *b, vyb_job *job, Vybar__EntryType type, const uint8_t *payload, size_t len,
			 const char *code, unsigned flags)
{
	vyb_group *g = &b->grp;
	Vybar__RecordEntry e;
	Vybar__Receipt r;
	uint8_t sig[VY_ENTRY_SIG_BUF_BYTES], rsig[VY_ED25519_SIG_BYTES], hash[VY_HASH_BYTES];
	vyb_store_entry *se;
	uint8_t *packed = NULL, *receipt = NULL;
	vy_reason why = { 0 };
	size_t plen = 0, rlen = 0;
	vy_rc rc;

	if (g->n == VYB_MAX_GROUP) {
		vy_reason_set(&why, VY_R_IO, "board: group full");
		job_fail(job, HTTP_SERVER_ERROR, &why);
		return;
	}
	vy_entry_make(&e, sig, &b->st, type, payload, len, b->sk);
	rc = vy_validate_entry_flags(&b->st, &e, flags, &why);
	if (rc != VY_R_OK) {
		job_fail(job, vyb_status_of(rc), &why);
		return;
	}
	vy_entry_hash_of(hash, &e);
	packed = vy_msg_pack(&e, &plen);
	if (code != NULL) {
		vy_receipt_make(&r, rsig, code, e.seq, hash, b->sk);
		receipt = vy_msg_pack(&r, &rlen);
	}
	if (packed == NULL || (code != NULL && receipt == NULL)) {
		vy_reason_set(&why, VY_R_NOMEM, "board: out of memory");
		job_fail(job, HTTP_SERVER_ERROR, &why);
		free(packed);
		free(receipt);
		return;
	}
	/* Applied now so that the next job of the group follows this entry;
	 * undone by rebuild_state if the group's COMMIT fails. */
	if (vy_record_state_apply(&b->st, &e, &why) != VY_R_OK)
		fatal("applying a validated entry", &why);
	se = &g->entries[g->n];
	se->seq = e.seq;
	se->type = (uint32_t)type;
	se->entry = packed;
	se->entry_len = plen;
	se->tracking_code = code;
	se->receipt = receipt;
	se->receipt_len = rlen;
	g->jobs[g->n++] = job;
	job->seq = e.seq;
	job->appended_type = type;
	memcpy(job->entry_hash, hash, VY_HASH_BYTES);
}

/* A tracking code already in the uncommitted group (the store's index
 * does not show it yet). */
static int group_has_code(const vyb_group *g, const char *code)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->entries[i].tracking_code != NULL && strcmp(g->entries[i].tracking_code, code) == 0)
			return 1;
	return 0;
}

static vy_rc replay(vyb_board *b, vy_reason *why);

/* A group's COMMIT failed after its entries were applied: rebuild the state
 * from the committed record (re-validating it, as at start-up). */
static void rebuild_state(vyb_board *b)
{
	vy_reason why = { 0 };

	vy_record_state_free(&b->st);
	vy_record_state_init(&b->st);
	vy_record_state_set_registrar_verifier(&b->st, b->registrar_verify, NULL);
	b->have_result = 0;
	if (replay(b, &why) != VY_R_OK)
		fatal("rebuilding the state after a failed commit", &why);
}

/* §7.5, specs/board-api.md §2: commit the group in one transaction (one
 * fsync); only then are its jobs successful and their receipts released. */
static void group_commit(vyb_board *b)
{
	vyb_group *g = &b->grp;
	vy_reason why = { 0 };
	vy_rc rc = VY_R_OK;

	if (g->n > 0)
		rc = vyb_store_append_group(b->store, g->entries, g->n, &why);
	for (size_t i = 0; i < g->n; i++) {
		vyb_job *job = g->jobs[i];
		vyb_store_entry *se = &g->entries[i];

		if (rc == VY_R_OK) {
			job->http_status = HTTP_OK;
			job->receipt = (uint8_t *)se->receipt;
			job->receipt_len = se->receipt_len;
			if (se->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT) {
				b->have_result = 1;
				b->result_seq = se->seq;
			}
		} else {
			job_fail(job, HTTP_SERVER_ERROR, &why);
			free((uint8_t *)se->receipt);
		}
		free((uint8_t *)se->entry);
	}
	if (g->n > 0 && rc != VY_R_OK)
		rebuild_state(b);
	g->n = 0;
	snapshot_take(b);
}

/* §4.4: the tracking code of a ballot or audited-ballot payload. */
static vy_rc tracking_code_of(const vyb_board *b, Vybar__EntryType type, const uint8_t *p, size_t n,
			      char code[VY_TRACKING_CODE_BYTES], vy_reason *why)
{
	Vybar__AuditedBallot *a = NULL;
	Vybar__Ballot *bal = NULL;
	const Vybar__Ballot *which;
	uint8_t h[VY_HASH_BYTES];
	vy_rc rc;

	if (type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT)
		rc = vy_decode_ballot(&bal, p, n, why);
	else
		rc = vy_decode_audited_ballot(&a, p, n, why);
	if (rc != VY_R_OK)
		return rc;
	which = bal != NULL ? bal : a->ballot;
	if (which == NULL) {
		rc = vy_reason_set(why, VY_R_FIELD, "audited ballot: ballot missing");
	} else {
		vy_ballot_hash(&b->st.election, h, which);
		vy_tracking_code(code, h);
	}
	vy_msg_free(bal);
	vy_msg_free(a);
	return rc;
}

/* A ballot or audited ballot: phase (403), decoding (400), duplicate
 * tracking code (409), then the rules of §4.5 / §6 (400): the checker's
 * verdict when it gave one, else the full rules in append_entry. */
static void submit_ballot(vyb_board *b, vyb_job *job)
{
	vyb_store_hit hit;
	vy_reason why = { 0 };
	unsigned flags = 0;
	int found = 0;

	if (b->st.phase != VY_PHASE_OPEN) {
		vy_reason_set(&why, VY_R_PHASE, "%s: the election is not open for voting",
			      job->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ? "ballot" : "audited ballot");
		job_fail(job, HTTP_FORBIDDEN, &why);
		return;
	}
	if (tracking_code_of(b, job->type, job->payload, job->payload_len, job->tracking_code, &why) != VY_R_OK) {
		job_fail(job, vyb_status_of(why.code), &why);
		return;
	}
	if (vyb_store_lookup(b->store, job->tracking_code, &hit, &found, &why) != VY_R_OK) {
		job_fail(job, HTTP_SERVER_ERROR, &why);
		return;
	}
	free(hit.receipt);
	if (found) {
		vy_reason_set(&why, VY_R_DUPLICATE, "ballot %s is already on the record at entry %llu", job->tracking_code,
			      (unsigned long long)hit.seq);
		job_fail(job, HTTP_CONFLICT, &why);
		return;
	}
	if (group_has_code(&b->grp, job->tracking_code)) {
		vy_reason_set(&why, VY_R_DUPLICATE, "ballot %s is already on the record (being committed)",
			      job->tracking_code);
		job_fail(job, HTTP_CONFLICT, &why);
		return;
	}
	if (job->precheck == VYB_PRECHECK_FAILED) {
		job_fail(job, vyb_status_of(job->precheck_why.code), &job->precheck_why);
		return;
	}
	/* Only with the snapshot taken can a pass be relied on (point 3 above). */
	if (job->precheck == VYB_PRECHECK_PASSED && b->snap_ready)
		flags = VY_CHECK_SKIP_BALLOT;
	append_entry(b, job, job->type, job->payload, job->payload_len, job->tracking_code, flags);
}

/* §8.8, §12.3: ElectionClose{ballots_received}. */
static uint8_t *derive_close(const vyb_board *b, size_t *len)
{
	Vybar__ElectionClose c;

	vybar__election_close__init(&c);
	c.ballots_received = b->st.ballots;
	return vy_msg_pack(&c, len);
}

/* §12.2: decode and authenticate an AdminAction. Returns the HTTP status. */
static int admin_check(const vyb_board *b, const uint8_t *p, size_t n, Vybar__AdminAction **out, vy_reason *why)
{
	const Vybar__Manifest *m = b->st.manifest;
	Vybar__AdminAction *a = NULL;
	uint8_t h[VY_HASH_BYTES];
	vy_rc rc;

	*out = NULL;
	rc = vy_decode_message((ProtobufCMessage **)&a, &vybar__admin_action__descriptor, VYB_MAX_ADMIN_BYTES, p, n,
			       why);
	if (rc != VY_R_OK)
		return vyb_status_of(rc);
	if (a->action < VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN ||
	    a->action > VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_RESULT) {
		vy_reason_set(why, VY_R_FIELD, "admin: unknown action %d", (int)a->action);
		goto bad;
	}
	if (a->base_hash.len != VY_HASH_BYTES || memcmp(a->base_hash.data, b->st.election.base_hash, VY_HASH_BYTES)) {
		vy_reason_set(why, VY_R_FIELD, "admin: base_hash is not this election's base hash");
		goto bad;
	}
	if (a->head_hash.len != VY_HASH_BYTES || memcmp(a->head_hash.data, b->st.head_hash, VY_HASH_BYTES)) {
		vy_msg_free(a);
		vy_reason_set(why, VY_R_CHAIN, "admin: stale head: head_hash is not the hash of entry %llu, the last one",
			      (unsigned long long)b->st.next_seq - 1);
		return HTTP_CONFLICT;
	}
	vyb_admin_hash(h, a->base_hash.data, (uint64_t)a->action, a->head_hash.data);
	if (a->signature.len != VY_ED25519_SIG_BYTES ||
	    crypto_sign_verify_detached(a->signature.data, h, sizeof h, m->commission_key.data) != 0) {
		vy_msg_free(a);
		vy_reason_set(why, VY_R_KEY, "admin: signature does not verify under the manifest's commission_key");
		return HTTP_FORBIDDEN;
	}
	*out = a;
	return HTTP_OK;
bad:
	vy_msg_free(a);
	return HTTP_BAD_REQUEST;
}

/* §12.3: an administrative action: derive the entry and append it. */
static void submit_admin(vyb_board *b, vyb_job *job)
{
	Vybar__AdminAction *a = NULL;
	Vybar__EntryType type;
	uint8_t *payload = NULL;
	vy_reason why = { 0 };
	size_t len = 0;
	int status;

	status = admin_check(b, job->payload, job->payload_len, &a, &why);
	if (status != HTTP_OK) {
		job_fail(job, status, &why);
		return;
	}
	switch (a->action) {
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_OPEN:
		/* §5.5: Q and K = prod_{i in Q} A_{i,0} from the record. */
		type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN;
		if (vy_ceremony_open(&b->st, &payload, &len, &why) != VY_R_OK)
			payload = NULL;
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_CLOSE:
		type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_CLOSE;
		if (b->st.phase == VY_PHASE_OPEN)
			payload = derive_close(b, &len);
		else
			vy_reason_set(&why, VY_R_PHASE, "close: the election is not open");
		break;
	case VYBAR__ADMIN_ACTION_KIND__ADMIN_ACTION_KIND_TALLY:
		/* §10.1: the product of the counted ballots' ciphertexts. */
		type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY;
		if (vy_tally_encrypted(&b->st, &payload, &len, &why) != VY_R_OK)
			payload = NULL;
		break;
	default:
		/* §10.3: combine every partial decryption on the record. */
		type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT;
		if (vy_tally_result(&b->st, NULL, 0, &payload, &len, &why) != VY_R_OK)
			payload = NULL;
		break;
	}
	vy_msg_free(a);
	if (payload == NULL) {
		if (why.code == VY_R_OK)
			vy_reason_set(&why, VY_R_NOMEM, "admin: out of memory");
		job_fail(job, vyb_status_of(why.code), &why);
		return;
	}
	append_entry(b, job, type, payload, len, NULL, 0);
	free(payload);
}

/* One job of a group (state lock held). */
static void process(vyb_board *b, vyb_job *job)
{
	job->http_status = HTTP_SERVER_ERROR;
	job->tracking_code[0] = '\0';
	if (job->kind == VYB_JOB_ADMIN)
		submit_admin(b, job);
	else if (job->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ||
		 job->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT)
		submit_ballot(b, job);
	else
		append_entry(b, job, job->type, job->payload, job->payload_len, NULL, 0);
}

/* The writer: every job waiting (up to VYB_MAX_GROUP) in arrival order,
 * validated and applied one after the other, committed together, then
 * answered; until stopped and drained. The state lock is held from the
 * first job to the COMMIT, so readers never see uncommitted state. */
static void *writer_main(void *arg)
{
	vyb_board *b = arg;
	vyb_job *batch[VYB_MAX_GROUP];

	pthread_mutex_lock(&b->q_lock);
	for (;;) {
		size_t n = 0;

		while (b->head == NULL && !(b->stopping && b->reserved == 0))
			pthread_cond_wait(&b->q_cond, &b->q_lock);
		if (b->head == NULL)
			break;
		while (b->head != NULL && n < VYB_MAX_GROUP) {
			batch[n++] = b->head;
			b->head = b->head->next;
		}
		if (b->head == NULL)
			b->tail = NULL;
		pthread_mutex_unlock(&b->q_lock);
		pthread_mutex_lock(&b->state_lock);
		for (size_t i = 0; i < n; i++)
			process(b, batch[i]);
		group_commit(b);
		pthread_mutex_unlock(&b->state_lock);
		/* done() may free the job: nothing touches it after. */
		for (size_t i = 0; i < n; i++)
			batch[i]->done(batch[i], batch[i]->done_arg);
		pthread_mutex_lock(&b->q_lock);
		b->reserved -= n;
		if (b->reserved == 0)
			pthread_cond_broadcast(&b->idle_cond);
	}
	pthread_mutex_unlock(&b->q_lock);
	return NULL;
}

int vyb_board_reserve(vyb_board *b)
{
	int ok;

	pthread_mutex_lock(&b->q_lock);
	ok = !b->refuse && b->reserved < b->queue_max;
	if (ok)
		b->reserved++;
	pthread_mutex_unlock(&b->q_lock);
	return ok;
}

/* Append a job to the writer's queue (q_lock held). */
static void writer_enqueue(vyb_board *b, vyb_job *job)
{
	job->next = NULL;
	if (b->tail != NULL)
		b->tail->next = job;
	else
		b->head = job;
	b->tail = job;
	pthread_cond_signal(&b->q_cond);
}

/* A ballot or an audited ballot, whose rules a checker can run. */
static int is_ballot_job(const vyb_job *job)
{
	return job->kind == VYB_JOB_ENTRY && (job->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ||
					      job->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT);
}

/* §4.5, §6: the state-free rules of a ballot or audited ballot against the
 * election snapshot; the verdict goes into the job for the writer. */
static void precheck(const vy_election *el, vyb_job *job)
{
	Vybar__AuditedBallot *a = NULL;
	Vybar__Ballot *bal = NULL;
	vy_rc rc;

	if (job->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT) {
		rc = vy_decode_ballot(&bal, job->payload, job->payload_len, &job->precheck_why);
		if (rc == VY_R_OK)
			rc = vy_ballot_validate(el, bal, &job->precheck_why);
	} else {
		rc = vy_decode_audited_ballot(&a, job->payload, job->payload_len, &job->precheck_why);
		if (rc == VY_R_OK)
			rc = vy_audited_ballot_check(el, a, &job->precheck_why);
	}
	job->precheck = rc == VY_R_OK ? VYB_PRECHECK_PASSED : VYB_PRECHECK_FAILED;
	vy_msg_free(bal);
	vy_msg_free(a);
}

/* A checker: ballot jobs, checked (once the snapshot exists) outside any
 * lock, then handed to the writer in the order they finish. */
static void *checker_main(void *arg)
{
	vyb_board *b = arg;

	pthread_mutex_lock(&b->q_lock);
	for (;;) {
		vyb_job *job;
		int ready;

		while (b->c_head == NULL && !b->checkers_stop)
			pthread_cond_wait(&b->c_cond, &b->q_lock);
		if (b->c_head == NULL)
			break;
		job = b->c_head;
		b->c_head = job->next;
		if (b->c_head == NULL)
			b->c_tail = NULL;
		ready = b->snap_ready;
		pthread_mutex_unlock(&b->q_lock);
		/* snap is written once, before snap_ready is set under q_lock */
		if (ready)
			precheck(&b->snap, job);
		pthread_mutex_lock(&b->q_lock);
		writer_enqueue(b, job);
	}
	pthread_mutex_unlock(&b->q_lock);
	return NULL;
}

void vyb_board_submit(vyb_board *b, vyb_job *job)
{
	/* Only a checker may mark a job checked (board.c, point 1). */
	job->precheck = VYB_PRECHECK_NONE;
	memset(&job->precheck_why, 0, sizeof job->precheck_why);
	job->next = NULL;
	pthread_mutex_lock(&b->q_lock);
	if (is_ballot_job(job) && b->n_checkers > 0) {
		if (b->c_tail != NULL)
			b->c_tail->next = job;
		else
			b->c_head = job;
		b->c_tail = job;
		pthread_cond_signal(&b->c_cond);
	} else {
		writer_enqueue(b, job);
	}
	pthread_mutex_unlock(&b->q_lock);
}

void vyb_board_drain(vyb_board *b)
{
	pthread_mutex_lock(&b->q_lock);
	while (b->reserved != 0)
		pthread_cond_wait(&b->idle_cond, &b->q_lock);
	pthread_mutex_unlock(&b->q_lock);
}

void vyb_board_refuse_new(vyb_board *b)
{
	pthread_mutex_lock(&b->q_lock);
	b->refuse = 1;
	pthread_mutex_unlock(&b->q_lock);
}

/* ---- start-up: replay and re-validate the stored record ---- */

typedef struct {
	vyb_board *b;
	vy_rc rc;
	vy_reason why;
	uint64_t at;
} replay_ctx;

/* One stored entry: decode it strictly, then the protocol rules (§8). */
static int replay_one(void *arg, uint64_t seq, const uint8_t *blob, size_t len)
{
	replay_ctx *r = arg;
	vyb_board *b = r->b;
	Vybar__RecordEntry *e = NULL;

	r->at = seq;
	r->rc = vy_decode_entry(&e, blob, len, &r->why);
	if (r->rc == VY_R_OK)
		r->rc = vy_record_accept(&b->st, e, &r->why);
	if (r->rc == VY_R_OK && seq == 0 && b->manifest == NULL) {
		b->manifest = malloc(e->payload.len);
		if (b->manifest == NULL)
			r->rc = vy_reason_set(&r->why, VY_R_NOMEM, "out of memory");
		else
			memcpy(b->manifest, e->payload.data, e->payload.len);
		b->manifest_len = e->payload.len;
	}
	if (r->rc == VY_R_OK && e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT) {
		b->have_result = 1;
		b->result_seq = seq;
	}
	vy_msg_free(e);
	return r->rc == VY_R_OK;
}

/* Replay the whole record; any failure names the entry and the reason. */
static vy_rc replay(vyb_board *b, vy_reason *why)
{
	replay_ctx r = { .b = b, .rc = VY_R_OK };
	vyb_counts c;
	vy_rc rc;

	rc = vyb_store_read(b->store, 0, replay_one, &r, why);
	if (rc != VY_R_OK)
		return rc;
	if (r.rc != VY_R_OK)
		return vy_reason_set(why, r.rc, "stored entry %llu fails validation (%s, code %d): %s",
				     (unsigned long long)r.at, vy_rc_str(r.rc), (int)r.rc, r.why.msg);
	rc = vyb_store_counts(b->store, &c, why);
	if (rc != VY_R_OK)
		return rc;
	if (c.indexed != b->st.ballots + b->st.audited)
		return vy_reason_set(why, VY_R_FIELD, "store: %llu tracking codes indexed, the record holds %llu ballots",
				     (unsigned long long)c.indexed, (unsigned long long)(b->st.ballots + b->st.audited));
	return VY_R_OK;
}

/* First start: entry 0 is the manifest, which must name this board's key. */
static vy_rc create_record(vyb_board *b, const char *manifest_path, vy_reason *why)
{
	Vybar__Manifest *m = NULL;
	vyb_job job;
	uint8_t *buf;
	size_t len = 0;
	vy_rc rc;

	rc = vy_file_read(&buf, &len, manifest_path, VY_MAX_MANIFEST_BYTES, 0, why);
	if (rc != VY_R_OK)
		return rc;
	rc = vy_decode_manifest(&m, buf, len, why);
	if (rc == VY_R_OK && (m->board_key.len != sizeof b->pk || memcmp(m->board_key.data, b->pk, sizeof b->pk)))
		rc = vy_reason_set(why, VY_R_KEY, "manifest: board_key is not this board's key");
	vy_msg_free(m);
	if (rc == VY_R_OK) {
		memset(&job, 0, sizeof job);
		job.http_status = HTTP_SERVER_ERROR;
		append_entry(b, &job, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, buf, len, NULL, 0);
		group_commit(b);
		if (job.http_status != HTTP_OK)
			rc = vy_reason_set(why, job.why.code, "manifest refused: %s", job.why.msg);
	}
	if (rc == VY_R_OK) {
		b->manifest = buf;
		b->manifest_len = len;
		return VY_R_OK;
	}
	free(buf);
	return rc;
}

/* A restart given --manifest: it must be the manifest of the record. */
static vy_rc check_same_manifest(const vyb_board *b, const char *path, vy_reason *why)
{
	uint8_t *buf;
	size_t len = 0;
	vy_rc rc;

	rc = vy_file_read(&buf, &len, path, VY_MAX_MANIFEST_BYTES, 0, why);
	if (rc == VY_R_OK && (len != b->manifest_len || memcmp(buf, b->manifest, len) != 0))
		rc = vy_reason_set(why, VY_R_FIELD, "%s is not the manifest of the stored record (entry 0)", path);
	free(buf);
	return rc;
}

/* Load the record (or create it), checking it is this board's. */
static vy_rc load(vyb_board *b, const vyb_board_config *cfg, vy_reason *why)
{
	vy_rc rc;

	rc = replay(b, why);
	if (rc != VY_R_OK)
		return rc;
	if (b->st.phase == VY_PHASE_EMPTY) {
		if (cfg->manifest_path == NULL)
			return vy_reason_set(why, VY_R_FIELD, "the database holds no record: give --manifest");
		return create_record(b, cfg->manifest_path, why);
	}
	if (memcmp(b->st.manifest->board_key.data, b->pk, sizeof b->pk) != 0)
		return vy_reason_set(why, VY_R_KEY, "the record's board_key is not this board's key");
	if (cfg->manifest_path != NULL)
		return check_same_manifest(b, cfg->manifest_path, why);
	return VY_R_OK;
}

/* The checker pool: `want` threads, or one per online CPU when 0, at most
 * VYB_MAX_CHECKERS. Threads that cannot be started are done without (with
 * none, the writer checks every ballot itself). */
static void start_checkers(vyb_board *b, size_t want)
{
	long cpus;

	if (want == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		want = cpus > 0 ? (size_t)cpus : 1;
	}
	if (want > VYB_MAX_CHECKERS)
		want = VYB_MAX_CHECKERS;
	while (b->n_checkers < want && pthread_create(&b->checkers[b->n_checkers], NULL, checker_main, b) == 0)
		b->n_checkers++;
}

/* Stop the checkers once their queue is empty (every reservation is done). */
static void stop_checkers(vyb_board *b)
{
	pthread_mutex_lock(&b->q_lock);
	b->checkers_stop = 1;
	pthread_cond_broadcast(&b->c_cond);
	pthread_mutex_unlock(&b->q_lock);
	for (size_t i = 0; i < b->n_checkers; i++)
		pthread_join(b->checkers[i], NULL);
	b->n_checkers = 0;
}

vy_rc vyb_board_open(vyb_board **out, const vyb_board_config *cfg, vy_reason *why)
{
	vyb_board *b;
	vy_rc rc;

	*out = NULL;
	b = calloc(1, sizeof *b);
	if (b == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	pthread_mutex_init(&b->state_lock, NULL);
	pthread_mutex_init(&b->q_lock, NULL);
	pthread_cond_init(&b->q_cond, NULL);
	pthread_cond_init(&b->idle_cond, NULL);
	pthread_cond_init(&b->c_cond, NULL);
	b->queue_max = cfg->queue_max;
	vy_record_state_init(&b->st);
	b->registrar_verify = cfg->registrar_verify;
	vy_record_state_set_registrar_verifier(&b->st, cfg->registrar_verify, NULL);
	b->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (b->sk == NULL) {
		rc = vy_reason_set(why, VY_R_NOMEM, "out of memory");
		goto fail;
	}
	rc = vy_key_load(b->sk, b->pk, cfg->key_path, why);
	if (rc != VY_R_OK)
		goto fail;
	sodium_mprotect_readonly(b->sk);
	rc = vyb_store_sqlite_open(&b->store, cfg->db_path, why);
	if (rc == VY_R_OK)
		rc = load(b, cfg, why);
	if (rc != VY_R_OK)
		goto fail;
	if (pthread_create(&b->writer, NULL, writer_main, b) != 0) {
		rc = vy_reason_set(why, VY_R_NOMEM, "cannot start the writer thread");
		goto fail;
	}
	b->writer_started = 1;
	snapshot_take(b);
	start_checkers(b, cfg->checkers);
	*out = b;
	return VY_R_OK;
fail:
	vyb_board_close(b);
	return rc;
}

void vyb_board_close(vyb_board *b)
{
	if (b == NULL)
		return;
	if (b->writer_started) {
		pthread_mutex_lock(&b->q_lock);
		b->refuse = 1;
		b->stopping = 1;
		pthread_cond_broadcast(&b->q_cond);
		pthread_mutex_unlock(&b->q_lock);
		pthread_join(b->writer, NULL);
	}
	/* The writer left with no job reserved, so the checkers' queue is empty. */
	stop_checkers(b);
	vy_msg_free(b->snap_manifest);
	vyb_store_close(b->store);
	sodium_free(b->sk);
	vy_record_state_free(&b->st);
	free(b->manifest);
	pthread_mutex_destroy(&b->state_lock);
	pthread_mutex_destroy(&b->q_lock);
	pthread_cond_destroy(&b->q_cond);
	pthread_cond_destroy(&b->idle_cond);
	pthread_cond_destroy(&b->c_cond);
	free(b);
}

/* ---- read side ---- */

vyb_store *vyb_board_store(vyb_board *b)
{
	return b->store;
}

const uint8_t *vyb_board_manifest(const vyb_board *b, size_t *len)
{
	*len = b->manifest_len;
	return b->manifest;
}

/* The phase names of the status (specs/board-api.md). */
static const char *phase_name(vy_phase p)
{
	static const char *const names[] = { "empty", "setup", "open", "closed", "tallied" };

	return (unsigned)p <= VY_PHASE_TALLIED ? names[p] : "unknown";
}

char *vyb_board_status_json(vyb_board *b, size_t *len)
{
	vyb_jbuf j = { 0 };

	pthread_mutex_lock(&b->state_lock);
	vyb_jb_printf(&j, "{\"election_id\":");
	vyb_jb_str(&j, b->st.manifest->election_id);
	vyb_jb_printf(&j, ",\"phase\":\"%s\",\"entries\":%llu,\"ballots_received\":%llu,"
		      "\"audited_ballots\":%llu,\"distinct_credentials\":%llu,\"head_hash\":",
		      phase_name(b->st.phase), (unsigned long long)b->st.next_seq, (unsigned long long)b->st.ballots,
		      (unsigned long long)b->st.audited, (unsigned long long)b->st.cred_count);
	vyb_jb_hex(&j, b->st.head_hash, VY_HASH_BYTES);
	vyb_jb_printf(&j, ",\"base_hash\":");
	vyb_jb_hex(&j, b->st.election.base_hash, VY_HASH_BYTES);
	vyb_jb_printf(&j, ",\"result_published\":%s}\n", b->have_result ? "true" : "false");
	pthread_mutex_unlock(&b->state_lock);
	if (j.oom) {
		vyb_jb_free(&j);
		return NULL;
	}
	*len = j.len;
	return j.s;
}

/* The names of one contest's results, bounds-checked against the manifest. */
static void contest_json(vyb_jbuf *j, const Vybar__Contest *c, const Vybar__ContestResult *r)
{
	const Vybar__PartyListContest *pl = c->party_list;

	vyb_jb_printf(j, "{\"title\":");
	vyb_jb_str(j, c->title);
	vyb_jb_printf(j, ",\"options\":[");
	for (size_t i = 0; pl == NULL && i < r->n_counts && i < c->n_options; i++) {
		vyb_jb_printf(j, "%s{\"name\":", i ? "," : "");
		vyb_jb_str(j, c->options[i]->title);
		vyb_jb_printf(j, ",\"count\":%llu}", (unsigned long long)r->counts[i]);
	}
	vyb_jb_printf(j, "],\"lists\":[");
	for (size_t i = 0; pl != NULL && i < r->n_lists && i < pl->n_lists; i++) {
		const Vybar__PartyList *l = pl->lists[i];
		const Vybar__ListResult *lr = r->lists[i];

		vyb_jb_printf(j, "%s{\"name\":", i ? "," : "");
		vyb_jb_str(j, l->name);
		vyb_jb_printf(j, ",\"votes\":%llu,\"seats\":%u,\"elected\":[", (unsigned long long)lr->votes, lr->seats);
		for (size_t k = 0; k < lr->n_elected; k++) {
			vyb_jb_printf(j, "%s", k ? "," : "");
			vyb_jb_str(j, lr->elected[k] < l->n_candidates ? l->candidates[lr->elected[k]]->name : "?");
		}
		vyb_jb_printf(j, "]}");
	}
	vyb_jb_printf(j, "]}");
}

char *vyb_result_to_json(const Vybar__Manifest *m, const Vybar__Result *r, uint64_t seq, size_t *len)
{
	vyb_jbuf j = { 0 };

	vyb_jb_printf(&j, "{\"published\":true,\"seq\":%llu,\"title\":", (unsigned long long)seq);
	vyb_jb_str(&j, m->title);
	vyb_jb_printf(&j, ",\"contests\":[");
	for (size_t i = 0; i < r->n_contests && i < m->n_contests; i++) {
		vyb_jb_printf(&j, "%s", i ? "," : "");
		contest_json(&j, m->contests[i], r->contests[i]);
	}
	vyb_jb_printf(&j, "]}\n");
	if (j.oom) {
		vyb_jb_free(&j);
		return NULL;
	}
	*len = j.len;
	return j.s;
}

/* Keep the first entry visited. */
static int take_first(void *arg, uint64_t seq, const uint8_t *blob, size_t len)
{
	Vybar__RecordEntry **out = arg;

	(void)seq;
	if (vy_decode_entry(out, blob, len, NULL) != VY_R_OK)
		*out = NULL;
	return 0;
}

char *vyb_board_result_json(vyb_board *b, size_t *len)
{
	Vybar__RecordEntry *e = NULL;
	Vybar__Result *r = NULL;
	uint64_t seq;
	char *out = NULL;
	int have;

	pthread_mutex_lock(&b->state_lock);
	have = b->have_result;
	seq = b->result_seq;
	pthread_mutex_unlock(&b->state_lock);
	if (!have || vyb_store_read(b->store, seq, take_first, &e, NULL) != VY_R_OK || e == NULL ||
	    vy_decode_message((ProtobufCMessage **)&r, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
			      e->payload.data, e->payload.len, NULL) != VY_R_OK) {
		vy_msg_free(e);
		out = strdup("{\"published\":false}\n");
		if (out != NULL)
			*len = strlen(out);
		return out;
	}
	/* The manifest is never modified after start-up: no lock needed. */
	out = vyb_result_to_json(b->st.manifest, r, seq, len);
	vy_msg_free(r);
	vy_msg_free(e);
	return out;
}
