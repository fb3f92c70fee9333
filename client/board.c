/* The election from the board, verified (vote.h, specs/client.md §2). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "client/vote.h"
#include "net/vy_pager.h"

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
