/*
 * What a trustee remembers (specs/trustee.md §7), so that a board cannot
 * show it one record today and another tomorrow:
 *
 *   DIR/seen       the head of the last record this trustee accepted (its
 *                  size and head hash); every record read later must
 *                  extend it.
 *   DIR/decrypted  the tally this trustee decrypted (the election's base
 *                  hash, the ENCRYPTED_TALLY entry's position and hash, the
 *                  head it saw); it never decrypts another tally of the same
 *                  election, which is what a forked record would show it.
 *
 * Both are small text files replaced atomically and synced (cli/vy_files.h)
 * before the command goes on, so a crash leaves the old memory or the new.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/vy_cli.h"
#include "cli/vy_files.h"
#include "trustee/trustee.h"

#define SEEN_MAGIC "vybar-trustee seen 1"
#define DECRYPTED_MAGIC "vybar-trustee decrypted 1"
#define MEMORY_MAX_BYTES 1024
#define HEX_BYTES (2 * VY_HASH_BYTES + 1)
#define SHORT_HEX 16 /* the hash prefix a message quotes */

/* DIR/name into path; -1 (err set) if it does not fit. */
static int memory_path(vyt_ctx *c, const char *name, char path[VY_FILE_PATH_BYTES])
{
	if ((size_t)snprintf(path, VY_FILE_PATH_BYTES, "%s/%s", c->o->dir, name) < VY_FILE_PATH_BYTES)
		return 0;
	snprintf(c->err, sizeof c->err, "the directory name is too long");
	return vyt_failed(c, VYT_IO_ERROR);
}

/* DIR/name's text into *text (malloc'd): 1 read, 0 absent, -1 (err set). */
static int memory_read(vyt_ctx *c, const char *name, char **text)
{
	char path[VY_FILE_PATH_BYTES];
	uint8_t *buf = NULL;
	size_t len = 0;
	vy_reason why = { 0 };

	*text = NULL;
	if (memory_path(c, name, path) != 0)
		return -1;
	if (access(path, F_OK) != 0)
		return 0;
	if (vy_file_read(&buf, &len, path, MEMORY_MAX_BYTES, 0, &why) != VY_R_OK) {
		snprintf(c->err, sizeof c->err, "%s", why.msg);
		return vyt_failed(c, VYT_IO_ERROR);
	}
	*text = (char *)buf;
	return 1;
}

/* Write text to DIR/name atomically, synced. */
static int memory_write(vyt_ctx *c, const char *name, const char *text)
{
	char path[VY_FILE_PATH_BYTES];
	vy_reason why = { 0 };

	if (memory_path(c, name, path) != 0)
		return -1;
	if (vy_file_replace(path, VY_FILE_MODE_SECRET, text, strlen(text), &why) == VY_R_OK)
		return 0;
	snprintf(c->err, sizeof c->err, "cannot remember what you saw: %s", why.msg);
	return vyt_failed(c, VYT_IO_ERROR);
}

/* 64 hex digits into h; 0 on success. */
static int unhex(uint8_t h[VY_HASH_BYTES], const char *hex)
{
	return strlen(hex) == 2 * VY_HASH_BYTES &&
			       sodium_hex2bin(h, VY_HASH_BYTES, hex, strlen(hex), NULL, NULL, NULL) == 0 ? 0 : -1;
}

/* A refusal for a memory file that is not in its format. */
static int memory_corrupt(vyt_ctx *c, const char *name)
{
	snprintf(c->err, sizeof c->err, "%s/%s is not in the format of specs/trustee.md §7: refusing (restore it "
		 "from a backup; never delete it)", c->o->dir, name);
	return -1;
}

/* §7.1: DIR/seen into c->v.seen, before the record is read, so that the
 * view notes the hash of the record's entry at position seen.size - 1. */
int vyt_seen_load(vyt_ctx *c)
{
	char *text = NULL, hex[HEX_BYTES + 1], tail;
	uint64_t size = 0;
	int r = memory_read(c, VYT_SEEN_FILE, &text);

	if (r <= 0)
		return r;
	r = sscanf(text, SEEN_MAGIC "\nsize %" SCNu64 "\nhead %65s\n%c", &size, hex, &tail) == 2 && size > 0 &&
			    unhex(c->v.seen.head, hex) == 0 ? 0 : memory_corrupt(c, VYT_SEEN_FILE);
	free(text);
	if (r == 0) {
		c->v.seen.size = size;
		c->v.have_seen = 1;
	}
	return r;
}

/* The hash h as a message quotes it: its first SHORT_HEX digits. */
static const char *short_hex(char out[HEX_BYTES], const uint8_t h[VY_HASH_BYTES])
{
	sodium_bin2hex(out, HEX_BYTES, h, VY_HASH_BYTES);
	out[SHORT_HEX] = '\0';
	return out;
}

