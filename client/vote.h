/*
 * The voter's side of voting (specs/client.md): fetch and verify the
 * election from the board, take and check choices, build the ballot
 * (protocol/vy_ballot_build.h), audit or cast it with retries, keep and
 * verify the board's receipt, and check it later against the record.
 *
 * Secrets (the credential's secret key, the ballot's randomness and
 * choices) live in guarded memory (sodium_malloc) and are wiped.
 */
#ifndef VYC_VOTE_H
#define VYC_VOTE_H

#include <stdio.h>

#include "protocol/vy_ballot_build.h"
#include "protocol/vy_record.h"

#define VYC_URL_BYTES 512
#define VYC_PATH_RECORD "/v1/record?from="
#define VYC_PATH_BALLOTS "/v1/ballots"
#define VYC_PATH_AUDITED "/v1/audited-ballots"
#define VYC_PATH_RECEIPTS "/v1/receipts/"
#define VYC_POST_TRIES 6            /* at most this many POSTs of one ballot */
#define VYC_BACKOFF_FIRST_MS 250    /* then doubled after each 429/503 */
#define VYC_BACKOFF_MAX_MS 4000
#define VYC_MAX_RECEIPT_BYTES 4096
#define VYC_MAX_RECORD_PAGES 100000
/* One GET /v1/record answer: the board sends at most 8 MiB of frames beyond
 * the first entry (board-api.md), so the magic line, 8 MiB and one whole
 * frame more. Small answers (receipts) keep VYC_MAX_RESPONSE_BYTES. */
#define VYC_MAX_RECORD_ANSWER_BYTES (VY_RECORD_MAGIC_LEN + 8u * 1024u * 1024u + 4u + VY_MAX_ENTRY_BYTES)

/* The election as the board's record shows it, verified (client.md §2). */
typedef struct {
	char url[VYC_URL_BYTES];
	vy_record_state st;
	uint8_t *record; /* the record file bytes (magic + frames) */
	size_t record_len;
} vyc_board;

/* The voter's credential in guarded memory. */
typedef struct {
	uint8_t *keys; /* guarded: pk (32) || sk (64) */
	uint8_t randomizer[VY_RANDOMIZER_BYTES];
	uint8_t reg_sig[VY_RSA_MAX_MODULUS_BYTES];
	size_t reg_sig_len;
	vy_ballot_signer signer;
} vyc_credential;

/* How ballots are posted. */
typedef struct {
	unsigned tries;          /* 0: VYC_POST_TRIES */
	unsigned backoff_ms;     /* 0: VYC_BACKOFF_FIRST_MS */
	FILE *log;               /* progress messages (may be NULL) */
	/* Called with the board's receipt, decoded, before it is checked (may
	 * be NULL): the tests spoil it here to see a bad receipt reported. */
	void (*receipt_seen)(Vybar__Receipt *r);
} vyc_post_opts;

/* What `check` found (client.md §5). */
typedef struct {
	uint64_t seq;          /* the receipt's position */
	int tallied;           /* the encrypted tally is on the record */
	int superseded;        /* a later ballot of the same credential exists */
	uint64_t latest_seq;   /* the credential's last ballot */
	char tracking_code[VY_TRACKING_CODE_BYTES];
} vyc_check_result;

/* §2: fetch the whole record from the board at url and verify it; the
 * election must be open (or later). pin (may be NULL) is the base hash
 * the voter expects. */
vy_rc vyc_board_fetch(vyc_board *b, const char *url, const uint8_t *pin, vy_reason *why) VY_WARN_UNUSED;
void vyc_board_free(vyc_board *b);

/* §3: the contests, readably (numbers are the ones choices use). */
void vyc_election_print(FILE *out, const vy_election *e);

/* §3: choices from "C=O[,O...]" or "C=blank" specs (1-based numbers), one
 * per contest; then the contest rules (vy_choices_check). */
vy_rc vyc_choices_parse(const Vybar__Manifest *m, const char *const *specs, size_t n_specs, uint32_t *choices,
			size_t n, vy_reason *why) VY_WARN_UNUSED;
/* §3: the same, asking for each contest on out and reading lines from in. */
vy_rc vyc_choices_prompt(FILE *in, FILE *out, const Vybar__Manifest *m, uint32_t *choices, size_t n,
			 vy_reason *why) VY_WARN_UNUSED;

/* Load a credential file for the election (keys into guarded memory). */
vy_rc vyc_credential_open(vyc_credential *c, const vy_election *e, const char *path, vy_reason *why) VY_WARN_UNUSED;
void vyc_credential_close(vyc_credential *c);

/* §4: post the audited ballot of b (randomness and choices revealed) and
 * verify the board's receipt. */
vy_rc vyc_audit(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, vy_reason *why) VY_WARN_UNUSED;
/* §4: cast b, write the board's receipt to receipt_path (mode 0600) and
 * verify it at once: VY_R_RECEIPT if its signature or content fails. */
vy_rc vyc_cast(const vyc_board *bd, const vy_built_ballot *b, const vyc_post_opts *o, const char *receipt_path,
	       uint64_t *seq, vy_reason *why) VY_WARN_UNUSED;

/* §5: the receipt in receipt_path against the board's record. */
vy_rc vyc_check(const char *url, const char *receipt_path, vyc_check_result *res, vy_reason *why) VY_WARN_UNUSED;

#endif
