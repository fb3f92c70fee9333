/*
 * The board pushes checkpoints to its witnesses (specs/witness.md §7.1,
 * C2SP tlog-witness) and appends the WITNESSED entry (protocol.md §8.13).
 *
 *   when     the record grew (at most once a second), at once after an
 *            ENCRYPTED_TALLY is committed, and again every second while
 *            the record ends at the tally without k cosignatures
 *   push     POST URL/add-checkpoint: "old N\n", the consistency proof
 *            from N (base64 lines, none when N = 0), "\n", the note; a 409
 *            names the witness's size (text/x.tlog.size): sent once more
 *   keep     a 200 answer's lines, appended to the note and parsed with
 *            the manifest's witnesses: every valid cosignature, by witness
 *   append   k cosignatures of the checkpoint whose last entry is the
 *            tally, the record still ending there: Witnessed{size, root,
 *            cosignatures ascending by witness} through the writer's
 *            queue, checked by vy_validate_entry like every entry
 *
 * The pusher is its own thread with short timeouts: a silent witness
 * delays only the pusher, never the writer, and m - k silent witnesses
 * cannot stop the WITNESSED entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bulletin/board_impl.h"
#include "net/vy_http.h"
#include "protocol/vy_checkpoint.h"

#define ADD_CHECKPOINT "/add-checkpoint"
#define PUSH_TIMEOUT_S 2u   /* one exchange with a witness, at most */
#define PUSH_INTERVAL_S 1   /* between two rounds, unless a tally came */
#define NOTE_LINE_MAX 512   /* one signature line */
/* "old <u64>\n", the longest proof, the blank line and a note */
#define PUSH_BODY_MAX (32 + VY_MERKLE_PROOF_TEXT_MAX + VY_CHECKPOINT_NOTE_MAX)

struct vyb_pusher {
	vyb_board *b;
	pthread_t thread;
	int started;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;
	int dirty, urgent, stop, retry;
	char **urls;
	uint64_t *old; /* the size each witness last cosigned, as far as we know */
	size_t n_urls;
	/* the manifest's witnesses */
	const char *names[VY_MAX_WITNESSES];
	uint8_t pks[VY_MAX_WITNESSES][32];
	size_t m;
	uint32_t k;
	/* the cosignatures held for the checkpoint of size cs_size */
	uint64_t cs_size;
	vy_cosignature cs[VY_MAX_WITNESSES];
	int have[VY_MAX_WITNESSES];
	/* the WITNESSED job, one at a time */
	vyb_job job;
	int job_done, witnessed;
};

/* ---- the checkpoint and its note ---- */

/* The checkpoint of the committed record; *at_tally when its last entry
 * is the ENCRYPTED_TALLY of an election with witnesses. */
static void checkpoint_now(vyb_board *b, vy_checkpoint *c, int *at_tally)
{
	pthread_mutex_lock(&b->state_lock);
	memcpy(c->base_hash, b->st.election.base_hash, VY_HASH_BYTES);
	c->size = vy_merkle_tree_size(b->tree);
	if (vy_merkle_tree_root(b->tree, c->size, c->root) != VY_R_OK)
		memset(c->root, 0, sizeof c->root);
	*at_tally = b->last_type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ENCRYPTED_TALLY && b->manifest_msg != NULL &&
		    b->manifest_msg->n_witnesses > 0;
	pthread_mutex_unlock(&b->state_lock);
}

/* witness.md §3: the note (body, blank line, the board's line) into
 * out[VY_CHECKPOINT_NOTE_MAX]; its length, 0 if it does not fit. */
static size_t note_make(vyb_board *b, const vy_checkpoint *c, char *out)
{
	char body[VY_CHECKPOINT_BODY_MAX + 1];
	uint8_t sig[64];
	size_t len = 0, line;

	vy_checkpoint_body(body, &len, c);
	vy_checkpoint_sign(sig, c, b->sk);
	memcpy(out, body, len);
	out[len++] = '\n';
	line = vy_note_line_board(out + len, VY_CHECKPOINT_NOTE_MAX - len, c, b->pk, sig);
	return line == 0 ? 0 : len + line;
}

