/*
 * The witness's record and state (specs/witness.md §7.2): it follows the
 * board, accepts each entry with vy_record_accept (the protocol's one
 * definition of valid) in order, keeps the Merkle tree of the entry hashes,
 * and cosigns a checkpoint only if it extends what it cosigned before.
 */
#include "witness/witness.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/vy_files.h"
#include "cli/vy_keys.h"
#include "net/vy_pager.h"

#define STATE_MAGIC "vybar-witness-state/1\n"
#define STATE_MAX_BYTES 1024u
#define RECORD_MAX_BYTES (1ull << 34)
#define CT_TLOG_SIZE "text/x.tlog.size"
#define CT_TEXT "text/plain; charset=utf-8"

static void path_of(char out[VYW_PATH_BYTES], const vyw_witness *w, const char *file)
{
	snprintf(out, VYW_PATH_BYTES, "%s/%s", w->dir, file);
}

/* ---- the record it holds ---- */

/* Make room for one more entry of len bytes. */
static vy_rc grow(vyw_witness *w, size_t len, vy_reason *why)
{
	if (w->n + 1 >= w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		size_t *o = realloc(w->offs, cap * sizeof *o);
		uint8_t(*h)[VY_HASH_BYTES];

		if (o == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "out of memory");
		w->offs = o;
		h = realloc(w->hashes, cap * sizeof *h);
		if (h == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "out of memory");
		w->hashes = h;
		w->cap = cap;
	}
	if (w->frames_len + len + VY_RECORD_FRAME_HEADER_BYTES > w->frames_cap) {
		size_t cap = w->frames_cap ? w->frames_cap : 65536;
		uint8_t *f;

		while (cap < w->frames_len + len + VY_RECORD_FRAME_HEADER_BYTES)
			cap *= 2;
		f = realloc(w->frames, cap);
		if (f == NULL)
			return vy_reason_set(why, VY_R_NOMEM, "out of memory");
		w->frames = f;
		w->frames_cap = cap;
	}
	return VY_R_OK;
}

/* Accept one entry (its RecordEntry bytes) as entry w->n: decode, the
 * validity rules, then into memory and the tree. VY_R_OK, or the rule's
 * reason (nothing is kept). */
static vy_rc accept_entry(vyw_witness *w, const uint8_t *entry, size_t len, vy_reason *why)
{
	Vybar__RecordEntry *e = NULL;
	uint8_t leaf[VY_MERKLE_HASH_BYTES];
	vy_rc rc = grow(w, len, why);

	if (rc == VY_R_OK)
		rc = vy_decode_entry(&e, entry, len, why);
	if (rc == VY_R_OK)
		rc = vy_record_accept(&w->st, e, why);
	if (rc != VY_R_OK) {
		vy_msg_free(e);
		return rc;
	}
	vy_entry_hash_of(w->hashes[w->n], e);
	vy_msg_free(e);
	vy_merkle_leaf_hash(leaf, w->hashes[w->n], VY_HASH_BYTES);
	rc = vy_merkle_tree_add(w->tree, leaf);
	if (rc != VY_R_OK)
		return vy_reason_set(why, rc, "out of memory");
	w->offs[w->n] = w->frames_len;
	w->frames[w->frames_len] = (uint8_t)(len >> 24);
	w->frames[w->frames_len + 1] = (uint8_t)(len >> 16);
	w->frames[w->frames_len + 2] = (uint8_t)(len >> 8);
	w->frames[w->frames_len + 3] = (uint8_t)len;
	memcpy(w->frames + w->frames_len + VY_RECORD_FRAME_HEADER_BYTES, entry, len);
	w->frames_len += VY_RECORD_FRAME_HEADER_BYTES + len;
	w->n++;
	w->offs[w->n] = w->frames_len;
	return VY_R_OK;
}

