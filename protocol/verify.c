/*
 * The verification engine (specs/verification.md): the pipeline of reader,
 * workers and applier, and the accounting by numbered check.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/vy_entry_types.h"
#include "protocol/vy_verify.h"

#define VYV_RING_SLOTS 256 /* entries in flight: bounds the memory */

static const char *const check_ids[VYV__COUNT] = {
	"V1.0", "V1.1", "V1.2", "V1.3", "V1.4", "V1.5", "V1.6", "V1.7", "V1.8",
	"V2.1", "V2.2", "V2.3", "V2.4", "V2.5", "V2.6", "V2.7", "V2.8", "V2.9", "V2.10", "V2.11",
	"V3.1", "V3.2", "V3.3", "V3.4", "V3.5", "V3.6", "V3.7", "V3.8", "V3.9",
	"V4.1", "V4.2", "V4.3", "V4.4", "V4.5", "V4.6", "V4.7", "V4.8", "V4.9", "V4.10",
	"V5.1", "V5.2", "V5.3", "V5.4", "V5.5",
	"V6.1", "V6.2", "V6.3",
	"V7.1", "V7.2", "V7.3", "V7.4", "V7.5",
	"V8.1", "V8.2",
	"V9.1",
	"V10.1", "V10.2", "V10.3",
};

static const char *const check_whats[VYV__COUNT] = {
	"record file magic line", "frames", "entries decode", "sequence numbers", "hash chain",
	"entry types", "board signatures", "phases", "the commission's orders",
	"manifest identifiers and group", "contests", "options and selection ranges", "party lists",
	"gender rule", "trustees", "board and registrar keys", "voting period and counting rule", "base hash",
	"witnesses", "ballots per credential (limit and wait)",
	"trustee signatures", "key announcements", "key reveal order", "coefficient commitments",
	"coefficient proofs", "sealed shares", "key verdicts", "key justifications", "election key (Q, K, vk)",
	"credentials", "ballot shapes and encodings", "ballot signatures",
	"registrar signatures", "0/1 selection proofs", "contest sum proofs", "counted ballots (one per credential)",
	"no ballot twice", "no credential that was an audit key", "at most max_ballots_per_credential ballots",
	"audited ballots' ballot rules (one-time key)", "audited ballots' revealed values", "audited ballots' sums",
	"audited ballots' ciphertexts new", "audited ballots' one-time keys",
	"close", "credentials issued statement", "voters <= credentials issued",
	"encrypted tally", "partial decryption proofs", "counts", "seats", "elected candidates",
	"receipt signature", "receipt on the record",
	"append-only extension of the earlier record",
	"witnessed checkpoint of the tally", "witness cosignatures", "cosignatures of k witnesses",
};

const char *vyv_check_id(vyv_check c)
{
	return (unsigned)c < VYV__COUNT ? check_ids[c] : "V?";
}

const char *vyv_check_what(vyv_check c)
{
	return (unsigned)c < VYV__COUNT ? check_whats[c] : "?";
}

/* ---- reason -> check (specs/verification.md §Reporting) ----
 *
 * The failing rule names its check (vy_reason.check, set with
 * vy_reason_check at the failure site); only reasons that name none are
 * mapped, by entry type and reason code, never by the message's words. */

/* The checks of the frame, common to every entry type. 0 if not one. */
static int frame_check(const vy_reason *why, vyv_check *c)
{
	switch (why->code) {
	case VY_R_SEQ: *c = VYV_1_3; return 1;
	case VY_R_CHAIN: *c = VYV_1_4; return 1;
	case VY_R_UNKNOWN_TYPE: *c = VYV_1_5; return 1;
	case VY_R_BOARD_SIGNATURE: *c = VYV_1_6; return 1;
	default: return 0;
	}
}

/* The check the failing rule named in why->check; 0 if none. The ballot
 * rules (V4.1-V4.6) inside an entry of type t report the check its row
 * says (an audited ballot's are its V5.1). */