/* The cosignature lines held for c, appended to note (of *len bytes, in a
 * buffer of VY_CHECKPOINT_NOTE_MAX + 1); p's lock held. */
static void note_add_cosignatures(const struct vyb_pusher *p, const vy_checkpoint *c, char *note, size_t *len)
{
	if (p->cs_size != c->size)
		return;
	for (size_t i = 0; i < p->m; i++) {
		size_t n;

		if (!p->have[i])
			continue;
		n = vy_note_line_cosignature(note + *len, VY_CHECKPOINT_NOTE_MAX + 1 - *len, p->names[i], p->pks[i],
					     &p->cs[i]);
		*len += n;
	}
}

char *vyb_board_checkpoint_note(vyb_board *b, size_t *len)
{
	char *note = malloc(VY_CHECKPOINT_NOTE_MAX + 1);
	vy_checkpoint c;
	int at_tally;

	*len = 0;
	if (note == NULL)
		return NULL;
	checkpoint_now(b, &c, &at_tally);
	*len = note_make(b, &c, note);
	if (*len == 0) {
		free(note);
		return NULL;
	}
	if (b->pusher != NULL) {
		pthread_mutex_lock(&b->pusher->lock);
		note_add_cosignatures(b->pusher, &c, note, len);
		pthread_mutex_unlock(&b->pusher->lock);
	}
	note[*len] = '\0';
	return note;
}

/* The proof of path[0..n) as text (malloc'd); NULL with *len 1 if out of
 * memory. */
static char *proof_text(const uint8_t (*path)[VY_MERKLE_HASH_BYTES], size_t n, size_t *len)
{
	char *out = malloc(n * VY_MERKLE_PROOF_LINE_BYTES + 1);

	*len = 1;
	if (out == NULL)
		return NULL;
	*len = vy_merkle_proof_format(out, n * VY_MERKLE_PROOF_LINE_BYTES + 1, path, n);
	return out;
}