static vy_rc write_all(int fd, const uint8_t *p, size_t n, vy_reason *why)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return vy_reason_set(why, VY_R_IO, "record: %s", strerror(errno));
		p += k;
		n -= (size_t)k;
	}
	return VY_R_OK;
}

/* DIR/record: re-apply every whole frame (a frame cut by a crash is cut
 * off the file), then keep it open for appending. */
static vy_rc load_record(vyw_witness *w, vy_reason *why)
{
	char path[VYW_PATH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0, off = VY_RECORD_MAGIC_LEN, good;
	vy_rc rc;

	path_of(path, w, "record");
	w->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, VY_FILE_MODE_PUBLIC);
	if (w->fd < 0)
		return vy_reason_set(why, VY_R_IO, "%s: %s", path, strerror(errno));
	rc = vy_file_read(&buf, &len, path, RECORD_MAX_BYTES, 0, why);
	if (rc != VY_R_OK)
		return rc;
	if (len == 0) {
		free(buf);
		rc = write_all(w->fd, (const uint8_t *)VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN, why);
		return rc == VY_R_OK && fsync(w->fd) != 0 ? vy_reason_set(why, VY_R_IO, "%s: fsync", path) : rc;
	}
	if (len < VY_RECORD_MAGIC_LEN || memcmp(buf, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0) {
		free(buf);
		return vy_reason_set(why, VY_R_MALFORMED, "%s: not a record file", path);
	}
	for (good = off;; good = off) {
		const uint8_t *entry = NULL;
		size_t elen = 0;

		rc = vy_record_frame_next(buf, len, &off, &entry, &elen, why);
		if (rc == VY_R_TRUNCATED)
			break; /* cut by a crash: never accepted */
		if (rc == VY_R_OK && entry == NULL)
			break;
		if (rc == VY_R_OK)
			rc = accept_entry(w, entry, elen, why);
		if (rc != VY_R_OK) {
			free(buf);
			return vy_reason_set(why, rc, "%s: entry %zu: %s", path, w->n, why->msg);
		}
	}
	free(buf);
	if (ftruncate(w->fd, (off_t)good) != 0 || lseek(w->fd, 0, SEEK_END) < 0)
		return vy_reason_set(why, VY_R_IO, "%s: %s", path, strerror(errno));
	return VY_R_OK;
}

/* ---- the state of what it cosigned ---- */

static void hex(char *out, const uint8_t *b, size_t n)
{
	sodium_bin2hex(out, 2 * n + 1, b, n);
}

static int unhex(uint8_t *out, size_t n, const char *s)
{
	size_t got = 0;

	return sodium_hex2bin(out, n, s, 2 * n, NULL, &got, NULL) == 0 && got == n;
}

/* DIR/state: the magic line, then "base HEX", "size N", "root HEX",
 * "head HEX", a line each. */
static vy_rc write_state(const vyw_witness *w, vy_reason *why)
{
	char path[VYW_PATH_BYTES], text[STATE_MAX_BYTES], b[65], r[65], h[65];
	int n;

	hex(b, w->base_hash, VY_HASH_BYTES);
	hex(r, w->cs_root, VY_MERKLE_HASH_BYTES);
	hex(h, w->cs_head, VY_HASH_BYTES);
	n = snprintf(text, sizeof text, STATE_MAGIC "base %s\nsize %" PRIu64 "\nroot %s\nhead %s\n", b, w->cs_size, r,
		     h);
	path_of(path, w, "state");
	return vy_file_replace(path, VY_FILE_MODE_PUBLIC, text, (size_t)n, why);
}

static vy_rc read_state(vyw_witness *w, vy_reason *why)
{
	char path[VYW_PATH_BYTES], b[65], r[65], h[65];
	uint8_t *buf = NULL;
	size_t len = 0;
	uint64_t size;
	int ok;

	path_of(path, w, "state");
	if (access(path, F_OK) != 0)
		return VY_R_OK; /* it never cosigned */
	if (vy_file_read(&buf, &len, path, STATE_MAX_BYTES, 0, why) != VY_R_OK)
		return why->code;
	ok = strncmp((char *)buf, STATE_MAGIC, strlen(STATE_MAGIC)) == 0 &&
	     sscanf((char *)buf + strlen(STATE_MAGIC), "base %64s\nsize %" SCNu64 "\nroot %64s\nhead %64s", b, &size,
		    r, h) == 4 &&
	     unhex(w->base_hash, VY_HASH_BYTES, b) && unhex(w->cs_root, VY_MERKLE_HASH_BYTES, r) &&
	     unhex(w->cs_head, VY_HASH_BYTES, h);
	free(buf);
	if (!ok)
		return vy_reason_set(why, VY_R_MALFORMED, "%s: malformed", path);
	w->cs_size = size;
	w->have_state = 1;
	return VY_R_OK;
}

/* The state's checkpoint must be the record's: same election, and the
 * tree of its first cs_size entries has the cosigned root and head. */
static vy_rc state_matches(const vyw_witness *w, vy_reason *why)
{
	uint8_t root[VY_MERKLE_HASH_BYTES];

	if (!w->have_state)
		return VY_R_OK;
	if (w->n < w->cs_size)
		return vy_reason_set(why, VY_R_WITNESS, "state: cosigned size %" PRIu64 " but the record holds %zu entries",
				     w->cs_size, w->n);
	if (w->n > 0 && memcmp(w->st.election.base_hash, w->base_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_WITNESS, "state: another election's base hash");
	if (vy_merkle_tree_root(w->tree, w->cs_size, root) != VY_R_OK ||
	    memcmp(root, w->cs_root, sizeof root) != 0)
		return vy_reason_set(why, VY_R_WITNESS, "state: the record does not reproduce the cosigned root at %" PRIu64,
				     w->cs_size);
	if (w->cs_size > 0 && memcmp(w->hashes[w->cs_size - 1], w->cs_head, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_WITNESS, "state: the record does not reproduce the cosigned head");
	return VY_R_OK;
}

static vy_rc load_key(vyw_witness *w, vy_reason *why)
{
	char path[VYW_PATH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;

	path_of(path, w, "name");
	if (vy_file_read(&buf, &len, path, VY_WITNESS_NAME_MAX + 1, 0, why) != VY_R_OK)
		return why->code;
	while (len > 0 && buf[len - 1] == '\n')
		len--;
	if (!vy_witness_name_ok((char *)buf, len)) {
		free(buf);
		return vy_reason_set(why, VY_R_MALFORMED, "%s: not a witness name", path);
	}
	memcpy(w->name, buf, len);
	w->name[len] = '\0';
	free(buf);
	w->sk = sodium_malloc(crypto_sign_SECRETKEYBYTES);
	if (w->sk == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	path_of(path, w, "key");
	return vy_key_load(w->sk, w->pk, path, why);
}

static void load_checkpoint(vyw_witness *w)
{
	char path[VYW_PATH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;

	path_of(path, w, "checkpoint");
	if (vy_file_read(&buf, &len, path, VY_CHECKPOINT_NOTE_MAX + VYW_LINE_BYTES, 0, NULL) == VY_R_OK) {
		w->cs_note = (char *)buf;
		w->cs_note_len = len;
	}
}

vy_rc vyw_open(vyw_witness *w, const char *dir, const char *board, vy_reason *why)
{
	vy_rc rc;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	pthread_mutex_init(&w->mu, NULL);
	vy_record_state_init(&w->st);
	if (strlen(dir) >= sizeof w->dir || strlen(board) >= sizeof w->board)
		return vy_reason_set(why, VY_R_ARG, "the directory or the board's URL is too long");
	memcpy(w->dir, dir, strlen(dir) + 1);
	memcpy(w->board, board, strlen(board) + 1);
	w->tree = vy_merkle_tree_new();
	if (w->tree == NULL || grow(w, 0, why) != VY_R_OK)
		return vy_reason_set(why, VY_R_NOMEM, "out of memory");
	w->offs[0] = 0;
	rc = load_key(w, why);
	if (rc == VY_R_OK)
		rc = load_record(w, why);
	if (rc == VY_R_OK)
		rc = read_state(w, why);
	if (rc == VY_R_OK)
		rc = state_matches(w, why);
	if (rc == VY_R_OK)
		load_checkpoint(w);
	return rc;
}

void vyw_close(vyw_witness *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->sk != NULL)
		sodium_free(w->sk);
	vy_merkle_tree_free(w->tree);
	vy_record_state_free(&w->st);
	free(w->frames);
	free(w->offs);
	free(w->hashes);
	free(w->cs_note);
	pthread_mutex_destroy(&w->mu);
	memset(w, 0, sizeof *w);
}

/* ---- following the board ---- */

/* One answer of the board: accept its frames in order, append each
 * accepted one to DIR/record, sync. A failing entry is the board's fork
 * or lie: the witness stops following for good. */
static vy_rc on_page(void *ctx, uint64_t from, const uint8_t *frames, size_t len, uint64_t count, vy_reason *why)
{
	vyw_witness *w = ctx;
	size_t off = 0, before = w->frames_len;
	vy_rc rc = VY_R_OK;

	(void)count;
	if (from != w->n)
		return vy_reason_set(why, VY_R_IO, "the board answered from %" PRIu64 ", not %zu", from, w->n);
	for (;;) {
		const uint8_t *entry = NULL;
		size_t elen = 0;
		vy_reason bad = { 0 };

		if (vy_record_frame_next(frames, len, &off, &entry, &elen, why) != VY_R_OK || entry == NULL)
			break;
		if (accept_entry(w, entry, elen, &bad) != VY_R_OK) {
			w->forked = 1;
			fprintf(stderr,
				"vybar-witness: the board forked or lied: entry %zu fails: %s; "
				"following stopped, nothing more is cosigned\n",
				w->n, bad.msg);
			rc = vy_reason_set(why, bad.code, "entry %zu: %s", w->n, bad.msg);
			break;
		}
	}
	if (w->frames_len > before &&
	    (write_all(w->fd, w->frames + before, w->frames_len - before, why) != VY_R_OK || fsync(w->fd) != 0)) {
		fprintf(stderr, "vybar-witness: cannot write its record: %s\n", why->msg);
		w->forked = 1; /* its copy on disk no longer is what it holds */
		return vy_reason_set(why, VY_R_IO, "record: write failed");
	}
	return rc;
}

vy_rc vyw_follow(vyw_witness *w, vy_reason *why)
{
	vy_pager p = { .transport = NULL, .base = w->board, .from = w->n, .page = on_page, .ctx = w };
	vy_rc rc;

	if (w->forked)
		return VY_R_OK;
	rc = vy_pager_run(&p, NULL, why);
	return w->forked ? VY_R_OK : rc;
}

/* ---- answers ---- */

static void answer_text(vyw_answer *a, unsigned status, const char *ct, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void answer_text(vyw_answer *a, unsigned status, const char *ct, const char *fmt, ...)
{
	va_list ap;
	char buf[VY_REASON_MSG_BYTES + 128];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	a->status = status;
	a->content_type = ct;
	a->body = strdup(buf);
	a->len = a->body ? (size_t)n : 0;
}

/* ---- POST /add-checkpoint (§7.2) ---- */

typedef struct {
	uint64_t old;
	uint8_t proof[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
	size_t n_proof;
	const char *note;
	size_t note_len;
} add_request;

/* A decimal number without a leading zero, the whole of s[0..n). */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 1;
}

/* "old N\n", base64 proof lines, "\n", the note. */
static int parse_add(add_request *r, const char *body, size_t len)
{
	const char *end = body + len, *p = body, *nl = memchr(p, '\n', len);

	if (nl == NULL || nl - p < 5 || memcmp(p, "old ", 4) != 0 || !parse_u64(p + 4, (size_t)(nl - p - 4), &r->old))
		return 0;
	r->n_proof = 0;
	for (p = nl + 1; p < end; p = nl + 1) {
		size_t got = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return 0;
		if (nl == p)
			break;
		if (r->n_proof == VY_MERKLE_MAX_PROOF ||
		    sodium_base642bin(r->proof[r->n_proof], VY_MERKLE_HASH_BYTES, p, (size_t)(nl - p), NULL, &got, NULL,
				      sodium_base64_VARIANT_ORIGINAL) != 0 ||
		    got != VY_MERKLE_HASH_BYTES)
			return 0;
		r->n_proof++;
	}
	if (p >= end)
		return 0;
	r->note = nl + 1;
	r->note_len = (size_t)(end - r->note);
	return 1;
}

/* Read from the board until it holds size entries. 0, or the HTTP status
 * of the refusal (already in a). */
static unsigned catch_up(vyw_witness *w, uint64_t size, vyw_answer *a)
{
	vy_reason why = { 0 };

	if (w->n < size && vyw_follow(w, &why) != VY_R_OK) {
		answer_text(a, 503, CT_TEXT, "cannot read the board: %s\n", why.msg);
		return 503;
	}
	if (w->forked) {
		answer_text(a, 409, CT_TEXT, "the board's record failed at entry %zu: nothing is cosigned\n", w->n);
		return 409;
	}
	if (w->n < size) {
		answer_text(a, 409, CT_TEXT, "the board holds %zu entries, not %" PRIu64 "\n", w->n, size);
		return 409;
	}
	return 0;
}

/* Store the new state and the note, then the cosignature line. */
static void cosign(vyw_witness *w, const vy_checkpoint *c, const add_request *r, vyw_answer *a)
{
	char path[VYW_PATH_BYTES], line[VYW_LINE_BYTES];
	vy_cosignature s;
	vy_reason why = { 0 };
	size_t n;
	char *note;

	vy_cosign(&s, (uint64_t)time(NULL), c, w->sk);
	n = vy_note_line_cosignature(line, sizeof line, w->name, w->pk, &s);
	note = malloc(r->note_len + n + 1);
	if (n == 0 || note == NULL) {
		free(note);
		answer_text(a, 500, CT_TEXT, "out of memory\n");
		return;
	}
	memcpy(note, r->note, r->note_len);
	memcpy(note + r->note_len, line, n + 1);
	memcpy(w->base_hash, c->base_hash, VY_HASH_BYTES);
	w->cs_size = c->size;
	memcpy(w->cs_root, c->root, VY_MERKLE_HASH_BYTES);
	if (c->size > 0)
		memcpy(w->cs_head, w->hashes[c->size - 1], VY_HASH_BYTES);
	else
		memset(w->cs_head, 0, VY_HASH_BYTES);
	w->have_state = 1;
	path_of(path, w, "checkpoint");
	if (write_state(w, &why) != VY_R_OK ||
	    vy_file_replace(path, VY_FILE_MODE_PUBLIC, note, r->note_len + n, &why) != VY_R_OK) {
		/* Its memory now holds a state the disk may lack: cosign
		 * nothing more until it is restarted. */
		w->forked = 1;
		free(note);
		fprintf(stderr, "vybar-witness: cannot store its state: %s\n", why.msg);
		answer_text(a, 500, CT_TEXT, "cannot store the state\n");
		return;
	}
	free(w->cs_note);
	w->cs_note = note;
	w->cs_note_len = r->note_len + n;
	answer_text(a, 200, CT_TEXT, "%s", line);
}

/* The checks of §7.2 in order, once the body parsed. */
static void add_locked(vyw_witness *w, const add_request *r, vyw_answer *a)
{
	vy_checkpoint c;
	vy_reason why = { 0 };
	uint8_t root[VY_MERKLE_HASH_BYTES];
	const ProtobufCBinaryData *bk;
	vy_rc rc;

	if (w->n == 0 && catch_up(w, 1, a) != 0)
		return;
	bk = &w->st.manifest->board_key;
	rc = vy_checkpoint_note_parse(&c, NULL, NULL, r->note, r->note_len, w->st.election.base_hash, bk->data, NULL,
				      NULL, 0, &why);
	if (rc != VY_R_OK) {
		answer_text(a, rc == VY_R_FIELD && strstr(why.msg, "origin") ? 404 : rc == VY_R_BOARD_SIGNATURE ? 403 : 400,
			    CT_TEXT, "%s\n", why.msg);
		return;
	}
	if (r->old > c.size) {
		answer_text(a, 400, CT_TEXT, "old %" PRIu64 " is beyond the checkpoint's size\n", r->old);
		return;
	}
	if (r->old != w->cs_size) {
		answer_text(a, 409, CT_TLOG_SIZE, "%" PRIu64 "\n", w->cs_size);
		return;
	}
	if (catch_up(w, c.size, a) != 0)
		return;
	if (r->old > 0 && r->old < c.size &&
	    !vy_merkle_verify_consistency(r->old, c.size, w->cs_root, c.root,
					  (const uint8_t(*)[VY_MERKLE_HASH_BYTES])r->proof, r->n_proof)) {
		answer_text(a, 422, CT_TEXT, "the consistency proof does not verify\n");
		return;
	}
	if (vy_merkle_tree_root(w->tree, c.size, root) != VY_R_OK || memcmp(root, c.root, sizeof root) != 0 ||
	    (c.size == w->cs_size && memcmp(c.root, w->cs_root, sizeof root) != 0)) {
		answer_text(a, 409, CT_TEXT, "the checkpoint's root is not the record's at %" PRIu64 "\n", c.size);
		return;
	}
	cosign(w, &c, r, a);
}

void vyw_add_checkpoint(vyw_witness *w, const char *body, size_t len, vyw_answer *a)
{
	add_request *r = calloc(1, sizeof *r);

	memset(a, 0, sizeof *a);
	if (r == NULL) {
		answer_text(a, 500, CT_TEXT, "out of memory\n");
		return;
	}
	if (len > VYW_MAX_ADD_BODY || !parse_add(r, body, len)) {
		answer_text(a, 400, CT_TEXT, "malformed add-checkpoint body\n");
		free(r);
		return;
	}
	pthread_mutex_lock(&w->mu);
	if (w->forked)
		answer_text(a, 409, CT_TEXT, "the board forked or lied: this witness cosigns nothing more\n");
	else
		add_locked(w, r, a);
	pthread_mutex_unlock(&w->mu);
	free(r);
}

/* ---- the read-only mirror (§7.3) ---- */

/* ?from=N: decimal digits, no overflow (as the board reads it). */
static int parse_from(const char *s, uint64_t *out)
{
	*out = 0;
	return s == NULL || parse_u64(s, strlen(s), out);
}

void vyw_get_record(vyw_witness *w, const char *from_s, vyw_answer *a)
{
	uint64_t from;
	size_t start, end, last;

	memset(a, 0, sizeof *a);
	if (!parse_from(from_s, &from)) {
		answer_text(a, 400, CT_TEXT, "from: must be a decimal sequence number\n");
		return;
	}
	pthread_mutex_lock(&w->mu);
	snprintf(a->next_buf, sizeof a->next_buf, "%" PRIu64, from);
	last = from < w->n ? (size_t)from : w->n;
	start = w->offs[last];
	/* the first frame whole, then frames while within the chunk */
	for (end = last; end < w->n; end++)
		if (end > last && w->offs[end + 1] - start > VY_MAX_RECORD_CHUNK_BYTES)
			break;
	a->body = malloc(VY_RECORD_MAGIC_LEN + (w->offs[end] - start) + 1);
	if (a->body != NULL) {
		memcpy(a->body, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN);
		memcpy(a->body + VY_RECORD_MAGIC_LEN, w->frames + start, w->offs[end] - start);
		a->len = VY_RECORD_MAGIC_LEN + (w->offs[end] - start);
		if (from < w->n)
			snprintf(a->next_buf, sizeof a->next_buf, "%zu", end);
	}
	pthread_mutex_unlock(&w->mu);
	if (a->body == NULL) {
		answer_text(a, 500, CT_TEXT, "out of memory\n");
		return;
	}
	a->status = 200;
	a->content_type = VY_CT_RECORD;
	a->next = a->next_buf;
}

void vyw_get_proof(vyw_witness *w, int consistency, const char *a_s, const char *b_s, vyw_answer *a)
{
	uint8_t path[VY_MERKLE_MAX_PROOF][VY_MERKLE_HASH_BYTES];
	uint64_t x, y;
	size_t n = 0;
	vy_rc rc = VY_R_ARG;

	memset(a, 0, sizeof *a);
	if (a_s == NULL || b_s == NULL || !parse_u64(a_s, strlen(a_s), &x) || !parse_u64(b_s, strlen(b_s), &y)) {
		answer_text(a, 400, CT_TEXT, "%s must be decimal numbers\n",
			    consistency ? "first and second" : "seq and size");
		return;
	}
	pthread_mutex_lock(&w->mu);
	if (consistency && x > 0 && x <= y && y <= w->n)
		rc = vy_merkle_tree_consistency(w->tree, x, y, path, &n);
	else if (!consistency && x < y && y <= w->n)
		rc = vy_merkle_tree_inclusion(w->tree, x, y, path, &n);
	pthread_mutex_unlock(&w->mu);
	if (rc != VY_R_OK) {
		answer_text(a, 404, CT_TEXT, "%s\n",
			    consistency ? "no such pair of tree sizes" : "no such entry in a tree of that size");
		return;
	}
	a->body = malloc(VY_MERKLE_PROOF_TEXT_MAX + 1);
	if (a->body == NULL) {
		answer_text(a, 500, CT_TEXT, "out of memory\n");
		return;
	}
	a->len = vy_merkle_proof_format(a->body, VY_MERKLE_PROOF_TEXT_MAX + 1,
					(const uint8_t (*)[VY_MERKLE_HASH_BYTES])path, n);
	a->status = 200;
	a->content_type = CT_TEXT;
}

void vyw_get_status(vyw_witness *w, vyw_answer *a)
{
	char head[65], root[65];

	memset(a, 0, sizeof *a);
	pthread_mutex_lock(&w->mu);
	if (w->n > 0)
		hex(head, w->hashes[w->n - 1], VY_HASH_BYTES);
	else
		memset(head, '0', 64), head[64] = '\0';
	hex(root, w->cs_root, VY_MERKLE_HASH_BYTES);
	answer_text(a, 200, VY_CT_JSON,
		    "{\"size\":%zu,\"head_hash\":\"%s\",\"cosigned_size\":%" PRIu64
		    ",\"cosigned_root\":\"%s\",\"forked\":%s}\n",
		    w->n, head, w->cs_size, w->have_state ? root : "", w->forked ? "true" : "false");
	pthread_mutex_unlock(&w->mu);
}

void vyw_get_checkpoint(vyw_witness *w, vyw_answer *a)
{
	memset(a, 0, sizeof *a);
	pthread_mutex_lock(&w->mu);
	if (w->cs_note == NULL) {
		answer_text(a, 404, CT_TEXT, "no checkpoint cosigned yet\n");
	} else {
		a->body = malloc(w->cs_note_len + 1);
		if (a->body != NULL) {
			memcpy(a->body, w->cs_note, w->cs_note_len + 1);
			a->len = w->cs_note_len;
			a->status = 200;
			a->content_type = CT_TEXT;
		} else {
			answer_text(a, 500, CT_TEXT, "out of memory\n");
		}
	}
	pthread_mutex_unlock(&w->mu);
}