static int named_check(const vy_entry_type_info *t, const vy_reason *why, vyv_check *c)
{
	if (why->check[0] == '\0')
		return 0;
	for (int i = 0; i < VYV__COUNT; i++) {
		if (strncmp(why->check, check_ids[i], sizeof why->check) != 0)
			continue;
		*c = (vyv_check)i;
		if (t != NULL && t->ballot != NULL && t->ballot->rules_check != VYV__COUNT && i >= VYV_4_1 &&
		    i <= VYV_4_6)
			*c = t->ballot->rules_check;
		return 1;
	}
	return 0;
}

vyv_check vyv_check_of(int type, const vy_reason *why)
{
	const vy_entry_type_info *t = vy_entry_type((Vybar__EntryType)type);
	vyv_check c;

	if (frame_check(why, &c) || named_check(t, why, &c))
		return c;
	return t != NULL ? vy_entry_type_check(t, why) : VYV_1_5;
}

/* ---- the pipeline ---- */

enum { SLOT_INLINE, SLOT_PENDING, SLOT_CLAIMED, SLOT_DONE };

typedef struct {
	Vybar__RecordEntry *e;
	int trusted; /* part of the --since record */
	int state;
	vy_rc rc;    /* SLOT_DONE: the precheck's result */
} slot;

typedef struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	slot ring[VYV_RING_SLOTS];
	uint64_t head, tail; /* next to apply, next to fill */
	int eof, stop, ready;
	/* the reader's failure */
	int reader_failed;
	vyv_check reader_check;
	vy_reason reader_why;
	/* set once ELECTION_OPEN is applied; read-only afterwards */
	vy_election election;
	uint8_t board_pk[VY_ED25519_PK_BYTES];
	vy_record_reader r, er;
	FILE *earlier;
	vyv_entry_fn on_entry; /* set before the threads start */
	void *arg;
} pipeline;

/* The rules of an entry a worker can check ahead of the applier (a
 * ballot's or an audited ballot's), or NULL. */
static const vy_ballot_rules *ahead_rules(const Vybar__RecordEntry *e)
{
	const vy_entry_type_info *t = vy_entry_type(e->type);

	return t != NULL ? t->ballot : NULL;
}

/* The expensive part of a ballot entry, independent of the state once the
 * election is open: board signature, then every rule of the ballot. */
static vy_rc precheck(const pipeline *p, const Vybar__RecordEntry *e)
{
	vy_rc rc = vy_entry_signature_check(p->board_pk, e, NULL);

	return rc != VY_R_OK ? rc : ahead_rules(e)->check(&p->election, e->payload.data, e->payload.len, NULL);
}

