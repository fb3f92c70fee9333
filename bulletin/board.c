/*
 * The board's core (board.h): start-up replay, the single writer, entries,
 * receipts and administrative actions (specs/protocol.md §7, §8, §12;
 * specs/board-api.md). Each job ends in the protocol's terms (vyb_outcome
 * and a reason); the HTTP layer (answers.c) chooses the status.
 *
 *   start    replay every stored entry through vy_record_accept (§8),
 *            but those a restart checkpoint covers (checkpoint.h);
 *            refuse to start on the first failure
 *   check    ballots and audited ballots only, on a checker thread
 *            (checkers.c): vy_ballot_validate / vy_audited_ballot_check
 *            (§4.5, §6) against the election snapshot
 *   follow   on a store shared by several boards, the store's append lock,
 *            then the others' new entries (catch_up)
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

#include <sodium.h>

#include "bulletin/board_impl.h"
#include "bulletin/checkpoint.h"
#include "bulletin/ratelimit.h"
#include "cli/vy_files.h"
#include "cli/vy_keys.h"

/* End the job with outcome o and its reason. */
static void job_end(vyb_job *job, vyb_outcome o, const vy_reason *why)
{
	job->outcome = o;
	job->why = *why;
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
 * ballots against it. Its manifest is the board's own decoding of entry 0,
 * so it does not depend on the state's lifetime (rebuild_state). */
static void snapshot_take(vyb_board *b)
{
	if (b->snap_ready || b->manifest_msg == NULL || b->st.phase < VY_PHASE_OPEN ||
	    !b->st.election.have_joint_key)
		return;
	pthread_mutex_lock(&b->q_lock);
	b->snap = b->st.election;
	b->snap.manifest = b->manifest_msg;
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
		job_end(job, VYB_FAILED, &why);
		return;
	}
	vy_entry_make(&e, sig, &b->st, type, payload, len, b->sk);
	rc = vy_validate_entry_flags(&b->st, &e, flags, &why);
	if (rc != VY_R_OK) {
		job_end(job, VYB_REFUSED, &why);
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
		job_end(job, VYB_FAILED, &why);
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

/* Keep the first entry visited. */
static int take_first(void *arg, uint64_t seq, const uint8_t *blob, size_t len)
{
	Vybar__RecordEntry **out = arg;

	(void)seq;
	if (vy_decode_entry(out, blob, len, NULL) != VY_R_OK)
		*out = NULL;
	return 0;
}

/* protocol.md §10.1 (vy_ballot_fetch_fn): the entry at seq, a credential's
 * previous ballot, which a revote divides out of the running tally. The
 * state keeps no ciphertexts per credential: the entry is read back from
 * the writer's uncommitted group if it is there, else from the store
 * (where the entries replayed at start-up and those another board appended
 * to a shared store are). One read per revote. */
static vy_rc ballot_fetch(void *arg, uint64_t seq, Vybar__RecordEntry **out, vy_reason *why)
{
	vyb_board *b = arg;
	const vyb_group *g = &b->grp;
	vy_rc rc;

	*out = NULL;
	for (size_t i = 0; i < g->n; i++)
		if (g->entries[i].seq == seq)
			return vy_decode_entry(out, g->entries[i].entry, g->entries[i].entry_len, why);
	rc = vyb_store_read(b->store, seq, take_first, out, why);
	if (rc == VY_R_OK && *out == NULL)
		rc = vy_reason_set(why, VY_R_SEQ, "store: entry %llu is missing or does not decode",
				   (unsigned long long)seq);
	return rc;
}

/* The empty state, fetching a revote's previous ballot (ballot_fetch). */
static vy_rc state_init(vyb_board *b, vy_reason *why)
{
	vy_record_state_init(&b->st);
	vy_record_state_set_registrar_verifier(&b->st, b->registrar_verify, NULL);
	if (vy_record_state_set_ballot_fetch(&b->st, ballot_fetch, b) != VY_R_OK)
		return vy_reason_set(why, VY_R_ARG, "the record state has ballots already");
	return VY_R_OK;
}

/* witness.md §2: a committed entry (its hash) joins the tree. */
static vy_rc tree_add(vyb_board *b, const uint8_t hash[VY_HASH_BYTES], Vybar__EntryType type)
{
	uint8_t leaf[VY_MERKLE_HASH_BYTES];
	vy_reason why = { 0 };

	vy_merkle_leaf_hash(leaf, hash, VY_HASH_BYTES);
	if (vy_merkle_tree_add(b->tree, leaf) != VY_R_OK) {
		vy_reason_set(&why, VY_R_NOMEM, "out of memory");
		fatal("the Merkle tree of the record", &why);
	}
	b->last_type = type;
	return VY_R_OK;
}

/* The empty state, before a replay. */
static vy_rc state_reset(vyb_board *b, vy_reason *why)
{
	vy_record_state_free(&b->st);
	if (state_init(b, why) != VY_R_OK)
		return VY_R_ARG;
	b->have_result = 0;
	memset(b->bytes_hash, 0, sizeof b->bytes_hash);
	vy_merkle_tree_free(b->tree);
	b->tree = vy_merkle_tree_new();
	if (b->tree == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	return VY_R_OK;
}

/* A group's COMMIT failed after its entries were applied: rebuild the state
 * from the committed record (re-validating it, as at start-up). */
static void rebuild_state(vyb_board *b)
{
	vy_reason why = { 0 };

	if (state_reset(b, &why) != VY_R_OK || replay(b, &why) != VY_R_OK)
		fatal("rebuilding the state after a failed commit", &why);
}

/* The running tally's encoding (checkpoint.h), malloc'd; NULL if out of memory. */
static uint8_t *tally_encode(const vy_record_state *st, size_t *len)
{
	const vy_group *g = st->election.group;
	size_t eb = g != NULL ? vy_group_elem_bytes(g) : 0;
	uint8_t *out;

	*len = 2 * eb * st->n_sel;
	out = malloc(*len ? *len : 1);
	for (size_t j = 0; out != NULL && j < st->n_sel; j++) {
		vy_elem_encode(g, out + 2 * eb * j, &st->tally[j].alpha);
		vy_elem_encode(g, out + 2 * eb * j + eb, &st->tally[j].beta);
	}
	return out;
}

/* Write the restart checkpoint of the committed record as it stands, when
 * it is new or, unless forced, VYB_CHECKPOINT_EVERY entries newer than the
 * last one. Best effort: a failure is said and changes nothing else (the
 * next restart checks more entries). */
static void checkpoint_write(vyb_board *b, int forced)
{
	vyb_checkpoint c = { .size = b->st.next_seq };
	uint8_t *tally = NULL, *blob = NULL;
	vy_reason why = { 0 };
	size_t len = 0;

	if (!b->loaded || c.size == 0 || c.size == b->ckpt_size ||
	    (!forced && c.size < b->ckpt_size + VYB_CHECKPOINT_EVERY))
		return;
	memcpy(c.head, b->st.head_hash, VY_HASH_BYTES);
	memcpy(c.bytes_hash, b->bytes_hash, VY_HASH_BYTES);
	tally = tally_encode(&b->st, &c.tally_len);
	c.tally = tally;
	if (tally != NULL)
		blob = vyb_checkpoint_make(&c, b->sk, &len);
	if (blob == NULL)
		vy_reason_set(&why, VY_R_NOMEM, "out of memory");
	if (blob == NULL || vyb_store_checkpoint_put(b->store, blob, len, &why) != VY_R_OK)
		fprintf(stderr, "vybar-board: cannot write the restart checkpoint: %s\n", why.msg);
	else
		b->ckpt_size = c.size;
	free(tally);
	free(blob);
}

/* §7.5, specs/board-api.md §2: commit the group in one transaction (one
 * fsync); only then are its jobs successful and their receipts released. */
static void group_commit(vyb_board *b)
{
	vyb_group *g = &b->grp;
	vy_reason why = { 0 };
	vy_rc rc = VY_R_OK;
	int tally = 0;
	size_t n;

	if (g->n > 0)
		rc = vyb_store_append_group(b->store, g->entries, g->n, &why);
	for (size_t i = 0; i < g->n; i++) {
		vyb_job *job = g->jobs[i];
		vyb_store_entry *se = &g->entries[i];

		if (rc == VY_R_OK) {
			job->outcome = VYB_APPENDED;
			job->receipt = (uint8_t *)se->receipt;
			job->receipt_len = se->receipt_len;
			tree_add(b, job->entry_hash, (Vybar__EntryType)se->type);
			vyb_bytes_hash_add(b->bytes_hash, se->entry, se->entry_len);
			tally |= se->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY;
			if (se->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_RESULT) {
				b->have_result = 1;
				b->result_seq = se->seq;
			}
		} else {
			job_end(job, VYB_FAILED, &why);
			free((uint8_t *)se->receipt);
		}
		free((uint8_t *)se->entry);
	}
	if (g->n > 0 && rc == VY_R_OK) {
		vyb_pusher_notify(b, tally);
		checkpoint_write(b, 0);
	}
	/* Emptied before a rebuild: its entries are freed, and the replay
	 * must fetch previous ballots from the store alone (ballot_fetch). */
	n = g->n;
	g->n = 0;
	if (n > 0 && rc != VY_R_OK)
		rebuild_state(b);
	snapshot_take(b);
}

/* ---- the jobs: ballots, administrative actions, other entries (writer, state_lock held) ---- */

/* §4.4: the tracking code of a ballot or audited-ballot payload; and a
 * BALLOT's credential key in pk (*has_pk set) when it has one of the
 * right length. */
static vy_rc tracking_code_of(const vyb_board *b, Vybar__EntryType type, const uint8_t *p, size_t n,
			      char code[VY_TRACKING_CODE_BYTES], uint8_t pk[VY_ED25519_PK_BYTES], int *has_pk,
			      vy_reason *why)
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
		vy_ballot_ciphertexts_hash(&b->st.election, h, which);
		vy_tracking_code(code, h);
	}
	*has_pk = bal != NULL && bal->credential != NULL && bal->credential->public_key.len == VY_ED25519_PK_BYTES;
	if (*has_pk)
		memcpy(pk, bal->credential->public_key.data, VY_ED25519_PK_BYTES);
	vy_msg_free(bal);
	vy_msg_free(a);
	return rc;
}

/* protocol.md §3.6, board-api.md §3: a ballot of credential pk sooner than
 * min_seconds_between_ballots after its last one is refused (429 with
 * Retry-After), unless the credential has cast its count already: then the
 * record's rule (V4.10) refuses it for good (403). 1 if refused. */
static int too_soon(vyb_board *b, vyb_job *job, const uint8_t pk[VY_ED25519_PK_BYTES], double now)
{
	unsigned retry = 0, since = 0;
	vy_reason why = { 0 };

	if (vyb_pace_ok(&b->pace, pk, now, &retry, &since) ||
	    vy_record_state_ballots_of(&b->st, pk) >= b->manifest_msg->max_ballots_per_credential)
		return 0;
	vy_reason_set(&why, VY_R_BALLOT_LIMIT,
		      "ballot: this credential cast its last ballot %u s ago; the election takes one every %u s "
		      "(min_seconds_between_ballots): retry in %u s",
		      since, b->pace.min_seconds, retry);
	job_end(job, VYB_REFUSED, &why);
	job->retry_after = retry;
	return 1;
}

/* A ballot or audited ballot (its rules r): phase, decoding, duplicate
 * tracking code, the credential's pace (a BALLOT), then the rules of §4.5 /
 * §6: the checker's verdict when it gave one, else the full rules in
 * append_entry (specs/board-api.md §4). */
static void submit_ballot(vyb_board *b, vyb_job *job, const vy_ballot_rules *r)
{
	vyb_store_hit hit;
	vy_reason why = { 0 };
	uint8_t pk[VY_ED25519_PK_BYTES];
	unsigned flags = 0;
	int found = 0, has_pk = 0;
	size_t before = b->grp.n;
	double now = vyb_rl_now();

	if (b->st.phase != VY_PHASE_OPEN) {
		vy_reason_set(&why, VY_R_PHASE, "%s: the election is not open for voting", r->what);
		job_end(job, VYB_REFUSED, &why);
		return;
	}
	if (tracking_code_of(b, job->type, job->payload, job->payload_len, job->tracking_code, pk, &has_pk, &why) !=
	    VY_R_OK) {
		job_end(job, VYB_REFUSED, &why);
		return;
	}
	if (vyb_store_lookup(b->store, job->tracking_code, &hit, &found, &why) != VY_R_OK) {
		job_end(job, VYB_FAILED, &why);
		return;
	}
	free(hit.receipt);
	if (found) {
		vy_reason_set(&why, VY_R_DUPLICATE, "ballot %s is already on the record at entry %llu", job->tracking_code,
			      (unsigned long long)hit.seq);
		job_end(job, VYB_REFUSED, &why);
		return;
	}
	if (group_has_code(&b->grp, job->tracking_code)) {
		vy_reason_set(&why, VY_R_DUPLICATE, "ballot %s is already on the record (being committed)",
			      job->tracking_code);
		job_end(job, VYB_REFUSED, &why);
		return;
	}
	if (job->precheck == VYB_PRECHECK_FAILED) {
		job_end(job, VYB_REFUSED, &job->precheck_why);
		return;
	}
	if (has_pk && too_soon(b, job, pk, now))
		return;
	/* Only with the snapshot taken can a pass be relied on (point 3 above). */
	if (job->precheck == VYB_PRECHECK_PASSED && b->snap_ready)
		flags = VY_CHECK_SKIP_BALLOT;
	append_entry(b, job, job->type, job->payload, job->payload_len, job->tracking_code, flags);
	/* Kept from the append: a group whose COMMIT fails leaves a wait for a
	 * ballot that is not on the record, which only delays its retry. */
	if (has_pk && b->grp.n > before && vyb_pace_note(&b->pace, pk, now) != VY_R_OK)
		fprintf(stderr, "vybar-board: out of memory: the wait between ballots is not kept for one credential\n");
}

/* §12: an administrative action, authenticated against the record (§12.2);
 * the entry it causes is derived from the record state and appended
 * (§12.3). */
static void submit_admin(vyb_board *b, vyb_job *job)
{
	Vybar__AdminAction *a = NULL;
	Vybar__EntryType type;
	uint8_t *payload = NULL;
	vy_reason why = { 0 };
	size_t len = 0;
	vy_rc rc;

	if (vy_admin_action_check(&b->st, &a, job->payload, job->payload_len, &why) != VY_R_OK) {
		job_end(job, VYB_ADMIN_REFUSED, &why);
		return;
	}
	rc = vy_admin_entry(&b->st, a, &type, &payload, &len, &why);
	vy_msg_free(a);
	if (rc != VY_R_OK) {
		job_end(job, VYB_REFUSED, &why);
		return;
	}
	append_entry(b, job, type, payload, len, NULL, 0);
	free(payload);
}

/* One job of a group (state lock held). */
static void process(vyb_board *b, vyb_job *job)
{
	const vy_ballot_rules *r = vyb_job_ballot_rules(job);

	job->outcome = VYB_FAILED;
	job->tracking_code[0] = '\0';
	if (job->kind == VYB_JOB_ADMIN)
		submit_admin(b, job);
	else if (r != NULL)
		submit_ballot(b, job, r);
	else
		append_entry(b, job, job->type, job->payload, job->payload_len, NULL, 0);
}

/* ---- the writer thread ---- */

static vy_rc catch_up(vyb_board *b, vy_reason *why);

/* A batch the store could not take (its append lock failed): every job
 * ends failed, nothing appended. */
static void batch_fail(vyb_job **batch, size_t n, const vy_reason *why)
{
	for (size_t i = 0; i < n; i++) {
		batch[i]->tracking_code[0] = '\0';
		job_end(batch[i], VYB_FAILED, why);
	}
}

/* The writer: every job waiting (up to VYB_MAX_GROUP) in arrival order,
 * validated and applied one after the other, committed together, then
 * answered; until stopped and drained. The state lock is held from the
 * first job to the COMMIT, so readers never see uncommitted state. */
static void *writer_main(void *arg)
{
	vyb_board *b = arg;
	vyb_job *batch[VYB_MAX_GROUP];
	vy_reason why = { 0 };

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
		if (catch_up(b, &why) == VY_R_OK) {
			for (size_t i = 0; i < n; i++)
				process(b, batch[i]);
			group_commit(b);
		} else {
			batch_fail(batch, n, &why);
		}
		vyb_store_unlock(b->store);
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

/* ---- the writer's bounded queue (any thread) ---- */

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

void vyb_job_append(vyb_job **head, vyb_job **tail, vyb_job *job)
{
	job->next = NULL;
	if (*tail != NULL)
		(*tail)->next = job;
	else
		*head = job;
	*tail = job;
}

void vyb_writer_enqueue(vyb_board *b, vyb_job *job)
{
	vyb_job_append(&b->head, &b->tail, job);
	pthread_cond_signal(&b->q_cond);
}

void vyb_board_submit(vyb_board *b, vyb_job *job)
{
	/* Only a checker may mark a job checked (board.c, point 1). */
	job->precheck = VYB_PRECHECK_NONE;
	job->retry_after = 0;
	memset(&job->precheck_why, 0, sizeof job->precheck_why);
	job->next = NULL;
	pthread_mutex_lock(&b->q_lock);
	if (vyb_job_ballot_rules(job) != NULL && b->n_checkers > 0)
		vyb_checkers_enqueue(b, job);
	else
		vyb_writer_enqueue(b, job);
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
	/* a restart checkpoint (NULL without one): the entries it covers get
	 * only the rules that depend on the state, and the last must end at
	 * its hashes; then the tally is its */
	const vyb_checkpoint *ck;
	/* entries another board appended to a shared store (catch_up): their
	 * board signature is checked, their ballots' proofs are that board's */
	int peer;
} replay_ctx;

/* The rules of a stored entry: all of them; under a checkpoint only those
 * that depend on the record state (checkpoint.h); of another board's
 * entry all but its ballot's own checks, which that board ran before it
 * signed it (its board signature is checked). Then applied. */
static vy_rc replay_rules(replay_ctx *r, uint64_t seq, const Vybar__RecordEntry *e)
{
	vyb_board *b = r->b;
	vy_rc rc;

	if (r->peer)
		rc = vy_validate_entry_flags(&b->st, e, VY_CHECK_SKIP_BALLOT, &r->why);
	else if (r->ck == NULL || seq >= r->ck->size)
		return vy_record_accept(&b->st, e, &r->why);
	else
		rc = vy_validate_entry_flags(&b->st, e, VY_CHECK_SKIP_BOARD_SIGNATURE | VY_CHECK_SKIP_BALLOT,
					     &r->why);
	return rc != VY_R_OK ? rc : vy_record_state_apply(&b->st, e, &r->why);
}

/* The running tally becomes the checkpoint's. */
static vy_rc checkpoint_tally(vyb_board *b, const vyb_checkpoint *ck, vy_reason *why)
{
	vy_record_state *st = &b->st;
	const vy_group *g = st->election.group;
	size_t eb = g != NULL ? vy_group_elem_bytes(g) : 0;

	if (ck->tally_len != 2 * eb * st->n_sel)
		return vy_reason_set(why, VY_R_SHAPE, "the checkpoint's tally has %zu bytes, not %zu", ck->tally_len,
				     2 * eb * st->n_sel);
	for (size_t j = 0; j < st->n_sel; j++)
		if (vy_ciphertext_decode(g, &st->tally[j], ck->tally + 2 * eb * j, eb, ck->tally + 2 * eb * j + eb,
					 eb) != VY_OK)
			return vy_reason_set(why, VY_R_ELEMENT, "the checkpoint's tally %zu does not decode", j);
	st->tally_deferred = 0;
	return VY_R_OK;
}

/* After the last entry a checkpoint covers: the record must arrive at its
 * hashes; the running tally becomes its (unless it already did, at an
 * ENCRYPTED_TALLY the checkpoint covers). */
static vy_rc checkpoint_reached(vyb_board *b, const vyb_checkpoint *ck, vy_reason *why)
{
	if (memcmp(b->st.head_hash, ck->head, VY_HASH_BYTES) != 0 ||
	    memcmp(b->bytes_hash, ck->bytes_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_CHAIN, "the stored entries are not those the checkpoint covers");
	return b->st.tally_deferred ? checkpoint_tally(b, ck, why) : VY_R_OK;
}

/* One stored entry: decode it strictly, then the protocol rules (§8). */
static int replay_one(void *arg, uint64_t seq, const uint8_t *blob, size_t len)
{
	replay_ctx *r = arg;
	vyb_board *b = r->b;
	Vybar__RecordEntry *e = NULL;
	uint8_t hash[VY_HASH_BYTES];

	r->at = seq;
	r->rc = vy_decode_entry(&e, blob, len, &r->why);
	/* An ENCRYPTED_TALLY the checkpoint covers is checked against the
	 * product of the counted ballots: no ballot follows the close, so that
	 * product is the checkpoint's tally (which the end of the replay still
	 * checks against the stored bytes). */
	if (r->rc == VY_R_OK && r->ck != NULL && b->st.tally_deferred && seq < r->ck->size &&
	    e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY)
		r->rc = checkpoint_tally(b, r->ck, &r->why);
	if (r->rc == VY_R_OK)
		r->rc = replay_rules(r, seq, e);
	if (r->rc == VY_R_OK) {
		vy_entry_hash_of(hash, e);
		r->rc = tree_add(b, hash, e->type);
		vyb_bytes_hash_add(b->bytes_hash, blob, len);
	}
	if (r->rc == VY_R_OK && r->ck != NULL && seq + 1 == r->ck->size)
		r->rc = checkpoint_reached(b, r->ck, &r->why);
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

/* Replay the whole record, the entries checkpoint ck covers (ck may be
 * NULL) as checkpoint.h says; any failure names the entry and the reason. */
static vy_rc replay_from(vyb_board *b, const vyb_checkpoint *ck, vy_reason *why)
{
	replay_ctx r = { .b = b, .rc = VY_R_OK, .ck = ck };
	vyb_counts c;
	vy_rc rc;

	b->st.tally_deferred = ck != NULL;
	rc = vyb_store_read(b->store, 0, replay_one, &r, why);
	if (rc != VY_R_OK)
		return rc;
	if (r.rc != VY_R_OK)
		return vy_reason_set(why, r.rc, "stored entry %llu fails validation (%s, code %d): %s",
				     (unsigned long long)r.at, vy_rc_str(r.rc), (int)r.rc, r.why.msg);
	if (ck != NULL && b->st.next_seq < ck->size)
		return vy_reason_set(why, VY_R_SEQ, "the record holds %llu entries, fewer than the checkpoint",
				     (unsigned long long)b->st.next_seq);
	rc = vyb_store_counts(b->store, &c, why);
	if (rc != VY_R_OK)
		return rc;
	if (c.indexed != b->st.ballots + b->st.audited)
		return vy_reason_set(why, VY_R_FIELD, "store: %llu tracking codes indexed, the record holds %llu ballots",
				     (unsigned long long)c.indexed, (unsigned long long)(b->st.ballots + b->st.audited));
	return VY_R_OK;
}

/* The stored restart checkpoint, if there is one and its signature holds:
 * 1 with it in *ck (its tally in *blob, to free); 0 (saying why when there
 * is one) if not. */
static int checkpoint_read(vyb_board *b, vyb_checkpoint *ck, uint8_t **blob)
{
	vy_reason why = { 0 };
	size_t len = 0;
	int found = 0;

	*blob = NULL;
	if (vyb_store_checkpoint_get(b->store, blob, &len, &found, &why) != VY_R_OK)
		fprintf(stderr, "vybar-board: cannot read the restart checkpoint (%s): checking every entry\n", why.msg);
	else if (found && vyb_checkpoint_open(*blob, len, b->pk, ck, &why) != VY_R_OK)
		fprintf(stderr, "vybar-board: the restart checkpoint is refused (%s): checking every entry\n", why.msg);
	else if (found)
		return 1;
	free(*blob);
	*blob = NULL;
	return 0;
}

/* Replay the record: from the restart checkpoint when there is one that
 * holds (checkpoint.h), else, or if the record does not match it, every
 * rule of every entry, saying so. */
static vy_rc replay(vyb_board *b, vy_reason *why)
{
	vyb_checkpoint ck;
	vy_reason cwhy = { 0 };
	uint8_t *blob = NULL;
	vy_rc rc;

	if (checkpoint_read(b, &ck, &blob)) {
		rc = replay_from(b, &ck, &cwhy);
		free(blob);
		if (rc == VY_R_OK) {
			fprintf(stderr, "vybar-board: restart checkpoint: %llu entries replayed without their proofs, "
					"%llu checked in full\n",
				(unsigned long long)ck.size, (unsigned long long)(b->st.next_seq - ck.size));
			b->ckpt_size = ck.size;
			return VY_R_OK;
		}
		fprintf(stderr, "vybar-board: the record does not match the restart checkpoint of %llu entries (%s): "
				"checking every entry\n",
			(unsigned long long)ck.size, cwhy.msg);
		if (state_reset(b, why) != VY_R_OK)
			return VY_R_NOMEM;
	}
	return replay_from(b, NULL, why);
}

/* Several boards on one store (store.h, lock): take the store's append
 * lock, then apply every entry the others appended since this board's
 * last (replay_rules: every rule but a ballot's own proofs and signatures,
 * which the board that signed it ran), so that the next entry follows the
 * record's head. Without a shared store, nothing to do. An entry of
 * another board that fails the rules leaves no state this board could
 * append after. */
static vy_rc catch_up(vyb_board *b, vy_reason *why)
{
	replay_ctx r = { .b = b, .rc = VY_R_OK, .peer = 1 };
	vy_rc rc;

	if (!vyb_store_shared(b->store))
		return VY_R_OK;
	rc = vyb_store_lock(b->store, why);
	if (rc == VY_R_OK)
		rc = vyb_store_read(b->store, b->st.next_seq, replay_one, &r, why);
	if (rc != VY_R_OK)
		return rc;
	if (r.rc != VY_R_OK) {
		vy_reason_set(why, r.rc, "stored entry %llu, appended by another board, fails validation: %s",
			      (unsigned long long)r.at, r.why.msg);
		fatal("following the shared record", why);
	}
	snapshot_take(b);
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
		job.outcome = VYB_FAILED;
		append_entry(b, &job, VYBAR__ENTRY_TYPE__ENTRY_TYPE_MANIFEST, buf, len, NULL, 0);
		group_commit(b);
		if (job.outcome != VYB_APPENDED)
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
static vy_rc load_record(vyb_board *b, const vyb_board_config *cfg, vy_reason *why)
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

/* Load the record, then decode entry 0 once for the readers and the
 * checkers' snapshot: it never changes, whatever the state goes through. */
static vy_rc load(vyb_board *b, const vyb_board_config *cfg, vy_reason *why)
{
	vy_rc rc = load_record(b, cfg, why);

	if (rc == VY_R_OK)
		rc = vy_decode_manifest(&b->manifest_msg, b->manifest, b->manifest_len, why);
	if (rc == VY_R_OK)
		vyb_pace_init(&b->pace, b->manifest_msg->min_seconds_between_ballots);
	return rc;
}

/* ---- the board's life ---- */

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
	b->registrar_verify = cfg->registrar_verify;
	if (state_init(b, why) != VY_R_OK) {
		rc = VY_R_ARG;
		goto fail;
	}
	b->tree = vy_merkle_tree_new();
	b->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (b->sk == NULL || b->tree == NULL) {
		rc = vy_reason_set(why, VY_R_NOMEM, "out of memory");
		goto fail;
	}
	rc = vy_key_load(b->sk, b->pk, cfg->key_path, why);
	if (rc != VY_R_OK)
		goto fail;
	sodium_mprotect_readonly(b->sk);
	if (cfg->store != NULL)
		rc = vyb_store_open(&b->store, cfg->store, why);
	else
		rc = vyb_store_sqlite_open(&b->store, cfg->db_path, why);
	if (rc == VY_R_OK)
		rc = load(b, cfg, why);
	if (rc == VY_R_OK) {
		b->loaded = 1;
		checkpoint_write(b, 1);
	}
	if (rc == VY_R_OK && cfg->n_witness_urls > 0)
		rc = vyb_pusher_start(b, cfg->witness_urls, cfg->n_witness_urls, why);
	if (rc != VY_R_OK)
		goto fail;
	if (pthread_create(&b->writer, NULL, writer_main, b) != 0) {
		rc = vy_reason_set(why, VY_R_NOMEM, "cannot start the writer thread");
		goto fail;
	}
	b->writer_started = 1;
	snapshot_take(b);
	vyb_checkers_start(b, cfg->checkers);
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
	/* The pusher may wait for its WITNESSED job: the writer still runs. */
	vyb_pusher_stop(b);
	if (b->writer_started) {
		pthread_mutex_lock(&b->q_lock);
		b->refuse = 1;
		b->stopping = 1;
		pthread_cond_broadcast(&b->q_cond);
		pthread_mutex_unlock(&b->q_lock);
		pthread_join(b->writer, NULL);
	}
	/* The writer is gone: the state is the committed record's. */
	checkpoint_write(b, 1);
	/* The writer left with no job reserved, so the checkers' queue is empty. */
	vyb_checkers_stop(b);
	vyb_pusher_free(b);
	vy_merkle_tree_free(b->tree);
	vyb_pace_free(&b->pace);
	vy_msg_free(b->manifest_msg);
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

const Vybar__Manifest *vyb_board_manifest_msg(const vyb_board *b)
{
	return b->manifest_msg;
}

void vyb_board_status(vyb_board *b, vyb_status *out)
{
	memset(out, 0, sizeof *out);
	/* The manifest is never modified after start-up: no lock needed. */
	snprintf(out->election_id, sizeof out->election_id, "%s", b->manifest_msg->election_id);
	pthread_mutex_lock(&b->state_lock);
	out->phase = b->st.phase;
	out->entries = b->st.next_seq;
	out->ballots = b->st.ballots;
	out->audited = b->st.audited;
	out->credentials = b->st.cred_count;
	memcpy(out->head_hash, b->st.head_hash, VY_HASH_BYTES);
	memcpy(out->base_hash, b->st.election.base_hash, VY_HASH_BYTES);
	out->result_published = b->have_result;
	pthread_mutex_unlock(&b->state_lock);
}

int vyb_board_result(vyb_board *b, Vybar__Result **out, uint64_t *seq)
{
	Vybar__RecordEntry *e = NULL;
	int have;

	*out = NULL;
	pthread_mutex_lock(&b->state_lock);
	have = b->have_result;
	*seq = b->result_seq;
	pthread_mutex_unlock(&b->state_lock);
	if (have && vyb_store_read(b->store, *seq, take_first, &e, NULL) == VY_R_OK && e != NULL &&
	    vy_decode_message((ProtobufCMessage **)out, &vybar__result__descriptor, VY_MAX_MESSAGE_BYTES,
			      e->payload.data, e->payload.len, NULL) != VY_R_OK)
		*out = NULL;
	vy_msg_free(e);
	return *out != NULL;
}