char *vyb_board_inclusion_proof(vyb_board *b, uint64_t seq, uint64_t size, size_t *len)
{
	uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
	size_t n = 0;
	vy_rc rc = VY_R_ARG;

	*len = 0;
	pthread_mutex_lock(&b->state_lock);
	if (seq < size && size <= vy_merkle_tree_size(b->tree))
		rc = vy_merkle_tree_inclusion(b->tree, seq, size, path, &n);
	pthread_mutex_unlock(&b->state_lock);
	return rc == VY_R_OK ? proof_text((const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, n, len) : NULL;
}

char *vyb_board_consistency_proof(vyb_board *b, uint64_t first, uint64_t second, size_t *len)
{
	uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
	size_t n = 0;
	vy_rc rc = VY_R_ARG;

	*len = 0;
	pthread_mutex_lock(&b->state_lock);
	if (first > 0 && first <= second && second <= vy_merkle_tree_size(b->tree))
		rc = vy_merkle_tree_consistency(b->tree, first, second, path, &n);
	pthread_mutex_unlock(&b->state_lock);
	return rc == VY_R_OK ? proof_text((const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, n, len) : NULL;
}

/* ---- one witness ---- */

/* The request body for a witness at size old: "old N\n", the consistency
 * proof from old to c->size, "\n", the note. Its length, 0 on failure
 * (old beyond the record, or too long). */
static size_t push_body(vyb_board *b, const vy_checkpoint *c, uint64_t old, const char *note, size_t note_len,
			char *out)
{
	uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
	size_t n = 0, len;
	vy_rc rc = VY_R_OK;

	if (old > c->size)
		return 0;
	if (old > 0) {
		pthread_mutex_lock(&b->state_lock);
		rc = vy_merkle_tree_consistency(b->tree, old, c->size, path, &n);
		pthread_mutex_unlock(&b->state_lock);
	}
	if (rc != VY_R_OK)
		return 0;
	len = (size_t)snprintf(out, PUSH_BODY_MAX, "old %" PRIu64 "\n", old);
	len += vy_merkle_proof_format(out + len, PUSH_BODY_MAX - len, (const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, n);
	out[len++] = '\n';
	memcpy(out + len, note, note_len);
	return len + note_len;
}

/* A 409's body: the witness's size in decimal, a newline. */
static int parse_size(const vy_http_answer *a, uint64_t *out)
{
	char text[VY_NEXT_DIGITS + 2];
	size_t n = a->len;

	if (n == 0 || n > VY_NEXT_DIGITS + 1 || a->body[n - 1] != '\n')
		return -1;
	memcpy(text, a->body, n - 1);
	text[n - 1] = '\0';
	return vy_http_header_u64(text, out);
}

/* A 200's cosignature lines after the note: keep every valid one for c. */
static void keep_cosignatures(struct vyb_pusher *p, const vy_checkpoint *c, const char *note, size_t note_len,
			      const vy_http_answer *a, size_t w)
{
	char *full = malloc(note_len + a->len + 1);
	vy_cosignature cs[VY_MAX_WITNESSES];
	int have[VY_MAX_WITNESSES] = { 0 };
	vy_checkpoint got;
	vy_reason why = { 0 };

	if (full == NULL)
		return;
	memcpy(full, note, note_len);
	memcpy(full + note_len, a->body, a->len);
	full[note_len + a->len] = '\0';
	if (vy_checkpoint_note_parse(&got, cs, have, full, note_len + a->len, c->base_hash, p->b->pk, p->names,
				     (const uint8_t(*)[32])p->pks, p->m, &why) != VY_R_OK ||
	    got.size != c->size || memcmp(got.root, c->root, sizeof got.root) != 0) {
		fprintf(stderr, "vybar-board: witness %s: its answer does not cosign checkpoint %" PRIu64 ": %s\n",
			p->urls[w], c->size, why.msg);
		free(full);
		return;
	}
	free(full);
	pthread_mutex_lock(&p->lock);
	if (p->cs_size != c->size) {
		memset(p->have, 0, sizeof p->have);
		p->cs_size = c->size;
	}
	for (size_t i = 0; i < p->m; i++)
		if (have[i]) {
			p->cs[i] = cs[i];
			p->have[i] = 1;
		}
	p->old[w] = c->size;
	pthread_mutex_unlock(&p->lock);
}

/* POST the checkpoint to witness w; after a 409 naming its size, once
 * more from that size. */
static void push_one(struct vyb_pusher *p, size_t w, const vy_checkpoint *c, const char *note, size_t note_len,
		     char *body)
{
	char url[VY_HTTP_URL_BYTES];
	vy_reason why = { 0 };

	if (vy_http_url(url, sizeof url, p->urls[w], ADD_CHECKPOINT, NULL) != VY_R_OK)
		return;
	for (int tries = 0; tries < 2; tries++) {
		vy_http_request rq = { .method = VY_HTTP_POST, .url = url, .content_type = VY_CT_TEXT,
				       .max_answer = VY_CHECKPOINT_NOTE_MAX, .timeout_s = PUSH_TIMEOUT_S };
		vy_http_answer a;
		uint64_t size;

		pthread_mutex_lock(&p->lock);
		size = p->old[w];
		pthread_mutex_unlock(&p->lock);
		rq.body = (const uint8_t *)body;
		rq.body_len = push_body(p->b, c, size, note, note_len, body);
		if (rq.body_len == 0 || vy_http_perform(NULL, &rq, &a, &why) != VY_R_OK)
			return;
		if (a.status == 200)
			keep_cosignatures(p, c, note, note_len, &a, w);
		else if (a.status == 409 && parse_size(&a, &size) == 0) {
			pthread_mutex_lock(&p->lock);
			p->old[w] = size;
			pthread_mutex_unlock(&p->lock);
			vy_http_answer_free(&a);
			continue;
		} else
			fprintf(stderr, "vybar-board: witness %s: HTTP %ld for checkpoint %" PRIu64 "\n", p->urls[w],
				a.status, c->size);
		vy_http_answer_free(&a);
		return;
	}
}

/* ---- the WITNESSED entry ---- */

static void witnessed_done(vyb_job *job, void *arg)
{
	struct vyb_pusher *p = arg;

	(void)job;
	pthread_mutex_lock(&p->lock);
	p->job_done = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* Witnessed{size, root, the cosignatures held, ascending by witness}
 * packed (malloc'd); p's lock held. NULL if fewer than k or no memory. */
static uint8_t *witnessed_pack(const struct vyb_pusher *p, const vy_checkpoint *c, size_t *len)
{
	Vybar__Cosignature cs[VY_MAX_WITNESSES], *ptrs[VY_MAX_WITNESSES];
	Vybar__Witnessed w = VYBAR__WITNESSED__INIT;

	if (p->cs_size != c->size)
		return NULL;
	for (size_t i = 0; i < p->m; i++) {
		if (!p->have[i])
			continue;
		vybar__cosignature__init(&cs[w.n_cosignatures]);
		cs[w.n_cosignatures].witness = (uint32_t)(i + 1);
		cs[w.n_cosignatures].timestamp = p->cs[i].timestamp;
		cs[w.n_cosignatures].signature.data = (uint8_t *)p->cs[i].signature;
		cs[w.n_cosignatures].signature.len = sizeof p->cs[i].signature;
		ptrs[w.n_cosignatures] = &cs[w.n_cosignatures];
		w.n_cosignatures++;
	}
	if (w.n_cosignatures < p->k)
		return NULL;
	w.size = c->size;
	w.root.data = (uint8_t *)c->root;
	w.root.len = sizeof c->root;
	w.cosignatures = ptrs;
	return vy_msg_pack(&w, len);
}

/* With k cosignatures of the tally's checkpoint c, hand the writer the
 * WITNESSED entry and wait for it; 1 once it is appended. Its rules
 * (size = its own seq) refuse it if the record moved on. */
static int witnessed_append(struct vyb_pusher *p, const vy_checkpoint *c)
{
	uint8_t *payload;
	size_t len = 0;

	pthread_mutex_lock(&p->lock);
	payload = witnessed_pack(p, c, &len);
	pthread_mutex_unlock(&p->lock);
	if (payload == NULL || !vyb_board_reserve(p->b)) {
		free(payload);
		return 0;
	}
	memset(&p->job, 0, sizeof p->job);
	p->job.kind = VYB_JOB_ENTRY;
	p->job.type = VYBAR__ENTRY_TYPE__ENTRY_TYPE_WITNESSED;
	p->job.payload = payload;
	p->job.payload_len = len;
	p->job.done = witnessed_done;
	p->job.done_arg = p;
	p->job_done = 0;
	vyb_board_submit(p->b, &p->job);
	pthread_mutex_lock(&p->lock);
	while (!p->job_done)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	free(payload);
	if (p->job.outcome != VYB_APPENDED) {
		fprintf(stderr, "vybar-board: the WITNESSED entry was refused: %s\n", p->job.why.msg);
		return 0;
	}
	fprintf(stderr, "vybar-board: WITNESSED entry %" PRIu64 " appended\n", p->job.seq);
	return 1;
}

/* ---- the pusher thread ---- */

/* The board is stopping: the round ends at the next witness. */
static int stopping(struct vyb_pusher *p)
{
	int stop;

	pthread_mutex_lock(&p->lock);
	stop = p->stop;
	pthread_mutex_unlock(&p->lock);
	return stop;
}

/* One round: the checkpoint of the record to every witness; at the tally,
 * the WITNESSED entry as soon as k cosignatures are held. */
static void push_round(struct vyb_pusher *p)
{
	char note[VY_CHECKPOINT_NOTE_MAX + 1];
	char *body = malloc(PUSH_BODY_MAX);
	vy_checkpoint c;
	size_t note_len;
	int at_tally, done = 0;

	checkpoint_now(p->b, &c, &at_tally);
	note_len = note_make(p->b, &c, note);
	for (size_t w = 0; body != NULL && note_len > 0 && w < p->n_urls && !done && !stopping(p); w++) {
		push_one(p, w, &c, note, note_len, body);
		if (at_tally)
			done = witnessed_append(p, &c);
	}
	free(body);
	pthread_mutex_lock(&p->lock);
	p->retry = at_tally && !done;
	if (done)
		p->dirty = p->urgent = 1; /* the record grew: push it at once */
	pthread_mutex_unlock(&p->lock);
}

/* Wait (lock held) until stop, an urgent push, or the deadline. */
static void wait_until(struct vyb_pusher *p, const struct timespec *deadline)
{
	while (!p->stop && !p->urgent)
		if (pthread_cond_timedwait(&p->cond, &p->lock, deadline) == ETIMEDOUT)
			return;
}

static void *pusher_main(void *arg)
{
	struct vyb_pusher *p = arg;
	struct timespec next;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		if (p->dirty || p->retry) {
			p->dirty = p->urgent = 0;
			pthread_mutex_unlock(&p->lock);
			push_round(p);
			pthread_mutex_lock(&p->lock);
		}
		/* at most one round a second, unless a tally was committed */
		clock_gettime(CLOCK_REALTIME, &next);
		next.tv_sec += PUSH_INTERVAL_S;
		wait_until(p, &next);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

void vyb_pusher_notify(vyb_board *b, int urgent)
{
	struct vyb_pusher *p = b->pusher;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->dirty = 1;
	p->urgent |= urgent;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void pusher_free(struct vyb_pusher *p)
{
	for (size_t i = 0; p->urls != NULL && i < p->n_urls; i++)
		free(p->urls[i]);
	free(p->urls);
	free(p->old);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/* The manifest's witnesses, for parsing answers and the entry. */
static void pusher_witnesses(struct vyb_pusher *p, const Vybar__Manifest *m)
{
	p->m = m->n_witnesses <= VY_MAX_WITNESSES ? m->n_witnesses : 0;
	p->k = m->witness_threshold;
	for (size_t i = 0; i < p->m; i++) {
		p->names[i] = m->witnesses[i]->name;
		memcpy(p->pks[i], m->witnesses[i]->public_key.data, 32);
	}
}

vy_rc vyb_pusher_start(vyb_board *b, const char *const *urls, size_t n, vy_reason *why)
{
	struct vyb_pusher *p = calloc(1, sizeof *p);

	if (p == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->b = b;
	p->urls = calloc(n, sizeof *p->urls);
	p->old = calloc(n, sizeof *p->old);
	p->n_urls = n;
	for (size_t i = 0; p->urls != NULL && i < n; i++)
		p->urls[i] = strdup(urls[i]);
	for (size_t i = 0; p->urls != NULL && i < n; i++)
		if (p->urls[i] == NULL)
			p->old = (free(p->old), NULL);
	if (p->urls == NULL || p->old == NULL) {
		pusher_free(p);
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	}
	pusher_witnesses(p, b->manifest_msg);
	if (vy_http_global_init() != VY_R_OK) {
		pusher_free(p);
		return vy_reason_set(why, VY_R_IO, "cannot initialise the HTTP client");
	}
	p->dirty = p->urgent = 1; /* the record as it stands, at once */
	b->pusher = p;
	if (pthread_create(&p->thread, NULL, pusher_main, p) != 0) {
		b->pusher = NULL;
		vy_http_global_cleanup();
		pusher_free(p);
		return vy_reason_set(why, VY_R_NOMEM, "cannot start the witness pusher thread");
	}
	p->started = 1;
	return VY_R_OK;
}

void vyb_pusher_stop(vyb_board *b)
{
	struct vyb_pusher *p = b->pusher;

	/* A second stop joins nothing (a thread joined twice is undefined). */
	if (p == NULL || !p->started)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->started = 0;
}

void vyb_pusher_free(vyb_board *b)
{
	if (b->pusher == NULL)
		return;
	vy_http_global_cleanup();
	pusher_free(b->pusher);
	b->pusher = NULL;
}