/* §7.1: the record just read must extend the one seen before (as long at
 * least, with the same entry at position size - 1: the entry hashes chain,
 * so the same entry there means the same record up to there); then DIR/seen
 * is its head. */
int vyt_seen_check(vyt_ctx *c)
{
	const vyt_head *s = &c->v.seen;
	char was[HEX_BYTES], now[HEX_BYTES], text[MEMORY_MAX_BYTES];
	uint64_t size = c->v.st.next_seq;

	if (c->v.have_seen && size < s->size) {
		snprintf(c->err, sizeof c->err, "the board's record does not extend the record you saw before (you saw "
			 "%" PRIu64 " entries, it has %" PRIu64 "): the board is showing you a different record; refusing",
			 s->size, size);
		return -1;
	}
	if (c->v.have_seen && sodium_memcmp(c->v.seen_now, s->head, VY_HASH_BYTES) != 0) {
		snprintf(c->err, sizeof c->err, "the board's record does not extend the record you saw before (entry "
			 "%" PRIu64 " had hash %s..., now %s...): the board is showing you a different record; refusing",
			 s->size - 1, short_hex(was, s->head), short_hex(now, c->v.seen_now));
		return -1;
	}
	sodium_bin2hex(now, sizeof now, c->v.st.head_hash, VY_HASH_BYTES);
	snprintf(text, sizeof text, SEEN_MAGIC "\nsize %" PRIu64 "\nhead %s\n", size, now);
	return size == 0 ? 0 : memory_write(c, VYT_SEEN_FILE, text);
}

/* DIR/decrypted, parsed. */
typedef struct {
	uint8_t base[VY_HASH_BYTES], tally[VY_HASH_BYTES];
	uint64_t tally_seq;
	vyt_head head;
} decrypted;

/* DIR/decrypted into d: 1 read, 0 absent, -1 (err set). */
static int decrypted_load(vyt_ctx *c, decrypted *d)
{
	char *text = NULL, b[HEX_BYTES + 1], t[HEX_BYTES + 1], h[HEX_BYTES + 1], tail;
	int r = memory_read(c, VYT_DECRYPTED_FILE, &text);

	if (r <= 0)
		return r;
	r = sscanf(text, DECRYPTED_MAGIC "\nbase %65s\ntally %" SCNu64 " %65s\nhead %" SCNu64 " %65s\n%c", b,
		   &d->tally_seq, t, &d->head.size, h, &tail) == 5 &&
			    unhex(d->base, b) == 0 && unhex(d->tally, t) == 0 && unhex(d->head.head, h) == 0 ?
		    1 :
		    memory_corrupt(c, VYT_DECRYPTED_FILE);
	free(text);
	return r;
}

/* §7.2: decrypt only the tally decrypted before, if any: another tally of
 * the same election is a fork of the record. */
int vyt_decrypted_check(vyt_ctx *c)
{
	const vy_record_state *st = &c->v.st;
	decrypted d;
	char hex[HEX_BYTES];
	int r = decrypted_load(c, &d);

	if (r <= 0 || !st->have_tally)
		return r < 0 ? -1 : 0;
	if (sodium_memcmp(d.base, st->election.base_hash, VY_HASH_BYTES) != 0) {
		snprintf(c->err, sizeof c->err, "decrypt: %s/%s names the tally of another election (base hash %s...): "
			 "this directory is that election's; refusing", c->o->dir, VYT_DECRYPTED_FILE,
			 short_hex(hex, d.base));
		return -1;
	}
	if (d.tally_seq != c->v.tally_seq || sodium_memcmp(d.tally, st->tally_hash, VY_HASH_BYTES) != 0) {
		snprintf(c->err, sizeof c->err, "decrypt: you already decrypted the tally at entry %" PRIu64 " (hash "
			 "%s...); a board that shows you another tally of the same election is showing you a fork: "
			 "refusing", d.tally_seq, short_hex(hex, d.tally));
		return -1;
	}
	return 0;
}

/* §7.2: remember this tally and the head seen, before anything is sent or
 * written (the same tally again, after a lost answer, stays allowed). */
int vyt_decrypted_save(vyt_ctx *c)
{
	const vy_record_state *st = &c->v.st;
	char b[HEX_BYTES], t[HEX_BYTES], h[HEX_BYTES], text[MEMORY_MAX_BYTES];

	sodium_bin2hex(b, sizeof b, st->election.base_hash, VY_HASH_BYTES);
	sodium_bin2hex(t, sizeof t, st->tally_hash, VY_HASH_BYTES);
	sodium_bin2hex(h, sizeof h, st->head_hash, VY_HASH_BYTES);
	snprintf(text, sizeof text, DECRYPTED_MAGIC "\nbase %s\ntally %" PRIu64 " %s\nhead %" PRIu64 " %s\n", b,
		 c->v.tally_seq, t, st->next_seq, h);
	return memory_write(c, VYT_DECRYPTED_FILE, text);
}
