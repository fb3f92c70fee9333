/* The election from the board, verified (vote.h, specs/client.md §2). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "client/vote.h"
#include "net/vy_pager.h"

#define HTTP_STATUS_OK 200

/* One entry: the full rules (protocol.md §8) up to and including
 * ELECTION_OPEN; after it, ballots are checked for frame, chain, board
 * signature and phase only (their proofs are each voter's and the
 * verifier's business), then applied. */
static vy_rc accept_entry(vy_record_state *st, const Vybar__RecordEntry *e, vy_reason *why)
{
	unsigned flags = 0;
	vy_rc rc;

	if (st->phase >= VY_PHASE_OPEN && (e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_BALLOT ||
					   e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_AUDITED_BALLOT))
		flags = VY_CHECK_SKIP_BALLOT;
	rc = vy_validate_entry_flags(st, e, flags, why);
	if (rc != VY_R_OK)
		return rc;
	return vy_record_state_apply(st, e, why);
}

/* vyc_board_each's function for the fetch: accept the entry into the state
 * ctx, its position named in the reason. */
static vy_rc verify_entry(void *ctx, Vybar__RecordEntry **e, int *stop, vy_reason *why)
{
	vy_rc rc = accept_entry(ctx, *e, why);

	(void)stop;
	if (rc != VY_R_OK && why != NULL) {
		char msg[VY_REASON_MSG_BYTES];

		snprintf(msg, sizeof msg, "%s", why->msg);
		vy_reason_set(why, rc, "board record entry %llu: %s", (unsigned long long)(*e)->seq, msg);
	}
	return rc;
}

/* §2: every entry of b's record accepted in order; the election the one
 * pinned (if pin), and open if need_open. */