/* Record a reader failure and end the stream. */
static void reader_fail(pipeline *p, vyv_check c, const vy_reason *why)
{
	pthread_mutex_lock(&p->mu);
	p->reader_failed = 1;
	p->reader_check = c;
	p->reader_why = *why;
	p->eof = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* V9.1: the next frame of the earlier record equals the frame just read
 * (len bytes in p->r.buf). 1 if it does, 0 with why if not, 2 when the
 * earlier record has no more entries. */
static int same_as_earlier(pipeline *p, size_t len, uint64_t seq, vy_reason *why)
{
	Vybar__RecordEntry *e2 = NULL;
	uint64_t at = p->er.offset;
	size_t len2;
	vy_rc rc;

	rc = vy_record_reader_next(&p->er, &e2, why);
	if (rc != VY_R_OK) {
		vy_reason_set(why, rc, "earlier record: entry %llu does not read: %s", (unsigned long long)seq,
			      why->msg);
		return 0;
	}
	if (e2 == NULL)
		return 2;
	vy_msg_free(e2);
	len2 = (size_t)(p->er.offset - at) - 4;
	if (len2 != len || memcmp(p->er.buf, p->r.buf, len) != 0) {
		vy_reason_set(why, VY_R_CHAIN, "entry %llu differs from the earlier record: not append-only",
			      (unsigned long long)seq);
		return 0;
	}
	return 1;
}

/* Reader thread: frames into the ring, in order, waiting while it is full. */
static void *reader_main(void *arg)
{
	pipeline *p = arg;
	int earlier_left = p->earlier != NULL;
	uint64_t seq = 0;
	vy_reason why;

	for (;; seq++) {
		Vybar__RecordEntry *e = NULL;
		uint64_t at = p->r.offset;
		int trusted = 0;
		vy_rc rc = vy_record_reader_next(&p->r, &e, &why);

		if (rc != VY_R_OK) {
			reader_fail(p, strcmp(why.check, "V1.1") == 0 ? VYV_1_1 : VYV_1_2, &why);
			return NULL;
		}
		if (e == NULL) {
			if (earlier_left && same_as_earlier(p, 0, seq, &why) != 2) {
				vy_reason_set(&why, VY_R_TRUNCATED,
					      "the record ends at entry %llu, the earlier record is longer: not append-only",
					      (unsigned long long)seq);
				reader_fail(p, VYV_9_1, &why);
				return NULL;
			}
			break;
		}
		if (earlier_left) {
			int same = same_as_earlier(p, (size_t)(p->r.offset - at) - 4, seq, &why);

			if (same == 0) {
				vy_msg_free(e);
				reader_fail(p, VYV_9_1, &why);
				return NULL;
			}
			trusted = same == 1;
			earlier_left = same == 1;
		}
		pthread_mutex_lock(&p->mu);
		while (p->tail - p->head == VYV_RING_SLOTS && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->stop) {
			pthread_mutex_unlock(&p->mu);
			vy_msg_free(e);
			return NULL;
		}
		slot *s = &p->ring[p->tail % VYV_RING_SLOTS];
		s->e = e;
		s->trusted = trusted;
		s->state = !trusted && ahead_rules(e) != NULL ? SLOT_PENDING : SLOT_INLINE;
		p->tail++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	pthread_mutex_lock(&p->mu);
	p->eof = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Run the precheck of slot s (claimed, lock held on entry and exit). */
static void run_precheck(pipeline *p, slot *s)
{
	vy_rc rc;

	s->state = SLOT_CLAIMED;
	pthread_mutex_unlock(&p->mu);
	rc = precheck(p, s->e);
	pthread_mutex_lock(&p->mu);
	s->rc = rc;
	s->state = SLOT_DONE;
	pthread_cond_broadcast(&p->cv);
}

/* Worker thread: the oldest pending ballot, once the election is open. */
static void *worker_main(void *arg)
{
	pipeline *p = arg;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		slot *found = NULL;

		for (uint64_t i = p->head; p->ready && i < p->tail && found == NULL; i++)
			if (p->ring[i % VYV_RING_SLOTS].state == SLOT_PENDING)
				found = &p->ring[i % VYV_RING_SLOTS];
		if (found != NULL)
			run_precheck(p, found);
		else
			pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* ---- accounting ---- */

/* Count what the checks examined in entry e, just applied to st. An entry
 * of the --since record (trusted) was compared with it (V9.1) and applied
 * without its board signature (but entry 0's, checked under the manifest's
 * key) and without a ballot's rules (V4.1-V4.6, V5.x): those checks did not
 * examine it. */
static void count_entry(vyv_report *rep, const vy_record_state *st, const Vybar__RecordEntry *e, int trusted)
{
	const vy_entry_type_info *t = vy_entry_type(e->type);
	uint64_t *x = rep->examined;

	for (int c = VYV_1_1; c <= VYV_1_7; c++)
		if (c != VYV_1_6 || !trusted || e->seq == 0)
			x[c]++;
	x[VYV_9_1] += (uint64_t)(trusted != 0);
	if (t == NULL)
		return;
	if (trusted && t->ballot != NULL) {
		x[VYV_4_7] = st->cred_count;
		return;
	}
	for (int c = 0; c < VYV__COUNT; c++)
		x[c] += (t->examines & VY_EXAMINES(c)) != 0;
	if (t->count != NULL)
		t->count(x, st);
}

static void fail(vyv_report *rep, vyv_check c, int seq_known, uint64_t seq, const vy_reason *why)
{
	rep->have_failure = 1;
	rep->outcome = VYV_FAILED;
	rep->failed_check = c;
	rep->failed_seq_known = seq_known;
	rep->failed_seq = seq;
	rep->why = *why;
}

/* Validate (with the flags the slot allows) and apply one entry. */
static vy_rc apply_one(vy_record_state *st, slot *s, vy_reason *why)
{
	unsigned flags = 0;
	vy_rc rc;

	if (s->trusted || (s->state == SLOT_DONE && s->rc == VY_R_OK))
		flags = VY_CHECK_SKIP_BOARD_SIGNATURE | VY_CHECK_SKIP_BALLOT;
	/* A failed precheck: validate again in full for the canonical reason
	 * (the frame's checks come first). */
	rc = vy_validate_entry_flags(st, s->e, flags, why);
	if (rc == VY_R_OK)
		rc = vy_record_state_apply(st, s->e, why);
	return rc;
}

/* Note what the watched entry e (just applied) is. */
static void watch_entry(vyv_report *rep, const vy_record_state *st, const Vybar__RecordEntry *e)
{
	Vybar__Ballot *b = NULL;
	uint8_t bh[VY_HASH_BYTES];

	rep->watch_found = 1;
	rep->watch_type = (int)e->type;
	vy_entry_hash_of(rep->watch_hash, e);
	if (e->type != VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ||
	    vy_decode_ballot(&b, e->payload.data, e->payload.len, NULL) != VY_R_OK)
		return;
	vy_ballot_ciphertexts_hash(&st->election, bh, b);
	vy_tracking_code(rep->watch_code, bh);
	memcpy(rep->watch_pk, b->credential->public_key.data, VY_ED25519_PK_BYTES);
	vy_msg_free(b);
}

/* The note of a record that ends before its RESULT. */
static void incomplete_note(vyv_report *rep)
{
	static const char *const notes[] = {
		"the record is empty: nothing is verified",
		"no ELECTION_OPEN entry yet: the key ceremony is not finished, no ballot or tally is verified",
		"no ELECTION_CLOSE entry yet: voting is open, the tally is not verified",
		"no RESULT entry yet: the tally is not verified",
	};

	rep->outcome = VYV_INCOMPLETE;
	snprintf(rep->note, sizeof rep->note, "%s", notes[rep->phase < VY_PHASE_TALLIED ? rep->phase : 0]);
}

/* The applier: the caller's thread. */
static void apply_all(pipeline *p, vy_record_state *st, vyv_report *rep)
{
	vy_reason why;

	for (;;) {
		int opened, kept = 0;
		slot *s;

		pthread_mutex_lock(&p->mu);
		while (p->head == p->tail && !p->eof)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->head == p->tail) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		s = &p->ring[p->head % VYV_RING_SLOTS];
		if (s->state == SLOT_PENDING && p->ready)
			run_precheck(p, s);
		/* While a worker checks the head, check a later entry rather than
		 * wait: otherwise the workers and the applier take turns on the
		 * head, and with one worker nothing runs in parallel. */
		while (s->state == SLOT_CLAIMED) {
			slot *other = NULL;

			for (uint64_t i = p->head + 1; p->ready && i < p->tail && other == NULL; i++)
				if (p->ring[i % VYV_RING_SLOTS].state == SLOT_PENDING)
					other = &p->ring[i % VYV_RING_SLOTS];
			if (other != NULL)
				run_precheck(p, other);
			else
				pthread_cond_wait(&p->cv, &p->mu);
		}
		pthread_mutex_unlock(&p->mu);

		if (apply_one(st, s, &why) != VY_R_OK) {
			/* the entry's position (verification.md, entry numbers) */
			fail(rep, vyv_check_of((int)s->e->type, &why), 1, rep->entries, &why);
			return;
		}
		count_entry(rep, st, s->e, s->trusted);
		if (rep->watch_seq >= 0 && s->e->seq == (uint64_t)rep->watch_seq)
			watch_entry(rep, st, s->e);
		rep->entries++;
		rep->trusted += (uint64_t)s->trusted;
		opened = s->e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN;
		/* Outside the lock: the workers go on checking meanwhile. */
		if (p->on_entry != NULL && (kept = p->on_entry(p->arg, st, s->e)) < 0) {
			rep->outcome = VYV_ERROR;
			snprintf(rep->note, sizeof rep->note, "stopped by the caller after entry %llu",
				 (unsigned long long)s->e->seq);
			return;
		}
		pthread_mutex_lock(&p->mu);
		if (opened) {
			p->election = st->election;
			memcpy(p->board_pk, st->manifest->board_key.data, VY_ED25519_PK_BYTES);
			p->ready = 1;
		}
		if (!kept)
			vy_msg_free(s->e);
		s->e = NULL;
		p->head++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	if (p->reader_failed)
		fail(rep, p->reader_check, 1, st->next_seq, &p->reader_why);
}

/* Stop the threads and free what the ring still holds. */
static void pipeline_stop(pipeline *p, pthread_t reader, pthread_t *workers, unsigned n)
{
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(reader, NULL);
	for (unsigned i = 0; i < n; i++)
		pthread_join(workers[i], NULL);
	for (uint64_t i = p->head; i < p->tail; i++)
		vy_msg_free(p->ring[i % VYV_RING_SLOTS].e);
}

/* Open the record and the earlier one (V1.0, V9.1); 0 on failure. */
static int open_sources(pipeline *p, FILE *src, FILE *earlier, vyv_report *rep)
{
	vy_reason why;

	if (vy_record_reader_open(&p->r, src, &why) != VY_R_OK) {
		fail(rep, VYV_1_0, 0, 0, &why);
		return 0;
	}
	rep->examined[VYV_1_0] = 1;
	if (earlier == NULL)
		return 1;
	if (vy_record_reader_open(&p->er, earlier, &why) != VY_R_OK) {
		vy_reason_set(&why, VY_R_BAD_MAGIC, "earlier record: %s", why.msg);
		fail(rep, VYV_9_1, 0, 0, &why);
		return 0;
	}
	p->earlier = earlier;
	return 1;
}

void vyv_verify(FILE *src, FILE *earlier, unsigned jobs, vyv_report *rep, vy_record_state *out)
{
	vyv_verify_watch(src, earlier, jobs, -1, rep, out);
}

void vyv_verify_watch(FILE *src, FILE *earlier, unsigned jobs, int64_t watch_seq, vyv_report *rep,
		      vy_record_state *out)
{
	vyv_options o = { .earlier = earlier, .jobs = jobs, .watch_seq = watch_seq };

	vyv_verify_with(src, &o, rep, out);
}

void vyv_verify_with(FILE *src, const vyv_options *o, vyv_report *rep, vy_record_state *out)
{
	pipeline *p = calloc(1, sizeof *p);
	pthread_t reader, *workers = NULL;
	vy_record_state st;
	unsigned n = 0, jobs = o->jobs;

	memset(rep, 0, sizeof *rep);
	rep->jobs = jobs;
	rep->watch_seq = o->watch_seq;
	vy_record_state_init(&st);
	if (p == NULL || (workers = calloc(jobs ? jobs : 1, sizeof *workers)) == NULL) {
		rep->outcome = VYV_ERROR;
		snprintf(rep->note, sizeof rep->note, "out of memory");
		goto out;
	}
	p->on_entry = o->on_entry;
	p->arg = o->arg;
	if (!open_sources(p, src, o->earlier, rep))
		goto out;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (pthread_create(&reader, NULL, reader_main, p) != 0) {
		rep->outcome = VYV_ERROR;
		snprintf(rep->note, sizeof rep->note, "cannot start the reader thread");
		goto out_sync;
	}
	/* The applier checks too: jobs - 1 workers beside it. */
	for (n = 0; n + 1 < jobs; n++)
		if (pthread_create(&workers[n], NULL, worker_main, p) != 0)
			break;
	apply_all(p, &st, rep);
	pipeline_stop(p, reader, workers, n);
	rep->phase = st.phase;
	memcpy(rep->head_hash, st.head_hash, VY_HASH_BYTES);
	rep->ballots = st.ballots;
	rep->audited = st.audited;
	rep->counted = st.cred_count;
	if (rep->outcome == VYV_OK && st.phase != VY_PHASE_TALLIED)
		incomplete_note(rep);
out_sync:
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
out:
	if (p != NULL) {
		vy_record_reader_close(&p->r);
		vy_record_reader_close(&p->er);
	}
	free(p);
	free(workers);
	if (out != NULL)
		*out = st;
	else
		vy_record_state_free(&st);
}