static vy_rc board_verify(vyc_board *b, const uint8_t *pin, int need_open, vy_reason *why)
{
	const char *url = b->url;
	vy_rc rc = vyc_board_each(b, verify_entry, &b->st, why);

	if (rc != VY_R_OK)
		return rc;
	if (b->st.manifest == NULL)
		return vy_reason_set(why, VY_R_FIELD, "board %s: the record has no manifest", url);
	if (pin != NULL && sodium_memcmp(pin, b->st.election.base_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_FIELD, "board %s: the election is not the one expected (base hash differs)",
				     url);
	if (need_open && (b->st.phase < VY_PHASE_OPEN || !b->st.election.have_joint_key))
		return vy_reason_set(why, VY_R_PHASE, "board %s: the election is not open yet (key ceremony)", url);
	return VY_R_OK;
}

vy_rc vyc_board_load(vyc_board *b, const char *url, uint8_t *record, size_t len, const uint8_t *pin,
		     vy_reason *why)
{
	memset(b, 0, sizeof *b);
	vy_record_state_init(&b->st);
	b->record = record;
	b->record_len = len;
	if (strlen(url) >= sizeof b->url)
		return vy_reason_set(why, VY_R_ARG, "board URL too long");
	snprintf(b->url, sizeof b->url, "%s", url);
	return board_verify(b, pin, 1, why);
}

/* The record fetched from url and verified (board_verify). */
static vy_rc board_fetch(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
			 int need_open, vy_reason *why)
{
	vy_rc rc;

	memset(b, 0, sizeof *b);
	vy_record_state_init(&b->st);
	b->transport = t;
	if (strlen(url) >= sizeof b->url)
		return vy_reason_set(why, VY_R_ARG, "board URL too long");
	snprintf(b->url, sizeof b->url, "%s", url);
	/* the record, answer after answer (net/vy_pager.h) */
	rc = vy_pager_fetch_all(t, b->url, &b->record, &b->record_len, why);
	if (rc != VY_R_OK)
		return rc;
	return board_verify(b, pin, need_open, why);
}

/* Append n bytes to b's record image. */
static vy_rc image_add(vyc_board *b, const uint8_t *p, size_t n, vy_reason *why)
{
	uint8_t *nb = realloc(b->record, b->record_len + n);

	if (nb == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "the record: out of memory");
	b->record = nb;
	memcpy(b->record + b->record_len, p, n);
	b->record_len += n;
	return VY_R_OK;
}

/* One bounded answer, from..to-1 (board-api.md §4): a 200 that starts
 * with the magic line and whose X-Vybar-Next is in from..to; its frames
 * are then checked entry by entry (verify_entry) as they are kept, until
 * ELECTION_OPEN (*open set). *next: X-Vybar-Next. */
static vy_rc opening_page(vyc_board *b, uint64_t from, uint64_t to, uint64_t *next, int *open, vy_reason *why)
{
	char url[VY_HTTP_URL_BYTES], q[2 * VY_NEXT_DIGITS + 8];
	vy_http_retry p = { .idempotent = 1 };
	vy_http_request rq = { .method = VY_HTTP_GET, .max_answer = VY_MAX_RECORD_ANSWER_BYTES };
	vy_http_answer a;
	const uint8_t *entry;
	size_t off = 0, n = 0;
	vy_rc rc;

	snprintf(q, sizeof q, "%llu&to=%llu", (unsigned long long)from, (unsigned long long)to);
	if (vy_http_url(url, sizeof url, b->url, VY_PATH_RECORD_FROM, q) != VY_R_OK)
		return vy_reason_set(why, VY_R_ARG, "board URL too long");
	rq.url = url;
	rc = vy_http_send(b->transport, &p, &rq, &a, why);
	if (rc != VY_R_OK)
		return rc;
	b->bytes_read += a.len;
	if (a.status != HTTP_STATUS_OK)
		rc = vy_reason_set(why, VY_R_IO, "GET %s: HTTP status %ld", url, a.status);
	else if (a.len < VY_RECORD_MAGIC_LEN || memcmp(a.body, VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN) != 0)
		rc = vy_reason_set(why, VY_R_BAD_MAGIC, "GET %s: the answer does not start with the record magic", url);
	else if (vy_http_header_u64(a.next, next) != 0 || *next < from || *next > to)
		rc = vy_reason_set(why, VY_R_MALFORMED, "GET %s: " VY_HDR_NEXT " \"%s\" is not in %llu..%llu", url, a.next,
				   (unsigned long long)from, (unsigned long long)to);
	off = VY_RECORD_MAGIC_LEN;
	while (rc == VY_R_OK && !*open &&
	       (rc = vy_record_frame_next(a.body, a.len, &off, &entry, &n, why)) == VY_R_OK && entry != NULL) {
		Vybar__RecordEntry *e = NULL;
		size_t start = off - n - 4; /* the frame: u32be(n) || entry */
		int stop = 0;

		rc = vy_decode_entry(&e, entry, n, why);
		if (rc == VY_R_OK)
			rc = verify_entry(&b->st, &e, &stop, why);
		if (rc == VY_R_OK)
			rc = image_add(b, a.body + start, n + 4, why);
		if (rc == VY_R_OK && e->type == VYBAR__ENTRY_TYPE__ENTRY_TYPE_ELECTION_OPEN)
			*open = 1;
		vy_msg_free(e);
	}
	vy_http_answer_free(&a);
	return rc;
}

/* Where the next answer ends: the manifest alone first; then, its n
 * trustees known, just past where ELECTION_OPEN stands when no trustee is
 * accused (protocol.md §5: n announcements, n reveals, n verdicts, then
 * the opening at 3n + 1); beyond that (justifications), a window. */
static uint64_t opening_to(const vyc_board *b, uint64_t from)
{
	uint64_t open_at;

	if (b->st.manifest == NULL)
		return from + 1;
	open_at = 3 * (uint64_t)b->st.manifest->trustee_count + 1;
	return from <= open_at ? open_at + 1 : from + VYC_OPENING_WINDOW;
}

vy_rc vyc_board_fetch_opening(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
			      int need_open, vy_reason *why)
{
	uint64_t from = 0, next = 0;
	int open = 0;
	vy_rc rc;

	memset(b, 0, sizeof *b);
	vy_record_state_init(&b->st);
	b->transport = t;
	if (strlen(url) >= sizeof b->url)
		return vy_reason_set(why, VY_R_ARG, "board URL too long");
	snprintf(b->url, sizeof b->url, "%s", url);
	rc = image_add(b, (const uint8_t *)VY_RECORD_MAGIC, VY_RECORD_MAGIC_LEN, why);
	while (rc == VY_R_OK && !open) {
		rc = opening_page(b, from, opening_to(b, from), &next, &open, why);
		if (rc != VY_R_OK || next == from)
			break; /* the record ends before ELECTION_OPEN */
		from = next;
	}
	if (rc != VY_R_OK)
		return rc;
	/* the checks of board_verify on what was read (verify_entry did the entries) */
	if (b->st.manifest == NULL)
		return vy_reason_set(why, VY_R_FIELD, "board %s: the record has no manifest", b->url);
	if (pin != NULL && sodium_memcmp(pin, b->st.election.base_hash, VY_HASH_BYTES) != 0)
		return vy_reason_set(why, VY_R_FIELD, "board %s: the election is not the one expected (base hash differs)",
				     b->url);
	if (need_open && (b->st.phase < VY_PHASE_OPEN || !b->st.election.have_joint_key))
		return vy_reason_set(why, VY_R_PHASE, "board %s: the election is not open yet (key ceremony)", b->url);
	return VY_R_OK;
}

vy_rc vyc_board_fetch(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
		      vy_reason *why)
{
	return board_fetch(b, t, url, pin, 1, why);
}

vy_rc vyc_board_fetch_election(vyc_board *b, const vy_http_transport *t, const char *url, const uint8_t *pin,
			       vy_reason *why)
{
	return board_fetch(b, t, url, pin, 0, why);
}

void vyc_board_free(vyc_board *b)
{
	vy_record_state_free(&b->st);
	free(b->record);
	b->record = NULL;
}

vy_rc vyc_board_each(const vyc_board *b, vyc_entry_fn fn, void *ctx, vy_reason *why)
{
	FILE *f = fmemopen(b->record, b->record_len, "rb");
	vy_record_reader rd;
	Vybar__RecordEntry *e = NULL;
	int stop = 0;
	vy_rc rc;

	if (f == NULL)
		return vy_reason_set(why, VY_R_NOMEM, "record: out of memory");
	rc = vy_record_reader_open(&rd, f, why);
	while (rc == VY_R_OK && !stop && (rc = vy_record_reader_next(&rd, &e, why)) == VY_R_OK && e != NULL) {
		rc = fn(ctx, &e, &stop, why);
		vy_msg_free(e);
		e = NULL;
	}
	vy_record_reader_close(&rd);
	fclose(f);
	return rc;
}

/* The search of vyc_board_entry: ctx holds the position asked for, and
 * receives the entry. */
typedef struct {
	uint64_t seq;
	Vybar__RecordEntry *found;
} entry_search;

static vy_rc entry_is(void *ctx, Vybar__RecordEntry **e, int *stop, vy_reason *why)
{
	entry_search *s = ctx;

	(void)why;
	if ((*e)->seq == s->seq) {
		s->found = *e;
		*e = NULL;
		*stop = 1;
	}
	return VY_R_OK;
}

vy_rc vyc_board_entry(const vyc_board *b, uint64_t seq, Vybar__RecordEntry **out, vy_reason *why)
{
	entry_search s = { seq, NULL };
	vy_rc rc = vyc_board_each(b, entry_is, &s, why);

	*out = NULL;
	if (rc != VY_R_OK) {
		vy_msg_free(s.found);
		return rc;
	}
	if (s.found == NULL)
		return vy_reason_set(why, VY_R_RECEIPT, "the record has no entry at position %llu",
				     (unsigned long long)seq);
	*out = s.found;
	return VY_R_OK;
}
